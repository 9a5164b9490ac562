"""The shared sidebar under AppTest: a link written by `FilterState.to_query_params()` opens that very view."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from tensions.analysis.filters import FilterState
from tensions.ingest import imported
from tests.conftest import APP_ROOT, FIXTURE_DATA, curator_grant
from tests.ingest.importers.conftest import EXTERNAL

# The smallest page there is: the shared sidebar, and the filter state it returns kept for the test to read.
SCRIPT = """
import streamlit as st
import ui

dataset, state, events = ui.current_view()
st.session_state["seen_state"] = state
st.session_state["seen_events"] = sorted(events["event_id"])
"""


def opened_with(params: dict) -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=60)
    at.query_params.update(params)
    return at.run()


@pytest.fixture(autouse=True)
def fixture_data(monkeypatch):
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(FIXTURE_DATA))


@pytest.mark.parametrize(
    "state",
    [
        FilterState(start=dt.date(2024, 1, 4), end=dt.date(2024, 11, 30)),
        FilterState(
            start=dt.date(2024, 1, 4),
            end=dt.date(2025, 3, 16),
            countries=("Iraq", "Jordan"),
            actors=("US forces",),
            event_types=("Explosions/Remote violence",),
            precise_only=True,
        ),
    ],
    ids=["period", "every filter"],
)
def test_a_link_made_from_a_filter_state_opens_that_filter_state(state):
    at = opened_with(state.to_query_params())
    assert not at.exception
    assert at.session_state["seen_state"] == state


def test_a_link_naming_an_imported_dataset_opens_with_its_events(data_copy, monkeypatch):
    # The Datasets filter is bound to the URL by its titles: the link must say `UCDP GED`, not `ucdp`.
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(data_copy))
    imported.import_and_save(EXTERNAL / "ucdp_ged_hdx_iraq.csv", "ucdp", data_copy, grant=curator_grant())
    state = FilterState(countries=("Iraq",), datasets=("curated", "ucdp"))
    at = opened_with(state.to_query_params())
    assert not at.exception
    assert at.multiselect(key="dataset").value == ["curated", "ucdp"]
    assert at.session_state["seen_state"].datasets == ("curated", "ucdp")
    assert sum(event.startswith("ucdp:") for event in at.session_state["seen_events"]) == 5  # UCDP's in Iraq


def test_the_sidebar_writes_the_same_filters_a_link_would_hold():
    at = opened_with({})
    at.multiselect(key="country").set_value(["Jordan"])
    at.toggle(key="precise").set_value(True).run()
    seen = at.session_state["seen_state"]
    assert {k: v for k, v in seen.to_query_params().items() if k != "dates"} == {
        "country": ["Jordan"],
        "precise": ["true"],
    }
    assert at.session_state["seen_events"] == ["JOR-20240128-1"]


def test_a_garbled_link_opens_the_default_view_instead_of_failing():
    at = opened_with({"dates": ["yesterday", "2025-13-40"], "precise": "maybe", "country": "Atlantis"})
    assert not at.exception
    seen = at.session_state["seen_state"]
    assert (seen.countries, seen.precise_only) == ((), False)
    assert (seen.start, seen.end) == (dt.date(2024, 1, 4), dt.date(2025, 3, 16))  # the whole period


# --- from page to page: the app's navigation, as `app.py` runs it ---------------------------------------------


def moved_to(at: AppTest, page: str, query: dict | None = None) -> AppTest:
    """Move to `page` as a click in the navigation does: the URL keeps no query (a link's `query` aside)."""
    at.query_params.clear()
    at.query_params.update(query or {})
    return at.switch_page(page).run()


def linked(at: AppTest) -> FilterState:
    """The filters the URL holds."""
    return FilterState.from_query_params(dict(at.query_params))


@pytest.fixture
def app() -> AppTest:
    """The app on the Map, filtered to Iraq in the sidebar."""
    at = AppTest.from_file(str(APP_ROOT / "app.py"), default_timeout=60).run()
    moved_to(at, "pages/map.py")
    at.multiselect(key="country").set_value(["Iraq"]).run()
    assert linked(at).countries == ("Iraq",)
    return at


def test_a_filter_chosen_on_one_page_holds_on_the_next(app):
    moved_to(app, "pages/timeline.py")
    assert not app.exception
    assert app.title[0].value == "Timeline"
    assert app.multiselect(key="country").value == ["Iraq"]
    assert "Iraq" in app.caption[0].value  # the filters in words, under the title
    assert linked(app).countries == ("Iraq",)  # the URL says so too: a copied link opens this view


def test_filters_cleared_on_one_page_stay_cleared_on_the_next(app):
    moved_to(app, "pages/timeline.py")
    app.multiselect(key="country").set_value([]).run()
    moved_to(app, "pages/overview.py")
    assert app.multiselect(key="country").value == []
    moved_to(app, "pages/map.py")  # where Iraq was chosen first
    assert app.multiselect(key="country").value == []
    assert "Iraq" not in app.caption[0].value


def test_the_filters_of_a_link_hold_on_the_next_page():
    at = AppTest.from_file(str(APP_ROOT / "app.py"), default_timeout=60)
    at.query_params.update({"country": "Jordan", "map_mode": "Provinces"})
    at.switch_page("pages/map.py").run()
    assert at.multiselect(key="country").value == ["Jordan"]
    moved_to(at, "pages/timeline.py")
    assert at.multiselect(key="country").value == ["Jordan"]
    assert "Jordan" in at.caption[0].value
    assert "map_mode" not in at.query_params  # the Map's own setting stays on the Map
