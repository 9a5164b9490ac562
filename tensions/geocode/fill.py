"""Filling missing event coordinates: the gazetteer first, then, only when asked, an online lookup
whose answers are appended to `places.csv` so the next lookup is local.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tensions.data import guard
from tensions.data.gazetteer import Gazetteer, Place
from tensions.data.schema import EVENTS, PLACES
from tensions.errors import GeocodingUnavailable
from tensions.geocode.lookup import PlaceLookup


@dataclass
class LookupReport:
    """What a geocoding run did: places added, events filled and names it could not place."""

    new_places: list[Place] = field(default_factory=list)
    filled_lines: list[int] = field(default_factory=list)
    unplaced: list[tuple[int, str]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def missing_coordinates(events: pd.DataFrame) -> pd.Series:
    return events["latitude"].isna() | events["longitude"].isna()


def geocode_unknown_places(
    events: pd.DataFrame, gazetteer: Gazetteer, lookup: PlaceLookup, report: LookupReport
) -> list[Place]:
    """Ask `lookup` for each event place the gazetteer does not know; failures are reported, not raised."""
    wanted = events.loc[~events["location"].isna(), ["location", "country"]].drop_duplicates()
    found = []
    for location, country in wanted.itertuples(index=False):
        if location in gazetteer:
            continue
        try:
            place = lookup.geocode(location, country=None if pd.isna(country) else str(country))
        except GeocodingUnavailable as error:
            report.failures.append(str(error))
            continue
        if place is not None:
            found.append(place)
    report.new_places.extend(found)
    return found


def append_places(places: pd.DataFrame, new_places: Sequence[Place], *, geocoder: str, today: dt.date) -> pd.DataFrame:
    """`places` with rows for `new_places`, stamped with the geocoder's name and the date."""
    if not new_places:
        return places
    rows = pd.DataFrame(
        [
            {
                "place": p.place,
                "aliases": pd.NA,
                "latitude": f"{p.latitude:.5f}",
                "longitude": f"{p.longitude:.5f}",
                "geo_precision": str(p.geo_precision),
                "admin1": p.admin1 or pd.NA,
                "country": p.country,
                "geocoder": geocoder,
                "geocoded_at": today.isoformat(),
            }
            for p in new_places
        ],
        columns=PLACES.column_names,
        dtype="string",
    )
    return pd.concat([places, rows], ignore_index=True)


def fill_event_coordinates(events: pd.DataFrame, gazetteer: Gazetteer, report: LookupReport) -> pd.DataFrame:
    """Fill missing event coordinates (and empty admin1/precision) from the gazetteer, in place of nothing else."""
    filled = events.copy()
    for index in filled.index[missing_coordinates(filled)]:
        location = filled.at[index, "location"]
        place = gazetteer.lookup(location) if isinstance(location, str) else None
        line = int(index) + 2
        if place is None:
            report.unplaced.append((line, "" if pd.isna(location) else str(location)))
            continue
        filled.at[index, "latitude"] = f"{place.latitude:.5f}"
        filled.at[index, "longitude"] = f"{place.longitude:.5f}"
        if pd.isna(filled.at[index, "geo_precision"]):
            filled.at[index, "geo_precision"] = str(place.geo_precision)
        if pd.isna(filled.at[index, "admin1"]) and place.admin1:
            filled.at[index, "admin1"] = place.admin1
        report.filled_lines.append(line)
    return filled


def save_geocoded(
    data_dir: Path, *, grant: object, places: pd.DataFrame | None = None, events: pd.DataFrame | None = None
) -> None:
    """Write back what geocoding found, atomically: the places first, then the events that name them.

    `NotAuthorised` without a grant (`tensions.data.guard`).
    """
    guard.authorise(grant, "writing geocoding results")
    if places is not None:
        guard.write_csv(grant, places, Path(data_dir) / PLACES.file_name)
    if events is not None:
        guard.write_csv(grant, events, Path(data_dir) / EVENTS.file_name)
