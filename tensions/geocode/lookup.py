"""Geocoding when data is curated: the gazetteer first, then, only when asked, Nominatim via geopy.

A page load never calls anything here that touches the network; answers from the online geocoder
are written back to `places.csv` so the next lookup is local.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd
from geopy.exc import GeocoderQuotaExceeded, GeocoderServiceError, GeocoderTimedOut, GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim

from tensions.data.gazetteer import Gazetteer, Place
from tensions.data.schema import PLACES
from tensions.errors import GeocodingUnavailable, TensionsError

# Nominatim's usage policy asks for an identifying user agent; geopy's own default is refused too.
PLACEHOLDER_USER_AGENTS = {"", "geopy", "my-application", "tensions"}
PROVINCE_ADDRESS_TYPES = {"state", "province", "region", "state_district", "county", "country"}
POINT_ADDRESS_TYPES = {
    "city",
    "town",
    "village",
    "hamlet",
    "suburb",
    "neighbourhood",
    "quarter",
    "aeroway",
    "military",
    "building",
}


class PlaceLookup(Protocol):
    """One way of turning a place name into coordinates."""

    name: str

    def geocode(self, query: str, *, country: str | None = None) -> Place | None: ...


class GazetteerLookup:
    """Looks names up in `places.csv`; never touches the network."""

    name = "gazetteer"

    def __init__(self, gazetteer: Gazetteer) -> None:
        self._gazetteer = gazetteer

    def geocode(self, query: str, *, country: str | None = None) -> Place | None:
        place = self._gazetteer.lookup(query)
        if place is not None and country is not None and place.country != country:
            return None
        return place


class NominatimLookup:
    """OpenStreetMap's Nominatim through geopy, spaced by geopy's RateLimiter (1 request/s by default)."""

    name = "nominatim"

    def __init__(
        self,
        *,
        user_agent: str,
        domain: str = "nominatim.openstreetmap.org",
        scheme: str = "https",
        timeout: float = 10.0,
        min_delay_seconds: float = 1.0,
    ) -> None:
        if user_agent.strip().casefold() in PLACEHOLDER_USER_AGENTS:
            raise TensionsError(
                "set a user agent that identifies you (e.g. 'tensions-dashboard/1.0 you@example.org'): Nominatim's policy requires it"
            )
        self._geocoder = Nominatim(user_agent=user_agent, domain=domain, scheme=scheme, timeout=timeout)
        # Errors are not swallowed: the caller must learn that the service failed, not read "no result".
        self._rate_limited = RateLimiter(
            self._geocoder.geocode, min_delay_seconds=min_delay_seconds, max_retries=0, swallow_exceptions=False
        )

    def geocode(self, query: str, *, country: str | None = None) -> Place | None:
        text = f"{query}, {country}" if country else query
        try:
            location = self._rate_limited(text, exactly_one=True, addressdetails=True)
        except GeocoderTimedOut as error:
            # geopy reports HTTP 503/504 as a time-out too; its message says which it was.
            raise GeocodingUnavailable(f"the geocoder timed out or is unavailable for {text!r} ({error})") from error
        except GeocoderQuotaExceeded as error:
            raise GeocodingUnavailable(
                f"the geocoder's rate limit was hit (HTTP 429) for {text!r}; try again later"
            ) from error
        except GeocoderServiceError as error:
            raise GeocodingUnavailable(f"the geocoder failed for {text!r}: {error}") from error
        except GeopyError as error:
            raise GeocodingUnavailable(f"the geocoder could not answer for {text!r}: {error}") from error
        if location is None:
            return None
        return parse_nominatim_place(query, location.raw, country=country)


def parse_nominatim_place(query: str, raw: dict, *, country: str | None) -> Place:
    """Turn one Nominatim result into a Place, with an honest precision for provinces and regions."""
    address_type = raw.get("addresstype") or raw.get("type") or ""
    if address_type in PROVINCE_ADDRESS_TYPES:
        precision = 3
    elif address_type in POINT_ADDRESS_TYPES:
        precision = 1
    else:
        precision = 2
    address = raw.get("address") or {}
    return Place(
        place=query,
        latitude=round(float(raw["lat"]), 5),
        longitude=round(float(raw["lon"]), 5),
        geo_precision=precision,
        admin1=address.get("state") or address.get("province"),
        country=country or address.get("country", ""),
    )


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
