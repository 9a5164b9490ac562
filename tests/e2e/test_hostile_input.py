"""Hostile text in the data (event notes, actor and place names) renders as text on every page, in Chromium.

The app is served from a copy of the fixture data with markup in every text field a page shows. One test per
page script in `pages/` opens the page, hovers over its charts, and asserts that no payload ran
(`window.__pwned` stays undefined, no dialog opens) and no request left this machine. CSV downloads
must neutralise spreadsheet formulas.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlparse

import pandas as pd
import pytest
from PIL import Image
from playwright.sync_api import Browser, expect

from tensions.curation.access import PASSWORD_ENV
from tensions.data.validate import validate_folder
from tests.conftest import APP_ROOT, FIXTURE_DATA
from tests.e2e.conftest import full_screenshot, open_front_page, rerun, served, wait_for_app

pytestmark = pytest.mark.e2e

IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "<script>window.__pwned=1</script>"
LABEL = "<img src=x onerror=alert(1)>"  # a key event's label: at most 32 characters
FORMULA = '=HYPERLINK("http://example.invalid","open me")'
PASSWORD = "hostile input test passphrase"
# Every page script: Streamlit serves each at /<name>, except the default page, served at the app's root.
PAGES = sorted(path.stem for path in (APP_ROOT / "pages").glob("*.py"))


def append_row(path: Path, row: dict[str, str]) -> None:
    table = pd.read_csv(path, dtype="string", keep_default_na=False)
    table = pd.concat([table, pd.DataFrame([row], dtype="string")], ignore_index=True).fillna("")
    table.to_csv(path, index=False, lineterminator="\n")


def hostile_data(folder: Path) -> Path:
    """The fixture tables plus an actor, a place and events whose every text field carries a payload."""
    shutil.copytree(FIXTURE_DATA, folder)
    append_row(
        folder / "actors.csv",
        {"actor": IMG, "aliases": SCRIPT, "kind": "armed group", "country": "Iraq", "description": f"Test {SCRIPT}"},
    )
    append_row(
        folder / "places.csv",
        {
            "place": SCRIPT,
            "aliases": IMG,
            "latitude": "33.3",
            "longitude": "44.4",
            "geo_precision": "1",
            "admin1": IMG,
            "country": "Iraq",
            "geocoder": "manual",
            "geocoded_at": "2025-01-01",
        },
    )
    hostile_event = {
        "event_id": "IRQ-20250101-1",
        "event_date": "2025-01-01",
        "time_precision": "day",
        "country": "Iraq",
        "admin1": IMG,
        "location": SCRIPT,
        "latitude": "33.3",
        "longitude": "44.4",
        "geo_precision": "1",
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Air/drone strike",
        "actor1": IMG,
        "actor2": "US forces",
        "fatalities": "2",
        "attribution": f"claimed by {IMG}",
        "notes": f"{IMG} {SCRIPT} struck a base.",
        "source": IMG,
        "source_title": SCRIPT,
        "source_date": "2025-01-02",
        "confidence": "low",
        "tags": f"key;{SCRIPT}",
        "label": LABEL,
    }
    append_row(folder / "events.csv", hostile_event)
    append_row(
        folder / "events.csv",
        hostile_event
        | {
            "event_id": "IRQ-20250102-1",
            "event_date": "2025-01-02",
            "actor1": "Kataib Hezbollah",
            "notes": FORMULA,
            "source": "@SUM(1+1)",
            "tags": "",
            "label": "",
        },
    )
    assert validate_folder(folder) == []
    return folder


class HostileApp(NamedTuple):
    url: str
    links: dict[str, str]  # each page script's link in the app's navigation


def links_by_page(links: list[str]) -> dict[str, str]:
    """Each page script's link: /<name>, or the app's root for the default page, which has no path of its own."""
    by_path = {urlparse(link).path.strip("/"): link for link in links}
    unnamed = [name for name in PAGES if name not in by_path]
    assert "" in by_path and len(unnamed) == 1 and len(by_path) == len(PAGES), f"{links} for the pages {PAGES}"
    [default] = unnamed
    return {name: by_path[name] for name in PAGES if name in by_path} | {default: by_path[""]}


@pytest.fixture(scope="module")
def hostile_app(browser: Browser, tmp_path_factory) -> Iterator[HostileApp]:
    """The app on the hostile data, served once for this module's tests, its front page opened once."""
    folder = hostile_data(tmp_path_factory.mktemp("hostile") / "data")
    with served(folder, env={PASSWORD_ENV: PASSWORD}) as url:
        yield HostileApp(url, links_by_page(open_front_page(browser, url)))


