"""New places, gazetteer first: looking names up (online only when configured) and reviewing the proposals before they are added."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from tensions.curation import access
from tensions.curation.editor import format_cell, same_value
from tensions.data import taxonomy
from tensions.data.gazetteer import Gazetteer, Place
from tensions.data.schema import PLACES
from tensions.errors import GeocodingUnavailable, TensionsError
from tensions.geocode.lookup import PlaceLookup
from tensions.geocode.nominatim import NominatimLookup

ONLINE_ENV = "TENSIONS_ONLINE_GEOCODING"
USER_AGENT_ENV = "TENSIONS_GEOCODER_USER_AGENT"
DOMAIN_ENV = "TENSIONS_GEOCODER_DOMAIN"
SCHEME_ENV = "TENSIONS_GEOCODER_SCHEME"
TIMEOUT_ENV = "TENSIONS_GEOCODER_TIMEOUT"
TRUE_WORDS = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class OnlineGeocoding:
    """Whether curators may ask Nominatim, and how; `problem` says why not when it is off."""

    lookup: PlaceLookup | None
    problem: str = ""


def online_geocoding(secrets_mapping: Mapping, environ: Mapping[str, str]) -> OnlineGeocoding:
    """Nominatim behind geopy's RateLimiter when enabled by `TENSIONS_ONLINE_GEOCODING` or secrets; else off."""
    try:
        section = secrets_mapping.get(access.SECRETS_SECTION) or {}
    except Exception:
        section = {}
    enabled = str(section.get("online_geocoding", environ.get(ONLINE_ENV, ""))).strip().casefold() in TRUE_WORDS
    if not enabled:
        return OnlineGeocoding(None, f"online geocoding is off (set {ONLINE_ENV}=1 to let curators ask Nominatim)")
    user_agent = str(section.get("geocoder_user_agent") or environ.get(USER_AGENT_ENV, ""))
    try:
        lookup = NominatimLookup(
            user_agent=user_agent,
            domain=str(section.get("geocoder_domain") or environ.get(DOMAIN_ENV) or "nominatim.openstreetmap.org"),
            scheme=str(section.get("geocoder_scheme") or environ.get(SCHEME_ENV) or "https"),
            timeout=float(section.get("geocoder_timeout") or environ.get(TIMEOUT_ENV) or 10.0),
        )
    except TensionsError as error:
        return OnlineGeocoding(None, f"online geocoding is enabled but not usable: {error} ({USER_AGENT_ENV})")
    return OnlineGeocoding(lookup)


@dataclass
class PlaceProposal:
    """What looking one name up found: a known place, a proposal to confirm, nothing, or a failure."""

    query: str
    country: str | None
    status: str  # "in gazetteer", "proposed", "not found", "failed", "offline"
    place: Place | None = None
    source: str = ""
    message: str = ""


def look_up_place(
    query: str, country: str | None, *, gazetteer: Gazetteer, online: PlaceLookup | None
) -> PlaceProposal:
    """The gazetteer first; then, only if online geocoding is on, the online lookup (never raises)."""
    known = gazetteer.lookup(query)
    if known is not None and (country is None or known.country == country):
        return PlaceProposal(
            query, country, "in gazetteer", known, "gazetteer", f"already in places.csv as {known.place!r}"
        )
    if online is None:
        return PlaceProposal(query, country, "offline", message="not in the gazetteer; enter its coordinates by hand")
    try:
        place = online.geocode(query, country=country)
    except GeocodingUnavailable as error:
        return PlaceProposal(
            query, country, "failed", message=f"{error}. The row stays editable: enter coordinates by hand or retry."
        )
    if place is None:
        return PlaceProposal(
            query, country, "not found", message=f"{online.name} found nothing; enter coordinates by hand"
        )
    if country and not _inside_country(place, country):
        return PlaceProposal(
            query,
            country,
            "not found",
            message=f"{online.name} answered a place outside {country}; enter coordinates by hand",
        )
    return PlaceProposal(query, country, "proposed", place, online.name, "check the coordinates, then confirm")


def _inside_country(place: Place, country: str) -> bool:
    info = taxonomy.COUNTRY_BY_NAME.get(country)
    if info is None:
        return True
    min_lon, min_lat, max_lon, max_lat = info.bbox
    return min_lat <= place.latitude <= max_lat and min_lon <= place.longitude <= max_lon


