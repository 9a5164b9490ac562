"""The Overview as a person sees it in Chromium, with no request leaving this machine."""

from __future__ import annotations

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import countries_box, full_screenshot, rerun, wait_for_app

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


def test_a_bookmark_to_the_first_versions_overview_address_opens_the_overview_with_its_filters(app_url, page):
    """The first version served the Overview at /overview (its file's name): such links open the Overview, with
    their filters, where Streamlit would show "Page not found" over the app's first page."""
    page, outside = page
    page.goto(f"{app_url}/overview?country=Iraq")
    wait_for_app(page)
    expect(page.get_by_role("tab", name="Tension index")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_text("Page not found")).to_have_count(0)
    navigation = page.locator('[data-testid="stSidebarNav"]')
    expect(navigation.locator('a[aria-current="page"]')).to_contain_text("Overview")
    expect(countries_box(page)).to_contain_text("Iraq")
    expect(page.get_by_text("countries: Iraq", exact=False).first).to_be_visible()
    full_screenshot(page, "overview-from-a-bookmark-of-the-first-version")
    with rerun(page):
        navigation.get_by_text("Map", exact=True).click()
    expect(page).to_have_url(re.compile(r"/map\?country=Iraq$"))
    assert outside == []


def test_each_overview_tab_draws_its_part_and_a_link_reopens_it(app_url, page):
    page, outside = page
    page.goto(f"{app_url}/?country=Iraq")
    wait_for_app(page)
    main = page.locator('[data-testid="stMain"]')
    with rerun(page):
        page.get_by_role("tab", name="Trends and drivers").click()
    expect(page).to_have_url(re.compile(r"overview_tab=Trends\+and\+drivers"))
    assert "country=Iraq" in page.url, "the tab dropped the link's filters"
    expect(main.get_by_text("Biggest movers")).to_be_visible()
    main.locator('[data-testid="stDataFrame"]').first.wait_for()
    full_screenshot(page, "overview-trends-and-drivers")
    with rerun(page):
        page.get_by_role("tab", name="Activity").click()
    expect(main.get_by_role("heading", name="Events per month")).to_be_visible()
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length == 2")
    full_screenshot(page, "overview-activity")
    link = page.url
    assert "overview_tab=Activity" in link

    page.goto(link)  # the link, opened again: the same tab, with its filters
    wait_for_app(page)
    expect(page.get_by_role("tab", name="Activity")).to_have_attribute("aria-selected", "true")
    expect(main.get_by_role("heading", name="Events per month")).to_be_visible()
    expect(countries_box(page)).to_contain_text("Iraq")
    with rerun(page):
        page.get_by_role("tab", name="Latest events").click()
    main.locator('[data-testid="stDataFrame"]').first.wait_for()
    full_screenshot(page, "overview-latest-events")
    assert outside == []


# Whether a table (Streamlit's data grid) shows all its columns and rows: its scroller needs no scrolling.
WHOLE_TABLE = """table => {
  const scroller = table.querySelector('.dvn-scroller');
  return scroller.scrollWidth <= scroller.clientWidth + 1 && scroller.scrollHeight <= scroller.clientHeight + 1;
}"""


def test_the_trends_table_shows_every_column_and_row_at_1600_px(app_url, page):
    page, outside = page
    page.goto(f"{app_url}/?overview_tab=Trends+and+drivers")
    wait_for_app(page)
    trends = page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').first
    trends.wait_for()
    assert page.viewport_size["width"] == 1600
    assert trends.evaluate(WHOLE_TABLE), "the trends table scrolls: a column or a row is cut off"
    assert outside == []