@pytest.fixture
def watched(page) -> Iterator[tuple]:
    """The page, the outside requests it tried, and every dialog (alert, confirm) it opened."""
    browser_page, outside = page
    dialogs: list[str] = []

    def dismiss(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    browser_page.on("dialog", dismiss)
    yield browser_page, outside, dialogs


def rendered(browser_page) -> None:
    """Wait until the page's script has finished running and its charts have settled, and its title is shown."""
    wait_for_app(browser_page)
    expect(browser_page.locator('[data-testid="stMain"] h1').first).to_be_visible()


def pwned(browser_page) -> object:
    return browser_page.evaluate("() => window.__pwned")


def hover_every_chart(browser_page) -> int:
    """Sweep the mouse over every Plotly chart so hover cards (which carry the data) are drawn, then move it
    off the charts, so a screenshot shows no leftover hover card or chart toolbar."""
    charts = browser_page.locator(".js-plotly-plot")
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        if not box:
            continue
        for row in range(1, 6):
            for column in range(1, 11):
                browser_page.mouse.move(box["x"] + box["width"] * column / 11, box["y"] + box["height"] * row / 6)
    browser_page.mouse.move(0, 0)
    return charts.count()


def downloads_on(browser_page) -> list[bytes]:
    """The bytes of every CSV the page's visible download buttons offer (images and slides are skipped)."""
    payloads = []
    buttons = browser_page.locator('[data-testid="stDownloadButton"] button:visible')
    for index in range(buttons.count()):
        with browser_page.expect_download() as download:
            buttons.nth(index).click()
        if download.value.suggested_filename.endswith(".csv"):
            payloads.append(Path(download.value.path()).read_bytes())
    return payloads


def cells(payload: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(payload.decode("utf-8-sig"))) for cell in row]


@pytest.mark.parametrize("name", PAGES)
def test_markup_in_the_data_runs_on_no_page(hostile_app, watched, name):
    browser_page, outside, dialogs = watched
    browser_page.goto(hostile_app.links[name])
    rendered(browser_page)
    hover_every_chart(browser_page)
    path = full_screenshot(browser_page, f"hostile-{name}")
    assert pwned(browser_page) is None, f"a payload ran on the {name} page"
    assert len(Image.open(path).convert("L").getcolors(256)) > 20, f"the {name} page rendered blank"
    downloads = downloads_on(browser_page)
    assert pwned(browser_page) is None, f"a payload ran on the {name} page after its downloads"
    assert dialogs == []
    assert outside == []
    for payload in downloads:
        assert FORMULA not in cells(payload) and "@SUM(1+1)" not in cells(payload)


def test_the_curate_page_shows_hostile_data_and_articles_as_text(hostile_app, watched):
    browser_page, outside, dialogs = watched
    browser_page.goto(hostile_app.url)  # as a person would: the app first, then its Curate page
    wait_for_app(browser_page)
    with rerun(browser_page):
        browser_page.locator('[data-testid="stSidebarNav"] a', has_text="Curate").click()
    browser_page.get_by_label("Your name (written in the audit log)").fill(IMG)
    browser_page.get_by_label("Curator password").fill(PASSWORD)
    with rerun(browser_page):
        browser_page.get_by_role("button", name="Sign in").click()
    edit_tab = browser_page.get_by_role("tab", name="Edit events")
    expect(edit_tab).to_be_visible()
    expect(browser_page.locator('[data-testid="stSidebar"]')).to_contain_text(IMG)  # the name, shown as text

    edit_tab.click()  # tabs switch in the browser, with no script run
    expect(browser_page.locator('[data-testid="stDownloadButton"] button:visible')).to_have_count(1)
    full_screenshot(browser_page, "hostile-curate-edit")
    [payload] = downloads_on(browser_page)
    downloaded = cells(payload)
    assert f"'{FORMULA}" in downloaded and "'@SUM(1+1)" in downloaded
    assert f"{IMG} {SCRIPT} struck a base." in downloaded  # text stays text: nothing escaped or lost

    browser_page.get_by_role("tab", name="From an article").click()
    browser_page.get_by_role("spinbutton", name="year, Published").click()
    browser_page.keyboard.type("20250103")  # year, month and day segments, each advancing to the next
    browser_page.keyboard.press("Tab")
    browser_page.get_by_label("Article text").fill(f"US forces struck Baghdad on Wednesday. {IMG} {SCRIPT}")
    with rerun(browser_page):
        browser_page.get_by_label("Publisher", exact=True).click()  # leave the text area so its value is sent
    with rerun(browser_page):
        browser_page.get_by_role("button", name="Find places, actors and dates").click()
    expect(browser_page.locator("mark").first).to_be_visible()
    full_screenshot(browser_page, "hostile-curate-article")
    assert IMG in browser_page.locator("body").inner_text()  # shown, as text
    assert browser_page.locator("mark", has_text="Baghdad").count() >= 1
    assert pwned(browser_page) is None
    assert dialogs == []
    assert outside == []
