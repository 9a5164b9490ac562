"""The tension index as an optional band under the Timeline's events (AppTest, fixture data)."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import APP_ROOT, FIXTURE_DATA, plotly_array

TIMEOUT = 120


@pytest.fixture
def at(monkeypatch) -> AppTest:
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(FIXTURE_DATA))
    page = AppTest.from_file(str(APP_ROOT / "pages/timeline.py"), default_timeout=TIMEOUT).run()
    page.segmented_control(key="counts_per").set_value("month")
    return page.run()


def figure(at: AppTest) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


def band(spec: dict) -> list[dict]:
    return [trace for trace in spec["data"] if trace.get("name") == "Tension index"]


def test_the_band_is_off_by_default(at):
    assert not at.exception
    assert at.toggle(key="tension_band").value is False
    assert band(figure(at)) == []


def test_switching_the_band_on_adds_the_regions_index_under_the_events(at):
    at.toggle(key="tension_band").set_value(True).run()
    assert not at.exception
    spec = figure(at)
    traces = band(spec)
    assert len(traces) == 1 and traces[0]["yaxis"] == "y2"  # the first row under the swimlanes
    # January 2024: 3 × 1.5 (US strike on Nujaba) + 3 × 1.5 × (1 + ln 4) (Tower 22) = 15.24;
    # February: 3 × 2 (US strike on the Quds Force, state on state) = 6.
    assert plotly_array(traces[0]["y"])[:2].tolist() == [15.24, 6.0]
    titles = [a["text"] for a in spec["layout"]["annotations"]]
    assert any("Tension index per month" in t for t in titles)
