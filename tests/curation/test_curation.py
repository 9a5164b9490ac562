"""Saving curated changes: authorised, validated, atomic, backed up, audited, and never overwriting a newer file."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pandas as pd
import pytest

from tensions.curation import access, editor, history, new_rows, places, saving, snapshot
from tensions.data.gazetteer import Gazetteer, Place
from tensions.data.schema import PLACES, to_typed
from tensions.data.validate import validate_folder
from tensions.errors import (
    ConcurrentEdit,
    DataNotWritable,
    GeocodingUnavailable,
    NotAuthorised,
    NothingToSave,
    ValidationFailed,
)
from tensions.geocode.nominatim import NominatimLookup
from tests.conftest import APP_ROOT
from tests.nominatim_stub import nominatim_stub

PASSWORD = "correct horse battery staple"
CONFIG = access.AccessConfig(password=PASSWORD)
NOW = dt.datetime(2025, 4, 8, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def grant() -> access.Grant:
    return access.grant_for_password(PASSWORD, CONFIG, who="Ann")


def file_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` and its bytes: what a refused save must leave exactly as it was."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def with_notes(events: pd.DataFrame, event_id: str, notes: str) -> pd.DataFrame:
    edited = events.copy()
    edited.loc[edited["event_id"] == event_id, "notes"] = notes
    return edited


def a_new_event(**overrides: str) -> pd.DataFrame:
    row = {
        "event_id": "IRQ-20250320-1",
        "event_date": "2025-03-20",
        "time_precision": "day",
        "country": "Iraq",
        "admin1": "Baghdad",
        "location": "Baghdad",
        "latitude": "33.34058",
        "longitude": "44.40088",
        "geo_precision": "1",
        "event_type": "Diplomacy and talks",
        "sub_event_type": "Talks or negotiations",
        "actor1": "Mohammed Shia al-Sudani",
        "actor2": "Kataib Hezbollah",
        "notes": "Prime Minister al-Sudani met faction leaders in Baghdad to discuss disarmament.",
        "source": "Reuters",
        "source_title": "[Report on disarmament talks]",
        "source_date": "2025-04-07",
        "confidence": "medium",
    }
    return new_rows.event_row(row | overrides)


# --------------------------------------------------------------------------- a good save


def test_saving_an_edit_rewrites_only_that_cell(data_copy, grant):
    base = snapshot.load_snapshot(data_copy)
    before = (data_copy / "events.csv").read_text()
    saving.save_changes(
        base, grant=grant, access_config=CONFIG, events=with_notes(base.events, "IRQ-20240104-1", "Rewritten."), now=NOW
    )
    after = (data_copy / "events.csv").read_text()
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b]
    assert len(changed) == 1 and changed[0][0].startswith("IRQ-20240104-1") and "Rewritten." in changed[0][1]
    assert validate_folder(data_copy) == []


def test_a_save_keeps_a_timestamped_backup_of_the_previous_file(data_copy, grant):
    base = snapshot.load_snapshot(data_copy)
    previous = (data_copy / "events.csv").read_bytes()
    result = saving.save_changes(
        base, grant=grant, access_config=CONFIG, events=with_notes(base.events, "IRQ-20240104-1", "x."), now=NOW
    )
    assert result.backups == [data_copy / "backups" / "events-20250408T093000.csv"]
    assert result.backups[0].read_bytes() == previous


def test_two_saves_in_the_same_second_keep_both_backups(data_copy, grant):
    base = snapshot.load_snapshot(data_copy)
    first = saving.save_changes(
        base, grant=grant, access_config=CONFIG, events=with_notes(base.events, "IRQ-20240104-1", "one."), now=NOW
    )
    second = saving.save_changes(
        first.snapshot,
        grant=grant,
        access_config=CONFIG,
        events=with_notes(first.snapshot.events, "IRQ-20240104-1", "two."),
        now=NOW,
    )
    assert [p.name for p in second.backups] == ["events-20250408T093000-2.csv"]
    assert "one." in second.backups[0].read_text()


def test_a_save_appends_one_json_line_per_changed_row_saying_who_when_and_what(data_copy, grant):
    base = snapshot.load_snapshot(data_copy)
    events = with_notes(base.events, "IRQ-20240104-1", "Edited.")
    events = events[events["event_id"] != "LBN-20241127-1"]
    events = new_rows.append_rows(events, a_new_event())
    saving.save_changes(base, grant=grant, access_config=CONFIG, events=events, now=NOW)
    entries = [json.loads(line) for line in (data_copy / "audit.log").read_text().splitlines()]
    assert {(e["action"], e["key"]) for e in entries} == {
        ("edited", "IRQ-20240104-1"),
        ("removed", "LBN-20241127-1"),
        ("added", "IRQ-20250320-1"),
    }
    edited = next(e for e in entries if e["action"] == "edited")
    assert edited["who"] == "Ann" and edited["method"] == "password" and edited["when"] == "2025-04-08T09:30:00+00:00"
    assert edited["changes"] == {
        "notes": {
            "old": "A US drone strike on a vehicle in eastern Baghdad killed Harakat Hezbollah al-Nujaba commander "
            "Mushtaq Taleb al-Saidi (Abu Taqwa). Toll not reported in this report.",
            "new": "Edited.",
        }
    }
    removed = next(e for e in entries if e["action"] == "removed")
    assert removed["changes"]["notes"]["old"].startswith("A US- and France-brokered ceasefire")  # recoverable


def test_later_saves_append_to_the_audit_log(data_copy, grant):
    base = snapshot.load_snapshot(data_copy)
    first = saving.save_changes(
        base, grant=grant, access_config=CONFIG, events=with_notes(base.events, "IRQ-20240104-1", "a.")
    )
    saving.save_changes(
        first.snapshot,
        grant=grant,
        access_config=CONFIG,
        events=with_notes(first.snapshot.events, "IRQ-20240104-1", "b."),
    )
    assert len((data_copy / "audit.log").read_text().splitlines()) == 2
    assert list(history.read_audit_log(data_copy)["action"]) == ["edited", "edited"]


def test_new_events_are_filed_in_date_order(data_copy, grant):
    base = snapshot.load_snapshot(data_copy)
    saving.save_changes(
        base, grant=grant, access_config=CONFIG, events=new_rows.append_rows(base.events, a_new_event())
    )
    ids = list(snapshot.load_snapshot(data_copy).events["event_id"])
    assert ids.index("IRQ-20250320-1") == ids.index("IRQ-20250316-1") + 1


def test_a_new_place_and_the_event_there_are_saved_together(data_copy, grant):
    base = snapshot.load_snapshot(data_copy)
    place = Place("Jurf al-Sakhar", 32.8667, 44.1167, 1, "Babil", "Iraq")
    places = new_rows.append_rows(base.places, new_rows.place_row(place, geocoder="manual", today=dt.date(2025, 4, 8)))
    event = a_new_event(location="Jurf al-Sakhar", admin1="Babil", latitude="32.8667", longitude="44.1167")
    result = saving.save_changes(
        base, grant=grant, access_config=CONFIG, events=new_rows.append_rows(base.events, event), places=places
    )
    assert [p.name.split("-")[0] for p in result.backups] == ["places", "events"]  # places first
    assert {c.file for c in result.changes} == {"places.csv", "events.csv"}
    assert validate_folder(data_copy) == []


def test_the_returned_snapshot_matches_the_files_on_disk(data_copy, grant):
    base = snapshot.load_snapshot(data_copy)
    result = saving.save_changes(
        base, grant=grant, access_config=CONFIG, events=with_notes(base.events, "IRQ-20240104-1", "x.")
    )
    assert dict(result.snapshot.hashes) == dict(snapshot.load_snapshot(data_copy).hashes)


def test_the_shipped_tables_round_trip_byte_for_byte():
    base = snapshot.load_snapshot(APP_ROOT / "data")
    for name, frame in base.tables.items():
        assert snapshot.table_bytes(frame) == (APP_ROOT / "data" / name).read_bytes(), name


# --------------------------------------------------------------------------- refusals write nothing


def test_without_a_grant_nothing_is_written(data_copy):
    base = snapshot.load_snapshot(data_copy)
    before = file_bytes(data_copy)
    for not_a_grant in (None, access.Grant("Mallory", "password", "2025-01-01T00:00:00+00:00", "0" * 64)):
        with pytest.raises(NotAuthorised):
            saving.save_changes(
                base, grant=not_a_grant, access_config=CONFIG, events=with_notes(base.events, "IRQ-20240104-1", "x.")
            )
    assert file_bytes(data_copy) == before


def test_when_curation_is_not_configured_even_a_real_grant_writes_nothing(data_copy, grant):
    base = snapshot.load_snapshot(data_copy)
    before = file_bytes(data_copy)
    with pytest.raises(NotAuthorised):
        saving.save_changes(
            base,
            grant=grant,
            access_config=access.AccessConfig(),
            events=with_notes(base.events, "IRQ-20240104-1", "x."),
        )
    assert file_bytes(data_copy) == before


def test_invalid_changes_are_refused_with_every_problem_named_by_event_id(data_copy, grant):
    base = snapshot.load_snapshot(data_copy)
    events = base.events.copy()
    events.loc[events["event_id"] == "IRQ-20240104-1", "event_date"] = "2024-01-32"
    events.loc[events["event_id"] == "IRQ-20240202-1", "actor1"] = "Nobody we know"
    events = new_rows.append_rows(events, a_new_event(notes="   ", latitude="10.0"))
    before = file_bytes(data_copy)
    with pytest.raises(ValidationFailed) as refused:
        saving.save_changes(base, grant=grant, access_config=CONFIG, events=events)
    located = {(p.key, p.column) for p in refused.value.located}
    assert ("IRQ-20240104-1", "event_date") in located
    assert ("IRQ-20240202-1", "actor1") in located
    assert ("IRQ-20250320-1", "notes") in located
    assert ("IRQ-20250320-1", "latitude") in located
    assert file_bytes(data_copy) == before


def test_an_unchanged_table_is_not_saved(data_copy, grant):
    base = snapshot.load_snapshot(data_copy)
    with pytest.raises(NothingToSave):
        saving.save_changes(base, grant=grant, access_config=CONFIG, events=base.events.copy())
    assert not (data_copy / "audit.log").exists()


def test_a_save_is_refused_when_the_file_changed_on_disk_and_the_difference_is_returned(data_copy, grant):
    base = snapshot.load_snapshot(data_copy)
    path = data_copy / "events.csv"
    path.write_text(path.read_text().replace("killing three US soldiers", "killing 3 US soldiers"))
    theirs = path.read_bytes()
    with pytest.raises(ConcurrentEdit) as refused:
        saving.save_changes(
            base, grant=grant, access_config=CONFIG, events=with_notes(base.events, "IRQ-20240104-1", "mine.")
        )
    assert refused.value.files == ["events.csv"]
    [change] = refused.value.changes
    assert change.key == "JOR-20240128-1" and change.action == "edited"
    old, new = change.columns["notes"]
    assert "three US soldiers" in old and "3 US soldiers" in new
    assert path.read_bytes() == theirs


def test_of_two_concurrent_saves_one_wins_and_the_other_is_told_what_changed(data_copy, grant):
    base = snapshot.load_snapshot(data_copy)
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def save(who: str) -> None:
        events = with_notes(base.events, "IRQ-20240104-1", f"Edited by {who}.")
        start.wait()
        try:
            outcomes[who] = saving.save_changes(base, grant=grant, access_config=CONFIG, events=events)
        except ConcurrentEdit as error:
            outcomes[who] = error

    threads = [threading.Thread(target=save, args=(who,)) for who in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [who for who, outcome in outcomes.items() if isinstance(outcome, saving.SaveResult)]
    losers = [outcome for outcome in outcomes.values() if isinstance(outcome, ConcurrentEdit)]
    assert len(winners) == 1 and len(losers) == 1
    [change] = losers[0].changes
    assert change.columns["notes"][1] == f"Edited by {winners[0]}."
    assert f"Edited by {winners[0]}." in (data_copy / "events.csv").read_text()
    assert len((data_copy / "audit.log").read_text().splitlines()) == 1


def test_a_failed_rename_leaves_the_old_file_intact_with_no_temporary_file_backup_or_log(data_copy, grant, monkeypatch):
    base = snapshot.load_snapshot(data_copy)
    original = (data_copy / "events.csv").read_bytes()
    real_replace = os.replace

    def replace(src, dst):
        if Path(dst).name == "events.csv":
            raise OSError("disk full")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(DataNotWritable, match=r"cannot write events\.csv: disk full"):
        saving.save_changes(
            base, grant=grant, access_config=CONFIG, events=with_notes(base.events, "IRQ-20240104-1", "lost.")
        )
    assert (data_copy / "events.csv").read_bytes() == original
    assert not list(data_copy.glob(".events.csv.*.tmp"))
    assert not (data_copy / "audit.log").exists()
    assert history.list_backups(data_copy) == []  # no backup of a change that never happened


KILLED_SAVE = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from tensions.curation import access, saving, snapshot

    data, ready = Path(sys.argv[1]), Path(sys.argv[2])
    config = access.AccessConfig(password=sys.argv[3])
    grant = access.grant_for_password(sys.argv[3], config, who="doomed")
    base = snapshot.load_snapshot(data)
    big = base.events.copy()
    big["notes"] = big["notes"] + " padding" * 200_000  # several megabytes to write

    real_fsync = os.fsync

    def fsync_then_wait_to_be_killed(fd):
        real_fsync(fd)
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".tmp") and ".events.csv." in os.readlink(f"/proc/self/fd/{fd}"):
            ready.write_text("the new events file is written but not yet renamed")
            time.sleep(600)

    os.fsync = fsync_then_wait_to_be_killed
    saving.save_changes(base, grant=grant, access_config=config, events=big)
    """
)


