"""The Actors page as a person sees it in Chromium, from a shared link, with no request leaving this machine."""

from __future__ import annotations

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import full_screenshot, rerun, wait_for_app

pytestmark = pytest.mark.e2e


def test_a_shared_link_opens_an_actors_profile_and_each_tab_its_part_offline(app_url, page):
    page, outside = page
    # A link on a server no session has visited yet is test_map.py's; this one comes after `app_url`'s visit.
    page.goto(f"{app_url}/actors?profile=Hezbollah")
    wait_for_app(page)
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text().split()
    assert "Actors" in nav and "Overview" in nav, "the app's own navigation, not Streamlit's pages/ listing"
    # A link naming an actor opens its profile: the actor named, not the default (the busiest actor).
    expect(page.get_by_role("tab", name="Profile")).to_have_attribute("aria-selected", "true")
    page.locator('[data-testid="stMarkdown"]', has_text="Hezbollah · armed group").wait_for()
    expect(page.locator('[data-testid="stMain"]')).to_contain_text("Affiliation: Axis of Resistance › Hezbollah")
    # Activity, map, counterparts, the actor's index, and its latest events.
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length == 4")
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    path = full_screenshot(page, "actors")
    image = Image.open(path).convert("L")
    assert len(set(image.get_flattened_data())) > 50, "the screenshot is (nearly) blank"

    with rerun(page):
        page.get_by_role("tab", name="Who acts on whom").click()
    expect(page).to_have_url(re.compile(r"actors_tab=Who\+acts\+on\+whom"))
    page.locator(".js-plotly-plot .heatmaplayer image, .js-plotly-plot .hm image").first.wait_for()
    full_screenshot(page, "actors-who-acts-on-whom")

    with rerun(page):
        page.get_by_role("tab", name="Who belongs to whom").click()
    slices = page.locator(".js-plotly-plot .treemaplayer path.surface")
    slices.first.wait_for()
    assert slices.count() > 20, "the affiliation tree has a box per actor with events"
    full_screenshot(page, "actors-who-belongs-to-whom")

    with rerun(page):
        page.get_by_role("tab", name="Profile").click()
    # The actor chosen is kept while another tab is open, and is in the link again.
    page.locator('[data-testid="stMarkdown"]', has_text="Hezbollah · armed group").wait_for()
    expect(page).to_have_url(re.compile(r"profile=Hezbollah"))
    assert outside == []
