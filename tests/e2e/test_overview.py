"""The Overview as a person sees it in Chromium, with no request leaving this machine."""

from __future__ import annotations

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import full_screenshot, wait_for_app

pytestmark = pytest.mark.e2e


def test_overview_shows_headline_figures_and_charts_offline(app_url, page):
    page, outside = page
    page.goto(app_url)
    wait_for_app(page)
    metrics = page.locator('[data-testid="stMetric"]')
    # Streamlit draws the four columns one by one, so wait for all of them rather than read a half-drawn row.
    expect(metrics.locator('[data-testid="stMetricLabel"]')).to_have_text(
        ["Events", "Reported fatalities", "Countries and seas", "Actors involved"]
    )
    events_shown = int(metrics.first.locator('[data-testid="stMetricValue"]').inner_text().replace(",", ""))
    assert events_shown > 0
    page.locator(".js-plotly-plot .bars path").first.wait_for()
    assert page.locator(".js-plotly-plot .bars path").count() > 0
    path = full_screenshot(page, "overview")
    assert outside == []
    image = Image.open(path).convert("L")
    assert len(image.getcolors(256)) > 50, "the screenshot is (nearly) blank"
