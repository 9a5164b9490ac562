"""The Map page as a person sees it in Chromium: borders and markers drawn offline, clicks, shareable links."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tensions.figures import theme
from tensions.figures.map.labels import LABELS_WITHOUT_FADE_CLASS
from tests.conftest import FIXTURE_DATA
from tests.e2e.conftest import countries_box, full_screenshot, guarded_page, rerun, served, wait_for_app

pytestmark = pytest.mark.e2e

# The app's navigation shows its pages by title; Streamlit's old `pages/` navigation by file name.
APP_PAGE_TITLES = ("Overview", "Map", "Timeline", "Actors", "Curate", "Data")

# The MapLibre map behind the first Plotly chart, once it has drawn its style and layers.
MAP_READY = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  const map = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot
    && gd._fullLayout.map._subplot.map;
  return Boolean(map && map.loaded() && map.isStyleLoaded());
}"""

# An event marker with no other marker within 16 px, as [x, y, event_id] in page pixels.
LONE_EVENT = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  const map = gd._fullLayout.map._subplot.map;
  const box = map.getCanvas().getBoundingClientRect();
  const all = [], events = [];
  for (const trace of gd._fullData) {
    (trace.lat || []).forEach((lat, i) => {
      const p = map.project([trace.lon[i], lat]);
      const point = [box.left + p.x, box.top + p.y];
      all.push(point);
      const data = trace.customdata && trace.customdata[i];
      if (data && data[0] === 'event' && p.x > 40 && p.y > 40 && p.x < box.width - 40 && p.y < box.height - 80) {
        events.push([point[0], point[1], data[1]]);
      }
    });
  }
  const lone = events.filter(([x, y]) => all.filter(([a, b]) => Math.hypot(a - x, b - y) < 16).length === 1);
  return lone[0] || null;
}"""


# MapLibre's label fade of every map in the page, in ms.
FADE_DURATIONS = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(gd =>
  ((gd._fullLayout._subplots || {}).map || []).map(id => gd._fullLayout[id]._subplot.map._fadeDuration))"""


def open_map(page: Page, app_url: str) -> None:
    """Open the map and wait for the script run to finish and the map to draw."""
    page.goto(f"{app_url}/map")
    wait_for_app(page)
    assert page.evaluate(MAP_READY)


def plot_area(page: Page, screenshot: Path) -> np.ndarray:
    """The map's pixels, cut from a screenshot taken at the current viewport."""
    box = page.locator(".js-plotly-plot").first.bounding_box()
    image = Image.open(screenshot).convert("RGB")
    crop = image.crop((int(box["x"]), int(box["y"]), int(box["x"] + box["width"]), int(box["y"] + box["height"])))
    return np.asarray(crop, dtype=int)


def pixels_near(pixels: np.ndarray, hex_colour: str, tolerance: int) -> int:
    target = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(pixels - target).max(axis=2) <= tolerance).sum())


