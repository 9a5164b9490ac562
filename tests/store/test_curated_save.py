"""Curated saves in the database: one transaction with its audit rows, refused row by row.

Two curators (two app servers, each with its own snapshot) who change different events both succeed; the
same event changed by another since the page loaded it is refused for the second, with the difference.
"""

from __future__ import annotations

import shutil
import threading

import pandas as pd
import pytest
import sqlalchemy as sa

from tensions.curation import access, saving, snapshot
from tensions.data.guard import local_grant
from tensions.errors import ConcurrentEdit, NotAuthorised, ValidationFailed
from tensions.store import curated, tables
from tensions.store.engine import engine_for
from tests.conftest import CURATOR_PASSWORD, curator_grant

CONFIG = access.AccessConfig(password=CURATOR_PASSWORD)


@pytest.fixture
def loaded(postgres_url, data_copy, monkeypatch) -> str:
    """A database holding the fixture tables, and the database configured as the store."""
    curated.load_folder(postgres_url, data_copy, grant=local_grant())
    monkeypatch.setenv("TENSIONS_DATABASE_URL", postgres_url)
    return postgres_url


def page_load(folder) -> snapshot.Snapshot:
    """What a Curate page on any app server works from."""
    return snapshot.load_current(folder)


def with_notes(events: pd.DataFrame, event_id: str, notes: str) -> pd.DataFrame:
    edited = events.copy()
    edited.loc[edited["event_id"] == event_id, "notes"] = notes
    return edited


def notes_of(url: str, event_id: str) -> str:
    return curated.read_curated(url).tables["events.csv"].set_index("event_id").loc[event_id, "notes"]


def audit_actions(url: str) -> list[tuple[str, str, str]]:
    log = tables.audit_log
    with engine_for(url).connect() as connection:
        return connection.execute(sa.select(log.c.who, log.c.action, log.c.key).order_by(log.c.id)).all()[3:]


def save(base: snapshot.Snapshot, who: str = "Ann", **frames) -> saving.SaveResult:
    return saving.save_changes(base, grant=curator_grant(who), access_config=CONFIG, **frames)


def test_the_page_works_from_the_database_when_one_is_configured(loaded, data_copy):
    base = page_load(data_copy)
    assert base.database_url == loaded
    assert base.events.equals(snapshot.load_snapshot(data_copy).events)
    assert snapshot.is_current(base, data_copy)


def test_a_save_writes_the_rows_and_their_audit_and_readers_see_it(loaded, data_copy):
    base = page_load(data_copy)
    result = save(base, events=with_notes(base.events, "IRQ-20240104-1", "Edited."))
    assert [(c.key, c.action) for c in result.changes] == [("IRQ-20240104-1", "edited")]
    assert result.backups == []
    assert notes_of(loaded, "IRQ-20240104-1") == "Edited."
    assert audit_actions(loaded) == [("Ann", "edited", "IRQ-20240104-1")]
    assert not snapshot.is_current(base, data_copy)  # another app server's page sees the change on its next rerun
    assert snapshot.is_current(result.snapshot, data_copy)
    assert result.snapshot.events.equals(page_load(data_copy).events)


def test_two_curators_saving_different_events_at_once_both_succeed(loaded, data_copy):
    bases = {who: page_load(data_copy) for who in ("Ann", "Bob")}  # two pages, on two app servers
    event_of = {"Ann": "IRQ-20240104-1", "Bob": "JOR-20240128-1"}
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def curate(who: str) -> None:
        events = with_notes(bases[who].events, event_of[who], f"Edited by {who}.")
        start.wait()
        try:
            outcomes[who] = save(bases[who], who, events=events)
        except ConcurrentEdit as error:
            outcomes[who] = error

    threads = [threading.Thread(target=curate, args=(who,)) for who in bases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(outcome, saving.SaveResult) for outcome in outcomes.values()), outcomes
    assert {notes_of(loaded, event_of[who]) for who in bases} == {"Edited by Ann.", "Edited by Bob."}
    assert sorted(audit_actions(loaded)) == [("Ann", "edited", event_of["Ann"]), ("Bob", "edited", event_of["Bob"])]


def test_the_same_event_changed_since_the_page_loaded_is_refused_with_the_difference(loaded, data_copy):
    ann, bob = page_load(data_copy), page_load(data_copy)
    save(ann, "Ann", events=with_notes(ann.events, "IRQ-20240104-1", "Ann's version."))
    with pytest.raises(ConcurrentEdit) as refused:
        save(bob, "Bob", events=with_notes(bob.events, "IRQ-20240104-1", "Bob's version."))
    assert refused.value.files == ["events.csv"]
    [change] = refused.value.changes
    assert (change.key, change.action) == ("IRQ-20240104-1", "edited")
    assert change.columns["notes"][1] == "Ann's version."
    assert notes_of(loaded, "IRQ-20240104-1") == "Ann's version."
    assert audit_actions(loaded) == [("Ann", "edited", "IRQ-20240104-1")]


