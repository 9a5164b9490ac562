"""The Actors page as a person sees it in Chromium, from a shared link, with no request leaving this machine."""

from __future__ import annotations

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import full_screenshot, wait_for_app

pytestmark = pytest.mark.e2e


def test_a_shared_link_opens_an_actors_profile_with_tree_map_and_matrix_offline(app_url, page):
    page, outside = page
    # A link on a server no session has visited yet is test_map.py's; this one comes after `app_url`'s visit.
    page.goto(f"{app_url}/actors?profile=Hezbollah")
    wait_for_app(page)
    page.get_by_text("Who acts on whom").wait_for()
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text().split()
    assert "Actors" in nav and "Overview" in nav, "the app's own navigation, not Streamlit's pages/ listing"
    # The profile named in the link, not the default (the busiest actor).
    page.locator('[data-testid="stMarkdown"]', has_text="Hezbollah · armed group").wait_for()
    expect(page.locator('[data-testid="stMain"]')).to_contain_text("Affiliation: Axis of Resistance › Hezbollah")
    slices = page.locator(".js-plotly-plot .treemaplayer path.surface")
    slices.first.wait_for()
    assert slices.count() > 20, "the affiliation tree has a box per actor with events"
    page.locator(".js-plotly-plot .heatmaplayer image, .js-plotly-plot .hm image").first.wait_for()
    # Tree, activity, map, counterparts, the actor's index, who acts on whom.
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 6")
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    path = full_screenshot(page, "actors")
    assert outside == []
    image = Image.open(path).convert("L")
    assert len(set(image.get_flattened_data())) > 50, "the screenshot is (nearly) blank"
