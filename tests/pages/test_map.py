"""The Map page under AppTest: each mode, the empty result, the URL-bound controls and the detail panel."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tensions.figures.map.labels import LABELS_WITHOUT_FADE_CLASS
from tensions.figures.map.regions import REGION_BY_NAME
from tests.conftest import APP_ROOT, FIXTURE_DATA
from tests.pages.test_pages import filter_to_nothing

TIMEOUT = 60


@pytest.fixture(autouse=True)
def fixture_data(monkeypatch):
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(FIXTURE_DATA))


def map_page(**query_params: str) -> AppTest:
    at = AppTest.from_file(str(APP_ROOT / "pages" / "map.py"), default_timeout=TIMEOUT)
    for name, value in query_params.items():
        at.query_params[name] = value
    return at.run()


def figure(at: AppTest) -> dict:
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


def event_card(at: AppTest) -> str:
    """The HTML of the first event record shown (the maps' label script, also an HTML element, left out)."""
    return next(html.proto.body for html in at.get("html") if LABELS_WITHOUT_FADE_CLASS not in html.proto.body)


def trace_types(at: AppTest) -> set[str]:
    return {trace["type"] for trace in figure(at)["data"]}


def legend_names(at: AppTest) -> list[str]:
    return [t["name"] for t in figure(at)["data"] if t.get("customdata") is not None]


def test_the_map_opens_with_events_as_points():
    at = map_page()
    assert not at.exception
    assert at.button_group(key="map_mode").value == "points"
    assert trace_types(at) == {"scattermap"}
    assert legend_names(at) == ["Explosions/Remote violence", "Threats and warnings", "Agreements", "Troop movements"]


@pytest.mark.parametrize(
    ("mode", "types"),
    [("points", {"scattermap"}), ("density", {"densitymap", "scattermap"}), ("provinces", {"scattermap"})],
)
def test_each_mode_draws_its_map(mode, types):
    at = map_page()
    at.button_group(key="map_mode").set_value(mode).run()
    assert not at.exception
    assert trace_types(at) == types
    assert figure(at)["layout"]["map"]["style"]["sources"] == {}  # the shipped basemap, no tile server


def test_the_provinces_mode_draws_one_bubble_per_province():
    at = map_page()
    at.button_group(key="map_mode").set_value("provinces").run()
    hovers = [h for t in figure(at)["data"] for h in t.get("hovertext", [])]
    assert sorted(h.split("</b>")[0].removeprefix("<b>") for h in hovers) == [
        "Anbar, Iraq",
        "Baghdad, Iraq",
        "Beirut, Lebanon",
        "Mafraq, Jordan",
    ]


def test_density_offers_heat_by_deaths_and_needs_no_colour():
    at = map_page()
    at.button_group(key="map_mode").set_value("density").run()
    assert at.button_group(key="map_colour").disabled
    at.button_group(key="map_heat").set_value("fatalities").run()
    assert not at.exception
    assert any("leaves out 5 events with no reported figure" in info.value for info in at.info)


def test_colouring_by_actor_family_changes_the_legend():
    at = map_page()
    at.button_group(key="map_colour").set_value("actor1_family").run()
    assert set(legend_names(at)) <= {
        "Iran and the axis",
        "US and partners",
        "Israel",
        "Iraqi state",
        "Other armed groups",
    }
    assert "Explosions/Remote violence" not in legend_names(at)


def test_a_region_preset_opens_the_map_on_that_region():
    at = map_page()
    at.selectbox(key="map_region").set_value("Iraq").run()
    view = REGION_BY_NAME["Iraq"].view()
    assert figure(at)["layout"]["map"]["center"] == {"lat": view.lat, "lon": view.lon}
    assert any("lie outside this view" in c.value for c in at.caption)


def test_mode_colour_and_region_are_read_from_the_url():
    """The controls are bound to the URL, so a copied link reopens the same view."""
    at = map_page(map_mode="Provinces", map_colour="Actor family", map_region="Levant")
    assert at.button_group(key="map_mode").value == "provinces"
    assert at.button_group(key="map_colour").value == "actor1_family"
    assert at.selectbox(key="map_region").value == "Levant"
    assert figure(at)["layout"]["map"]["center"]["lon"] == REGION_BY_NAME["Levant"].view().lon


def test_filters_matching_nothing_say_so_and_draw_no_map():
    at = map_page()
    filter_to_nothing(at, FIXTURE_DATA)
    assert not at.exception
    assert any("No events match these filters" in info.value for info in at.info)
    assert len(at.get("plotly_chart")) == 0
    assert at.button_group(key="map_mode").value == "points"  # the controls stay, so the view can be changed


def test_the_caption_counts_events_and_leaves_the_credit_to_the_figure():
    at = map_page()
    captions = " ".join(c.value for c in at.caption)
    assert "6 events" in captions
    assert "1 known only to their province or month are drawn hollow" in captions
    assert "Natural Earth" not in captions  # once only: under the map, inside the figure (and so in its PNG)
    assert "Natural Earth" in figure(at)["layout"]["annotations"][0]["text"]


def test_a_linked_event_opens_its_full_record_and_the_others_at_that_place():
    at = map_page(event="IRQ-20250316-1")
    assert not at.exception
    assert at.subheader[0].value == "Selected event"
    card = event_card(at)
    assert "to prevent militias from attacking Israel and US bases, according to Iraqi officials." in card
    assert "Reuters, 07 Apr 2025: “Iran-backed militias in Iraq ready to disarm to avert Trump threat”" in card
    assert "medium (a detail rests on one party&#x27;s claim or anonymous sources)" in card
    assert "2 events at this place" in at.markdown[0].value
    assert sorted(at.dataframe[0].value["event_id"]) == ["IRQ-20240104-1", "IRQ-20250316-1"]


def test_a_linked_event_outside_the_filters_says_so():
    at = map_page(event="IRQ-20250316-1")
    at.multiselect(key="country").set_value(["Lebanon"]).run()
    assert any("not among the events these filters keep" in w.value for w in at.warning)


def test_downloads_offer_the_events_as_csv_and_the_map_as_png():
    labels = [b.proto.label for b in map_page().get("download_button")]
    assert labels == ["Events as CSV", "Map as PNG"]