def test_a_save_killed_in_the_middle_leaves_the_old_file_intact(data_copy, grant, tmp_path):
    original = (data_copy / "events.csv").read_bytes()
    ready = tmp_path / "ready"
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_SAVE, str(data_copy), str(ready), PASSWORD],
        cwd=APP_ROOT,
        env={**os.environ, "PYTHONPATH": str(APP_ROOT)},
    )
    try:
        while not ready.exists():
            assert process.poll() is None, "the saving process ended before it was killed"
            threading.Event().wait(0.05)
        temp_files = list(data_copy.glob(".events.csv.*.tmp"))
        assert len(temp_files) == 1 and temp_files[0].stat().st_size > 5_000_000
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL
    assert (data_copy / "events.csv").read_bytes() == original
    assert validate_folder(data_copy) == []
    assert not (data_copy / "audit.log").exists()
    assert history.list_backups(data_copy) == []  # no orphan backup of the change that never happened
    # The killed process's lock died with it: the next curator can save, and that save clears the
    # temporary file the killed one left (git ignores it meanwhile).
    base = snapshot.load_snapshot(data_copy)
    saving.save_changes(
        base, grant=grant, access_config=CONFIG, events=with_notes(base.events, "IRQ-20240104-1", "after.")
    )
    assert not list(data_copy.glob("*.tmp")) and not list(data_copy.glob(".*.tmp"))
    assert len(history.list_backups(data_copy)) == 1


