"""The Overview's tension section under AppTest: small multiples, trend arrows (computed or judgement),
the biggest movers, the events behind a change, and recording a judgement. Fixture data, January 2024:
the Tower 22 strike in Jordan (3 × 1.5 × (1 + ln 4) = 10.7 points) and a US strike in Baghdad (4.5)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from streamlit.testing.v1 import AppTest

from tensions.analysis.overrides import read_overrides
from tests.conftest import APP_ROOT, as_curator
from tests.pages.tabs import open_tab

TIMEOUT = 60
JANUARY_2024 = (dt.date(2024, 1, 4), dt.date(2024, 1, 31))


@pytest.fixture
def at(monkeypatch, data_copy) -> AppTest:
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(data_copy))
    at = AppTest.from_file(str(APP_ROOT / "pages/overview.py"), default_timeout=TIMEOUT).run()
    at.date_input(key="dates").set_value(JANUARY_2024).run()
    return at


@pytest.fixture
def trends(at) -> AppTest:
    """The Overview with its "Trends and drivers" tab open."""
    return open_tab(at, "overview_tab", "Trends and drivers")


@pytest.fixture
def curator(trends) -> AppTest:
    """The Overview's trends in a session where a curator (Ann) signed in on the Curate page."""
    return as_curator(trends, "Ann").run()


def figure(at: AppTest, key: str) -> dict:
    return next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if key in c.proto.id)


def arrows(at: AppTest):
    return next(d.value for d in at.dataframe if "basis" in d.value.columns).set_index("area")


def test_trends_for_the_last_full_month_are_computed_from_the_index(trends):
    assert not trends.exception
    table = arrows(trends)
    assert table.loc["Jordan", ["trend", "basis", "change"]].tolist() == ["▲ deteriorated", "computed", 10.7]
    # Iraq: +4.5, under the 5-point threshold.
    assert table.loc["Iraq", ["trend", "basis", "change"]].tolist() == ["► unchanged", "computed", 4.5]
    assert any("Trends, January 2024 against the month before" in m.value for m in trends.markdown)


def test_small_multiples_show_each_countrys_index_and_trend(at):
    spec = figure(at, "index_small_multiples")
    titles = [a["text"] for a in spec["layout"]["annotations"]]
    assert any("Jordan" in t and "deteriorated" in t for t in titles)
    assert len(spec["data"]) == 2  # Iraq and Jordan, the countries with index points in the period


def test_the_events_behind_a_move_are_listed_biggest_move_first(trends):
    assert trends.selectbox(key="drivers").options == ["Jordan (+10.7 points)", "Iraq (+4.5 points)"]
    trends.selectbox(key="drivers").set_value("Jordan").run()
    drivers = next(d.value for d in trends.dataframe if "contribution" in d.value.columns)
    assert drivers["event_id"].tolist() == ["JOR-20240128-1"]


def test_an_analysts_judgement_is_shown_as_such_beside_the_computed_trend(trends, data_copy):
    (data_copy / "trend_overrides.csv").write_text(
        "country,month,trend,rationale,analyst,decided_at\n"
        "Jordan,2024-01,unchanged,One strike is not a pattern.,A. Analyst,2024-02-01\n"
    )
    trends.run()
    table = arrows(trends)
    assert table.loc["Jordan", ["trend", "basis", "computed"]].tolist() == [
        "► unchanged",
        "analyst judgement",
        "▲ deteriorated",
    ]
    assert table.loc["Jordan", "rationale"] == "One strike is not a pattern."
    index = open_tab(trends, "overview_tab", "Tension index")
    titles = [a["text"] for a in figure(index, "index_small_multiples")["layout"]["annotations"]]
    assert any("Jordan" in t and "(analyst judgement)" in t for t in titles)


