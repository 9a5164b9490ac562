"""The Timeline in headless Chromium: the interactive chart, then briefing mode as a 1920x1080 slide."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import full_screenshot, rerun, screenshot_path, wait_for_app

pytestmark = pytest.mark.e2e

SLIDE_VIEWPORT = {"width": 1920, "height": 1080}


def distinct_greys(path_or_bytes) -> int:
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    return len(Image.open(source).convert("L").getcolors(maxcolors=256) or [])


def open_timeline(page, app_url: str, query: str = "") -> None:
    page.set_viewport_size(SLIDE_VIEWPORT)
    page.goto(f"{app_url}/timeline{query}")
    wait_for_app(page)
    page.locator(".js-plotly-plot .scatterlayer .point").first.wait_for()


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
    with rerun(page):
        page.get_by_text("Briefing mode", exact=True).click()
    title = page.get_by_role("textbox", name="Slide title")
    with rerun(page):
        title.fill("Iraq militias and the US: what changed")
        title.press("Enter")
    slide = page.locator(".js-plotly-plot").first
    heading = slide.get_by_text("Iraq militias and the US: what changed")
    expect(heading).to_be_visible()
    assert slide.get_by_text("Source: Reuters", exact=False).first.is_visible()
    slide.scroll_into_view_if_needed()
    path = screenshot_path("timeline-briefing")
    page.screenshot(path=str(path))  # the viewport, 1920x1080
    assert Image.open(path).size == (1920, 1080)
    assert distinct_greys(path) > 50, "the screenshot is (nearly) blank"
    slide.screenshot(path=str(screenshot_path("timeline-briefing-chart")))
    assert outside == []


def test_the_slides_camera_button_downloads_it_at_1920_wide_as_shown(app_url, page):
    page, _ = page
    open_timeline(page, app_url, "?briefing=true")
    slide = page.locator(".js-plotly-plot").first
    slide.hover()
    with page.expect_download() as download:
        slide.locator(".modebar-btn").first.click()  # the slide's only button: the camera
    image = Image.open(download.value.path())
    # 16:9, or taller when the key events' list is under the chart (the full period's is): as the page shows it.
    box = slide.bounding_box()
    assert image.size[0] == 1920 and image.size[1] >= 1080
    assert image.size[1] == pytest.approx(1920 * box["height"] / box["width"], abs=4)
    assert distinct_greys(download.value.path()) > 50