# --------------------------------------------------------------------------- the editor's round trip, rebasing


def test_the_editor_round_trip_rewrites_only_the_cells_changed():
    working = snapshot.load_snapshot(APP_ROOT / "tests" / "fixtures" / "data").events
    shown = list(working.index)
    edited = editor.editor_frame(working)
    edited.loc[0, "fatalities"] = 2
    edited.loc[0, "event_date"] = dt.date(2024, 1, 5)
    raw = editor.raw_from_editor(edited, working, shown)
    changes = snapshot.diff_tables(working, raw, "events.csv")
    assert [(c.key, dict(c.columns)) for c in changes] == [
        ("IRQ-20240104-1", {"event_date": ("2024-01-04", "2024-01-05"), "fatalities": (None, "2")})
    ]
    # Tower 22's longitude is written "38.70": untouched, it keeps its text although 38.7 == 38.70.
    assert raw.loc[1, "longitude"] == "38.70"


def test_rows_deleted_in_the_editor_are_removed_and_rows_not_shown_are_kept():
    working = snapshot.load_snapshot(APP_ROOT / "tests" / "fixtures" / "data").events
    shown = [0, 1]
    edited = editor.editor_frame(working.loc[[1]])
    raw = editor.raw_from_editor(edited, working, shown)
    assert list(raw["event_id"]) == [e for e in working["event_id"] if e != "IRQ-20240104-1"]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (33.0, "33.0"),
        (33.34058, "33.34058"),
        (-74.00597, "-74.00597"),
        (3, "3"),
        (dt.date(2025, 3, 16), "2025-03-16"),
        (pd.Timestamp("2025-03-16"), "2025-03-16"),
        ("  text  ", "text"),
        ("", None),
        (None, None),
        (float("nan"), None),
        (pd.NA, None),
    ],
)
def test_typed_values_are_written_as_the_csv_writes_them(value, text):
    assert editor.format_cell(value) == text