def test_an_event_removed_by_another_curator_cannot_be_edited(loaded, data_copy):
    ann, bob = page_load(data_copy), page_load(data_copy)
    save(ann, "Ann", events=ann.events[ann.events["event_id"] != "LBN-20241127-1"])
    with pytest.raises(ConcurrentEdit) as refused:
        save(bob, "Bob", events=with_notes(bob.events, "LBN-20241127-1", "Edited."))
    assert [(c.key, c.action) for c in refused.value.changes] == [("LBN-20241127-1", "removed")]


def test_two_saves_are_validated_against_each_others_result(loaded, data_copy):
    """Each save is valid alone; together they would leave an event whose actor is gone: the second is refused."""
    ann, bob = page_load(data_copy), page_load(data_copy)
    used = set(ann.events["actor1"]) | set(ann.events["actor2"].dropna()) | set(ann.actors["parent"].dropna())
    unused = next(actor for actor in ann.actors["actor"] if actor not in used)
    save(ann, "Ann", actors=ann.actors[ann.actors["actor"] != unused])
    events = bob.events.copy()
    events.loc[events["event_id"] == "IRQ-20240104-1", "actor2"] = unused
    with pytest.raises(ValidationFailed) as refused:
        save(bob, "Bob", events=events)
    assert any(p.key == "IRQ-20240104-1" and p.column == "actor2" for p in refused.value.located)
    assert notes_of(loaded, "IRQ-20240104-1") == bob.events.set_index("event_id").loc["IRQ-20240104-1", "notes"]
    assert [who for who, _, _ in audit_actions(loaded)] == ["Ann"]


def test_a_save_that_fails_validation_writes_nothing_audit_included(loaded, data_copy):
    base = page_load(data_copy)
    events = base.events.copy()
    events.loc[0, "time_precision"] = "daily"
    with pytest.raises(ValidationFailed):
        save(base, events=events)
    assert snapshot.is_current(base, data_copy)
    assert audit_actions(loaded) == []


def test_without_a_grant_nothing_is_written(loaded, data_copy):
    base = page_load(data_copy)
    with pytest.raises(NotAuthorised):
        saving.save_changes(
            base, grant=None, access_config=CONFIG, events=with_notes(base.events, "IRQ-20240104-1", "Edited.")
        )
    with pytest.raises(NotAuthorised):  # the store's own door, for a caller that skipped the access check
        curated.save_rows(loaded, base.stored, [], grant=None, now=pd.Timestamp.now(tz="UTC").to_pydatetime())
    assert snapshot.is_current(base, data_copy)
    assert audit_actions(loaded) == []


def test_an_added_event_keeps_the_tables_in_date_order_and_dumps_as_the_file_store_writes(loaded, data_copy, tmp_path):
    base = page_load(data_copy)
    added = base.events.iloc[[0]].assign(event_id="IRQ-20240105-1", event_date="2024-01-05", source_date="2024-01-05")
    file_base = snapshot.load_snapshot(data_copy)
    events = pd.concat([base.events, added], ignore_index=True)
    save(base, events=events)
    save(file_base, events=events)  # the same edit through the file store, for comparison (TENSIONS_DATABASE_URL
    # only chooses the store a page loads from; a file snapshot is saved to its files)
    curated.dump_folder(loaded, tmp_path, grant=local_grant())
    assert (tmp_path / "events.csv").read_bytes() == (data_copy / "events.csv").read_bytes()
    assert list(page_load(data_copy).events["event_id"][:2]) == ["IRQ-20240104-1", "IRQ-20240105-1"]


def test_a_page_loaded_before_the_tables_were_reloaded_cannot_overwrite_the_reloaded_rows(loaded, data_copy, tmp_path):
    """Row versions are the store's version of the last write, so a reload (`db load --replace`) moves them on."""
    base = page_load(data_copy)
    reloaded = tmp_path / "reloaded"
    shutil.copytree(data_copy, reloaded)
    path = reloaded / "events.csv"
    path.write_text(path.read_text().replace("killing three US soldiers", "killing 3 US soldiers"))
    curated.load_folder(loaded, reloaded, grant=local_grant(), replace=True)
    with pytest.raises(ConcurrentEdit) as refused:
        save(base, events=with_notes(base.events, "JOR-20240128-1", "Mine."))
    assert "3 US soldiers" in refused.value.changes[0].columns["notes"][1]
