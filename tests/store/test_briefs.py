"""Saved briefs with the database as the store: saved, replaced, listed and found there, each save audited;
never without a grant; nothing is written to the briefs folder."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tensions.analysis import briefs
from tensions.analysis.filters import FilterState
from tensions.data.guard import local_grant
from tensions.data.load import load_dataset
from tensions.errors import BriefError, NotAuthorised
from tensions.store import curated, tables
from tensions.store.engine import engine_for
from tests.conftest import curator_grant


@pytest.fixture
def database(postgres_url, data_copy, monkeypatch) -> str:
    curated.load_folder(postgres_url, data_copy, grant=local_grant())
    monkeypatch.setenv("TENSIONS_DATABASE_URL", postgres_url)
    return postgres_url


def a_brief(data_copy, name: str = "Weekly brief 3/6", title: str = "Iraq") -> briefs.Brief:
    events = load_dataset(data_copy).events
    state = FilterState(countries=("Iraq",))
    saved_at = dt.datetime(2025, 4, 8, 9, 30, tzinfo=dt.UTC)
    return briefs.brief_from_view(name, events[events["country"] == "Iraq"], state, title=title, saved_at=saved_at)


def audit(url: str) -> list[tuple[str, str, str]]:
    log = tables.audit_log
    with engine_for(url).connect() as connection:
        return connection.execute(sa.select(log.c.action, log.c.key, log.c.who).where(log.c.file == "briefs")).all()


def test_a_brief_is_saved_listed_found_and_replaced_in_the_database(database, data_copy):
    brief = a_brief(data_copy)
    assert briefs.store_brief(brief, data_copy, grant=curator_grant()) is False
    [listed] = briefs.saved_briefs(data_copy)
    assert (listed.name, listed.filters, listed.title, listed.saved_at) == (
        brief.name,
        brief.filters,
        "Iraq",
        brief.saved_at,
    )
    assert listed.snapshot.equals(brief.snapshot)
    assert briefs.find_brief(data_copy, "weekly brief 3/6").snapshot.equals(brief.snapshot)
    assert briefs.store_brief(a_brief(data_copy, title="Iraq again"), data_copy, grant=curator_grant("Bob")) is True
    assert [b.title for b in briefs.saved_briefs(data_copy)] == ["Iraq again"]
    assert audit(database) == [("added", "weekly-brief-3-6", "Ann"), ("edited", "weekly-brief-3-6", "Bob")]
    assert not briefs.briefs_dir(data_copy).exists()


def test_an_unknown_brief_is_an_error_naming_it(database, data_copy):
    with pytest.raises(BriefError, match="'Monthly'"):
        briefs.find_brief(data_copy, "Monthly")


def test_without_a_grant_no_brief_is_saved(database, data_copy):
    with pytest.raises(NotAuthorised):
        briefs.store_brief(a_brief(data_copy), data_copy, grant=None)
    assert briefs.saved_briefs(data_copy) == []
    assert audit(database) == []


def test_without_a_database_briefs_stay_files_in_the_briefs_folder(data_copy):
    assert briefs.store_brief(a_brief(data_copy), data_copy, grant=curator_grant()) is False
    assert [p.name for p in briefs.briefs_dir(data_copy).iterdir()] == ["weekly-brief-3-6.json"]
    assert briefs.find_brief(data_copy, "Weekly brief 3/6").name == "Weekly brief 3/6"
