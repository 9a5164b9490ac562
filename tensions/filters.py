"""The filter state shared by every page, the CLI and the cache key, and how it is applied."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tensions.actors import with_descendants


@dataclass(frozen=True)
class FilterState:
    """What the user asked to see. Empty tuples mean "no restriction"."""

    start: dt.date | None = None
    end: dt.date | None = None
    countries: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    precise_only: bool = False

    def describe(self) -> str:
        """A one-line plain-language account of the filters, for captions and slide footers."""
        parts = []
        if self.start or self.end:
            start = self.start.isoformat() if self.start else "start"
            end = self.end.isoformat() if self.end else "latest"
            parts.append(f"{start} to {end}")
        for label, values in (
            ("countries", self.countries),
            ("actors", self.actors),
            ("types", self.event_types),
            ("datasets", self.datasets),
        ):
            if values:
                parts.append(f"{label}: {', '.join(values)}")
        if self.precise_only:
            parts.append("precisely placed and dated events only")
        return "; ".join(parts) if parts else "all events"


def imprecise_mask(events: pd.DataFrame) -> pd.Series:
    """Events known only to their province or only to their month."""
    return (events["geo_precision"] == 3).fillna(False) | (events["time_precision"] == "month").fillna(False)


def filter_mask(events: pd.DataFrame, state: FilterState, actors: pd.DataFrame | None = None) -> np.ndarray:
    """A boolean mask of the events that pass `state`; selecting an umbrella actor keeps its factions."""
    mask = np.ones(len(events), dtype=bool)
    if state.start is not None:
        mask &= (events["event_date"] >= pd.Timestamp(state.start)).to_numpy()
    if state.end is not None:
        mask &= (events["event_date"] <= pd.Timestamp(state.end)).to_numpy()
    for column, values in (
        ("country", state.countries),
        ("event_type", state.event_types),
        ("dataset", state.datasets),
    ):
        if values:
            mask &= events[column].isin(values).to_numpy()
    if state.actors:
        names = with_descendants(state.actors, actors) if actors is not None else set(state.actors)
        mask &= (events["actor1"].isin(names) | events["actor2"].isin(names)).to_numpy()
    if state.precise_only:
        mask &= ~imprecise_mask(events).to_numpy()
    return mask


def apply_filters(events: pd.DataFrame, state: FilterState, actors: pd.DataFrame | None = None) -> pd.DataFrame:
    """The events that pass `state`."""
    return events[filter_mask(events, state, actors)]
