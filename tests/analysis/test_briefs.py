"""Saved briefs: what they remember, how they are stored, and what changed since one was saved."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from tensions.analysis.briefs import (
    brief_from_view,
    changes_since,
    count_changes,
    diff_snapshots,
    list_briefs,
    load_brief,
    open_ended,
    save_brief,
    slugify,
    snapshot,
)
from tensions.analysis.filters import FilterState, apply_filters
from tensions.data.load import load_dataset
from tensions.errors import BriefError
from tests.conftest import curator_grant

COLUMNS = ["event_id", "event_date", "time_precision", "fatalities", "event_type", "sub_event_type", "country",
           "location", "actor1", "actor2", "label", "source", "notes_hash", "theatre", "actor1_family"]  # fmt: skip


def table(*rows: dict) -> pd.DataFrame:
    """A snapshot built by hand: every tracked value given or defaulted."""
    base = {
        "event_date": "2024-01-28",
        "time_precision": "day",
        "fatalities": pd.NA,
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Air/drone strike",
        "country": "Jordan",
        "location": "Tower 22",
        "actor1": "Islamic Resistance in Iraq",
        "actor2": "US forces",
        "label": pd.NA,
        "source": "Reuters",
        "notes_hash": "aaaa",
        "theatre": "Syria and Jordan",
        "actor1_family": "Iran and the axis",
    }
    frame = pd.DataFrame([base | row for row in rows], columns=COLUMNS)
    return frame.astype({c: "string" for c in COLUMNS if c != "fatalities"} | {"fatalities": "Int64"})


def change(changes: pd.DataFrame, event_id: str) -> pd.Series:
    return changes.set_index("event_id").loc[event_id]


def test_nothing_changed_means_no_rows():
    before = table({"event_id": "A", "fatalities": 3})
    assert diff_snapshots(before, before.copy()).empty


def test_a_new_event_is_added():
    changes = diff_snapshots(table({"event_id": "A"}), table({"event_id": "A"}, {"event_id": "B", "label": "New"}))
    assert changes["change"].tolist() == ["added"]
    assert change(changes, "B")["what"] == "New"


def test_a_revised_toll_reads_old_to_new():
    before = table({"event_id": "A", "fatalities": 3})
    after = table({"event_id": "A", "fatalities": 11})
    row = change(diff_snapshots(before, after), "A")
    assert row["change"] == "revised"
    assert row["details"] == "fatalities 3 → 11"
    assert row["fields"] == ("fatalities",)


def test_a_toll_first_reported_is_a_revision_from_not_reported():
    row = change(diff_snapshots(table({"event_id": "A"}), table({"event_id": "A", "fatalities": 0})), "A")
    assert row["details"] == "fatalities not reported → 0"


def test_a_redated_event_and_an_edited_summary_are_revisions():
    before = table({"event_id": "A", "event_date": "2024-01-28", "notes_hash": "aaaa"})
    after = table({"event_id": "A", "event_date": "2024-01-29", "notes_hash": "bbbb"})
    row = change(diff_snapshots(before, after), "A")
    assert row["details"] == "date 28 Jan 2024 → 29 Jan 2024; summary edited"
    assert row["event_date"] == pd.Timestamp("2024-01-29")


def test_an_event_gone_from_the_data_is_removed():
    changes = diff_snapshots(table({"event_id": "A"}, {"event_id": "B"}), table({"event_id": "A"}))
    row = change(changes, "B")
    assert row["change"] == "removed"
    assert row["details"] == "no longer in the data"


def test_an_event_moved_out_of_the_filters_says_why():
    before = table({"event_id": "A", "event_date": "2024-01-28"})
    elsewhere = table({"event_id": "A", "event_date": "2024-03-02"})
    row = change(diff_snapshots(before, table(), elsewhere=elsewhere), "A")
    assert row["change"] == "removed"
    assert row["details"] == "no longer matches the brief's filters; date 28 Jan 2024 → 2 Mar 2024"


def test_changes_come_in_date_order_and_are_counted():
    before = table({"event_id": "A", "event_date": "2024-02-01"}, {"event_id": "C", "event_date": "2024-01-01"})
    after = table(
        {"event_id": "A", "event_date": "2024-02-01", "fatalities": 2}, {"event_id": "B", "event_date": "2024-01-15"}
    )
    changes = diff_snapshots(before, after)
    assert changes["event_id"].tolist() == ["C", "B", "A"]
    assert count_changes(changes) == {"added": 1, "revised": 1, "removed": 1}


def test_a_snapshot_remembers_what_was_shown(data_copy):
    events = load_dataset(data_copy).events
    shown = snapshot(events).set_index("event_id")
    assert shown.loc["JOR-20240128-1", "fatalities"] == 3
    assert pd.isna(shown.loc["IRQ-20240104-1", "fatalities"])
    assert shown.loc["JOR-20240128-1", "event_date"] == "2024-01-28"
    assert len(shown.loc["JOR-20240128-1", "notes_hash"]) == 16


def test_a_brief_survives_saving_and_loading(tmp_path, data_copy):
    dataset = load_dataset(data_copy)
    state = FilterState(start=dt.date(2024, 1, 1), countries=("Iraq", "Jordan"), precise_only=True)
    brief = brief_from_view(
        "Weekly brief 3/6", dataset.events, state, data_as_of=dt.date(2025, 4, 7), lanes="actor1_family",
        title="Iraq <militias>", saved_at=dt.datetime(2025, 4, 8, 9, 30, tzinfo=dt.UTC),
    )  # fmt: skip
    path = save_brief(brief, tmp_path / "briefs", grant=curator_grant())
    assert path.name == "weekly-brief-3-6.json"
    assert not list(path.parent.glob(".*.tmp"))  # written atomically, nothing left behind
    loaded = load_brief(path)
    assert loaded.name == "Weekly brief 3/6"
    assert loaded.filters == state
    assert loaded.lanes == "actor1_family"
    assert loaded.title == "Iraq <militias>"
    assert loaded.saved_at == brief.saved_at
    pd.testing.assert_frame_equal(loaded.snapshot, brief.snapshot)


def test_saved_briefs_are_listed_newest_first_and_broken_files_skipped(tmp_path, data_copy):
    events = load_dataset(data_copy).events
    for name, day in (("Older", 1), ("Newer", 5)):
        save_brief(
            brief_from_view(name, events, FilterState(), saved_at=dt.datetime(2025, 4, day, tzinfo=dt.UTC)),
            tmp_path,
            grant=curator_grant(),
        )
    (tmp_path / "broken.json").write_text("{not json")
    assert [b.name for b in list_briefs(tmp_path)] == ["Newer", "Older"]
    with pytest.raises(BriefError, match=r"broken\.json"):
        load_brief(tmp_path / "broken.json")


def test_a_brief_needs_a_name(data_copy):
    with pytest.raises(BriefError):
        brief_from_view("  ", load_dataset(data_copy).events, FilterState())


def test_changes_since_apply_the_briefs_own_filters_to_the_current_data(data_copy):
    iraq = FilterState(countries=("Iraq",))
    brief = brief_from_view("Iraq", apply_filters(load_dataset(data_copy).events, iraq), iraq)
    path = data_copy / "events.csv"
    text = path.read_text()
    text = text.replace("2025-03-16,day,Iraq", "2025-03-17,day,Iraq")  # re-dated
    text = "\n".join(line for line in text.splitlines() if not line.startswith("IRQ-20240202-1"))  # deleted
    path.write_text(text + "\n")
    changes = changes_since(brief, load_dataset(data_copy).events)
    assert change(changes, "IRQ-20250316-1")["details"] == "date 16 Mar 2025 → 17 Mar 2025"
    assert change(changes, "IRQ-20240202-1")["details"] == "no longer in the data"
    assert count_changes(changes) == {"added": 0, "revised": 1, "removed": 1}


def test_a_period_running_to_the_latest_event_stays_open():
    first, last = dt.date(2023, 10, 7), dt.date(2025, 6, 30)
    assert open_ended(FilterState(start=first, end=last), first, last) == FilterState()
    closed = FilterState(start=dt.date(2024, 1, 1), end=dt.date(2024, 6, 30))
    assert open_ended(closed, first, last) == closed


def write_brief_file(folder, *, format: int, filters: dict):
    path = folder / "old.json"
    raw = {"format": format, "name": "Old", "saved_at": "2025-04-08T09:30:00+00:00", "filters": filters, "events": []}
    path.write_text(json.dumps(raw))
    return path


def test_a_brief_saved_with_field_names_still_opens_with_its_filters(tmp_path):
    filters = {"start": None, "end": "2024-12-31", "countries": ["Iraq"], "actors": [], "event_types": [],
               "datasets": [], "precise_only": True}  # fmt: skip
    loaded = load_brief(write_brief_file(tmp_path, format=1, filters=filters))
    assert loaded.filters == FilterState(end=dt.date(2024, 12, 31), countries=("Iraq",), precise_only=True)


def test_a_brief_whose_filters_cannot_be_read_is_refused_naming_them(tmp_path):
    path = write_brief_file(tmp_path, format=2, filters={"dates": ["last week"]})
    with pytest.raises(BriefError, match=r"old\.json: not a readable brief \(dates: 'last week' is not a day"):
        load_brief(path)


def test_brief_names_become_safe_file_names():
    assert slugify("Weekly brief 3/6") == "weekly-brief-3-6"
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("!!!") == "brief"


def test_the_json_holds_plain_values_a_person_can_read(tmp_path, data_copy):
    events = load_dataset(data_copy).events
    path = save_brief(
        brief_from_view("Plain", events, FilterState(countries=("Iraq",))), tmp_path, grant=curator_grant()
    )
    raw = json.loads(path.read_text())
    assert raw["filters"] == {"country": ["Iraq"]}  # the filters as a link writes them
    tower22 = next(e for e in raw["events"] if e["event_id"] == "JOR-20240128-1")
    assert tower22["fatalities"] == 3 and tower22["event_date"] == "2024-01-28"
