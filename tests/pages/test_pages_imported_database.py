"""The Timeline, Overview and Actors pages and the sidebar with PostgreSQL as the store: the imported datasets
chosen in the sidebar stay in the database and reach every page through SQL sums, beside the curated events."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation

from tensions.analysis import actor_profile, overrides, summary, tension
from tensions.analysis.filters import FilterState
from tensions.bench.synthetic import synthetic_events
from tensions.data.load import load_dataset
from tensions.data.tags import is_key_event
from tensions.export.briefing import FORMATS
from tensions.export.render import renderer_available
from tensions.figures import actors as actor_figures
from tensions.figures import tension as tension_figures
from tensions.figures.map.builder import event_map
from tensions.figures.stored import map_rows
from tensions.figures.timeline.style import MAX_MARKERS
from tensions.ingest.importers.base import combine_events
from tests.conftest import plotly_array
from tests.pages.downloads import kept_downloads
from tests.pages.stored_imports import database_holding
from tests.pages.tabs import open_tab
from tests.pages.test_pages import open_page

IMPORTED = MAX_MARKERS + 500  # more than the timeline draws one by one: it gets sums from SQL
BOTH = ["curated", "acled"]


@pytest.fixture(scope="module")
def imported_events() -> pd.DataFrame:
    return synthetic_events(IMPORTED, seed=23).assign(dataset=pd.Categorical(["acled"] * IMPORTED))


@pytest.fixture
def database(postgres_url, data_copy, monkeypatch, imported_events) -> str:
    return database_holding(postgres_url, data_copy, monkeypatch, imported_events)


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
    assert csv_help(at) == ""  # every event of the view fits in the CSV


def test_the_timelines_slide_draws_the_databases_imported_events(database, data_copy, imported_events):
    at = with_datasets("pages/timeline.py", BOTH)
    at.toggle(key="briefing").set_value(True).run()
    assert not at.exception
    assert not at.info  # no "curated events only" note
    total = len(load_dataset(data_copy).events) + IMPORTED
    meta = chart(at, "briefing_chart")["layout"]["meta"]
    assert meta["subtitle"].startswith(f"{total:,} events by theatre")
    assert "ACLED" in meta["caption"]
    drawn = set(meta["key_events"])
    assert set(imported_events.loc[is_key_event(imported_events).to_numpy(), "event_id"]) <= drawn
    assert len(at.dataframe[0].value) == len(drawn)  # the key events' table lists the slide's


@pytest.mark.skipif(not renderer_available(), reason="static export needs Chromium")
def test_the_timelines_exports_hold_the_databases_imported_events(database, data_copy, imported_events, monkeypatch):
    made = kept_downloads(monkeypatch)
    at = with_datasets("pages/timeline.py", BOTH)
    at.toggle(key="briefing").set_value(True).run()
    assert not at.exception
    total = len(load_dataset(data_copy).events) + IMPORTED
    assert f"{total:,} events by theatre" in made["image/svg+xml"]().decode()
    assert Image.open(io.BytesIO(made["image/png"]())).width == 1920
    deck = Presentation(io.BytesIO(made[FORMATS["pptx"]]()))
    listed = " ".join(shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame)
    listed += " ".join(
        cell.text for slide in deck.slides for shape in slide.shapes if shape.has_table
        for row in shape.table.rows for cell in row.cells
    )  # fmt: skip
    imported_key = imported_events[is_key_event(imported_events).to_numpy()]
    assert imported_key["label"].dropna().iloc[0] in listed
    assert "ACLED" in deck.slides[0].notes_slide.notes_text_frame.text


def test_the_timelines_csv_holds_the_databases_imported_events(database, data_copy, imported_events, monkeypatch):
    made = kept_downloads(monkeypatch)
    with_datasets("pages/timeline.py", BOTH)
    written = pd.read_csv(io.BytesIO(made["text/csv"]()), encoding="utf-8-sig")
    expected = combine_events([load_dataset(data_copy).events, imported_events])
    assert sorted(written["event_id"]) == sorted(expected["event_id"])


def test_a_timeline_csv_of_more_events_than_it_holds_says_so(database, data_copy, monkeypatch):
    monkeypatch.setattr("tensions.figures.stored.EXPORT_LIMIT", 1_000)
    made = kept_downloads(monkeypatch)
    at = with_datasets("pages/timeline.py", BOTH)
    total = len(load_dataset(data_copy).events) + IMPORTED
    assert f"The newest 1,000 of the {total:,} events these filters keep" in csv_help(at)
    assert len(pd.read_csv(io.BytesIO(made["text/csv"]()), encoding="utf-8-sig")) == 1_000


def test_the_timelines_tension_band_scores_the_databases_imported_events(database, data_copy, imported_events):
    at = with_datasets("pages/timeline.py", BOTH)
    at.toggle(key="tension_band").set_value(True).run()
    assert not at.exception
    dataset = load_dataset(data_copy)
    both = combine_events([dataset.events, imported_events])
    first, last = both["event_date"].min().date(), both["event_date"].max().date()
    series = tension.tension_index(both, dataset.actors, level="region", granularity="week", start=first, end=last)
    expected = tension_figures.tension_band_traces(series)[0]
    drawn = next(t for t in chart(at, "timeline_chart")["data"] if t.get("name") == "Tension index")
    np.testing.assert_allclose(plotly_array(drawn["y"]), np.asarray(expected.y, dtype=float))


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


# --- Overview -----------------------------------------------------------------------------------------------


def latest_dates(table: pd.DataFrame) -> list[str]:
    """The days of a latest events' table, top to bottom."""
    return [f"{day:%Y-%m-%d}" for day in table["event_date"]]


