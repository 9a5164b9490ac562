"""Shared fixtures: a small, valid copy of the data model that a test may break at will."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURE_DATA = Path(__file__).parent / "fixtures" / "data"
APP_ROOT = Path(__file__).parent.parent


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture tables."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, target)
    return target
