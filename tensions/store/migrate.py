"""Versioned schema migrations (Alembic), kept inside the package: no `alembic.ini` needed.

`python -m tensions db upgrade` calls `upgrade`; a new migration goes in `migrations/versions/`.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from tensions.store.engine import engine_for, reaching

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    """Alembic's configuration, with the migrations folder set here instead of in an ini file."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to `revision` (default: the newest), in one transaction."""
    config = alembic_config()
    with reaching(url), engine_for(url).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def head_revision() -> str:
    """The newest migration's revision."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(url: str) -> str | None:
    """The revision the database at `url` is at; None before its first migration."""
    with reaching(url), engine_for(url).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
