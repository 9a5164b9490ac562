"""The Actors page under AppTest on the six fixture events: the tree, a profile, who acts on whom."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from streamlit.testing.v1 import AppTest

from tensions.ingest import imported
from tests.conftest import APP_ROOT, FIXTURE_DATA, curator_grant
from tests.ingest.importers.conftest import EXTERNAL
from tests.pages.tabs import drawn_charts, open_tab

TIMEOUT = 60


@pytest.fixture
def at(monkeypatch) -> AppTest:
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(FIXTURE_DATA))
    return AppTest.from_file(str(APP_ROOT / "pages/actors.py"), default_timeout=TIMEOUT).run()


@pytest.fixture
def profile(at) -> AppTest:
    """The page with its Profile tab open."""
    return open_tab(at, "actors_tab", "Profile")


@pytest.fixture
def matrix(at) -> AppTest:
    """The page with its "Who acts on whom" tab open."""
    return open_tab(at, "actors_tab", "Who acts on whom")


def chart(at: AppTest, key: str) -> dict:
    """The figure JSON of the plotly chart with widget key `key`."""
    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        if element.proto.id.endswith(key) or key in element.proto.id:
            return spec
    raise KeyError(key)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_a_first_visit_draws_the_tree_alone_and_each_tab_its_own_part(at):
    assert not at.exception
    assert at.title[0].value == "Actors"
    assert [tab.label for tab in at.tabs] == ["Who belongs to whom", "Profile", "Who acts on whom"]
    tree = chart(at, "affiliation_tree")["data"][0]
    assert tree["type"] == "treemap"
    assert "actor/Islamic Resistance in Iraq" in tree["ids"]
    assert drawn_charts(at) == ["affiliation_tree"] and not at.selectbox  # the other tabs did not run
    open_tab(at, "actors_tab", "Profile")
    assert not at.exception
    assert drawn_charts(at) == ["activity", "places_map", "counterparts", "actor_index"]
    open_tab(at, "actors_tab", "Who acts on whom")
    assert drawn_charts(at) == ["interaction_matrix"]
    assert chart(at, "interaction_matrix")["data"][0]["type"] == "heatmap"


def test_a_link_naming_an_actor_opens_its_profile(monkeypatch):
    """Links made before the tabs name the actor alone: they open on its profile, not on the tree."""
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(FIXTURE_DATA))
    at = AppTest.from_file(str(APP_ROOT / "pages/actors.py"), default_timeout=TIMEOUT)
    at.query_params["profile"] = "Hezbollah"
    at.run()
    assert not at.exception
    assert drawn_charts(at) == ["activity", "places_map", "counterparts", "actor_index"]  # the Profile tab
    assert at.selectbox(key="profile").value == "Hezbollah"


def test_the_actor_chosen_is_kept_while_another_tab_is_open(profile):
    profile.selectbox(key="profile").set_value("Islamic Resistance in Iraq").run()
    profile.toggle(key="affiliates").set_value(False).run()
    at = open_tab(profile, "actors_tab", "Who belongs to whom")
    assert not at.selectbox
    open_tab(at, "actors_tab", "Profile")
    assert at.selectbox(key="profile").value == "Islamic Resistance in Iraq"
    assert at.toggle(key="affiliates").value is False
    assert metrics(at)["Events"] == "2"


def test_the_profile_opens_on_the_busiest_actor(profile):
    # US forces take part in three of the six fixture events.
    assert profile.selectbox(key="profile").value == "US forces"
    assert metrics(profile)["Events"] == "3"


def test_choosing_an_umbrella_shows_its_chain_and_its_factions_events(profile):
    profile.selectbox(key="profile").set_value("Islamic Resistance in Iraq").run()
    assert not profile.exception
    text = " ".join(m.value for m in profile.markdown)
    assert "Affiliation: Iran › IRGC › IRGC Quds Force › Islamic Resistance in Iraq" in text
    assert "Affiliates: Harakat Hezbollah al-Nujaba, Kataib Hezbollah" in text
    assert "Iraqi Islamic Resistance" in text
    assert metrics(profile)["Events"] == "3"  # with its faction Nujaba, struck by US forces on 4 Jan 2024
    assert metrics(profile)["Reported deaths"] == "3"
    counterparts = chart(profile, "counterparts")["data"]
    assert counterparts[0]["y"] == ["US forces"]
    latest = profile.dataframe[0].value
    assert list(latest["event_date"].dt.strftime("%Y-%m-%d")) == ["2025-01-15", "2024-01-28", "2024-01-04"]
    assert latest["fatalities"].tolist() == ["not reported", "3", "not reported"]


def test_where_an_actor_acts_is_drawn_on_the_offline_map(profile):
    places = chart(profile, "places_map")
    assert {trace["type"] for trace in places["data"]} == {"scattermap"}
    assert places["layout"]["map"]["style"]["sources"] == {}  # the shipped basemap, no tile server


def test_where_an_actor_acts_keeps_the_columns_width_with_its_legend_under_the_map(profile):
    layout = chart(profile, "places_map")["layout"]
    assert layout["legend"]["orientation"] == "h" and layout["legend"]["y"] < 0
    assert layout["margin"]["r"] == 0


def test_without_affiliates_only_the_actors_own_events_count(profile):
    profile.selectbox(key="profile").set_value("Islamic Resistance in Iraq").run()
    profile.toggle(key="affiliates").set_value(False).run()
    assert metrics(profile)["Events"] == "2"


def test_an_actor_outside_the_filter_says_so(profile):
    profile.date_input(key="dates").set_value((dt.date(2024, 1, 4), dt.date(2024, 1, 31))).run()
    profile.selectbox(key="profile").set_value("Hezbollah").run()
    assert not profile.exception
    assert any("Hezbollah takes part in no event that matches these filters" in i.value for i in profile.info)


def test_the_tree_follows_the_sidebar_filters(at):
    at.date_input(key="dates").set_value((dt.date(2024, 11, 1), dt.date(2024, 11, 30))).run()
    ids = chart(at, "affiliation_tree")["data"][0]["ids"]
    # Only the Lebanon ceasefire is left: Israel and Hezbollah (under the axis), nothing of the US.
    assert "actor/Israel" in ids and "actor/Hezbollah" in ids
    assert "actor/US forces" not in ids


def test_the_matrix_can_compare_families(matrix):
    matrix.segmented_control(key="matrix").set_value("families").run()
    heatmap = chart(matrix, "interaction_matrix")["data"][0]
    assert heatmap["y"][0] == "US and partners"
    assert "Iran and the axis" in heatmap["x"]


@pytest.mark.parametrize("datasets", [["curated", "acled"], ["acled"]])
def test_the_page_works_with_imported_acled_events_in_view(data_copy, monkeypatch, datasets):
    """ACLED's busiest actors have no profile, and its actors' categories differ from the curated ones'."""
    imported.import_and_save(EXTERNAL / "acled_export.csv", "acled", data_copy, grant=curator_grant())
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(data_copy))
    at = AppTest.from_file(str(APP_ROOT / "pages/actors.py"), default_timeout=TIMEOUT)
    at.session_state["dataset"] = datasets  # as a link with ?dataset=… opens the page
    open_tab(at, "actors_tab", "Profile")
    assert not at.exception
    # ACLED's US forces are in more events, but only curated actors have a profile.
    assert at.selectbox(key="profile").value == "Islamic Resistance in Iraq"
    assert metrics(at)["Events"] == ("5" if "curated" in datasets else "2")  # with ACLED's events of its factions
    assert "Military Forces of the United States (2021-)" in at.dataframe[0].value.to_string()


def test_an_event_with_no_second_actor_shows_a_blank_not_none(profile):
    profile.selectbox(key="profile").set_value("Islamic Resistance in Iraq").run()
    latest = profile.dataframe[0].value
    # The January 2025 withdrawal has no second actor: "Acted on / with" is blank, never "None" or "<NA>".
    assert not latest.astype(str).isin(["None", "<NA>", "nan"]).any().any()
    withdrawal = latest[latest["event_type"] == "Troop movements"]
    assert withdrawal["actor2"].tolist() == [""]


def test_the_matrix_counts_us_forces_as_the_united_states(matrix):
    heatmap = chart(matrix, "interaction_matrix")["data"][0]
    assert "US forces" not in heatmap["y"] and "United States" in heatmap["y"]
