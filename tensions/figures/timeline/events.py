"""Per-event facts the timeline draws: lane, key event and its label, marker size, imprecise dates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tensions.data import taxonomy
from tensions.data.categorical import positions_in
from tensions.figures.timeline.style import LANE_ORDERS, LANES, SCREEN, UNASSIGNED_LANE, TimelineStyle


def key_event_labels(events: pd.DataFrame) -> pd.Series:
    """The short label of each event, or its sub-type and place when the curator gave none (not escaped)."""
    fallback = events["sub_event_type"].astype("string") + ", " + events["location"].astype("string")
    return events["label"].astype("string").fillna(fallback).str.strip()


def marker_sizes(fatalities: pd.Series, style: TimelineStyle = SCREEN) -> np.ndarray:
    """Marker diameters in px, growing with the logarithm of reported deaths; unknown gets the smallest."""
    return sizes_for(fatalities.to_numpy(dtype=float, na_value=0.0), style)


def sizes_for(deaths: np.ndarray, style: TimelineStyle) -> np.ndarray:
    return style.marker_min + style.marker_per_decade * np.log10(1 + np.clip(deaths, 0, None))


def lane_values(events: pd.DataFrame, lanes: str) -> pd.Series:
    """Each event's lane: its theatre or its actor family ("Unassigned" when the family is unknown)."""
    if lanes not in LANES:
        raise ValueError(f"lanes must be one of {sorted(LANES)}, not {lanes!r}")
    if lanes not in events:
        return pd.Series(UNASSIGNED_LANE, index=events.index, dtype="string")
    return events[lanes].astype("string").fillna(UNASSIGNED_LANE)


def present_lanes(values: pd.Series, lanes: str) -> list[str]:
    """The lanes that occur, in the taxonomy's display order (Unassigned last)."""
    present = set(values.dropna().astype(str))
    return [lane for lane in (*LANE_ORDERS[lanes], UNASSIGNED_LANE) if lane in present]


def imprecise_dates(events: pd.DataFrame) -> pd.Series:
    """Events whose date is known only to the week or the month."""
    return pd.Series(positions_in(events["time_precision"], ("week", "month")) >= 0, index=events.index)


def types_present(events: pd.DataFrame) -> list[str]:
    """The event types that occur, in the taxonomy's order."""
    codes = codes_present(positions_in(events["event_type"], taxonomy.EVENT_TYPES), len(taxonomy.EVENT_TYPES))
    return [taxonomy.EVENT_TYPES[code] for code in codes]


def codes_present(codes: np.ndarray, size: int) -> list[int]:
    """The codes in 0..size-1 that occur (a count per code is much faster than np.unique on many rows)."""
    counts = np.bincount(codes[codes >= 0], minlength=size) if len(codes) else np.zeros(size, dtype=int)
    return np.flatnonzero(counts).tolist()
