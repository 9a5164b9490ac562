"""Fixtures for the importer tests: the external-format files in tests/fixtures/external/, and the curated actors."""

from __future__ import annotations

import pytest

from tensions.data.schema import ACTORS, to_typed
from tensions.data.validate import read_raw_table
from tests.conftest import FIXTURE_DATA

EXTERNAL = FIXTURE_DATA.parent / "external"


@pytest.fixture(scope="session")
def actors():
    """The curated actors of the fixture data (names and aliases that imported actors are matched to)."""
    return to_typed(read_raw_table(FIXTURE_DATA / ACTORS.file_name), ACTORS)


def fixture_bytes(name: str) -> bytes:
    return (EXTERNAL / name).read_bytes()


def edited(name: str, old: str, new: str, count: int = 1) -> bytes:
    """A fixture with one piece of text changed: how the bad-input tests make their bad input."""
    text = (EXTERNAL / name).read_bytes().decode("utf-8")
    assert text.count(old) >= count, f"{old!r} not in {name}"
    return text.replace(old, new, count).encode("utf-8")
