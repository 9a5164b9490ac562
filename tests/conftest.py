"""Shared fixtures: a small, valid copy of the data model that a test may break at will."""

from __future__ import annotations

import base64
import itertools
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

import ui
from tensions.curation import access
from tensions.export.render import stop_renderer
from tensions.store.config import URL_VARIABLE
from tensions.store.engine import dispose_engine, engine_for
from tensions.store.migrate import upgrade
from tests import postgres_server as pg

FIXTURE_DATA = Path(__file__).parent / "fixtures" / "data"
APP_ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="session", autouse=True)
def close_the_export_browser() -> Iterator[None]:
    """Static exports share one Chromium per process (kaleido's), started by the first export: the tests of
    every module reuse it rather than start their own, and it is closed here, not in the interpreter's shutdown."""
    yield
    if "kaleido" in sys.modules:
        stop_renderer()


@pytest.fixture(autouse=True)
def files_are_the_store(monkeypatch) -> None:
    """Every test starts with the files as the store, whatever this machine's environment or the app's
    `.streamlit/secrets.toml` name: a test that wants the database sets TENSIONS_DATABASE_URL itself."""
    monkeypatch.delenv(URL_VARIABLE, raising=False)
    monkeypatch.setattr("tensions.store.config.SECRETS_PATH", Path(__file__).parent / "no-secrets.toml")


CURATOR_PASSWORD = "correct horse battery staple"


def curator_grant(who: str = "Ann") -> access.Grant:
    """A curator's grant, as the Curate page issues one after sign-in: what every package writer needs."""
    return access.grant_for_password(CURATOR_PASSWORD, access.AccessConfig(password=CURATOR_PASSWORD), who=who)


def as_curator(at, who: str = "Ann"):
    """`at` (an AppTest) in a session where a curator signed in on the Curate page, password curation on."""
    at.secrets["curation"] = {"password": CURATOR_PASSWORD}
    at.session_state[ui.GRANT_KEY] = curator_grant(who)
    return at


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture tables."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, target)
    return target


MIGRATED_TEMPLATE = "tensions_migrated"
_database_numbers = itertools.count(1)


def run_outside_a_transaction(url: str, statement: str) -> None:
    """CREATE and DROP DATABASE cannot run inside a transaction."""
    with engine_for(url).connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text(statement))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[pg.PostgresServer]:
    """A private PostgreSQL server for the whole run, with a migrated template database.

    Never skipped: without Debian's server binaries the tests that need it fail, saying to run `make test`
    (which installs them)."""
    try:
        pg.binaries()
    except pg.PostgresMissing as error:
        pytest.fail(str(error), pytrace=False)
    with pg.postgres_server() as server:
        run_outside_a_transaction(server.url(), f"CREATE DATABASE {MIGRATED_TEMPLATE}")
        upgrade(server.url(MIGRATED_TEMPLATE))
        dispose_engine(server.url(MIGRATED_TEMPLATE))  # a template must have no connections
        yield server
        dispose_engine(server.url())


@contextmanager
def migrated_database(server: pg.PostgresServer, name: str) -> Iterator[str]:
    """The URL of a fresh, migrated, empty database `name` (copied from the migrated template), dropped after."""
    run_outside_a_transaction(server.url(), f"CREATE DATABASE {name} TEMPLATE {MIGRATED_TEMPLATE}")
    url = server.url(name)
    try:
        yield url
    finally:
        dispose_engine(url)
        run_outside_a_transaction(server.url(), f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def postgres_url(postgres_server: pg.PostgresServer) -> Iterator[str]:
    """The URL of a fresh, migrated, empty database of this test's own."""
    with migrated_database(postgres_server, f"test_{next(_database_numbers)}") as url:
        yield url


def plotly_array(array) -> np.ndarray:
    """A trace array as NumPy, whether Plotly kept it as a list or sent it as a typed (base64) array."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return np.asarray(array)


# The end-to-end tests' screenshots (`tests.e2e.conftest.screenshot_path`), listed at the end of the run. These
# hooks live here, not beside the e2e fixtures: the main process of a run over several processes collects no
# test, so it loads no conftest below this one.
SCREENSHOTS_TAKEN = pytest.StashKey[list[Path]]()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In a worker of a run over several processes, hand its screenshots to the main process, which prints them."""
    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["screenshots"] = [str(p) for p in session.config.stash.get(SCREENSHOTS_TAKEN, [])]


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook: a worker has finished
def pytest_testnodedown(node, error) -> None:
    taken = node.config.stash.setdefault(SCREENSHOTS_TAKEN, [])
    taken.extend(Path(path) for path in getattr(node, "workeroutput", {}).get("screenshots", []))


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    taken = [path for path in config.stash.get(SCREENSHOTS_TAKEN, []) if path.exists()]
    if taken:
        terminalreporter.write_sep("-", f"{len(taken)} screenshots of the end-to-end tests")
        for path in taken:
            terminalreporter.write_line(str(path))