def test_an_invalid_judgements_file_is_named_and_the_computed_trends_stand(trends, data_copy):
    (data_copy / "trend_overrides.csv").write_text(
        "country,month,trend,rationale,analyst,decided_at\nJordan,2024-01,sideways,Because.,A. Analyst,2024-02-01\n"
    )
    trends.run()
    assert not trends.exception
    [warning] = [w.value for w in trends.warning if "trend_overrides.csv" in w.value]
    assert warning.startswith("Analyst judgements are ignored until `trend_overrides.csv` is fixed: ")
    assert "trend_overrides.csv:2:trend" in warning
    assert arrows(trends).loc["Jordan", ["trend", "basis"]].tolist() == ["▲ deteriorated", "computed"]
    activity = open_tab(trends, "overview_tab", "Activity")  # no index there, so no word on its judgements
    assert not [w for w in activity.warning if "trend_overrides.csv" in w.value]


def test_the_index_settings_and_the_driver_chosen_are_kept_while_another_tab_is_open(at):
    at.segmented_control(key="index_level").set_value("theatres").run()
    at.toggle(key="index_same_scale").set_value(False).run()
    open_tab(at, "overview_tab", "Trends and drivers").selectbox(key="drivers").set_value("Iraq").run()
    open_tab(at, "overview_tab", "Activity")
    open_tab(at, "overview_tab", "Tension index")
    assert at.segmented_control(key="index_level").value == "theatres"
    assert at.toggle(key="index_same_scale").value is False
    assert open_tab(at, "overview_tab", "Trends and drivers").selectbox(key="drivers").value == "Iraq"


def test_a_viewer_is_offered_no_judgement_form(trends):
    assert not trends.text_input and not trends.button
    assert any("needs a curator's sign-in" in c.value for c in trends.caption)


def test_a_signed_in_curator_records_a_judgement_under_their_own_name(curator, data_copy):
    at = curator
    at.selectbox(key="override_country").set_value("Iraq")
    at.segmented_control(key="override_trend").set_value("deteriorated")
    at.text_input(key="override_rationale").input("Militia attacks resumed after a lull.")
    at.button[0].click().run()
    assert not at.exception
    recorded = read_overrides(data_copy)
    assert recorded[["country", "month", "trend", "analyst"]].values.tolist() == [
        ["Iraq", "2024-01", "deteriorated", "Ann"]
    ]
    assert arrows(at).loc["Iraq", "basis"] == "analyst judgement"
    assert any("Recorded: Iraq deteriorated in January 2024" in s.value for s in at.success)


def test_a_judgement_without_a_rationale_is_refused_on_screen(curator, data_copy):
    at = curator
    at.selectbox(key="override_country").set_value("Iraq")
    at.segmented_control(key="override_trend").set_value("deteriorated")
    at.button[0].click().run()
    assert any("a rationale is required" in e.value for e in at.error)
    assert not (data_copy / "trend_overrides.csv").exists()


def test_the_page_explains_the_formula_and_the_weights(at):
    text = " ".join(m.value for m in at.markdown)
    assert "score = direction × type weight × actor weight" in text
    assert "| actors | state and state | 2 |" in text


def test_the_index_can_be_shown_per_theatre_and_for_the_whole_region(at):
    at.segmented_control(key="index_level").set_value("theatres").run()
    titles = [a["text"] for a in figure(at, "index_small_multiples")["layout"]["annotations"]]
    assert titles == ["<b>Iraq</b>", "<b>Syria and Jordan</b>"]  # the theatres of the US strike and Tower 22
    at.segmented_control(key="index_level").set_value("whole region").run()
    spec = figure(at, "index_small_multiples")
    assert [a["text"] for a in spec["layout"]["annotations"]] == ["<b>Whole region</b>"]


def test_one_country_fills_the_width_and_the_caption_names_it(at):
    at.multiselect(key="country").set_value(["Jordan"]).run()
    assert not at.exception
    spec = figure(at, "index_small_multiples")
    assert len(spec["data"]) == 1
    assert spec["layout"]["xaxis"]["domain"] == [0.0, 1.0]  # not a quarter of the width
    captions = " ".join(c.value for c in at.caption)
    assert "for Jordan; titles carry the trend of January 2024" in captions
    assert "the 1 busiest" not in captions
