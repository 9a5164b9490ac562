"""The Timeline in headless Chromium: the interactive chart, then briefing mode as a 1920x1080 slide."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.e2e.conftest import SCREENSHOTS, full_screenshot, wait_for_app

pytestmark = pytest.mark.e2e

SLIDE_VIEWPORT = {"width": 1920, "height": 1080}


def distinct_greys(path_or_bytes) -> int:
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    return len(Image.open(source).convert("L").getcolors(maxcolors=256) or [])


def open_timeline(page, app_url: str, query: str = "") -> None:
    page.set_viewport_size(SLIDE_VIEWPORT)
    # A deep link runs as Streamlit's v1 "pages/" app (no app.py: no wide layout) until some session has
    # run app.py on this server: open the front page first.
    page.goto(app_url)
    page.get_by_text("Regional tensions").first.wait_for(timeout=60_000)
    page.goto(f"{app_url}/timeline{query}")
    wait_for_app(page)
    page.locator(".js-plotly-plot .scatterlayer .point").first.wait_for(timeout=60_000)


def test_the_timeline_draws_events_in_lanes_with_labelled_key_events_offline(app_url, page):
    page, outside = page
    open_timeline(page, app_url)
    chart = page.locator(".js-plotly-plot").first
    assert chart.locator(".scatterlayer .point").count() > 300  # one marker per event, and key rings
    assert chart.get_by_text("Hamas attack on Israel", exact=False).first.is_visible()
    assert chart.get_by_text("Lebanon and Israel").first.is_visible()  # a swimlane
    path = full_screenshot(page, "timeline")
    assert outside == []
    assert distinct_greys(path) > 50, "the screenshot is (nearly) blank"


def test_briefing_mode_turns_the_chart_into_a_titled_slide(app_url, page):
    page, outside = page
    open_timeline(page, app_url)
    page.get_by_text("Briefing mode", exact=True).click()
    title = page.get_by_role("textbox", name="Slide title")
    title.wait_for(timeout=60_000)
    title.fill("Iraq militias and the US: what changed")
    title.press("Enter")
    wait_for_app(page)
    slide = page.locator(".js-plotly-plot").first
    heading = slide.get_by_text("Iraq militias and the US: what changed")
    heading.wait_for(timeout=60_000)
    assert heading.is_visible()
    assert slide.get_by_text("Source: Reuters", exact=False).first.is_visible()
    slide.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / "timeline-briefing.png"
    page.screenshot(path=str(path))  # the viewport, 1920x1080
    assert Image.open(path).size == (1920, 1080)
    assert distinct_greys(path) > 50, "the screenshot is (nearly) blank"
    slide.screenshot(path=str(SCREENSHOTS / "timeline-briefing-chart.png"))
    assert outside == []


def test_the_slides_camera_button_downloads_it_at_1920_by_1080(app_url, page):
    page, _ = page
    open_timeline(page, app_url, "?briefing=true")
    slide = page.locator(".js-plotly-plot").first
    slide.hover()
    with page.expect_download(timeout=60_000) as download:
        slide.locator(".modebar-btn").first.click()  # the slide's only button: the camera
    image = Image.open(download.value.path())
    assert image.size == (1920, 1080)
    assert distinct_greys(download.value.path()) > 50
