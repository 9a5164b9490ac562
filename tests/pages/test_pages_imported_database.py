"""The Timeline, Overview and Actors pages and the sidebar with PostgreSQL as the store: the imported datasets
chosen in the sidebar stay in the database and reach every page through SQL sums, beside the curated events."""

from __future__ import annotations

import pandas as pd
import pytest

from tensions.bench.synthetic import synthetic_events
from tensions.data.guard import local_grant
from tensions.data.load import load_dataset
from tensions.data.tags import is_key_event
from tensions.figures.timeline.style import MAX_MARKERS
from tensions.ingest.importers import ImportResult
from tensions.ingest.importers.reading import empty_rejected
from tensions.store import curated, imported
from tests.pages.test_pages import open_page

IMPORTED = MAX_MARKERS + 500  # more than the timeline draws one by one: it gets sums from SQL
BOTH = ["curated", "acled"]


@pytest.fixture(scope="module")
def imported_events() -> pd.DataFrame:
    return synthetic_events(IMPORTED, seed=23).assign(dataset=pd.Categorical(["acled"] * IMPORTED))


@pytest.fixture
def database(postgres_url, data_copy, monkeypatch, imported_events) -> str:
    curated.load_folder(postgres_url, data_copy, grant=local_grant())
    result = ImportResult(
        "acled", "ACLED", "acled.csv", "synthetic", len(imported_events), imported_events, empty_rejected()
    )
    imported.save_import(postgres_url, result, grant=local_grant())
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(data_copy))
    monkeypatch.setenv("TENSIONS_DATABASE_URL", postgres_url)
    return postgres_url


def with_datasets(page: str, datasets: list[str]):
    at = open_page(page)
    at.multiselect(key="dataset").set_value(datasets).run()
    assert not at.exception, at.exception
    return at


def captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def csv_help(at) -> str:
    return next(b.proto.help for b in at.get("download_button") if b.proto.label == "Events shown (CSV)")


# --- Timeline -----------------------------------------------------------------------------------------------


def test_the_timeline_counts_and_lists_the_databases_imported_events(database, data_copy, imported_events):
    at = with_datasets("pages/timeline.py", BOTH)
    curated_events = load_dataset(data_copy).events
    assert f"With {len(curated_events) + IMPORTED:,} events the lanes show" in captions(at)
    key_table = at.dataframe[0].value
    expected_keys = int(is_key_event(curated_events).sum()) + int(is_key_event(imported_events).sum())
    assert len(key_table) == expected_keys > int(is_key_event(curated_events).sum())
    assert "curated events only" in csv_help(at)


def test_the_timelines_slide_says_it_holds_the_curated_events_only(database, data_copy):
    at = with_datasets("pages/timeline.py", BOTH)
    at.toggle(key="briefing").set_value(True).run()
    assert not at.exception
    count = len(load_dataset(data_copy).events)
    assert f"The curated events only ({count:,} of the {count + IMPORTED:,} in this view)" in at.info[0].value


def test_the_timeline_of_curated_events_alone_asks_the_database_for_no_sums(database, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("timeline_rows called for curated events only")

    monkeypatch.setattr("tensions.figures.stored.timeline_rows", refuse)
    at = open_page("pages/timeline.py")
    assert not at.exception
    assert not at.info
    assert csv_help(at) == ""


# --- Sidebar ------------------------------------------------------------------------------------------------


def test_the_sidebar_offers_the_actors_and_types_of_the_databases_imports(database, data_copy, imported_events):
    curated_events = load_dataset(data_copy).events
    names = set(curated_events["actor1"].dropna()) | set(curated_events["actor2"].dropna())
    at = open_page("pages/overview.py")
    assert set(at.multiselect(key="actor").options) == names
    at.multiselect(key="dataset").set_value(BOTH).run()
    imported_names = set(imported_events["actor1"].dropna()) | set(imported_events["actor2"].dropna())
    assert at.multiselect(key="actor").options == sorted(names | imported_names)
    offered = set(at.multiselect(key="type").options)
    assert offered == set(curated_events["event_type"].dropna()) | set(imported_events["event_type"].dropna())
