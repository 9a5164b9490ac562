"""The Curate page with PostgreSQL as the store: it edits the database's rows, and curators on other app
servers (their saves made here through the same save function) change other events without refusing it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tensions.curation import access, places, saving, snapshot
from tensions.data.guard import local_grant
from tensions.store import curated
from tests.conftest import CURATOR_PASSWORD, curator_grant
from tests.pages.test_curate import edit_cell, file_bytes, signed_in

CONFIG = access.AccessConfig(password=CURATOR_PASSWORD)


@pytest.fixture
def database(postgres_url, data_copy, monkeypatch) -> str:
    curated.load_folder(postgres_url, data_copy, grant=local_grant())
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(data_copy))
    monkeypatch.setenv("TENSIONS_DATABASE_URL", postgres_url)
    monkeypatch.delenv(access.PASSWORD_ENV, raising=False)
    monkeypatch.delenv(places.ONLINE_ENV, raising=False)
    return postgres_url


def notes(url: str) -> dict[str, str]:
    return curated.read_curated(url).tables["events.csv"].set_index("event_id")["notes"].to_dict()


def saved_on_another_server(folder: Path, event_id: str, text: str) -> None:
    base = snapshot.load_current(folder)
    events = base.events.copy()
    events.loc[events["event_id"] == event_id, "notes"] = text
    saving.save_changes(base, grant=curator_grant("Bob"), access_config=CONFIG, events=events)


def test_an_edit_is_saved_in_the_database_and_not_in_the_files(database, data_copy):
    files = file_bytes(data_copy)
    at = edit_cell(signed_in(), 0, "notes", "Edited on the Curate page.")
    at.button(key="curation_save_edits").click().run()
    assert not at.exception
    assert "Saved 1 change(s) to the database" in at.success[0].value
    assert notes(database)["IRQ-20240104-1"] == "Edited on the Curate page."
    assert {name: content for name, content in file_bytes(data_copy).items() if name.endswith(".csv")} == {
        name: content for name, content in files.items() if name.endswith(".csv")
    }


def test_another_curators_save_of_another_event_does_not_refuse_mine(database, data_copy):
    at = edit_cell(signed_in(), 0, "notes", "Mine.")
    saved_on_another_server(data_copy, "JOR-20240128-1", "Theirs.")
    at.button(key="curation_save_edits").click().run()
    assert not at.error, at.error[0].value
    assert "Saved 1 change(s)" in at.success[0].value
    held = notes(database)
    assert (held["IRQ-20240104-1"], held["JOR-20240128-1"]) == ("Mine.", "Theirs.")


def test_another_curators_save_of_the_same_event_refuses_mine_with_their_change(database, data_copy):
    at = edit_cell(signed_in(), 0, "notes", "Mine.")
    saved_on_another_server(data_copy, "IRQ-20240104-1", "Theirs.")
    at.button(key="curation_save_edits").click().run()
    assert "another curator saved" in at.error[0].value
    pending, difference = (frame.value for frame in at.dataframe if "after" in frame.value.columns)
    assert pending["after"].tolist() == ["Mine."]
    assert difference[["row", "column", "after"]].values.tolist() == [["IRQ-20240104-1", "notes", "Theirs."]]
    assert notes(database)["IRQ-20240104-1"] == "Theirs."
