"""Geocoding: the gazetteer first; geopy's real Nominatim client against a local stub; never the internet."""

from __future__ import annotations

import pandas as pd
import pytest
from geopy.extra.rate_limiter import RateLimiter

from tensions.cli import main
from tensions.data.gazetteer import Gazetteer
from tensions.data.load import load_dataset
from tensions.data.validate import read_raw_table
from tensions.errors import GeocodingUnavailable, TensionsError
from tensions.geocode.fill import LookupReport, fill_event_coordinates
from tensions.geocode.lookup import GazetteerLookup
from tensions.geocode.nominatim import NominatimLookup
from tests.nominatim_stub import nominatim_stub


def stub_lookup(domain: str, **options) -> NominatimLookup:
    options.setdefault("min_delay_seconds", 0.0)
    return NominatimLookup(user_agent="tensions-tests/1.0 (tests)", domain=domain, scheme="http", **options)


def test_a_hit_becomes_a_point_place_with_its_province():
    with nominatim_stub() as (domain, _):
        place = stub_lookup(domain).geocode("Jurf al-Sakhar", country="Iraq")
    assert (place.latitude, place.longitude, place.geo_precision) == (32.8125, 44.2344, 1)
    assert (place.admin1, place.country) == ("Babil Governorate", "Iraq")


def test_a_province_answer_is_marked_province_level():
    with nominatim_stub() as (domain, _):
        assert stub_lookup(domain).geocode("Babil").geo_precision == 3


def test_no_result_is_none_not_an_error():
    with nominatim_stub() as (domain, _):
        assert stub_lookup(domain).geocode("Nowhere at all") is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("Busytown", r"rate limit was hit \(HTTP 429\)"),
        ("Brokentown", "the geocoder failed .*500"),
        ("Downtown", "timed out or is unavailable .*503"),
        ("Slowtown", "timed out"),
    ],
)
def test_service_failures_raise_a_clear_error(query, message):
    with nominatim_stub(slow_seconds=1.5) as (domain, _), pytest.raises(GeocodingUnavailable, match=message):
        stub_lookup(domain, timeout=0.5).geocode(query)


class FakeClock:
    """Stands in for the clock of geopy's RateLimiter: time moves only when the limiter sleeps or a test says so.

    Each sleep is recorded with the number of requests the stub had received when it began, so a test can see
    that the limiter waited before a request, not after it.
    """

    def __init__(self, requests: list) -> None:
        self.now = 1000.0
        self.sleeps: list[tuple[int, float]] = []
        self._requests = requests

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(RateLimiter, "_clock", lambda _limiter: self.now)
        monkeypatch.setattr(RateLimiter, "_sleep", lambda _limiter, seconds: self.sleep(seconds))

    def sleep(self, seconds: float) -> None:
        self.sleeps.append((len(self._requests), seconds))
        self.now += seconds


def test_requests_are_spaced_one_second_apart_by_the_rate_limiter(monkeypatch):
    with nominatim_stub() as (domain, requests):
        clock = FakeClock(requests)
        clock.install(monkeypatch)
        lookup = NominatimLookup(user_agent="tensions-tests/1.0 (tests)", domain=domain, scheme="http")
        lookup.geocode("Jurf al-Sakhar")
        clock.now += 0.4  # the caller took 0.4 s before asking again
        lookup.geocode("Babil")
        lookup.geocode("Nowhere at all")
    assert [query for _, query in requests] == ["Jurf al-Sakhar", "Babil", "Nowhere at all"]
    # No wait before the first request; then the rest of the second, then a whole second.
    assert clock.sleeps == [(1, pytest.approx(0.6)), (2, pytest.approx(1.0))]


def test_a_placeholder_user_agent_is_refused():
    with pytest.raises(TensionsError, match="user agent"):
        NominatimLookup(user_agent="geopy")


def test_the_gazetteer_lookup_respects_the_country(data_copy):
    lookup = GazetteerLookup(Gazetteer(load_dataset(data_copy).places))
    assert lookup.geocode("al anbar", country="Iraq").place == "Anbar"
    assert lookup.geocode("al anbar", country="Syria") is None


def test_missing_event_coordinates_are_filled_from_the_gazetteer(data_copy):
    events = read_raw_table(data_copy / "events.csv")
    events.loc[0, ["latitude", "longitude"]] = pd.NA
    report = LookupReport()
    filled = fill_event_coordinates(events, Gazetteer(load_dataset(data_copy).places), report)
    assert (filled.loc[0, "latitude"], filled.loc[0, "longitude"]) == ("33.34058", "44.40088")
    assert report.filled_lines == [2]


def test_cli_geocode_online_adds_the_place_and_fills_the_event(data_copy, capsys):
    events_path = data_copy / "events.csv"
    events = read_raw_table(events_path)
    events.loc[0, ["location", "latitude", "longitude", "admin1"]] = ["Jurf al-Sakhar", pd.NA, pd.NA, pd.NA]
    events.to_csv(events_path, index=False)
    with nominatim_stub() as (domain, _):
        code = main(
            [
                "--data-dir",
                str(data_copy),
                "geocode",
                "--online",
                "--user-agent",
                "tensions-tests/1.0",
                "--domain",
                domain,
                "--scheme",
                "http",
            ]
        )
    assert code == 0, capsys.readouterr()
    places = read_raw_table(data_copy / "places.csv").set_index("place")
    assert places.loc["Jurf al-Sakhar", "geocoder"] == "nominatim"
    assert read_raw_table(events_path).loc[0, "latitude"] == "32.81250"
    assert main(["--data-dir", str(data_copy), "validate"]) == 0


def test_cli_geocode_offline_reports_what_it_could_not_place(data_copy, capsys):
    events_path = data_copy / "events.csv"
    events = read_raw_table(events_path)
    events.loc[1, ["location", "latitude", "longitude"]] = ["Mosul", pd.NA, pd.NA]
    events.to_csv(events_path, index=False)
    assert main(["--data-dir", str(data_copy), "geocode"]) == 1
    assert "events.csv:3:location: could not place 'Mosul'" in capsys.readouterr().out
