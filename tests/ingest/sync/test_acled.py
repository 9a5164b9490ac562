"""Syncing ACLED against a stub of its API: sign-in and tokens, incremental reads, revisions, deletions, faults."""

from __future__ import annotations

import json
import os
import time

import pytest

from tensions.errors import AuthenticationFailed, ConnectionLost, PayloadError, SourceUnavailable
from tensions.ingest.sync import acled as acled_module
from tensions.ingest.sync import last_syncs, sync_source
from tensions.ingest.sync.state import sync_dir
from tensions.ingest.sync.store import read_synced
from tests.ingest.sync.conftest import stub_settings
from tests.ingest.sync.stubs import AcledStub, acled_row

FIRST = [
    acled_row("IRQ1", "2024-02-07", 1_707_955_200, fatalities=3),
    acled_row("IRQ2", "2024-01-20", 1_706_500_000, location="Ain al-Asad Air Base"),
    acled_row(
        "YEM3",
        "2024-01-12",
        1_705_000_000,
        country="Red Sea",
        location="Red Sea",
        latitude="14.8",
        longitude="42.0",
        sub_event_type="Shelling/artillery/missile attack",
    ),
    acled_row(
        "IRQ4",
        "2024-03-01",
        1_709_300_000,
        country="Gulf of Aden",
        location="Gulf of Aden",
        latitude="12.5",
        longitude="47.0",
    ),
]


@pytest.fixture
def seeded(acled):
    for row in FIRST:
        acled.put(row)
    return acled


def stored(data_dir):
    events, _ = read_synced(data_dir, "acled")
    return events.set_index("event_id")


def test_a_first_sync_signs_in_with_the_password_grant_and_stores_every_event(grant, seeded, data_dir, waits):
    report = sync_source(grant, "acled", data_dir, stub_settings(waits, acled=seeded))

    assert (report.rows_fetched, report.added, report.revised, report.deleted, report.rejected) == (4, 4, 0, 0, 0)
    (token,) = seeded.seen("/oauth/token")
    assert token.form | {"password": "…"} == {
        "username": "analyst@example.org",
        "password": "…",
        "grant_type": "password",
        "client_id": "acled",
    }
    (read,) = seeded.seen("/api/acled/read")
    assert read.headers["authorization"] == "Bearer access-1"
    assert read.query["_format"] == "json" and read.query["with_total"] == "true"
    assert read.query["event_date"] == "2023-10-07|2025-03-15" and read.query["event_date_where"] == "BETWEEN"
    assert {"Iraq", "Yemen", "Red Sea", "Gulf of Aden"} <= set(read.query["country"].split("|"))
    assert "timestamp" not in read.query
    events = stored(data_dir)
    assert sorted(events.index) == ["acled:IRQ1", "acled:IRQ2", "acled:IRQ4", "acled:YEM3"]
    assert events.loc["acled:IRQ1", "fatalities"] == 3


def test_events_coded_to_a_body_of_water_stay_in_their_theatre(grant, seeded, data_dir, waits):
    sync_source(grant, "acled", data_dir, stub_settings(waits, acled=seeded))

    events = stored(data_dir)
    assert events.loc["acled:YEM3", ["country", "theatre"]].tolist() == ["Red Sea", "Yemen and Red Sea"]
    assert events.loc["acled:IRQ4", ["country", "theatre"]].tolist() == ["Gulf of Aden", "Yemen and Red Sea"]


def test_a_second_sync_asks_only_for_rows_stamped_since_the_newest_it_holds(grant, seeded, data_dir, waits):
    settings = stub_settings(waits, acled=seeded)
    sync_source(grant, "acled", data_dir, settings)
    seeded.requests.clear()

    report = sync_source(grant, "acled", data_dir, settings)

    assert [r.path for r in seeded.requests] == ["/api/acled/read", "/api/deleted/read"]
    read, deleted = seeded.requests
    assert (read.query["timestamp"], read.query["timestamp_where"]) == ("1709300000", ">=")
    assert (deleted.query["deleted_timestamp"], deleted.query["deleted_timestamp_where"]) == ("1709300000", ">=")
    # The boundary row comes back and is recognised as unchanged.
    assert (report.rows_fetched, report.added, report.revised, report.unchanged) == (1, 0, 0, 1)


