"""OpenStreetMap's Nominatim through geopy, one request a second, asked only when a curator or the CLI says so."""

from __future__ import annotations

from geopy.exc import GeocoderQuotaExceeded, GeocoderServiceError, GeocoderTimedOut, GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim

from tensions.data.gazetteer import Place
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
