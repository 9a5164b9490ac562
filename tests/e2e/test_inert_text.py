"""Markdown and HTML in the data render as text on every page, in Chromium: no bold, italics, colour, link,
image, maths or emoji made from them, and no request leaving this machine.

Every free-text column carries a payload: the curated actors, places and events, and an imported ACLED file
whose country, actors, places, notes, sources and tags do (so the country filter, and with it the caption
under every page's title, holds one, as a shared link could). A curator then uploads a file whose name, and
whose ZIP member's name, carry payloads. Each payload's parts are marked (PAYB for bold, PAYL for a link…):
rendered as markup, a marker would be the whole text of a <strong>, <a>, <img alt> or coloured span; shown
as text, it sits inside the literal `**PAYB**`. Tables are drawn on a canvas, and their own CSV download
(which would hand spreadsheets formula cells raw) is switched off.
"""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote_plus, urlencode, urlparse

import pytest
from playwright.sync_api import expect

from tensions.curation.access import PASSWORD_ENV
from tensions.data.guard import local_grant
from tensions.data.literal import WORD_JOINER
from tensions.data.validate import validate_folder
from tensions.ingest import imported
from tests.conftest import FIXTURE_DATA
from tests.e2e.conftest import full_screenshot, serve, wait_for_app
from tests.e2e.test_hostile_input import append_row, hover_every_chart, rendered
from tests.ingest.importers.conftest import EXTERNAL

pytestmark = pytest.mark.e2e

OUTSIDE = "http://198.51.100.7"  # TEST-NET-2: never this machine
PAYLOAD = (
    f"**PAYB** _PAYI_ :red[PAYR] [PAYL]({OUTSIDE}/l) ![PAYM]({OUTSIDE}/m.png) <b>PAYH</b> "
    f'<img src="{OUTSIDE}/h.png" alt="PAYM"> $PAYK^2$ :smile:'
)
SHORT = "**PAYB** <b>PAYH</b> :smile:"  # a key event's label: at most 32 characters
ACTOR = f"**PAYB** [PAYL]({OUTSIDE}/a) actor"
COUNTRY = f":red[PAYR] **PAYB** ![PAYM]({OUTSIDE}/c.png)"
MARKERS = ("PAYB", "PAYI", "PAYR", "PAYL", "PAYM", "PAYH")
PASSWORD = "inert text test passphrase"

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


def payload_data(folder: Path) -> Path:
    """The fixture tables plus an actor, a place and a key event with a payload in every free-text field, and
    an imported ACLED file with one in every text column it keeps."""
    shutil.copytree(FIXTURE_DATA, folder)
    append_row(
        folder / "actors.csv",
        {"actor": ACTOR, "aliases": PAYLOAD, "kind": "armed group", "country": "Iraq", "description": PAYLOAD},
    )
    append_row(
        folder / "places.csv",
        {
            "place": PAYLOAD,
            "aliases": PAYLOAD,
            "latitude": "33.3",
            "longitude": "44.4",
            "geo_precision": "1",
            "admin1": PAYLOAD,
            "country": "Iraq",
            "geocoder": "manual",
            "geocoded_at": "2025-01-01",
        },
    )
    append_row(
        folder / "events.csv",
        {
            "event_id": "IRQ-20250101-1",
            "event_date": "2025-01-01",
            "time_precision": "day",
            "country": "Iraq",
            "admin1": PAYLOAD,
            "location": PAYLOAD,
            "latitude": "33.3",
            "longitude": "44.4",
            "geo_precision": "1",
            "event_type": "Explosions/Remote violence",
            "sub_event_type": "Air/drone strike",
            "actor1": ACTOR,
            "actor2": "US forces",
            "fatalities": "2",
            "attribution": f"claimed by {PAYLOAD}",
            "notes": PAYLOAD,
            "source": PAYLOAD,
            "source_title": PAYLOAD,
            "source_date": "2025-01-02",
            "confidence": "low",
            "tags": f"key;{PAYLOAD}",
            "label": SHORT,
        },
    )
    assert validate_folder(folder) == []
    imported.import_and_save(acled_with_payloads(), "acled", folder, grant=local_grant(), file_name="acled.csv")
    return folder


