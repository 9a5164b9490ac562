"""Text from the data stays text on every page, in Chromium: no script from it runs, no markup (bold, italics,
colour, link, image, maths or emoji) is rendered from it, CSV downloads neutralise spreadsheet formulas, and
no request leaves this machine.

The app is served once, on data with a payload in every free-text field (tests/e2e/payloads.py): curated
actors, places and events carry scripts, formulas and markup, and an imported ACLED file carries markup in its
country, actors, places, notes, sources and tags. Every page script in `pages/` is opened as a shared link
would open it, naming the imported dataset, a country from the imported file (so the caption under every
page's title holds one) and the marked-up actor's profile; each of its tabs is opened in turn (only the open
tab runs) and its charts are hovered, so their hover cards (which carry the data) are drawn. A curator then
pastes an article, and uploads a file whose name, and whose ZIP member's name, carry markup. Tables are drawn on
a canvas, and their own CSV download (which would hand spreadsheets formula cells raw) is switched off.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote_plus, urlencode, urlparse

import pytest
from PIL import Image
from playwright.sync_api import Browser, expect

from tensions.analysis.filters import FilterState
from tensions.curation.access import PASSWORD_ENV
from tensions.data.literal import WORD_JOINER
from tests.conftest import APP_ROOT
from tests.e2e.conftest import full_screenshot, open_front_page, rerun, served, wait_for_app
from tests.e2e.payloads import (
    ACTOR,
    COUNTRY,
    FORMULA,
    IMG,
    MARKERS,
    OUTSIDE,
    PAYLOAD,
    SCRIPT,
    SHORT,
    acled_with_payloads,
    payload_data,
)

pytestmark = pytest.mark.e2e

PASSWORD = "inert text test passphrase"
# Every page script: Streamlit serves each at /<name>, except the default page, served at the app's root.
PAGES = sorted(path.stem for path in (APP_ROOT / "pages").glob("*.py"))
# As a shared link would: the imported datasets, a country from the imported file, the marked-up actor.
SHARED_FILTERS = FilterState(countries=(COUNTRY, "Iraq"), datasets=("curated", "acled"))
SHARED_QUERY = urlencode(SHARED_FILTERS.to_query_params() | {"profile": [ACTOR]}, doseq=True)

STYLED_BY_PAYLOAD = """(markers) => {
    const found = [];
    for (const el of document.querySelectorAll('body *')) {
        const own = (el.textContent || '').trim();
        const alt = (el.getAttribute('alt') || '').trim();
        for (const marker of markers) {
            if (own === marker || alt === marker) found.push(`${el.tagName.toLowerCase()}: ${marker}`);
        }
    }
    for (const el of document.querySelectorAll('.katex, img[src*="198.51.100.7"], a[href*="198.51.100.7"]')) {
        found.push(`${el.tagName.toLowerCase()}.${el.className}: ${el.outerHTML.slice(0, 80)}`);
    }
    if (document.body.textContent.includes('\\u{1F604}')) found.push('emoji for :smile:');
    return found;
}"""


class PayloadApp(NamedTuple):
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
def payload_app(browser: Browser, tmp_path_factory) -> Iterator[PayloadApp]:
    """The app on the payload data, served once for this module's tests, its front page opened once."""
    folder = payload_data(tmp_path_factory.mktemp("inert") / "data")
    with served(folder, env={PASSWORD_ENV: PASSWORD}) as url:
        yield PayloadApp(url, links_by_page(open_front_page(browser, url)))


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


def shown_text(browser_page) -> str:
    return browser_page.evaluate("() => document.body.textContent").replace(WORD_JOINER, "")


def assert_inert(browser_page, where: str) -> None:
    assert browser_page.evaluate(STYLED_BY_PAYLOAD, list(MARKERS)) == [], f"markup from the data rendered on {where}"


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


def each_tab(browser_page) -> Iterator[str]:
    """Open the page's tabs one by one, the open one first, each after its run; yield each tab's label (a page
    without tabs yields "" once). Only the open tab runs, so each must be opened to be seen."""
    tabs = browser_page.locator('[data-testid="stMain"] [role="tab"]')
    labels = tabs.all_inner_texts()
    if not labels:
        yield ""
        return
    first = [tabs.nth(index).get_attribute("aria-selected") for index in range(len(labels))].index("true")
    yield labels[first]
    for index, label in enumerate(labels):
        if index != first:
            with rerun(browser_page):
                tabs.nth(index).click()
            yield label


@pytest.mark.parametrize("name", PAGES)
def test_text_from_the_data_renders_as_text_and_runs_nothing_on_every_page(payload_app, watched, name):
    browser_page, outside, dialogs = watched
    browser_page.goto(f"{payload_app.links[name]}?{SHARED_QUERY}")
    rendered(browser_page)
    text, downloads = "", []
    for tab in each_tab(browser_page):
        where = f"the {name} page" + (f", tab {tab!r}" if tab else "")
        hover_every_chart(browser_page)
        path = full_screenshot(browser_page, "-".join(["inert", name, *tab.lower().split()]))
        assert pwned(browser_page) is None, f"a payload ran on {where}"
        assert len(Image.open(path).convert("L").getcolors(256)) > 20, f"{where} rendered blank"
        assert_inert(browser_page, where)
        assert f"country={COUNTRY}" in unquote_plus(browser_page.url), f"{where} dropped the link's filters"
        text += shown_text(browser_page)
        downloads += downloads_on(browser_page)
        assert pwned(browser_page) is None, f"a payload ran on {where} after its downloads"
    assert COUNTRY in text, f"the filter's country is not shown as text on the {name} page"
    if name == "actors":
        assert ACTOR in text and PAYLOAD in text  # the profile's name, aliases and description, as written
    assert dialogs == []
    assert outside == []
    for payload in downloads:
        assert FORMULA not in cells(payload) and "@SUM(1+1)" not in cells(payload)


