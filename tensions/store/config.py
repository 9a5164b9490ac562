"""Which store to use: a PostgreSQL database when one is configured, else the files (the default)."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from tensions.data.paths import APP_ROOT
from tensions.errors import StoreError

URL_VARIABLE = "TENSIONS_DATABASE_URL"
SECRETS_PATH = APP_ROOT / ".streamlit" / "secrets.toml"
DRIVER = "postgresql+psycopg"


def database_url(secrets_path: Path | None = None, *, environ: Mapping[str, str] | None = None) -> str | None:
    """The configured database's URL (psycopg 3 driver), or None when the files are the store.

    `TENSIONS_DATABASE_URL` wins over `[database] url` in the app's `.streamlit/secrets.toml` (read here with
    tomllib, so the command line sees the app's setting). A URL that is not PostgreSQL's is refused.
    """
    environ = os.environ if environ is None else environ
    url = environ.get(URL_VARIABLE, "").strip()
    if not url:
        url = str(_secrets_section(secrets_path or SECRETS_PATH).get("url", "")).strip()
    return normalise_url(url) if url else None


def _secrets_section(path: Path) -> Mapping:
    try:
        with Path(path).open("rb") as file:
            secrets = tomllib.load(file)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as error:
        raise StoreError(f"{Path(path).name} cannot be read as TOML: {error}") from error
    section = secrets.get("database", {})
    return section if isinstance(section, Mapping) else {}


def normalise_url(url: str) -> str:
    """`url` with the psycopg 3 driver (`postgresql://` and `postgres://` name none); other databases refused."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise StoreError(f"the database URL cannot be read: {error}") from error
    backend, _, driver = parsed.drivername.partition("+")
    if backend not in ("postgresql", "postgres"):
        raise StoreError(
            f"the database URL names {backend!r}: only PostgreSQL is supported (postgresql://user@host/dbname)"
        )
    if driver not in ("", "psycopg"):
        raise StoreError(f"the database URL names the driver {driver!r}: use postgresql:// (psycopg 3)")
    return parsed.set(drivername=DRIVER).render_as_string(hide_password=False)


def shown_url(url: str) -> str:
    """`url` as a message may show it: the password hidden."""
    return make_url(url).render_as_string(hide_password=True)


def required_database_url(secrets_path: Path | None = None, *, environ: Mapping[str, str] | None = None) -> str:
    """The configured database's URL; `StoreError` saying how to configure one when there is none."""
    url = database_url(secrets_path, environ=environ)
    if url is None:
        raise StoreError(
            f"no database is configured: set {URL_VARIABLE} (or `url` under [database] in .streamlit/secrets.toml) "
            "to a PostgreSQL URL, e.g. postgresql://user@host/tensions"
        )
    return url