def test_a_revision_replaces_the_stored_row_and_a_deletion_removes_it(grant, seeded, data_dir, waits):
    settings = stub_settings(waits, acled=seeded)
    sync_source(grant, "acled", data_dir, settings)
    seeded.put(acled_row("IRQ1", "2024-02-07", 1_709_400_000, fatalities=5, notes="Revised: five killed."))
    seeded.put(acled_row("IRQ5", "2024-03-02", 1_709_400_001, location="Erbil"))
    seeded.delete("IRQ2", 1_709_400_002)

    report = sync_source(grant, "acled", data_dir, settings)

    assert (report.added, report.revised, report.deleted) == (1, 1, 1)
    events = stored(data_dir)
    assert sorted(events.index) == ["acled:IRQ1", "acled:IRQ4", "acled:IRQ5", "acled:YEM3"]
    assert events.loc["acled:IRQ1", ["fatalities", "notes"]].tolist() == [5, "Revised: five killed."]
    assert last_syncs(data_dir)["acled"].cursor == {"timestamp": 1_709_400_001, "deleted_timestamp": 1_709_400_002}


def test_an_older_copy_of_a_revised_event_on_a_later_page_does_not_win(grant, acled, data_dir, waits, monkeypatch):
    monkeypatch.setattr(acled_module, "PAGE_SIZE", 1)
    acled.put(acled_row("IRQ1", "2024-02-08", 1_707_955_300, fatalities=4))
    acled.put(acled_row("IRQ2", "2024-02-07", 1_707_955_200))
    # Revised while the sync paged through: the old copy, dated earlier, still comes on the last page.
    acled.rows["IRQ1, old copy"] = acled_row("IRQ1", "2024-02-06", 1_707_955_000, fatalities=1)

    report = sync_source(grant, "acled", data_dir, stub_settings(waits, acled=acled))

    assert (report.rows_fetched, report.stored) == (3, 2)
    assert stored(data_dir).loc["acled:IRQ1", "fatalities"] == 4


def test_pages_are_followed_until_the_announced_total(grant, seeded, data_dir, waits, monkeypatch):
    monkeypatch.setattr(acled_module, "PAGE_SIZE", 2)

    report = sync_source(grant, "acled", data_dir, stub_settings(waits, acled=seeded))

    assert [r.query["page"] for r in seeded.seen("/api/acled/read")] == ["1", "2"]
    assert report.stored == 4


def test_the_token_is_cached_for_its_owner_only_and_reused(grant, seeded, data_dir, waits):
    settings = stub_settings(waits, acled=seeded)
    sync_source(grant, "acled", data_dir, settings)
    sync_source(grant, "acled", data_dir, settings)

    assert len(seeded.seen("/oauth/token")) == 1
    cache = sync_dir(data_dir) / "acled-token.json"
    assert os.stat(cache).st_mode & 0o777 == 0o600
    cached = json.loads(cache.read_text())
    assert cached["access_token"] == "access-1" and cached["refresh_token"] == "refresh-1"
    assert AcledStub.PASSWORD not in cache.read_text()


def test_a_token_about_to_expire_is_refreshed_before_use(grant, seeded, data_dir, waits):
    settings = stub_settings(waits, acled=seeded)
    sync_source(grant, "acled", data_dir, settings)
    cache = sync_dir(data_dir) / "acled-token.json"
    cached = json.loads(cache.read_text())
    cache.write_text(json.dumps(cached | {"expires_at": time.time() + 60}))
    seeded.requests.clear()

    sync_source(grant, "acled", data_dir, settings)

    (token,) = seeded.seen("/oauth/token")
    assert token.form == {"grant_type": "refresh_token", "refresh_token": "refresh-1", "client_id": "acled"}
    assert seeded.seen("/api/acled/read")[0].headers["authorization"] == "Bearer access-2"


def test_an_expired_token_is_renewed_once_and_the_sync_goes_on(grant, seeded, data_dir, waits):
    settings = stub_settings(waits, acled=seeded)
    sync_source(grant, "acled", data_dir, settings)
    seeded.expire_tokens()  # ACLED no longer accepts the cached token
    seeded.put(acled_row("IRQ5", "2024-03-02", 1_709_400_001))
    seeded.requests.clear()

    report = sync_source(grant, "acled", data_dir, settings)

    assert report.added == 1
    assert [(r.method, r.path) for r in seeded.requests][:3] == [
        ("GET", "/api/acled/read"),
        ("POST", "/oauth/token"),
        ("GET", "/api/acled/read"),
    ]
    assert seeded.requests[1].form["grant_type"] == "refresh_token"


def test_when_the_refresh_token_is_refused_too_the_password_signs_in_again(grant, seeded, data_dir, waits):
    settings = stub_settings(waits, acled=seeded)
    sync_source(grant, "acled", data_dir, settings)
    seeded.expire_tokens()
    seeded.refresh_tokens.clear()
    seeded.requests.clear()

    sync_source(grant, "acled", data_dir, settings)

    grants = [r.form["grant_type"] for r in seeded.seen("/oauth/token")]
    assert grants == ["refresh_token", "password"]
    assert json.loads((sync_dir(data_dir) / "acled-token.json").read_text())["access_token"] == "access-2"