def test_rebase_reapplies_my_edits_on_the_newer_version():
    base = snapshot.load_snapshot(APP_ROOT / "tests" / "fixtures" / "data").events
    mine = with_notes(base, "IRQ-20240104-1", "mine.")
    theirs = with_notes(base, "JOR-20240128-1", "theirs.")
    merged, conflicts = editor.rebase(base, mine, theirs)
    assert conflicts == []
    notes = dict(zip(merged["event_id"], merged["notes"], strict=True))
    assert notes["IRQ-20240104-1"] == "mine." and notes["JOR-20240128-1"] == "theirs."


def test_rebase_keeps_their_value_where_we_both_changed_a_cell_and_says_so():
    base = snapshot.load_snapshot(APP_ROOT / "tests" / "fixtures" / "data").events
    merged, conflicts = editor.rebase(
        base, with_notes(base, "IRQ-20240104-1", "mine."), with_notes(base, "IRQ-20240104-1", "theirs.")
    )
    assert merged.loc[merged["event_id"] == "IRQ-20240104-1", "notes"].item() == "theirs."
    assert conflicts == [
        "IRQ-20240104-1: notes was changed by the other curator to 'theirs.'; yours ('mine.') was not applied"
    ]


def test_pending_editor_changes_are_detected_from_the_widget_state():
    assert not editor.pending_editor_changes(None)
    assert not editor.pending_editor_changes({"edited_rows": {}, "added_rows": [], "deleted_rows": []})
    assert editor.pending_editor_changes({"edited_rows": {0: {"notes": "x"}}})
    assert editor.pending_editor_changes({"deleted_rows": [3]})


