"""Sign-in throttling in a served app, in Chromium: failed attempts are counted by the server under the
client's address, survive a reload and a new browser, and are logged; after many, even the right password
is refused until the wait is over. The server's clock is real, so the earlier failures are recorded through
the package at past times that end now."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tensions.curation import access
from tensions.curation.throttle import LOCAL_ADDRESS, SIGNIN_FOLDER, SignInThrottle
from tensions.data.literal import WORD_JOINER
from tests.conftest import CURATOR_PASSWORD, FIXTURE_DATA
from tests.e2e.conftest import guarded_page, rerun, serve, wait_for_app

pytestmark = pytest.mark.e2e


@pytest.fixture
def served(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, data)
    process, url = serve(data, env={access.PASSWORD_ENV: CURATOR_PASSWORD})  # the app reads it from there
    yield data, url
    process.terminate()
    process.wait(timeout=20)


def sign_in(page: Page, url: str, password: str, name: str = "Mallory") -> str:
    """Open the Curate page in this browser, submit the sign-in form, and return what the page says."""
    page.goto(f"{url}/curate")
    wait_for_app(page)
    page.get_by_label("Your name (written in the audit log)").fill(name)
    page.get_by_label("Curator password").fill(password)
    # A throttled page already shows a warning before the click: read the alerts of the run the click started.
    with rerun(page):
        page.get_by_role("button", name="Sign in").click()
    return page.locator('[data-testid="stAlert"]').all_inner_texts()[-1]


def test_wrong_passwords_are_counted_by_the_server_across_new_browsers(served, browser: Browser):
    data, url = served
    for _ in range(2):  # each in a new browser context: a new session, as after a reload or a new tab
        with guarded_page(browser) as (page, _outside):
            assert "Sign-in failed" in sign_in(page, url, "wrong guess")
    counts = json.loads((data / SIGNIN_FOLDER / "throttle.json").read_text())
    assert counts["addresses"][LOCAL_ADDRESS]["failures"] == 2
    logged = [json.loads(line) for line in (data / "audit.log").read_text().splitlines()]
    assert [(e["who"], e["action"], e["address"]) for e in logged] == [("Mallory", "sign-in failed", "local")] * 2
    assert "wrong guess" not in (data / "audit.log").read_text()


def test_after_many_failures_a_new_browser_must_wait_even_with_the_right_password(served, browser: Browser):
    data, url = served
    clock = [time.time() - 62]
    earlier = SignInThrottle(Path(data), clock=lambda: clock[0])
    for wait in (0, 0, 0, 2, 4, 8, 16, 32):  # eight failures, each as soon as allowed, the last one now: 64 s
        clock[0] += wait
        earlier.sign_in("guess", access.AccessConfig(password=CURATOR_PASSWORD), who="Mallory", address=None)
    with guarded_page(browser) as (page, _outside):
        said = sign_in(page, url, CURATOR_PASSWORD)
        assert "too many failed sign-ins: try again in" in said.replace("\\", "")
        assert page.get_by_role("tab", name="Edit events").count() == 0


def test_a_curator_named_by_an_e_mail_address_sees_it_as_text_not_a_link(served, browser: Browser):
    _data, url = served
    with guarded_page(browser) as (page, outside):
        sign_in(page, url, CURATOR_PASSWORD, name="ann@example.org")
        sidebar = page.locator('[data-testid="stSidebar"]')
        shown = sidebar.get_by_text("Curating as")
        expect(shown).to_be_visible()
        assert shown.inner_text().replace(WORD_JOINER, "") == "Curating as ann@example.org (password)"
        assert sidebar.locator("a[href^='mailto:']").count() == 0
        assert outside == []
