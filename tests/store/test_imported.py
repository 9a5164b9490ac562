"""Imported events in PostgreSQL: stored with COPY beside their import's record, replaced and removed with it."""

from __future__ import annotations

import importlib.util

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic import command

from tensions.bench.synthetic import synthetic_events
from tensions.data.guard import local_grant
from tensions.data.taxonomy import REGION_BOUNDS
from tensions.errors import NotAuthorised
from tensions.figures.map.encoding import CELL_SIZES
from tensions.ingest.importers import ImportResult
from tensions.ingest.importers.reading import empty_rejected
from tensions.store import imported, migrate
from tensions.store.curated import store_version
from tensions.store.engine import engine_for
from tensions.store.tables import IMPORTED_STORE
from tests.conftest import APP_ROOT


def _result(events: pd.DataFrame, file_name: str = "acled-2024.csv", dataset: str = "acled") -> ImportResult:
    return ImportResult(dataset, "ACLED", file_name, "ACLED export", len(events), events, empty_rejected())


def _scalar(url: str, sql: str) -> object:
    with engine_for(url).connect() as connection:
        return connection.execute(sa.text(sql)).scalar_one()


def _count(url: str, table: str) -> int:
    return _scalar(url, f"SELECT count(*) FROM {table}")


def test_an_import_stores_every_event_in_full_and_as_facts(postgres_url):
    events = synthetic_events(300, seed=1)
    record = imported.save_import(postgres_url, _result(events), grant=local_grant(), sha256="ab")
    assert (record.key, record.rows_imported, record.sha256) == ("acled--acled-2024", 300, "ab")
    assert (_count(postgres_url, "imported_events"), _count(postgres_url, "imported_facts")) == (300, 300)
    assert [r.key for r in imported.list_imports(postgres_url)] == ["acled--acled-2024"]
    assert store_version(postgres_url, IMPORTED_STORE) == 1


def test_events_read_back_have_the_values_and_dtypes_they_were_imported_with(postgres_url):
    events = synthetic_events(200, seed=2)
    imported.save_import(postgres_url, _result(events), grant=local_grant())
    with engine_for(postgres_url).connect() as connection:
        rows = pd.DataFrame(connection.execute(sa.text("SELECT * FROM imported_events ORDER BY seq")).mappings().all())
    back = imported.typed_events(rows)
    expected = events.sort_values("event_date", kind="stable", ignore_index=True)
    for column in expected.columns:
        assert back[column].astype("string").tolist() == expected[column].astype("string").tolist(), column
        assert type(back[column].dtype) is type(expected[column].dtype), column


def test_importing_the_same_file_again_replaces_its_events(postgres_url):
    imported.save_import(postgres_url, _result(synthetic_events(300, seed=1)), grant=local_grant())
    imported.save_import(postgres_url, _result(synthetic_events(120, seed=3)), grant=local_grant())
    assert (_count(postgres_url, "imports"), _count(postgres_url, "imported_facts")) == (1, 120)
    assert _count(postgres_url, "imported_events") == 120


def test_importing_the_same_names_again_numbers_no_name_twice(postgres_url):
    events = synthetic_events(300, seed=1)
    imported.save_import(postgres_url, _result(events), grant=local_grant())
    highest = _scalar(postgres_url, "SELECT max(id) FROM imported_names")
    for _ in range(3):
        imported.save_import(postgres_url, _result(events), grant=local_grant())
    later = synthetic_events(20, seed=1)
    later["actor1"] = "An actor first seen now"
    imported.save_import(postgres_url, _result(later, "other.csv"), grant=local_grant())
    # No number used up by names already there: the index's arrays are as long as the highest number.
    new = "SELECT id FROM imported_names WHERE name = 'An actor first seen now'"
    assert _scalar(postgres_url, new) == highest + 1 == _count(postgres_url, "imported_names")


