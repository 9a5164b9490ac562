"""Building new rows: an event from a form or a draft, a place, the next free event id, and the place's facts from the gazetteer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from tensions.curation.editor import format_cell
from tensions.data import taxonomy
from tensions.data.gazetteer import Gazetteer, Place
from tensions.data.schema import EVENTS, PLACES


def event_row(values: Mapping[str, object]) -> pd.DataFrame:
    """One raw `events.csv` row from typed form values (dates, numbers, text)."""
    return pd.DataFrame([{c: format_cell(values.get(c)) for c in EVENTS.column_names}], dtype="string")


def append_rows(table: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """`table` with `rows` added at the end (the save puts them in date or name order)."""
    return pd.concat([table, rows.reindex(columns=table.columns).astype("string")], ignore_index=True)


def place_row(place: Place, *, geocoder: str, today: dt.date, aliases: Sequence[str] = ()) -> pd.DataFrame:
    """One raw `places.csv` row for a confirmed new place."""
    return pd.DataFrame(
        [
            {
                "place": place.place.strip(),
                "aliases": ";".join(a.strip() for a in aliases if a.strip()) or None,
                "latitude": f"{place.latitude:.5f}",
                "longitude": f"{place.longitude:.5f}",
                "geo_precision": str(place.geo_precision),
                "admin1": place.admin1 or None,
                "country": place.country,
                "geocoder": geocoder,
                "geocoded_at": today.isoformat(),
            }
        ],
        columns=PLACES.column_names,
        dtype="string",
    )


def fill_from_gazetteer(row: dict, places: pd.DataFrame) -> dict:
    """Coordinates, province, precision and country of the row's location, where the gazetteer knows it."""
    place = Gazetteer(places).lookup(str(row.get("location") or ""))
    if place is None:
        return row
    filled = dict(row)
    filled["location"] = place.place
    filled["latitude"] = place.latitude
    filled["longitude"] = place.longitude
    filled["geo_precision"] = filled.get("geo_precision") or place.geo_precision
    filled["admin1"] = filled.get("admin1") or place.admin1
    filled["country"] = filled.get("country") or place.country
    return filled


def propose_event_id(country: str | None, day: dt.date | None, taken: Iterable[str]) -> str:
    """`<ISO3>-<YYYYMMDD>-<n>` with the first free `n`; '' until country and date are known."""
    info = taxonomy.COUNTRY_BY_NAME.get(country or "")
    if info is None or day is None:
        return ""
    used = set(taken)
    n = 1
    while f"{info.iso3}-{day:%Y%m%d}-{n}" in used:
        n += 1
    return f"{info.iso3}-{day:%Y%m%d}-{n}"
