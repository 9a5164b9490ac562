"""Live sync with the database as the store: the synced events are an import in the imported tables, the
cursor, runs and changes rows beside them; the data folder gets none of it."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from tensions.analysis.digest import digest_of_last_syncs
from tensions.data.guard import local_grant
from tensions.errors import NotAuthorised, SyncError
from tensions.ingest.sync import changed_since, events_changed_since, last_syncs, sync_source
from tensions.store import curated, select, tables
from tensions.store.curated import store_version
from tensions.store.engine import engine_for
from tensions.store.synced import DatabaseSyncStore
from tests.ingest.sync.conftest import stub_settings
from tests.ingest.sync.stubs import AcledStub, acled_row


@pytest.fixture
def acled() -> Iterator[AcledStub]:
    with AcledStub() as stub:
        yield stub


@pytest.fixture
def store(postgres_url, data_copy, monkeypatch) -> DatabaseSyncStore:
    monkeypatch.setenv("TENSIONS_DATABASE_URL", postgres_url)
    chosen = select.sync_store(data_copy)
    assert chosen == DatabaseSyncStore(postgres_url)
    return chosen


def _scalar(url: str, sql: str) -> object:
    with engine_for(url).connect() as connection:
        return connection.execute(sa.text(sql)).scalar()


def test_without_a_database_the_sync_keeps_its_files(data_copy):
    assert select.sync_store(data_copy).data_dir == data_copy


def test_a_sync_stores_its_events_and_state_in_the_database_and_the_next_run_continues(store, acled, data_copy):
    grant, waits = local_grant(), []
    settings = stub_settings(waits, acled=acled)
    acled.put(acled_row("IRQ1", "2024-02-07", 1_707_955_200, fatalities=3))
    acled.put(acled_row("IRQ2", "2024-02-08", 1_707_955_300))
    before = dt.datetime.now(dt.UTC)

    first = sync_source(grant, "acled", data_copy, settings, store=store)

    assert (first.added, first.stored) == (2, 2)
    url = store.url
    assert _scalar(url, "SELECT rows_imported FROM imports WHERE key = 'acled--live-sync'") == 2
    assert _scalar(url, "SELECT count(*) FROM imported_facts") == 2  # summed by the figures like any import
    assert last_syncs(data_copy, store=store)["acled"].cursor["timestamp"] == 1_707_955_300
    # Only ACLED's access token stays a file (each app server's own); no event, cursor or change.
    assert [p.name for p in (data_copy / "imported").rglob("*") if p.is_file()] == ["acled-token.json"]

    acled.put(acled_row("IRQ1", "2024-02-07", 1_707_955_400, fatalities=4))
    acled.put(acled_row("IRQ3", "2024-02-09", 1_707_955_500))
    acled.delete("IRQ2", 1_707_955_600)
    acled.requests.clear()
    second = sync_source(grant, "acled", data_copy, settings, store=store)

    assert acled.seen("/api/acled/read")[0].query["timestamp"] == "1707955300"  # from the first run's cursor
    assert (second.added, second.revised, second.deleted, second.stored) == (1, 1, 1, 2)
    state = last_syncs(data_copy, store=store)["acled"]
    assert len(state.runs) == 2 and state.cursor["timestamp"] == 1_707_955_500
    latest = changed_since(data_copy, store=store)
    assert sorted(zip(latest["event_id"], latest["change"], strict=True)) == [
        ("acled:IRQ1", "revised"),
        ("acled:IRQ2", "deleted"),
        ("acled:IRQ3", "added"),
    ]
    assert len(changed_since(data_copy, before, store=store)) == 5
    events = events_changed_since(data_copy, store=store).set_index("event_id")
    assert events.loc["acled:IRQ1", ["change", "fatalities"]].tolist() == ["revised", 4]
    assert sorted(events.index) == ["acled:IRQ1", "acled:IRQ3"]
    assert _scalar(url, "SELECT count(*) FROM imported_events") == 2

    version = store_version(url, tables.IMPORTED_STORE)
    third = sync_source(grant, "acled", data_copy, settings, store=store)  # nothing new: the same rows again
    assert (third.added, third.revised, third.deleted, third.unchanged) == (0, 0, 0, 1)
    assert store_version(url, tables.IMPORTED_STORE) == version  # the events were left as they were
    assert len(last_syncs(data_copy, store=store)["acled"].runs) == 3
    assert store.read_synced("acled")[0]["event_id"].tolist() == ["acled:IRQ1", "acled:IRQ3"]


def test_a_failed_run_keeps_the_cursor_and_records_its_error(store, acled, data_copy):
    grant, waits = local_grant(), []
    acled.put(acled_row("IRQ1", "2024-02-07", 1_707_955_200))
    sync_source(grant, "acled", data_copy, stub_settings(waits, acled=acled), store=store)

    broken = stub_settings(waits, acled_url="http://127.0.0.1:9")
    with pytest.raises(SyncError):
        sync_source(grant, "acled", data_copy, broken, store=store)

    state = store.read_state("acled")
    assert [run.ok for run in state.runs] == [True, False]
    assert state.cursor["timestamp"] == 1_707_955_200
    assert store.read_synced("acled")[0]["event_id"].tolist() == ["acled:IRQ1"]


def test_two_runs_of_a_source_take_turns(store, acled, data_copy):
    """A second run (another app server's) waits for the first one's lock, then reads the cursor it left."""
    grant, order = local_grant(), []
    holding, release = threading.Event(), threading.Event()

    def first() -> None:
        with store.running(grant, "acled"):
            order.append("first holds")
            holding.set()
            release.wait(10)
            order.append("first releases")

    def second() -> None:
        with store.running(grant, "acled"):
            order.append("second holds")

    threads = [threading.Thread(target=first)]
    threads[0].start()
    holding.wait(10)
    threads.append(threading.Thread(target=second))
    threads[1].start()
    threads[1].join(0.5)
    release.set()
    for thread in threads:
        thread.join(10)
    assert order == ["first holds", "first releases", "second holds"]


def test_a_viewer_cannot_sync_into_the_database(store, acled, data_copy):
    with pytest.raises(NotAuthorised):
        sync_source(None, "acled", data_copy, stub_settings([], acled=acled), store=store)
    assert acled.requests == []


def test_runs_started_at_once_on_two_servers_leave_one_consistent_state(store, acled, data_copy):
    """Two syncs of a source at the same moment (as from both replicas' Sync now): the second waits for the
    first and fetches only from its cursor, so the events are stored once and both runs are recorded."""
    grant, settings = local_grant(), stub_settings([], acled=acled)
    acled.put(acled_row("IRQ1", "2024-02-07", 1_707_955_200))
    acled.put(acled_row("IRQ2", "2024-02-08", 1_707_955_300))
    reports = []
    threads = [
        threading.Thread(target=lambda: reports.append(sync_source(grant, "acled", data_copy, settings, store=store)))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted((r.added, r.unchanged) for r in reports) == [(0, 1), (2, 0)]
    state = store.read_state("acled")
    assert len(state.runs) == 2 and state.cursor["timestamp"] == 1_707_955_300
    assert _scalar(store.url, "SELECT count(*) FROM imported_events") == 2
    assert _scalar(store.url, "SELECT count(*) FROM sync_changes") == 2


def test_the_digest_scores_synced_events_newer_than_every_curated_one(store, acled, data_copy):
    curated.load_folder(store.url, data_copy, grant=local_grant())  # the fixture's newest is 16 March 2025
    acled.put(acled_row("IRQ1", "2025-05-10", 1_746_800_000, fatalities=3))
    settings = stub_settings([], acled=acled, today=dt.date(2025, 6, 1))
    report = sync_source(local_grant(), "acled", data_copy, settings, store=store)
    movement = digest_of_last_syncs(data_copy, [report]).movement.set_index("country")
    assert movement.loc["Iraq", "new_events"] == 1
    assert movement.loc["Iraq", "with"] > movement.loc["Iraq", "without"]  # its 4 weeks end at the new event


def test_a_first_sync_that_finds_no_events_stores_an_empty_import_in_the_database(store, acled, data_copy):
    grant, waits = local_grant(), []
    settings = stub_settings(waits, acled=acled)

    assert sync_source(grant, "acled", data_copy, settings, store=store).stored == 0
    assert _scalar(store.url, "SELECT count(*) FROM imported_facts") == 0
    acled.put(acled_row("IRQ1", "2024-02-07", 1_707_955_200))
    assert sync_source(grant, "acled", data_copy, settings, store=store).added == 1
    assert _scalar(store.url, "SELECT count(*) FROM imported_facts") == 1
