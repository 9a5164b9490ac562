"""Syncing UCDP's GED API against a stub: the yearly release, the monthly Candidate events, and faults."""

from __future__ import annotations

import datetime as dt

import pytest

from tensions.errors import AuthenticationFailed, PayloadError
from tensions.ingest.sync import last_syncs, sync_source
from tensions.ingest.sync import ucdp as ucdp_module
from tensions.ingest.sync.store import read_synced
from tensions.ingest.sync.ucdp import candidate_version, release_covers_until, ucdp_cell
from tests.ingest.sync.conftest import stub_settings
from tests.ingest.sync.stubs import ucdp_row

RELEASE = [ucdp_row(1, "2024-01-24", best=8), ucdp_row(2, "2024-06-02"), ucdp_row(3, "2024-11-30")]
# Events elsewhere (Colombia, 100) are in the release too; the Country filter leaves them out.
ELSEWHERE = [ucdp_row(9, "2024-05-05", country="Colombia", country_id=100)]


@pytest.fixture
def released(ucdp):
    ucdp.versions["25.1"] = RELEASE + ELSEWHERE
    ucdp.versions["25.0.1"] = [ucdp_row(11, "2025-01-10"), ucdp_row(12, "2025-01-20")]
    ucdp.versions["25.0.2"] = [ucdp_row(13, "2025-02-03", best=4)]
    return ucdp


def stored(data_dir):
    events, _ = read_synced(data_dir, "ucdp")
    return events.set_index("event_id")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("2024-01-20T00:00:00.000", "2024-01-20"),
        ("2024-01-20T00:00:00", "2024-01-20"),
        ("2024-01-20 00:00:00.000;2024-01-21", "2024-01-20;2024-01-21"),
        ("2024-01-20", "2024-01-20"),
    ],
)
def test_dates_lose_the_time_the_api_appends(value, text):
    assert ucdp_cell("date_start", value) == text
    assert ucdp_cell("source_date", value) == text


def test_versions_follow_ucdps_naming():
    assert release_covers_until("25.1") == dt.date(2024, 12, 31)
    assert candidate_version(dt.date(2025, 3, 1)) == "25.0.3"


def test_a_first_sync_takes_the_latest_release_and_the_candidates_after_it(grant, released, data_dir, waits):
    report = sync_source(grant, "ucdp", data_dir, stub_settings(waits, ucdp=released, today=dt.date(2025, 3, 15)))

    versions = [(r.path.rsplit("/", 1)[-1], r.query["page"]) for r in released.requests]
    # 25.1 answers, so 24.1 is never asked for; 25.0.3 is not out yet.
    assert versions == [("25.1", "0"), ("25.0.1", "0"), ("25.0.2", "0"), ("25.0.3", "0")]
    first = released.requests[0]
    assert first.headers["x-ucdp-access-token"] == "ucdp-access-token"
    assert "645" in first.query["Country"].split(",") and "100" not in first.query["Country"].split(",")
    assert first.query["StartDate"] == "2023-10-07"
    assert (report.added, report.rejected) == (6, 0)
    events = stored(data_dir)
    assert events.loc["ucdp:1", ["fatalities", "time_precision"]].tolist() == [8, "day"]
    assert events.loc["ucdp:1", "tags"].endswith("ucdp_release:25.1")
    assert events.loc["ucdp:13", "tags"].endswith("ucdp_candidate:25.0.2")
    assert last_syncs(data_dir)["ucdp"].cursor == {"final": "25.1", "candidates": ["25.0.1", "25.0.2"]}


def test_pages_are_asked_for_by_number_from_the_configured_server(grant, released, data_dir, waits, monkeypatch):
    monkeypatch.setattr(ucdp_module, "PAGE_SIZE", 2)

    report = sync_source(grant, "ucdp", data_dir, stub_settings(waits, ucdp=released))

    assert [r.query["page"] for r in released.seen("/api/gedevents/25.1")] == ["0", "1"]
    assert report.added == 6


