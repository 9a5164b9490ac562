"""The store in use: every page loads the same dataset from the database as from the files, and sees a save
made elsewhere through the store's version."""

from __future__ import annotations

from tensions.curation import history
from tensions.data.guard import local_grant
from tensions.data.load import load_dataset
from tensions.store import curated
from tensions.store.select import curated_fingerprint, load_curated


def test_without_a_database_the_files_are_loaded_and_fingerprinted(data_copy):
    assert [name for name, _ in curated_fingerprint(data_copy)] == ["events.csv", "actors.csv", "places.csv"]
    assert load_curated(data_copy).events.equals(load_dataset(data_copy).events)


def test_with_a_database_the_same_dataset_is_loaded_from_it(postgres_url, data_copy, monkeypatch):
    curated.load_folder(postgres_url, data_copy, grant=local_grant())
    monkeypatch.setenv("TENSIONS_DATABASE_URL", postgres_url)
    from_database, from_files = load_curated(data_copy), load_dataset(data_copy)
    assert from_database.events.equals(from_files.events)
    assert from_database.actors.equals(from_files.actors)
    assert from_database.places.equals(from_files.places)


def test_the_fingerprint_changes_with_every_change_to_the_database(postgres_url, data_copy, monkeypatch):
    monkeypatch.setenv("TENSIONS_DATABASE_URL", postgres_url)
    before = curated_fingerprint(data_copy)
    curated.load_folder(postgres_url, data_copy, grant=local_grant())
    assert curated_fingerprint(data_copy) != before


def test_the_history_shows_the_databases_audit_with_the_folders_log(postgres_url, data_copy, monkeypatch):
    (data_copy / "audit.log").write_text(
        '{"when": "2024-01-01T00:00:00+00:00", "who": "Eve", "action": "failed sign-in"}\n'
    )
    curated.load_folder(postgres_url, data_copy, grant=local_grant())
    monkeypatch.setenv("TENSIONS_DATABASE_URL", postgres_url)
    log = history.read_audit_log(data_copy)
    assert log["action"].tolist() == ["loaded", "loaded", "loaded", "failed sign-in"]
