"""The review queue: synced events no curated event covers, promoted into drafts or dismissed, and remembered."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from tensions.curation.review_queue import (
    covered,
    distance_km,
    draft_event,
    read_decisions,
    record_decision,
    review_queue,
)
from tensions.data.guard import local_grant
from tensions.data.schema import EVENTS
from tensions.errors import NotAuthorised
from tensions.ingest.sync import sync_source
from tensions.ingest.sync.store import read_synced
from tests.ingest.sync.conftest import stub_settings
from tests.ingest.sync.stubs import AcledStub, acled_row


def events(*rows: tuple) -> pd.DataFrame:
    """Events from (id, date, type, lat, lon, country) tuples."""
    frame = pd.DataFrame(rows, columns=["event_id", "event_date", "event_type", "latitude", "longitude", "country"])
    return frame.assign(event_date=pd.to_datetime(frame["event_date"]))


CURATED = events(("C1", "2025-03-10", "Battles", 33.31, 44.36, "Iraq"))


def test_distance_is_great_circle_kilometres():
    # Baghdad to Basra is about 450 km.
    assert distance_km([33.3152], [44.3661], [30.5085], [47.7804])[0] == pytest.approx(449, abs=5)


@pytest.mark.parametrize(
    ("day", "kind", "lat", "lon", "is_covered"),
    [
        ("2025-03-10", "Battles", 33.35, 44.40, True),  # same day, 5 km away
        ("2025-03-11", "Battles", 33.35, 44.40, True),  # the next day
        ("2025-03-09", "Battles", 33.35, 44.40, True),  # the day before
        ("2025-03-12", "Battles", 33.35, 44.40, False),  # two days later
        ("2025-03-10", "Protests", 33.35, 44.40, False),  # another kind of event
        ("2025-03-10", "Battles", 33.80, 44.40, False),  # about 55 km north
        ("2025-03-10", "Battles", None, None, False),  # no coordinates: nothing to compare
    ],
)
def test_a_synced_event_is_covered_by_a_curated_one_of_its_kind_close_in_time_and_place(
    day, kind, lat, lon, is_covered
):
    synced = events(("S1", day, kind, lat, lon, "Iraq"))
    assert covered(synced, CURATED).tolist() == [is_covered]


def test_the_queue_keeps_uncovered_undecided_events_in_the_region_newest_first():
    synced = events(
        ("acled:1", "2025-03-10", "Battles", 33.35, 44.40, "Iraq"),  # covered by C1
        ("acled:2", "2025-03-11", "Protests", 33.35, 44.40, "Iraq"),
        ("acled:3", "2025-03-12", "Protests", 33.35, 44.40, "Iraq"),  # dismissed before
        ("acled:4", "2025-03-13", "Protests", 48.85, 2.35, "France"),  # outside the region
        ("acled:5", "2025-03-14", "Battles", 33.35, 44.40, "Iraq"),
    )
    decisions = pd.DataFrame({"event_id": ["acled:3"], "decision": ["dismissed"]}, dtype="string")
    assert review_queue(synced, CURATED, decisions)["event_id"].tolist() == ["acled:5", "acled:2"]
    assert review_queue(None, CURATED, decisions).empty


@pytest.fixture
def acled() -> Iterator[AcledStub]:
    with AcledStub() as stub:
        yield stub


@pytest.fixture
def synced_event(acled, data_copy: Path) -> pd.Series:
    acled.put(acled_row("IRQ9", "2025-03-10", 1_741_600_000, fatalities=2, notes="Drone strike on a depot."))
    sync_source(local_grant(), "acled", data_copy, stub_settings([], acled=acled))
    stored, _ = read_synced(data_copy, "acled")
    return stored.iloc[0]


def test_a_draft_keeps_the_synced_event_its_dataset_and_id_as_the_source(synced_event):
    draft = draft_event(synced_event, taken_ids=["IRQ-20250310-1"])
    assert list(draft.columns) == list(EVENTS.column_names)
    row = draft.iloc[0]
    assert row["event_id"] == "IRQ-20250310-2"  # the next free id
    assert row["event_date"] == "2025-03-10" and row["country"] == "Iraq" and row["location"] == "Baghdad"
    assert row["event_type"] == "Explosions/Remote violence" and row["fatalities"] == "2"
    assert row["source_title"] == "[ACLED event IRQ9]"
    assert row["notes"] == "Drone strike on a depot."
    assert "from-acled" in row["tags"].split(";")


def test_decisions_are_remembered_and_written_to_the_audit_log(data_copy):
    grant = local_grant()
    when = dt.datetime(2025, 3, 20, 9, 0, tzinfo=dt.UTC)
    record_decision(data_copy, "acled:2", "dismissed", grant=grant, now=when)
    record_decision(data_copy, "acled:5", "promoted", grant=grant, curated_event_id="IRQ-20250314-1", now=when)
    decisions = read_decisions(data_copy)
    assert decisions[["event_id", "decision", "curated_event_id"]].astype(object).where(decisions.notna(), None)[
        ["event_id", "decision", "curated_event_id"]
    ].values.tolist() == [["acled:2", "dismissed", None], ["acled:5", "promoted", "IRQ-20250314-1"]]
    entries = [json.loads(line) for line in (data_copy / "audit.log").read_text().splitlines()]
    assert [(e["action"], e["key"]) for e in entries[-2:]] == [
        ("review dismissed", "acled:2"),
        ("review promoted", "acled:5"),
    ]
    assert entries[-1]["who"] == grant.who


def test_a_decision_needs_a_grant(data_copy):
    with pytest.raises(NotAuthorised):
        record_decision(data_copy, "acled:2", "dismissed", grant=None)
    assert read_decisions(data_copy).empty
