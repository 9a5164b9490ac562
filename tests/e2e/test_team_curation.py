"""Two curators on two replicas of the team deployment, one PostgreSQL database, in Chromium through the proxy:
edits of different events both save; the same event is refused for the second curator, with the first one's
change shown; and a reader on the other replica sees a save after a rerun. Each browser is put on its replica
by the proxy's own cookie (a value the proxy routes there)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tensions.store import curated
from tests.conftest import CURATOR_PASSWORD
from tests.deploy.harness import Deployment
from tests.deploy.proxy import cookies_for_each_replica
from tests.e2e.conftest import Team, full_screenshot, guarded_page, rerun, wait_for_app

pytestmark = pytest.mark.e2e

FATALITIES_COLUMN = 14  # the editor's columns follow the schema: event_id … actor2, fatalities
TABLE_ROW_SHOWN = """cells => [...document.querySelectorAll('[data-testid="stDataFrame"] table[role="grid"] tr')]
  .some(row => JSON.stringify([...row.children].slice(1).map(cell => cell.innerText)) === JSON.stringify(cells))"""
GRID_FOCUSED = """() => document.activeElement !== null
  && document.activeElement.closest('[data-testid="stDataFrame"]') !== null"""


@pytest.fixture
def deployment(team: Team) -> Deployment:
    return team.deployment


@pytest.fixture
def database(team: Team) -> str:
    return team.database


@contextmanager
def on_replica(browser: Browser, deployment: Deployment, replica: str) -> Iterator[Page]:
    """A fresh browser that the proxy sends to `replica`."""
    value = cookies_for_each_replica(deployment.proxy, deployment.replicas)[replica]
    with guarded_page(browser) as (page, outside):
        page.context.add_cookies([{"name": deployment.proxy.cookie, "value": value, "url": deployment.proxy.url}])
        seen: list[str | None] = []
        page.on("response", lambda response: seen.append(response.headers.get("x-upstream")))
        yield page
        assert set(seen) == {replica}
        assert outside == []


def sign_in(page: Page, url: str, who: str) -> None:
    """Open the Curate page, sign in as `who` and open the events' editor."""
    page.goto(f"{url}/curate")
    wait_for_app(page)
    page.get_by_label("Your name (written in the audit log)").fill(who)
    page.get_by_label("Curator password").fill(CURATOR_PASSWORD)
    with rerun(page):
        page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("tab", name="Edit events")).to_be_visible()


def edit_fatalities(page: Page, row: int, value: int) -> None:
    """Type `value` into the fatalities of the editor's `row`, as a curator would: select the row's event id
    (pinned at the left, after the row markers), move to the column with the keyboard, open the cell's editor
    with Enter, type and commit. A click on the grid while it settles after a tab switch can take the focus
    without selecting the cell (then Enter opens nothing): the steps are repeated until the editor opens."""
    page.bring_to_front()  # the keyboard goes to the page in front
    page.get_by_role("tab", name="Edit events").click()
    grid = page.locator('[data-testid="stDataFrame"]:visible').first
    expect(grid.locator('table[role="grid"] tr').nth(row + 1)).to_be_attached()  # the grid has drawn its rows
    box = grid.bounding_box()
    row_height = 35  # Streamlit's data grid: a header row, then rows of 35 px
    cell_editor = page.locator("#portal input, #portal textarea").first
    for _ in range(5):
        page.mouse.click(box["x"] + 80, box["y"] + row_height * (row + 1) + row_height / 2)
        page.wait_for_function(GRID_FOCUSED)
        for _ in range(FATALITIES_COLUMN):
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")
        try:
            cell_editor.wait_for(timeout=5_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    cell_editor.fill(str(value))
    with rerun(page):
        cell_editor.press("Enter")
    expect(page.get_by_role("tab", name="Edit events")).to_have_attribute("aria-selected", "true")  # kept
    expect(page.get_by_role("button", name="Save changes")).to_be_visible()


def save(page: Page) -> str:
    """Press Save changes and return what the page says about it."""
    with rerun(page):
        page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("tab", name="Edit events")).to_have_attribute("aria-selected", "true")  # kept
    said = page.locator('[data-testid="stAlert"]').filter(has_text=re.compile(r"^(Saved|Not saved)")).first
    expect(said).to_be_visible()
    return said.inner_text()


def wait_for_table_row(page: Page, cells: list[str]) -> None:
    """Wait until a table on the page shows a row of `cells` (after its first column), read from the grids'
    accessible tables (the grids themselves are drawn on canvases, the accessible table a moment later)."""
    page.wait_for_function(TABLE_ROW_SHOWN, arg=cells)


def reported_deaths(page: Page) -> int:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Reported fatalities")
    return int(metric.locator('[data-testid="stMetricValue"]').inner_text().replace(",", ""))


def stored_fatalities(url: str) -> dict[str, str | None]:
    events = curated.read_curated(url).tables["events.csv"]
    return {
        event: None if pd.isna(deaths) else str(deaths)
        for event, deaths in zip(events["event_id"], events["fatalities"], strict=True)
    }


def total(fatalities: dict[str, str | None]) -> int:
    return sum(int(deaths) for deaths in fatalities.values() if deaths)


def test_two_curators_on_two_replicas_save_different_events_and_the_same_event_is_refused_for_the_second(
    deployment, database, browser
):
    first, second = deployment.replicas
    before = stored_fatalities(database)
    events = list(before)
    with on_replica(browser, deployment, first) as ann, on_replica(browser, deployment, second) as bob:
        sign_in(ann, deployment.proxy.url, "Ann")
        sign_in(bob, deployment.proxy.url, "Bob")

        # Different events, both edited before either saves: both saves succeed.
        edit_fatalities(ann, 0, 7)
        edit_fatalities(bob, 1, 4)
        assert "Saved 1 change(s) to the database" in save(ann)
        assert "Saved 1 change(s) to the database" in save(bob)
        assert stored_fatalities(database) == before | {events[0]: "7", events[1]: "4"}

        # The same event: the first save wins, the second is refused and shown what changed.
        edit_fatalities(ann, 2, 6)
        edit_fatalities(bob, 2, 5)
        assert "Saved 1 change(s) to the database" in save(bob)
        refused = save(ann)
        assert "Not saved: another curator saved since this page loaded the data" in refused
        wait_for_table_row(ann, [events[2], "edited", "fatalities", "", "5"])  # their change (it had no toll)
        full_screenshot(ann, "second-curator-refused")
        assert stored_fatalities(database) == before | {events[0]: "7", events[1]: "4", events[2]: "5"}


def test_a_reader_on_one_replica_sees_a_save_made_on_the_other_after_a_rerun(deployment, database, browser):
    curator_replica, reader_replica = deployment.replicas
    with on_replica(browser, deployment, reader_replica) as reader:
        reader.goto(deployment.proxy.url)
        wait_for_app(reader)
        before = stored_fatalities(database)
        assert reported_deaths(reader) == total(before)
        with on_replica(browser, deployment, curator_replica) as curator:
            sign_in(curator, deployment.proxy.url, "Carol")
            event = list(before)[3]
            edit_fatalities(curator, 3, 12)
            assert "Saved 1 change(s) to the database" in save(curator)
        after = stored_fatalities(database)
        assert after == before | {event: "12"}
        precise = reader.get_by_text("Precise events only")
        with rerun(reader):
            precise.click()
        with rerun(reader):
            precise.click()  # the same filters as before, on the stored data as it is now
        assert reported_deaths(reader) == total(after) == total(before) + 12 - int(before[event] or 0)
