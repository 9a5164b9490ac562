"""The engine's connections: a database that does not hold text as UTF-8 is refused with a message."""

from __future__ import annotations

import pytest

from tensions.cli import main
from tensions.errors import StoreError
from tensions.store import migrate
from tensions.store.engine import dispose_engine
from tests.conftest import run_outside_a_transaction


@pytest.fixture
def sql_ascii_database(postgres_server):
    """A database as `initdb` makes it under the C locale (a bare Debian container): encoding SQL_ASCII."""
    run_outside_a_transaction(
        postgres_server.url(),
        "CREATE DATABASE bytes_only ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0",
    )
    url = postgres_server.url("bytes_only")
    yield url
    dispose_engine(url)
    run_outside_a_transaction(postgres_server.url(), "DROP DATABASE bytes_only WITH (FORCE)")


def test_a_database_not_in_utf8_is_refused_saying_how_to_make_one(sql_ascii_database):
    with pytest.raises(StoreError, match=r"encoding SQL_ASCII.*ENCODING 'UTF8'"):
        migrate.upgrade(sql_ascii_database)


def test_db_upgrade_of_such_a_database_exits_2_with_the_message(monkeypatch, sql_ascii_database, capsys):
    monkeypatch.setenv("TENSIONS_DATABASE_URL", sql_ascii_database)
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert "encoding SQL_ASCII" in err and "Traceback" not in err