@pytest.mark.parametrize(
    ("country", "day", "taken", "expected"),
    [
        ("Iraq", dt.date(2025, 3, 16), [], "IRQ-20250316-1"),
        ("Iraq", dt.date(2025, 3, 16), ["IRQ-20250316-1"], "IRQ-20250316-2"),
        ("Red Sea", dt.date(2024, 1, 2), [], "XRS-20240102-1"),
        (None, dt.date(2024, 1, 2), [], ""),
        ("Iraq", None, [], ""),
    ],
)
def test_event_ids_are_proposed_from_country_and_date(country, day, taken, expected):
    assert new_rows.propose_event_id(country, day, taken) == expected


# --------------------------------------------------------------------------- new places


@pytest.fixture
def gazetteer(data_copy) -> Gazetteer:
    return Gazetteer(to_typed(snapshot.load_snapshot(data_copy).places, PLACES))


class FailingLookup:
    name = "nominatim"

    def geocode(self, query, *, country=None):
        raise GeocodingUnavailable(f"the geocoder timed out for {query!r}")


def test_a_place_in_the_gazetteer_is_found_there_first(gazetteer):
    proposal = places.look_up_place("Al Qaim", None, gazetteer=gazetteer, online=FailingLookup())
    assert proposal.status == "in gazetteer" and proposal.place.place == "Al-Qaim"