@pytest.fixture
def second_page(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A fresh browser context (no cookies, no session), guarded like the `page` fixture."""
    with guarded_page(browser) as guarded:
        yield guarded


def test_the_map_draws_borders_and_markers_with_nothing_fetched_from_outside(app_url, page):
    page, outside = page
    open_map(page, app_url)
    assert page.get_by_role("heading", name="Map").is_visible()
    screenshot = full_screenshot(page, "map")
    pixels = plot_area(page, screenshot)
    area = pixels.shape[0] * pixels.shape[1]
    assert pixels_near(pixels, theme.LAND_COLOUR, 3) > area * 0.2, "no land drawn"
    assert pixels_near(pixels, theme.SEA_COLOUR, 3) > area * 0.05, "no sea drawn"
    assert pixels_near(pixels, theme.BORDER_COLOUR, 20) > 500, "no borders or coastlines drawn"
    assert pixels_near(pixels, theme.EVENT_TYPE_COLOURS["Explosions/Remote violence"], 20) > 200, "no markers drawn"
    assert page.get_by_text("Borders and coastlines: Natural Earth", exact=False).is_visible()
    for mode in ("Density", "Provinces"):  # every mode draws with nothing fetched from outside either
        with rerun(page):
            page.get_by_role("radio", name=mode).click()
        full_screenshot(page, f"map-{mode.lower()}")
    assert outside == []


def test_place_names_are_drawn_at_once_in_every_mode_by_a_script_that_takes_no_space(app_url, page):
    page, _ = page
    open_map(page, app_url)
    assert page.evaluate(FADE_DURATIONS) == [0]
    for mode in ("Density", "Provinces", "Events"):  # each mode's figure mounts a new map
        with rerun(page):
            page.get_by_role("radio", name=mode).click()
        assert page.evaluate(FADE_DURATIONS) == [0], mode
    script = page.locator('[data-testid="stElementContainer"]').filter(
        has=page.locator(f"script.{LABELS_WITHOUT_FADE_CLASS}")
    )
    expect(script).to_have_count(1)
    expect(script).to_be_hidden()


def test_without_the_script_the_map_would_fade_its_names(app_url, second_page):
    """The field the script sets is MapLibre's own: with the script kept from running it holds MapLibre's 300 ms."""
    page, _ = second_page
    page.add_init_script("window.tensionsLabelsWithoutFade = true")  # as if the script had run already
    open_map(page, app_url)
    assert page.evaluate(FADE_DURATIONS) == [300]


def test_clicking_an_event_opens_its_record_and_puts_it_in_the_url(app_url, page):
    page, outside = page
    open_map(page, app_url)
    x, y, event_id = page.evaluate(LONE_EVENT)
    page.mouse.move(x, y)
    page.wait_for_selector(".hoverlayer .hovertext")
    with rerun(page):
        page.mouse.click(x, y)
    page.get_by_role("heading", name="Selected event").wait_for()
    assert parse_qs(urlparse(page.url).query)["event"] == [event_id]
    assert page.get_by_text(f"id {event_id}").is_visible()
    assert page.get_by_text("at this place", exact=False).first.is_visible()
    full_screenshot(page, "map-selected-event")
    assert outside == []


def test_the_map_downloads_as_a_png_drawn_on_the_server_and_the_events_as_csv(app_url, page, tmp_path):
    page, outside = page
    open_map(page, app_url)
    with page.expect_download(timeout=120_000) as download:  # drawn by kaleido on the server
        page.get_by_role("button", name="Map as PNG").click()
    png = tmp_path / "map.png"
    download.value.save_as(png)
    image = Image.open(png)
    assert image.size == (1600, 1000)
    pixels = np.asarray(image.convert("RGB"), dtype=int)
    assert pixels_near(pixels, theme.LAND_COLOUR, 3) > pixels.shape[0] * pixels.shape[1] * 0.2
    assert pixels_near(pixels, theme.BORDER_COLOUR, 20) > 500
    with page.expect_download() as download:
        page.get_by_role("button", name="Events as CSV").click()
    csv = tmp_path / "events.csv"
    download.value.save_as(csv)
    assert csv.read_text(encoding="utf-8-sig").startswith("event_id,event_date,")
    assert outside == []


def test_a_copied_link_opens_the_same_view_in_a_fresh_browser(app_url, page, second_page):
    page, outside = page
    open_map(page, app_url)
    with rerun(page):
        page.get_by_role("radio", name="Provinces").click()
    page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first.click()
    with rerun(page):
        page.get_by_role("option", name="Iraq", exact=True).click()
    page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.click()
    with rerun(page):
        page.get_by_role("option", name="Iraq", exact=True).click()
        page.keyboard.press("Escape")
    link = page.url
    query = parse_qs(urlparse(link).query)
    assert query["map_mode"] == ["Provinces"] and query["map_region"] == ["Iraq"] and query["country"] == ["Iraq"]
    # Markers per trace (the place names have no hover card).
    counts = "() => [...document.querySelector('.js-plotly-plot').data].flatMap(t => t.hovertext ? [t.hovertext.length] : [])"
    shown = page.evaluate(counts)

    fresh, fresh_outside = second_page
    fresh.goto(link)
    wait_for_app(fresh)
    assert fresh.get_by_role("radio", name="Provinces").get_attribute("aria-checked") == "true"
    assert 'value="Iraq"' in fresh.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').first.inner_html()
    assert "Iraq" in fresh.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.inner_text()
    centre = "() => document.querySelector('.js-plotly-plot').layout.map.center"
    assert fresh.evaluate(centre) == page.evaluate(centre)
    assert fresh.evaluate(counts) == shown
    full_screenshot(fresh, "map-from-copied-link")
    assert outside == [] and fresh_outside == []


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def test_the_filters_follow_the_analyst_from_page_to_page_and_a_shared_link_wins(app_url, page):
    """Each page draws its own sidebar and a click in the navigation clears the URL: the session carries the
    filters, and the page it opens puts them back into the URL, so the address can still be shared."""
    page, outside = page
    open_map(page, app_url)
    navigation = page.locator('[data-testid="stSidebarNav"]')
    with rerun(page):
        page.get_by_role("radio", name="Provinces").click()
    countries_box(page).click()
    with rerun(page):
        page.get_by_role("option", name="Iraq", exact=True).click()
        page.keyboard.press("Escape")

    with rerun(page):
        navigation.get_by_text("Timeline", exact=True).click()
    expect(page).to_have_url(re.compile(r"/timeline\?(.+&)?country=Iraq(&|$)"))
    expect(countries_box(page)).to_contain_text("Iraq")
    expect(page.get_by_text("countries: Iraq", exact=False).first).to_be_visible()  # the events are filtered
    assert query(page) == {"country": ["Iraq"]}  # the Map's own settings stay on the Map
    full_screenshot(page, "timeline-with-the-maps-filter")

    with rerun(page):  # cleared on the Timeline, the filter stays cleared on the Map, where it was chosen
        countries_box(page).get_by_role("button", name="Clear all").click()
    with rerun(page):
        navigation.get_by_text("Map", exact=True).click()
    expect(page).to_have_url(re.compile(r"/map\?map_mode=Provinces$"))
    expect(page.get_by_role("heading", name="Map")).to_be_visible()
    assert "Iraq" not in countries_box(page).inner_text()
    assert page.get_by_text("countries:", exact=False).count() == 0

    page.goto(f"{app_url}/timeline?country=Jordan")  # a link shared with the analyst: its filter wins
    wait_for_app(page)
    expect(countries_box(page)).to_contain_text("Jordan")
    assert "Iraq" not in countries_box(page).inner_text()
    with rerun(page):
        navigation.get_by_text("Overview", exact=True).click()
    expect(page).to_have_url(re.compile(r"/\?country=Jordan$"))
    expect(countries_box(page)).to_contain_text("Jordan")
    expect(page.get_by_text("countries: Jordan", exact=False).first).to_be_visible()
    full_screenshot(page, "overview-with-a-shared-links-filter")
    assert outside == []


def test_a_direct_link_on_a_freshly_started_server_opens_the_apps_navigation(second_page):
    """A shared link is often the first visit a server gets. Streamlit then runs the linked page the old
    `pages/` way, alone, without app.py (its wide layout and navigation): the page reruns itself through app.py,
    keeping the link's query string."""
    fresh, fresh_outside = second_page
    with served(FIXTURE_DATA) as url:  # no session has visited this server; the small fixture data is enough
        fresh.goto(f"{url}/map?country=Iraq&map_mode=Provinces")
        wait_for_app(fresh)
        navigation = fresh.locator('[data-testid="stSidebarNav"]')
        for title in APP_PAGE_TITLES:
            assert navigation.get_by_text(title, exact=True).is_visible()
        assert navigation.get_by_text("app", exact=True).count() == 0  # the old navigation lists bare file names
        assert fresh.get_by_role("heading", name="Map").is_visible()
        assert fresh.locator('[data-testid="stAppViewContainer"]').get_attribute("data-layout") == "wide"
        assert fresh.locator('[data-testid="stMainBlockContainer"]').bounding_box()["width"] > 1000  # centred: 736
        sidebar = fresh.locator('[data-testid="stSidebar"]')
        assert "Iraq" in sidebar.locator('[data-testid="stMultiSelect"]').filter(has_text="Countries").inner_text()
        assert fresh.get_by_text("countries: Iraq", exact=False).first.is_visible()  # the events are filtered
        assert fresh.get_by_role("radio", name="Provinces").get_attribute("aria-checked") == "true"
        full_screenshot(fresh, "map-from-a-link-on-a-fresh-server")
        with rerun(fresh):  # moving on is the app's own navigation, as from any other visit
            navigation.get_by_text("Timeline", exact=True).click()
        expect(fresh).to_have_url(re.compile(r"/timeline\?country=Iraq$"))  # the link's filter, not its map mode
        assert fresh.get_by_role("heading", name="Timeline").is_visible()
        expect(countries_box(fresh)).to_contain_text("Iraq")
        assert navigation.get_by_text("Overview", exact=True).is_visible()
        assert fresh.locator('[data-testid="stAppViewContainer"]').get_attribute("data-layout") == "wide"
    assert fresh_outside == []