def test_the_curate_page_shows_the_data_and_a_pasted_article_as_text(payload_app, watched):
    browser_page, outside, dialogs = watched
    browser_page.goto(payload_app.url)  # as a person would: the app first, then its Curate page
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
    full_screenshot(browser_page, "inert-curate-edit")
    [payload] = downloads_on(browser_page)
    downloaded = cells(payload)
    assert f"'{FORMULA}" in downloaded and "'@SUM(1+1)" in downloaded
    assert f"{IMG} {SCRIPT} struck a base." in downloaded  # text stays text: nothing escaped or lost

    browser_page.get_by_role("tab", name="From an article").click()
    browser_page.get_by_role("spinbutton", name="year, Published").click()
    browser_page.keyboard.type("20250103")  # year, month and day segments, each advancing to the next
    browser_page.keyboard.press("Tab")
    browser_page.get_by_label("Article text").fill(f"US forces struck Baghdad on Wednesday. {IMG} {SCRIPT} {PAYLOAD}")
    with rerun(browser_page):
        browser_page.get_by_label("Publisher", exact=True).click()  # leave the text area so its value is sent
    with rerun(browser_page):
        browser_page.get_by_role("button", name="Find places, actors and dates").click()
    expect(browser_page.locator("mark").first).to_be_visible()
    full_screenshot(browser_page, "inert-curate-article")
    assert IMG in browser_page.locator("body").inner_text()  # shown, as text
    assert browser_page.locator("mark", has_text="Baghdad").count() >= 1
    assert_inert(browser_page, "the Curate page")
    assert pwned(browser_page) is None
    assert dialogs == []
    assert outside == []


def import_upload(browser_page, name: str, data: bytes, mime: str) -> None:
    """Upload `data` as `name` and press Import once the page has rerun with it: the button is disabled while
    the uploader is empty, so it turns enabled only when the server has the new file."""
    button = browser_page.get_by_role("button", name="Import", exact=True)
    expect(button).to_be_disabled(timeout=60_000)
    uploader = browser_page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    uploader.set_input_files(files=[{"name": name, "mimeType": mime, "buffer": data}])
    expect(button).to_be_enabled(timeout=60_000)
    button.click()


def test_upload_and_zip_member_names_render_as_text_and_tables_offer_no_raw_csv(payload_app, page):
    browser_page, outside = page
    browser_page.goto(payload_app.url)
    nav = browser_page.locator('[data-testid="stSidebarNav"] a')
    nav.filter(has_text="Curate").click()
    rendered(browser_page)
    browser_page.get_by_label("Your name (written in the audit log)").fill(SHORT)
    browser_page.get_by_label("Curator password").fill(PASSWORD)
    browser_page.get_by_role("button", name="Sign in").click()
    browser_page.get_by_role("tab", name="Edit events").wait_for(timeout=60_000)
    nav.filter(has_text="Data").click()
    rendered(browser_page)

    member = f"![PAYM]({OUTSIDE}/n.png) [PAYL]({OUTSIDE}/l) <b>PAYH</b>.csv"
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as writer:
        writer.writestr(member, acled_with_payloads())
    upload_name = "**PAYB** _PAYI_ :red[PAYR] <b>PAYH</b>.zip"
    import_upload(browser_page, upload_name, archive.getvalue(), "application/zip")
    browser_page.locator('[data-testid="stAlertContentSuccess"]').wait_for(timeout=60_000)
    wait_for_app(browser_page)
    full_screenshot(browser_page, "inert-data-upload")
    assert_inert(browser_page, "the Data page after an upload")
    text = shown_text(browser_page)
    assert f"Imported {upload_name} as ACLED" in text
    assert f"unpacked {member} from the ZIP archive" in text

    refused = "**PAYB** [PAYL](mailto:x) <b>PAYH</b>.csv"
    browser_page.get_by_role("button", name=f"Remove {upload_name}").click()
    import_upload(browser_page, refused, b"name,value\nx,1\n", "text/csv")
    browser_page.locator('[data-testid="stAlertContentError"]').wait_for(timeout=60_000)
    wait_for_app(browser_page)
    assert_inert(browser_page, "the Data page after a refused upload")
    assert f"{refused} could not be imported" in shown_text(browser_page)

    table = browser_page.locator('[data-testid="stDataFrame"]').first
    table.hover()
    toolbar = browser_page.locator('[data-testid="stElementToolbar"]').first
    toolbar.wait_for(timeout=10_000)
    assert toolbar.locator("button").count() >= 1  # the toolbar is there (search, full screen)…
    assert browser_page.get_by_role("button", name="Download as CSV").count() == 0  # …without its raw CSV
    assert outside == []