def test_a_second_sync_asks_only_for_versions_newer_than_those_it_holds(grant, released, data_dir, waits):
    settings = stub_settings(waits, ucdp=released, today=dt.date(2025, 3, 15))
    sync_source(grant, "ucdp", data_dir, settings)
    released.requests.clear()

    report = sync_source(grant, "ucdp", data_dir, settings)

    assert [r.path for r in released.requests] == ["/api/gedevents/25.0.3"]
    assert (report.rows_fetched, report.added, report.deleted) == (0, 0, 0)
    assert report.stored == 6


def test_a_new_candidate_month_is_added_when_it_is_released(grant, released, data_dir, waits):
    settings = stub_settings(waits, ucdp=released, today=dt.date(2025, 3, 15))
    sync_source(grant, "ucdp", data_dir, settings)
    released.versions["25.0.3"] = [ucdp_row(14, "2025-03-02")]

    report = sync_source(grant, "ucdp", data_dir, settings)

    assert report.added == 1
    assert stored(data_dir).loc["ucdp:14", "tags"].endswith("ucdp_candidate:25.0.3")


def test_the_final_release_replaces_the_candidate_events_it_covers(grant, released, data_dir, waits):
    sync_source(grant, "ucdp", data_dir, stub_settings(waits, ucdp=released, today=dt.date(2025, 3, 15)))
    # A year later 26.1 covers 2025: event 11 is confirmed with a new toll, 12 was dropped, 13 kept as is.
    confirmed = {**ucdp_row(11, "2025-01-10", best=5)}
    released.versions["26.1"] = [*RELEASE, confirmed, ucdp_row(13, "2025-02-03", best=4)]
    released.versions["26.0.1"] = [ucdp_row(21, "2026-01-15")]
    released.requests.clear()

    report = sync_source(grant, "ucdp", data_dir, stub_settings(waits, ucdp=released, today=dt.date(2026, 2, 10)))

    assert [r.path.rsplit("/", 1)[-1] for r in released.requests] == ["26.1", "26.0.1", "26.0.2"]
    assert (report.added, report.revised, report.deleted) == (1, 5, 1)  # the old release's tags change too
    events = stored(data_dir)
    assert "ucdp:12" not in events.index
    assert events.loc["ucdp:11", "fatalities"] == 5
    assert events.loc["ucdp:11", "tags"].endswith("ucdp_release:26.1")
    assert events.loc["ucdp:21", "tags"].endswith("ucdp_candidate:26.0.1")
    assert not events["tags"].str.contains("25.0.", regex=False).any()
    assert last_syncs(data_dir)["ucdp"].cursor == {"final": "26.1", "candidates": ["26.0.1"]}


def test_without_a_token_nothing_is_asked(grant, released, data_dir, waits):
    with pytest.raises(AuthenticationFailed, match="TENSIONS_UCDP_TOKEN"):
        sync_source(grant, "ucdp", data_dir, stub_settings(waits, ucdp=released, ucdp_token=""))
    assert released.requests == []


def test_a_refused_token_is_named(grant, released, data_dir, waits):
    with pytest.raises(AuthenticationFailed, match="refused the access token"):
        sync_source(grant, "ucdp", data_dir, stub_settings(waits, ucdp=released, ucdp_token="stale"))


def test_an_answer_without_its_result_list_stops_the_sync_and_keeps_the_stored_events(grant, released, data_dir, waits):
    settings = stub_settings(waits, ucdp=released, today=dt.date(2025, 3, 15))
    sync_source(grant, "ucdp", data_dir, settings)
    before = stored(data_dir)
    released.versions["25.0.3"] = [ucdp_row(14, "2025-03-02")]
    released.drop_result = True

    with pytest.raises(PayloadError, match="Result"):
        sync_source(grant, "ucdp", data_dir, settings)

    assert stored(data_dir).equals(before)
    assert last_syncs(data_dir)["ucdp"].cursor["candidates"] == ["25.0.1", "25.0.2"]
