"""The review queue with the database as the store: decisions and their audit rows there, and the queue read
from the synced events stored there (only those in the region that no one decided on)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import sqlalchemy as sa

from tensions.curation.history import read_audit_log
from tensions.curation.review_queue import pending, read_decisions, record_decision
from tensions.data.guard import local_grant
from tensions.errors import NotAuthorised
from tensions.ingest.sync import sync_source
from tensions.store import select
from tensions.store.engine import engine_for
from tests.ingest.sync.conftest import stub_settings
from tests.ingest.sync.stubs import AcledStub, acled_row

WHEN = dt.datetime(2025, 3, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def database(postgres_url, data_copy, monkeypatch) -> str:
    monkeypatch.setenv("TENSIONS_DATABASE_URL", postgres_url)
    return postgres_url


def test_decisions_round_trip_through_the_database_with_their_audit_rows(database, data_copy):
    grant = local_grant()
    record_decision(data_copy, "acled:2", "dismissed", grant=grant, now=WHEN)
    record_decision(data_copy, "acled:5", "dismissed", grant=grant, now=WHEN + dt.timedelta(minutes=1))
    later = WHEN + dt.timedelta(hours=1)
    record_decision(data_copy, "acled:5", "promoted", grant=grant, curated_event_id="IRQ-20250314-1", now=later)

    decisions = read_decisions(data_copy)
    assert decisions.astype(object).where(decisions.notna(), None).values.tolist() == [
        ["acled:2", "dismissed", None, grant.who, "2025-03-20T09:00:00+00:00"],
        ["acled:5", "promoted", "IRQ-20250314-1", grant.who, "2025-03-20T10:00:00+00:00"],
    ]
    log = read_audit_log(data_copy)
    assert log[["action", "key", "file"]].values.tolist()[:3] == [
        ["review promoted", "acled:5", "review_decisions"],
        ["review dismissed", "acled:5", "review_decisions"],
        ["review dismissed", "acled:2", "review_decisions"],
    ]
    assert not (data_copy / "imported").exists() and not (data_copy / "audit.log").exists()


def test_a_decision_needs_a_grant(database, data_copy):
    with pytest.raises(NotAuthorised):
        record_decision(data_copy, "acled:2", "dismissed", grant=None)
    assert read_decisions(data_copy).empty
    with engine_for(database).connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM audit_log")).scalar() == 0


def test_the_queue_is_read_from_the_synced_events_in_the_database(database, data_copy):
    waits: list[float] = []
    with AcledStub() as acled:
        acled.put(acled_row("IRQ1", "2025-03-10", 1_741_600_000))  # covered by the curated event below
        acled.put(acled_row("IRQ2", "2025-03-12", 1_741_600_100))
        acled.put(acled_row("IRQ3", "2025-03-13", 1_741_600_200))
        acled.put(acled_row("FRA1", "2025-03-13", 1_741_600_300, country="France", location="Paris"))
        sync_source(
            local_grant(), "acled", data_copy, stub_settings(waits, acled=acled), store=select.sync_store(data_copy)
        )
    synced = select.sync_store(data_copy).read_synced("acled")[0].set_index("event_id")
    curated = synced.loc[["acled:IRQ1"]].reset_index()[["event_date", "event_type", "latitude", "longitude"]]
    assert pending(data_copy, curated)["event_id"].tolist() == ["acled:IRQ3", "acled:IRQ2"]  # newest first

    record_decision(data_copy, "acled:IRQ3", "dismissed", grant=local_grant(), now=WHEN)
    queue = pending(data_copy, curated)
    assert queue["event_id"].tolist() == ["acled:IRQ2"]
    assert queue.loc[0, "event_date"] == pd.Timestamp("2025-03-12")


def test_before_any_sync_the_queue_is_empty(database, data_copy):
    assert pending(data_copy, pd.DataFrame(columns=["event_date", "event_type", "latitude", "longitude"])).empty