def look_up_places(
    queries: Sequence[tuple[str, str | None]],
    *,
    gazetteer: Gazetteer,
    online: PlaceLookup | None,
    should_stop: Callable[[], bool] = lambda: False,
) -> Iterator[PlaceProposal]:
    """Look each (name, country) up in turn, yielding as it goes so a page can show progress and stop."""
    for query, country in queries:
        if should_stop():
            return
        yield look_up_place(query, country, gazetteer=gazetteer, online=online)


def parse_place_queries(text: str) -> list[tuple[str, str | None]]:
    """Lines of 'name' or 'name, country' (country as in the taxonomy), blank lines ignored, duplicates once."""
    queries: list[tuple[str, str | None]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, _, country = line.rpartition(",") if "," in line else (line, "", "")
        country = country.strip()
        if country and country not in taxonomy.COUNTRY_BY_NAME:
            name, country = line, ""
        query = (" ".join(name.split()), country or None)
        if query[0] and query not in queries:
            queries.append(query)
    return queries


# In the order the Curate page shows them: the lookup's status beside the place it is about.
PLACE_REVIEW_COLUMNS = [
    "add",
    "place",
    "status",
    "country",
    "latitude",
    "longitude",
    "geo_precision",
    "admin1",
    "aliases",
    "message",
]


def place_review_frame(proposals: Sequence[PlaceProposal]) -> pd.DataFrame:
    """Lookup results as a table a curator edits and ticks; failed or offline rows stay editable, blank."""
    rows = []
    for proposal in proposals:
        place = proposal.place if proposal.status in ("proposed", "in gazetteer") else None
        rows.append(
            {
                "add": False,
                "place": place.place if proposal.status == "in gazetteer" and place else proposal.query,
                "country": (place.country if place else None) or proposal.country,
                "latitude": place.latitude if place else math.nan,
                "longitude": place.longitude if place else math.nan,
                "geo_precision": place.geo_precision if place else pd.NA,
                "admin1": place.admin1 if place else None,
                "aliases": None,
                "status": proposal.status,
                "message": proposal.message,
            }
        )
    frame = pd.DataFrame(rows, columns=PLACE_REVIEW_COLUMNS)
    frame["add"] = frame["add"].astype(bool)
    frame["latitude"] = frame["latitude"].astype("float64")
    frame["longitude"] = frame["longitude"].astype("float64")
    frame["geo_precision"] = frame["geo_precision"].astype("Int64")
    for column in ("place", "country", "admin1", "aliases", "status", "message"):
        frame[column] = frame[column].astype("string")
    return frame


def place_rows_from_review(review: pd.DataFrame, proposals: Sequence[PlaceProposal], *, today: dt.date) -> pd.DataFrame:
    """Raw `places.csv` rows for the ticked places; the geocoder is the online source only if its answer was kept."""
    rows = []
    for label, row in review[review["add"].fillna(False).astype(bool)].iterrows():
        proposal = proposals[label] if isinstance(label, int) and 0 <= label < len(proposals) else None
        latitude, longitude = row.get("latitude"), row.get("longitude")
        kept_answer = (
            proposal is not None
            and proposal.status == "proposed"
            and proposal.place is not None
            and same_value(latitude, proposal.place.latitude)
            and same_value(longitude, proposal.place.longitude)
        )
        frame = pd.DataFrame(
            [
                {
                    "place": format_cell(row.get("place")),
                    "aliases": format_cell(row.get("aliases")),
                    "latitude": None if pd.isna(latitude) else f"{float(latitude):.5f}",
                    "longitude": None if pd.isna(longitude) else f"{float(longitude):.5f}",
                    "geo_precision": format_cell(row.get("geo_precision")),
                    "admin1": format_cell(row.get("admin1")),
                    "country": format_cell(row.get("country")),
                    "geocoder": proposal.source if kept_answer and proposal else "manual",
                    "geocoded_at": today.isoformat(),
                }
            ],
            columns=PLACES.column_names,
            dtype="string",
        )
        rows.append(frame)
    if not rows:
        return pd.DataFrame(columns=PLACES.column_names, dtype="string")
    return pd.concat(rows, ignore_index=True)
