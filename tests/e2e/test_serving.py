"""The served page fetches its chart module with its own modules, once, before it asks the server for a session."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import wait_for_app

pytestmark = pytest.mark.e2e

# [name, start] of each request for Streamlit's chart module or its settings, in ms from navigation start.
REQUESTS = """() => performance.getEntriesByType('resource')
  .filter(entry => /\\/PlotlyChart\\.[^/]*\\.js$|\\/_stcore\\/host-config$/.test(entry.name))
  .map(entry => [entry.name.split('/').pop().split('.')[0], entry.startTime])"""


@pytest.mark.parametrize("path", ["", "/map"])
def test_a_first_visit_fetches_the_chart_module_once_before_asking_for_a_session(app_url, page, path):
    page, outside = page
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    page.add_init_script("window.socketBefore = window.WebSocket")
    page.goto(f"{app_url}{path}")
    wait_for_app(page)
    # Streamlit drops the map style's empty `sources` on its way to the browser, and MapLibre reports the style;
    # Plotly raises that report as "Map error." when the map has loaded before it. The map draws all the same.
    assert [str(error) for error in errors if str(error) != "Map error."] == []
    assert page.evaluate("() => window.WebSocket === window.socketBefore")  # put back after the first connection
    requests = page.evaluate(REQUESTS)
    chart = [start for name, start in requests if name == "PlotlyChart"]
    assert len(chart) == 1  # the page's own import reused the preload
    assert chart[0] < min(start for name, start in requests if name == "host-config")
    assert page.locator(".js-plotly-plot").first.is_visible()
    assert outside == []
