"""Which store: the environment's database URL, else the secrets file's, else the files (None)."""

from __future__ import annotations

import pytest

from tensions.errors import StoreError
from tensions.store.config import database_url, normalise_url, required_database_url, shown_url


def secrets(tmp_path, text: str):
    path = tmp_path / "secrets.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_without_a_url_the_files_are_the_store(tmp_path):
    assert database_url(tmp_path / "absent.toml", environ={}) is None


def test_the_secrets_files_database_url_is_used_with_the_psycopg_driver(tmp_path):
    path = secrets(tmp_path, '[database]\nurl = "postgresql://ann@db.internal:5433/tensions"\n')
    assert database_url(path, environ={}) == "postgresql+psycopg://ann@db.internal:5433/tensions"


def test_the_environment_wins_over_the_secrets_file(tmp_path):
    path = secrets(tmp_path, '[database]\nurl = "postgresql://ann@db.internal/tensions"\n')
    environ = {"TENSIONS_DATABASE_URL": "postgres://bob@other/teamdb"}
    assert database_url(path, environ=environ) == "postgresql+psycopg://bob@other/teamdb"


@pytest.mark.parametrize(
    ("url", "named"),
    [("sqlite:///tensions.db", "'sqlite'"), ("mysql://root@localhost/t", "'mysql'"), ("postgresql+asyncpg://h/d", "'asyncpg'")],
)  # fmt: skip
def test_a_url_that_is_not_postgresql_through_psycopg_is_refused(url, named):
    with pytest.raises(StoreError, match=named):
        normalise_url(url)


def test_without_a_url_a_database_command_is_told_how_to_configure_one(tmp_path):
    with pytest.raises(StoreError, match="TENSIONS_DATABASE_URL"):
        required_database_url(tmp_path / "absent.toml", environ={})


def test_messages_hide_the_password():
    assert (
        shown_url(normalise_url("postgresql://ann:hunter2@db/tensions")) == "postgresql+psycopg://ann:***@db/tensions"
    )
