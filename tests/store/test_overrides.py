"""Analysts' trend judgements with the database as the store: recorded, replaced and withdrawn there, each
with an audit row; never without a grant; the file is left alone."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tensions.analysis import overrides
from tensions.data.guard import local_grant
from tensions.errors import NotAuthorised
from tensions.store import curated, tables
from tensions.store.engine import engine_for
from tests.conftest import curator_grant


@pytest.fixture
def database(postgres_url, data_copy, monkeypatch) -> str:
    curated.load_folder(postgres_url, data_copy, grant=local_grant())
    monkeypatch.setenv("TENSIONS_DATABASE_URL", postgres_url)
    return postgres_url


def judgement(trend: str = "deteriorated", rationale: str = "Ground incursion.") -> overrides.TrendOverride:
    return overrides.TrendOverride("Lebanon", "2024-10", trend, rationale, " Mallory ", dt.date(2024, 11, 2))


def audit(url: str) -> list[tuple[str, str, str]]:
    log = tables.audit_log
    with engine_for(url).connect() as connection:
        rows = connection.execute(
            sa.select(log.c.action, log.c.key, log.c.who).where(log.c.file == "trend_overrides.csv")
        )
        return rows.all()


def test_a_judgement_is_recorded_replaced_and_withdrawn_in_the_database(database, data_copy):
    overrides.save_override(data_copy, judgement(), grant=curator_grant())
    overrides.save_override(data_copy, judgement("unchanged", "Reporting dried up."), grant=curator_grant("Bob"))
    recorded = overrides.read_overrides(data_copy)
    assert recorded.values.tolist() == [
        ["Lebanon", "2024-10", "unchanged", "Reporting dried up.", "Mallory", "2024-11-02"]
    ]
    assert overrides.remove_override(data_copy, "Lebanon", "2024-10", grant=curator_grant())
    assert not overrides.remove_override(data_copy, "Lebanon", "2024-10", grant=curator_grant())
    assert overrides.read_overrides(data_copy).empty
    assert audit(database) == [
        ("added", "Lebanon 2024-10", "Ann"),
        ("edited", "Lebanon 2024-10", "Bob"),
        ("removed", "Lebanon 2024-10", "Ann"),
    ]
    assert not (data_copy / "trend_overrides.csv").exists()


def test_without_a_grant_no_judgement_is_recorded_or_withdrawn(database, data_copy):
    overrides.save_override(data_copy, judgement(), grant=curator_grant())
    with pytest.raises(NotAuthorised):
        overrides.save_override(data_copy, judgement("improved"), grant=None)
    with pytest.raises(NotAuthorised):
        overrides.remove_override(data_copy, "Lebanon", "2024-10", grant=None)
    assert overrides.read_overrides(data_copy)["trend"].tolist() == ["deteriorated"]
    assert len(audit(database)) == 1
