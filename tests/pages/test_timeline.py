"""The Timeline page under AppTest: the interactive chart, briefing mode, and briefs compared."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import APP_ROOT, as_curator

TIMEOUT = 120


@pytest.fixture
def data_dir(monkeypatch, data_copy):
    """A writable copy of the fixture data, so saved briefs land in the test's own folder."""
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(data_copy))
    return data_copy


def timeline_page(*, curator: bool = False, **query_params: str) -> AppTest:
    """The page, opened by a viewer or (`curator`) in a session signed in on the Curate page."""
    at = AppTest.from_file(str(APP_ROOT / "pages/timeline.py"), default_timeout=TIMEOUT)
    for name, value in query_params.items():
        at.query_params[name] = value
    return (as_curator(at) if curator else at).run()


def chart(at: AppTest) -> tuple[dict, dict]:
    """The page's figure (as Plotly JSON) and its chart config."""
    element = at.get("plotly_chart")[0]
    return json.loads(element.proto.spec), json.loads(element.proto.config)


def annotation_texts(figure: dict) -> list[str]:
    return [a["text"] for a in figure["layout"]["annotations"]]


def test_the_timeline_shows_events_in_theatre_lanes_with_key_events_labelled(data_dir):
    at = timeline_page()
    assert not at.exception
    figure, config = chart(at)
    assert figure["layout"]["yaxis"]["ticktext"] == ["Iraq", "Syria and Jordan", "Lebanon and Israel"]
    assert "Tower 22: 3 US troops killed" in annotation_texts(figure)
    assert "Events per week, by type" in annotation_texts(figure)
    assert figure["layout"]["xaxis3"]["rangeslider"]["visible"] is True
    assert config["displaylogo"] is False


def test_lanes_switch_to_actor_families_and_counts_to_months(data_dir):
    at = timeline_page()
    at.segmented_control(key="lanes").set_value("actor1_family")
    at.segmented_control(key="counts_per").set_value("month").run()
    figure, _ = chart(at)
    assert figure["layout"]["yaxis"]["ticktext"] == ["Iran and the axis", "US and partners", "Israel"]
    assert "Events per month, by type" in annotation_texts(figure)


def test_the_key_events_table_lists_labels_and_whether_they_are_on_the_chart(data_dir):
    at = timeline_page()
    table = at.dataframe[0].value
    assert table["Event"].tolist() == ["Tower 22: 3 US troops killed", "Israel-Hezbollah ceasefire"]
    assert table["On the chart"].tolist() == ["labelled", "labelled"]


def test_briefing_mode_draws_a_slide_whose_camera_button_downloads_1920_by_1080(data_dir):
    at = timeline_page()
    at.toggle(key="briefing").set_value(True).run()
    assert not at.exception
    figure, config = chart(at)
    layout = figure["layout"]
    assert (layout["width"], layout["height"]) == (1120, 630)  # the 16:9 slide, drawn to fit the page
    assert layout["paper_bgcolor"] == "#FFFFFF"
    assert "rangeslider" not in layout["xaxis3"] or not layout["xaxis3"]["rangeslider"].get("visible")
    options = config["toImageButtonOptions"]
    assert (options["width"] * options["scale"], options["height"] * options["scale"]) == pytest.approx((1920, 1080))
    assert config["modeBarButtons"] == [["toImage"]]
    assert [b.proto.label for b in at.get("download_button")][:3] == ["PNG image", "SVG (vector)", "PowerPoint"]


def download_line(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**Download the slide**"))


def test_the_download_line_says_when_the_slide_grows_taller_than_its_size(data_dir, monkeypatch):
    at = timeline_page(briefing="true")  # the fixture's two key events: listed beside the chart
    assert download_line(at) == "**Download the slide** at 1920 × 1080:"
    monkeypatch.delenv("TENSIONS_DATA_DIR")  # the shipped data's full period: its list goes under the chart
    at = timeline_page(briefing="true")
    assert chart(at)[0]["layout"]["height"] > 630
    assert download_line(at) == (
        "**Download the slide** at 1920 × 1080, taller by the key events' list under the chart:"
    )
    assert "grows taller" in at.selectbox(key="slide_size").help  # the size chosen is a width and a 16:9 height


def test_the_slide_title_is_the_briefers_and_escaped(data_dir):
    at = timeline_page(briefing="true")
    at.text_input(key="slide_title").input("Iraq <script>alert(1)</script>").run()
    figure, config = chart(at)
    assert "<b>Iraq &lt;script&gt;alert(1)&lt;/script&gt;</b>" in annotation_texts(figure)
    assert config["toImageButtonOptions"]["filename"] == "iraq-script-alert-1-script"


def test_the_smaller_slide_size_changes_the_download_not_the_preview(data_dir):
    at = timeline_page(briefing="true")
    at.selectbox(key="slide_size").set_value("1280x720").run()
    _, config = chart(at)
    options = config["toImageButtonOptions"]
    assert options["width"] * options["scale"] == pytest.approx(1280)


def test_the_controls_live_in_the_url(data_dir):
    at = timeline_page(lanes="Actor family", briefing="true", slide_title="From a link")  # the URL holds labels
    assert at.segmented_control(key="lanes").value == "actor1_family"
    assert at.toggle(key="briefing").value is True
    assert "<b>From a link</b>" in annotation_texts(chart(at)[0])


def test_a_viewer_is_offered_no_way_to_save_or_overwrite_a_brief(data_dir):
    at = timeline_page()
    assert not at.get("form_submit_button") and not at.text_input
    assert any("Saving this view as a brief needs a curator's sign-in" in c.value for c in at.caption)


def test_a_saved_brief_later_shows_what_changed_and_marks_it_on_the_chart(data_dir):
    at = timeline_page(curator=True)
    at.text_input(key="brief_name").input("Weekly brief")
    at.get("form_submit_button")[0].click().run()
    assert not at.exception
    assert any("Saved “Weekly brief” (6 events)" in s.value for s in at.success)
    assert (data_dir / "briefs" / "weekly-brief.json").exists()

    # A week later the toll of Tower 22 is revised and one event is deleted.
    path = data_dir / "events.csv"
    lines = path.read_text().splitlines()
    lines = [line.replace("US forces,3,attributed", "US forces,4,attributed") for line in lines]
    lines = [line for line in lines if not line.startswith("IRQ-20240202-1")]
    path.write_text("\n".join(lines) + "\n")

    at = timeline_page(since_brief="Weekly brief")  # a link names the brief to compare with
    assert not at.exception
    assert at.selectbox(key="since_brief").value == "weekly-brief"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Added": "0", "Revised": "1", "Removed": "1"}
    changes = at.dataframe[1].value
    assert changes["details"].tolist() == ["fatalities 3 → 4", "no longer in the data"]
    names = [trace.get("name") for trace in chart(at)[0]["data"]]
    assert "Revised since the brief" in names and "Removed since the brief" in names
