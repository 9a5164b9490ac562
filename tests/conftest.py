"""Shared fixtures: a small, valid copy of the data model that a test may break at will."""

from __future__ import annotations

import base64
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import ui
from tensions.curation import access
from tensions.export.render import stop_renderer

FIXTURE_DATA = Path(__file__).parent / "fixtures" / "data"
APP_ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="session", autouse=True)
def close_the_export_browser() -> Iterator[None]:
    """Static exports share one Chromium per process (kaleido's), started by the first export: the tests of
    every module reuse it rather than start their own, and it is closed here, not in the interpreter's shutdown."""
    yield
    if "kaleido" in sys.modules:
        stop_renderer()


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


def plotly_array(array) -> np.ndarray:
    """A trace array as NumPy, whether Plotly kept it as a list or sent it as a typed (base64) array."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return np.asarray(array)
