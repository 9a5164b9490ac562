"""Fixtures for the sync tests: the stub servers, settings pointing at them, a grant, and a data folder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from tensions.data.guard import local_grant
from tensions.ingest.sync import RetryPolicy, SyncSettings
from tests.ingest.sync.stubs import AcledStub, GdeltStub, UcdpStub

# Retries without real waiting: the waits asked for are recorded instead.
FAST = RetryPolicy(attempts=3, budget_seconds=30, first_delay=0.5, timeout=5)


@pytest.fixture
def grant():
    return local_grant()


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def acled() -> Iterator[AcledStub]:
    with AcledStub() as stub:
        yield stub


@pytest.fixture
def ucdp() -> Iterator[UcdpStub]:
    with UcdpStub() as stub:
        yield stub


@pytest.fixture
def gdelt() -> Iterator[GdeltStub]:
    with GdeltStub() as stub:
        yield stub


def stub_settings(
    waits: list[float],
    *,
    acled: AcledStub | None = None,
    ucdp: UcdpStub | None = None,
    gdelt: GdeltStub | None = None,
    today: dt.date = dt.date(2025, 3, 15),
    **overrides: object,
) -> SyncSettings:
    """Settings that point every source at its stub (an unused one at a closed port) with fast retries."""
    nowhere = "http://127.0.0.1:9"
    values = {
        "acled_url": acled.url if acled else nowhere,
        "ucdp_url": f"{ucdp.url}/api" if ucdp else nowhere,
        "gdelt_url": gdelt.url if gdelt else nowhere,
        "acled_email": AcledStub.EMAIL,
        "acled_password": AcledStub.PASSWORD,
        "ucdp_token": UcdpStub.TOKEN,
        "retry": FAST,
        "today": lambda: today,
        "sleep": waits.append,
    }
    return SyncSettings(**(values | overrides))


@pytest.fixture
def data_dir(data_copy: Path) -> Path:
    return data_copy