def test_another_file_name_with_the_same_key_is_kept_apart(postgres_url):
    imported.save_import(postgres_url, _result(synthetic_events(30, seed=1), "ACLED data.csv"), grant=local_grant())
    imported.save_import(postgres_url, _result(synthetic_events(40, seed=2), "acled-data.zip"), grant=local_grant())
    keys = sorted(r.key for r in imported.list_imports(postgres_url))
    assert keys[0] == "acled--acled-data" and keys[1].startswith("acled--acled-data--")
    assert _count(postgres_url, "imported_facts") == 70


def test_removing_an_import_deletes_its_events_and_only_its_events(postgres_url):
    imported.save_import(postgres_url, _result(synthetic_events(30, seed=1), "one.csv"), grant=local_grant())
    imported.save_import(postgres_url, _result(synthetic_events(40, seed=2), "two.csv"), grant=local_grant())
    assert imported.remove_import(postgres_url, "acled--one", grant=local_grant())
    assert not imported.remove_import(postgres_url, "acled--one", grant=local_grant())
    assert (_count(postgres_url, "imported_events"), _count(postgres_url, "imported_facts")) == (40, 40)
    assert store_version(postgres_url, IMPORTED_STORE) == 3


def test_a_viewer_can_neither_import_nor_remove(postgres_url):
    with pytest.raises(NotAuthorised):
        imported.save_import(postgres_url, _result(synthetic_events(10, seed=1)), grant=None)
    with pytest.raises(NotAuthorised):
        imported.remove_import(postgres_url, "acled--acled-2024", grant=None)
    assert _count(postgres_url, "imports") == 0


def _migration(name: str):
    path = APP_ROOT / "tensions" / "store" / "migrations" / "versions" / name
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_kept_sums_per_cell_and_province_follow_each_import_and_removal(postgres_url):
    events = synthetic_events(500, seed=4)
    placed = int((events["latitude"].notna() & events["longitude"].notna()).sum())
    imported.save_import(postgres_url, _result(events), grant=local_grant())
    with engine_for(postgres_url).connect() as connection:
        per_size = dict(
            connection.execute(sa.text("SELECT size, sum(n_events) FROM imported_cell_sums GROUP BY 1")).all()
        )
        provinces = connection.execute(sa.text("SELECT sum(n_events) FROM imported_province_sums")).scalar_one()
    assert per_size == dict.fromkeys(CELL_SIZES, placed) and provinces == placed
    imported.remove_import(postgres_url, "acled--acled-2024", grant=local_grant())
    assert _count(postgres_url, "imported_cell_sums") == _count(postgres_url, "imported_province_sums") == 0


def test_facts_imported_before_migration_0007_get_their_second_actors_family_and_the_kept_pair_sums(postgres_url):
    events = synthetic_events(400, seed=5)
    imported.save_import(postgres_url, _result(events), grant=local_grant())
    config = migrate.alembic_config()
    with engine_for(postgres_url).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")  # as a database imported into before 0007 stands
    migrate.upgrade(postgres_url)
    with engine_for(postgres_url).connect() as connection:
        families = connection.execute(
            sa.text(
                "SELECT n.name, count(*) FROM imported_facts f LEFT JOIN imported_names n ON n.id = f.actor2_family "
                "GROUP BY 1"
            )
        ).all()
        kept = connection.execute(sa.text("SELECT sum(n_events) FROM imported_pair_sums")).scalar_one()
    expected = events["actor2_family"].value_counts(dropna=False)
    assert {name: count for name, count in families} == {
        (None if pd.isna(name) else name): count for name, count in expected.items() if count
    }
    assert kept == len(events)


def test_the_kept_sums_hold_the_maps_cell_sizes_and_the_regions_box():
    written = _migration("0006_map_area_sums.py")  # a migration names them itself: they must still agree
    assert written.CELL_SIZES == imported.KEPT_CELL_SIZES == CELL_SIZES
    assert written.REGION_BOUNDS == REGION_BOUNDS