def test_without_online_geocoding_an_unknown_place_is_left_for_the_curator(gazetteer):
    proposal = places.look_up_place("Jurf al-Sakhar", "Iraq", gazetteer=gazetteer, online=None)
    assert proposal.status == "offline" and proposal.place is None
    assert "by hand" in proposal.message


def test_a_geocoder_failure_leaves_the_row_editable_with_a_clear_message(gazetteer):
    proposal = places.look_up_place("Jurf al-Sakhar", "Iraq", gazetteer=gazetteer, online=FailingLookup())
    assert proposal.status == "failed"
    assert "timed out" in proposal.message and "editable" in proposal.message
    frame = places.place_review_frame([proposal])
    assert frame.loc[0, "place"] == "Jurf al-Sakhar" and pd.isna(frame.loc[0, "latitude"])


def test_batch_lookup_stops_when_asked(gazetteer):
    asked = []

    def stop_after_two() -> bool:
        asked.append(1)
        return len(asked) > 2

    queries = [("Baghdad", None), ("Beirut", None), ("Anbar", None), ("Al-Qaim", None)]
    found = list(places.look_up_places(queries, gazetteer=gazetteer, online=None, should_stop=stop_after_two))
    assert [p.query for p in found] == ["Baghdad", "Beirut"]


def test_batch_lookup_through_nominatim_reports_each_failure_and_goes_on(gazetteer):
    with nominatim_stub() as (domain, requests):
        lookup = NominatimLookup(
            user_agent="tensions-tests/1.0 test@example.org", domain=domain, scheme="http", min_delay_seconds=0
        )
        queries = [("Baghdad", "Iraq"), ("Jurf al-Sakhar", "Iraq"), ("Busytown", "Iraq"), ("Downtown", "Iraq")]
        found = list(places.look_up_places(queries, gazetteer=gazetteer, online=lookup))
    assert [p.status for p in found] == ["in gazetteer", "proposed", "failed", "failed"]
    assert "rate limit" in found[2].message
    assert [q for _, q in requests] == ["Jurf al-Sakhar, Iraq", "Busytown, Iraq", "Downtown, Iraq"]  # gazetteer first


def test_confirmed_places_record_their_geocoder_or_manual_when_the_curator_changed_them():
    proposed = places.PlaceProposal(
        "Jurf al-Sakhar", "Iraq", "proposed", Place("Jurf al-Sakhar", 32.8125, 44.2344, 1, "Babil", "Iraq"), "nominatim"
    )
    typed = places.PlaceProposal("Tikrit", "Iraq", "failed", message="timed out")
    review = places.place_review_frame([proposed, typed, proposed])
    review["add"] = [True, True, False]
    review.loc[1, ["latitude", "longitude", "geo_precision", "admin1"]] = [34.6, 43.68, 1, "Salah al-Din"]
    rows = places.place_rows_from_review(review, [proposed, typed, proposed], today=dt.date(2025, 4, 8))
    assert rows[["place", "latitude", "longitude", "geocoder"]].values.tolist() == [
        ["Jurf al-Sakhar", "32.81250", "44.23440", "nominatim"],
        ["Tikrit", "34.60000", "43.68000", "manual"],
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jurf al-Sakhar, Iraq\n\nTikrit", [("Jurf al-Sakhar", "Iraq"), ("Tikrit", None)]),
        ("Washington, D.C.", [("Washington, D.C.", None)]),
        ("Baghdad\nBaghdad", [("Baghdad", None)]),
    ],
)
def test_place_queries_are_read_one_per_line_with_an_optional_country(text, expected):
    assert places.parse_place_queries(text) == expected


def test_online_geocoding_is_off_unless_enabled():
    assert places.online_geocoding({}, {}).lookup is None


def test_online_geocoding_needs_an_identifying_user_agent():
    off = places.online_geocoding({}, {places.ONLINE_ENV: "1"})
    assert off.lookup is None and "user agent" in off.problem


def test_online_geocoding_is_enabled_by_the_environment():
    on = places.online_geocoding({}, {places.ONLINE_ENV: "1", places.USER_AGENT_ENV: "me/1.0 me@example.org"})
    assert isinstance(on.lookup, NominatimLookup)