def newest_dates(events: pd.DataFrame) -> list[str]:
    return [f"{day:%Y-%m-%d}" for day in summary.latest_events(events)["event_date"]]


def chart(at, key: str) -> dict:
    return next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if key in c.proto.id)


def test_the_overview_counts_and_indexes_the_databases_imported_events(database, data_copy, imported_events):
    at = with_datasets("pages/overview.py", BOTH)
    dataset = load_dataset(data_copy)
    both = combine_events([dataset.events, imported_events])
    expected = summary.headline(both)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Events"] == f"{len(dataset.events) + IMPORTED:,}" == f"{expected.events:,}"
    assert metrics["Reported fatalities"] == f"{expected.fatalities_known:,}"
    assert metrics["Actors involved"] == str(expected.actors)
    assert metrics["Countries and seas"] == str(expected.countries)
    open_tab(at, "overview_tab", "Activity")
    per_month = chart(at, "events_per_month")
    assert sum(plotly_array(t["y"]).sum() for t in per_month["data"]) == len(both)
    most_active = chart(at, "active_actors")
    top = summary.most_active_actors(both).iloc[0]
    assert max(plotly_array(t["x"]).max() for t in most_active["data"]) == top["events"]
    as_of = at.date_input(key="dates").value[-1]
    open_tab(at, "overview_tab", "Trends and drivers")
    trends = overrides.listed(
        overrides.judged_trends(
            both, dataset.actors, overrides.empty_overrides(), as_of=as_of, since=both["event_date"].min().date()
        )
    ).set_index("area")
    shown = next(d.value for d in at.dataframe if "basis" in d.value.columns).set_index("area")
    assert sorted(shown.index) == sorted(trends.index)
    pd.testing.assert_series_equal(shown["index"], trends.loc[shown.index, "index"].round(1), check_dtype=False)
    assert "Listed from the curated events only" in captions(at)  # the events behind a change
    open_tab(at, "overview_tab", "Latest events")
    assert latest_dates(at.dataframe[-1].value) == newest_dates(both)


def test_the_overview_of_curated_events_alone_asks_the_database_for_no_sums(database, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the database's sums were asked for curated events only")

    for name in ("activity_rows", "pair_rows", "index_rows"):
        monkeypatch.setattr(f"tensions.analysis.stored.{name}", refuse)
    at = open_page("pages/overview.py")
    assert {m.label: m.value for m in at.metric}["Events"] == "6"
    for tab in at.tabs:
        open_tab(at, "overview_tab", tab.label)
        assert not at.exception
        assert "Listed from the curated events only" not in captions(at)


# --- Actors -------------------------------------------------------------------------------------------------


def test_the_actors_page_counts_the_databases_imported_events(database, data_copy, imported_events):
    at = with_datasets("pages/actors.py", BOTH)
    dataset = load_dataset(data_copy)
    both = combine_events([dataset.events, imported_events])
    missing = int(both["actor2"].isna().sum())
    tree = chart(at, "affiliation_tree")["data"][0]
    expected_tree = actor_profile.affiliation_tree(both, dataset.actors)
    assert sorted(plotly_array(tree["values"]).tolist()) == sorted(expected_tree["own"].tolist())
    open_tab(at, "actors_tab", "Who acts on whom")
    assert f"{missing} events with no second actor are not shown" in captions(at)
    matrix = chart(at, "interaction_matrix")["data"][0]
    assert np.nansum(plotly_array(matrix["z"])) == len(both) - missing
    open_tab(at, "actors_tab", "Profile")
    assert "include the imported events in the database" in captions(at)
    chosen = at.selectbox(key="profile").value
    involved = actor_profile.involving(both, chosen, dataset.actors)
    assert {m.label: m.value for m in at.metric}["Events"] == f"{len(involved):,}"
    index = tension.tension_index(involved, dataset.actors, level="region", granularity="month")
    expected_index = tension_figures.tension_band(index, name=chosen).data[0]
    drawn_index = chart(at, "actor_index")["data"][0]
    np.testing.assert_allclose(plotly_array(drawn_index["y"]), np.asarray(expected_index.y, dtype=float))
    assert latest_dates(at.dataframe[0].value) == newest_dates(involved)
    activity = actor_figures.activity_chart(actor_profile.activity_over_time(involved))
    drawn_activity = chart(at, "activity")["data"]
    assert [plotly_array(t["y"]).tolist() for t in drawn_activity] == [list(t.y) for t in activity.data]
    places = chart(at, "places_map")["data"]
    curated_involved = actor_profile.involving(dataset.events, chosen, dataset.actors)
    expected = map_rows(database, FilterState(actors=(chosen,)), actors=dataset.actors, also=curated_involved)
    wanted = event_map(expected.rows, height=480, width=600, **expected.options)
    assert sorted(len(plotly_array(t["lat"])) for t in places if "lat" in t) == sorted(
        len(t.lat) for t in wanted.data if t.lat is not None
    )


def test_the_actors_page_of_curated_events_alone_asks_the_database_for_no_sums(database, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the database's sums were asked for curated events only")

    monkeypatch.setattr("tensions.analysis.stored.pair_rows", refuse)
    monkeypatch.setattr("tensions.figures.stored.map_rows", refuse)
    at = open_page("pages/actors.py")
    for tab in at.tabs:
        open_tab(at, "actors_tab", tab.label)
        assert not at.exception
        assert "include the imported events in the database" not in captions(at)


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/timeline.py", "pages/actors.py"])
def test_a_page_of_the_databases_imports_alone_shows_them(database, page):
    at = with_datasets(page, ["acled"])
    assert not at.exception
    assert not any("No events match these filters" in i.value for i in at.info)