def test_a_token_refused_again_after_renewal_stops_with_a_clear_message(grant, seeded, data_dir, waits):
    seeded.refuse_tokens = True

    with pytest.raises(AuthenticationFailed, match="refused a freshly issued token"):
        sync_source(grant, "acled", data_dir, stub_settings(waits, acled=seeded))

    assert len(seeded.seen("/api/acled/read")) == 2


def test_wrong_credentials_are_refused_with_the_variables_to_check(grant, seeded, data_dir, waits):
    settings = stub_settings(waits, acled=seeded, acled_password="wrong")

    with pytest.raises(AuthenticationFailed, match="TENSIONS_ACLED_PASSWORD"):
        sync_source(grant, "acled", data_dir, settings)


def test_missing_credentials_stop_before_any_request(grant, seeded, data_dir, waits):
    settings = stub_settings(waits, acled=seeded, acled_email="", acled_password="")

    with pytest.raises(AuthenticationFailed, match="TENSIONS_ACLED_EMAIL"):
        sync_source(grant, "acled", data_dir, settings)
    assert seeded.requests == []


def test_an_account_without_api_access_is_told_so(grant, seeded, data_dir, waits):
    seeded.refuse_data = True

    with pytest.raises(AuthenticationFailed, match="lack API access"):
        sync_source(grant, "acled", data_dir, stub_settings(waits, acled=seeded))


def test_rate_limits_and_server_errors_are_waited_out(grant, seeded, data_dir, waits):
    seeded.fail("/api/acled/read", "429", retry_after="7")
    seeded.fail("/api/acled/read", "503")

    report = sync_source(grant, "acled", data_dir, stub_settings(waits, acled=seeded))

    assert report.added == 4
    assert waits == [7.0, 1.0]  # Retry-After as asked, then the policy's backoff


def synced_twice_then(fault, grant, stub, data_dir, waits):
    """Sync once, change the source, make `fault` happen, sync again: return what was stored before."""
    settings = stub_settings(waits, acled=stub)
    sync_source(grant, "acled", data_dir, settings)
    before = stored(data_dir)
    state_before = last_syncs(data_dir)["acled"].cursor
    stub.put(acled_row("IRQ5", "2024-03-02", 1_709_400_001))
    fault()
    return settings, before, state_before


@pytest.mark.parametrize(
    ("make_fault", "error"),
    [
        (lambda stub: stub.fail("/api/acled/read", "cut", times=5), ConnectionLost),
        (lambda stub: stub.fail("/api/acled/read", "500", times=5), SourceUnavailable),
        (lambda stub: stub.rename.update({"event_date": "date_of_event"}), PayloadError),
        (lambda stub: stub.fail("/api/deleted/read", "cut", times=5), ConnectionLost),
    ],
    ids=["cut connection", "persistent 500", "renamed column", "cut during deletions"],
)
def test_a_fault_stops_the_sync_with_its_error_and_keeps_what_was_stored(
    grant, seeded, data_dir, waits, make_fault, error
):
    settings, before, cursor_before = synced_twice_then(lambda: make_fault(seeded), grant, seeded, data_dir, waits)

    with pytest.raises(error) as raised:
        sync_source(grant, "acled", data_dir, settings)

    assert raised.value.source == "acled"
    after = stored(data_dir)
    assert after.equals(before)
    state = last_syncs(data_dir)["acled"]
    assert state.cursor == cursor_before
    assert state.last_run.error_type == error.__name__ and not state.last_run.ok
    assert state.last_success is state.runs[0]


def test_a_renamed_column_is_named_in_the_error(grant, seeded, data_dir, waits):
    seeded.rename["event_date"] = "date_of_event"

    with pytest.raises(PayloadError, match="event_date"):
        sync_source(grant, "acled", data_dir, stub_settings(waits, acled=seeded))
    assert read_synced(data_dir, "acled")[0] is None


def test_a_first_sync_that_finds_no_events_stores_none_and_goes_on_from_its_cursor(grant, acled, data_dir, waits):
    settings = stub_settings(waits, acled=acled)
    report = sync_source(grant, "acled", data_dir, settings)

    assert (report.rows_fetched, report.added, report.stored) == (0, 0, 0)
    assert stored(data_dir).empty
    acled.put(FIRST[0])
    assert sync_source(grant, "acled", data_dir, settings).added == 1
    assert list(stored(data_dir).index) == ["acled:IRQ1"]
