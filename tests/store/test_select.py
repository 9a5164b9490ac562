"""The store in use: every page loads the same dataset from the database as from the files, and sees a save
made elsewhere through the store's version."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tensions.cli import main
from tensions.curation import history
from tensions.data.guard import local_grant
from tensions.data.load import load_dataset
from tensions.errors import NotAuthorised
from tensions.store import curated
from tensions.store.engine import engine_for
from tensions.store.select import (
    curated_fingerprint,
    import_and_save,
    imported_datasets,
    imported_fingerprint,
    imported_in_memory,
    list_imports,
    load_curated,
    remove_import,
)
from tests.ingest.importers.conftest import EXTERNAL


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


UCDP = EXTERNAL / "ucdp_ged_hdx_iraq.csv"
GDELT = EXTERNAL / "gdelt_v2_raw.export.CSV"


def _count(url: str, table: str) -> int:
    with engine_for(url).connect() as connection:
        return connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_the_import_command_stores_into_the_database_and_lists_it(postgres_url, data_copy, monkeypatch, capsys):
    monkeypatch.setenv("TENSIONS_DATABASE_URL", postgres_url)
    assert main(["--data-dir", str(data_copy), "import", "ucdp", str(UCDP)]) == 0
    assert "rows read: 6; imported: 6; rejected: 0" in capsys.readouterr().out
    assert [(r.key, r.rows_imported) for r in list_imports(data_copy)] == [("ucdp--ucdp_ged_hdx_iraq", 6)]
    assert _count(postgres_url, "imported_events") == 6
    assert imported_datasets(data_copy) == ["ucdp"]
    assert not (data_copy / "imported").exists()


def test_importing_again_replaces_and_removing_deletes_in_the_database(postgres_url, data_copy, monkeypatch):
    monkeypatch.setenv("TENSIONS_DATABASE_URL", postgres_url)
    import_and_save(UCDP, "ucdp", data_copy, grant=local_grant())
    again = import_and_save(UCDP, "ucdp", data_copy, grant=local_grant())
    import_and_save(GDELT, None, data_copy, grant=local_grant())
    assert again.replaced is not None and again.replaced.key == again.record.key
    assert [r.dataset for r in list_imports(data_copy)] == ["gdelt", "ucdp"]
    assert (_count(postgres_url, "imports"), _count(postgres_url, "imported_events")) == (2, 11)
    assert remove_import(data_copy, again.record.key, grant=local_grant())
    assert not remove_import(data_copy, again.record.key, grant=local_grant())
    assert [r.dataset for r in list_imports(data_copy)] == ["gdelt"]
    assert _count(postgres_url, "imported_events") == 5


def test_without_a_database_imports_stay_files(data_copy):
    record = import_and_save(UCDP, "ucdp", data_copy, grant=local_grant()).record
    assert record.events_path.exists()
    assert [r.key for r in list_imports(data_copy)] == [record.key]
    assert remove_import(data_copy, record.key, grant=local_grant())
    assert not record.events_path.exists()


def test_a_viewer_stores_nothing_in_the_database(postgres_url, data_copy, monkeypatch):
    monkeypatch.setenv("TENSIONS_DATABASE_URL", postgres_url)
    with pytest.raises(NotAuthorised):
        import_and_save(UCDP, "ucdp", data_copy, grant=None)
    assert _count(postgres_url, "imports") == 0


def test_with_a_database_imported_events_are_never_held_in_memory(postgres_url, data_copy, monkeypatch):
    import_and_save(UCDP, "ucdp", data_copy, grant=local_grant())  # a Parquet import from before the database
    assert imported_in_memory(data_copy, ["ucdp"]) is not None
    monkeypatch.setenv("TENSIONS_DATABASE_URL", postgres_url)
    before = imported_fingerprint(data_copy)
    import_and_save(UCDP, "ucdp", data_copy, grant=local_grant())
    assert imported_fingerprint(data_copy) != before
    assert imported_in_memory(data_copy, ["ucdp"]) is None