def acled_with_payloads() -> bytes:
    """The ACLED fixture with its first event's text columns, and the country of all but one, replaced."""
    lines = (EXTERNAL / "acled_export.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")

    def quoted(value: str) -> str:
        return '"' + value.replace('"', '""') + '"'

    rows = []
    for number, line in enumerate(lines[1:]):
        fields = next(csv.reader([line]))
        row = dict(zip(header, fields, strict=True))
        if number < len(lines) - 2:
            row["country"] = COUNTRY
        if number == 0:
            for column in ("actor1", "actor2", "admin1", "location", "notes", "source", "tags"):
                row[column] = PAYLOAD
        rows.append(",".join(quoted(row[c]) for c in header))
    return ("\n".join([lines[0], *rows]) + "\n").encode("utf-8")


@pytest.fixture(scope="module")
def payload_app(tmp_path_factory) -> Iterator[str]:
    folder = payload_data(tmp_path_factory.mktemp("inert") / "data")
    process, url = serve(folder, env={PASSWORD_ENV: PASSWORD})
    yield url
    process.terminate()
    process.wait(timeout=20)


def shown_text(browser_page) -> str:
    return browser_page.evaluate("() => document.body.textContent").replace(WORD_JOINER, "")


def assert_inert(browser_page, where: str) -> None:
    assert browser_page.evaluate(STYLED_BY_PAYLOAD, list(MARKERS)) == [], f"markup from the data rendered on {where}"


def import_upload(browser_page, name: str, data: bytes, mime: str) -> None:
    """Upload `data` as `name` and press Import once the page has rerun with it: the button is disabled while
    the uploader is empty, so it turns enabled only when the server has the new file."""
    button = browser_page.get_by_role("button", name="Import", exact=True)
    expect(button).to_be_disabled(timeout=60_000)
    uploader = browser_page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    uploader.set_input_files(files=[{"name": name, "mimeType": mime, "buffer": data}])
    expect(button).to_be_enabled(timeout=60_000)
    button.click()


def test_markdown_and_html_in_the_data_render_as_text_on_every_page(payload_app, page):
    browser_page, outside = page
    browser_page.goto(payload_app)
    # The app's own navigation: before the first run Streamlit lists the files in pages/, whose links are not
    # the app's own (the Overview is at the root).
    rendered(browser_page)
    links = browser_page.locator('[data-testid="stSidebarNav"] a').evaluate_all("els => els.map(e => e.href)")
    assert sorted(urlparse(u).path for u in links) == ["/", "/actors", "/curate", "/data", "/map", "/timeline"]
    # As a shared link would: the imported datasets, a country from the imported file, the hostile actor.
    query = urlencode({"dataset": ["curated", "acled"], "country": [COUNTRY, "Iraq"], "profile": ACTOR}, doseq=True)
    for link in links:
        browser_page.goto(f"{link}?{query}")
        rendered(browser_page)
        hover_every_chart(browser_page)
        name = urlparse(link).path.strip("/") or "overview"
        full_screenshot(browser_page, f"inert-{name}")
        assert_inert(browser_page, link)
        if "PAYR" in unquote_plus(browser_page.url):  # the page kept the imported country in its filter
            assert COUNTRY in shown_text(browser_page), f"the filter's country is not shown as text on {link}"
    browser_page.goto(f"{links[[urlparse(u).path for u in links].index('/actors')]}?{query}")
    rendered(browser_page)
    text = shown_text(browser_page)
    assert ACTOR in text and PAYLOAD in text  # the profile's name, aliases and description, as written
    assert outside == []


def test_upload_and_zip_member_names_render_as_text_and_tables_offer_no_raw_csv(payload_app, page):
    browser_page, outside = page
    browser_page.goto(payload_app)
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
