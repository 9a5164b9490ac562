"""Migrations: an empty database upgrades to the newest revision, whose tables are exactly `tables.py`'s."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tensions.data.schema import ACTORS, EVENTS, PLACES
from tensions.store import migrate, tables
from tensions.store.engine import dispose_engine, engine_for
from tests.conftest import run_outside_a_transaction


def test_an_empty_database_upgrades_to_the_newest_revision(postgres_server):
    run_outside_a_transaction(postgres_server.url(), "CREATE DATABASE empty_then_migrated")
    url = postgres_server.url("empty_then_migrated")
    assert migrate.current_revision(url) is None
    migrate.upgrade(url)
    assert migrate.current_revision(url) == migrate.head_revision()
    migrate.upgrade(url)  # a second upgrade finds nothing to do
    assert migrate.current_revision(url) == migrate.head_revision()
    dispose_engine(url)
    run_outside_a_transaction(postgres_server.url(), "DROP DATABASE empty_then_migrated")


def test_the_migrated_tables_match_the_schema_and_tables_py(postgres_url):
    with engine_for(postgres_url).connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), tables.metadata)
    assert differences == []


def test_each_curated_table_has_the_schemas_columns_its_key_and_a_row_version(postgres_url):
    inspector = sa.inspect(engine_for(postgres_url))
    for name, spec in (("events", EVENTS), ("actors", ACTORS), ("places", PLACES)):
        columns = [c["name"] for c in inspector.get_columns(name)]
        assert columns == [*spec.column_names, "row_version", "row_order"]
        assert inspector.get_pk_constraint(name)["constrained_columns"] == [spec.key]
