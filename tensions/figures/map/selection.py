"""From a click on the map back to events: the clicked target and the events behind it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# Events this near each other (in degrees of latitude and of longitude, about 10 m) are at the same place.
SAME_PLACE_DEGREES = 1e-4


@dataclass(frozen=True)
class Target:
    """What a click on the map picked: one event, a grid cell or a province; or the place of an event (`place_of`)."""

    kind: str
    key: str


def selection_target(points: list[dict]) -> Target | None:
    """The first clicked marker's target, from Streamlit's `selection.points` (None if nothing usable)."""
    for point in points or []:
        data = point.get("customdata")
        if isinstance(data, list | tuple) and len(data) == 2 and data[0] in ("event", "cell", "province"):
            return Target(kind=str(data[0]), key=str(data[1]))
    return None


def events_in_target(events: pd.DataFrame, target: Target) -> pd.DataFrame:
    """The events behind a clicked marker (the event itself, a grid cell's events or a province's events), or
    those at an event's place."""
    if target.kind == "event":
        return events[(events["event_id"] == target.key).fillna(False).to_numpy()]
    if target.kind == "cell":
        size, ix, iy = cell_of(target)
        lon_cells = np.floor(events["longitude"].to_numpy(dtype=float) / size)
        lat_cells = np.floor(events["latitude"].to_numpy(dtype=float) / size)
        return events[(lon_cells == ix) & (lat_cells == iy)]
    if target.kind == "province":
        country, admin1 = province_of(target)
        same_country = (events["country"] == country).fillna(False)
        same_admin = events["admin1"].isna() if not admin1 else (events["admin1"] == admin1).fillna(False)
        return events[(same_country & same_admin).to_numpy()]
    if target.kind == "place":
        latitude, longitude, degrees = place_coordinates(target)
        return events[
            (np.abs(events["latitude"].to_numpy(dtype=float) - latitude) <= degrees)
            & (np.abs(events["longitude"].to_numpy(dtype=float) - longitude) <= degrees)
        ]
    raise ValueError(f"unknown map target kind {target.kind!r}")


def cell_of(target: Target) -> tuple[float, int, int]:
    """A clicked grid cell's size in degrees, column and row (the floor of longitude and latitude / size)."""
    size, column, row = target.key.split(":")
    return float(size), int(column), int(row)


def province_of(target: Target) -> tuple[str, str]:
    """A clicked province's country and admin1 ("" for the events of a country with no province given)."""
    country, _, admin1 = target.key.partition("\t")
    return country, admin1


def events_at_place(events: pd.DataFrame, event: pd.DataFrame) -> pd.DataFrame:
    """The events of `events` at the place of `event` (one row), itself included; `event` alone when it has no
    coordinates."""
    return events_in_target(events, place_of(event.iloc[0])) if is_placed(event) else event


def is_placed(event: pd.DataFrame) -> bool:
    """Whether `event` (one row) has coordinates, so a place to find other events at."""
    return not event[["latitude", "longitude"]].isna().to_numpy().any()


def place_of(event: pd.Series) -> Target:
    """The place of `event`, as a target: the events drawn there (itself included)."""
    return Target("place", f"{float(event['latitude'])!r}:{float(event['longitude'])!r}")


def place_coordinates(target: Target) -> tuple[float, float, float]:
    """A place target's latitude and longitude, and how near counts as there (`SAME_PLACE_DEGREES`)."""
    latitude, longitude = (float(part) for part in target.key.split(":"))
    return latitude, longitude, SAME_PLACE_DEGREES
