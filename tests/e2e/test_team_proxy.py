"""The team deployment's proxy in front of two app replicas, in Chromium: a browser's first visit gets the
proxy's cookie, and from then on every request of that session, its websocket included, goes to one replica,
so Streamlit's per-process session works through the proxy; browsers holding different cookies are spread over
both replicas. Which replica served a request is read from the proxy's X-Upstream header and its access log."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from tests.deploy.harness import Deployment
from tests.deploy.proxy import cookies_for_each_replica
from tests.e2e.conftest import Team, guarded_page, rerun, wait_for_app

pytestmark = pytest.mark.e2e


@pytest.fixture
def deployment(team: Team) -> Deployment:
    return team.deployment


def upstreams_seen(page: Page) -> list[str | None]:
    """The X-Upstream header of every response the page receives from now on."""
    seen: list[str | None] = []
    page.on("response", lambda response: seen.append(response.headers.get("x-upstream")))
    return seen


def use_the_app(page: Page, url: str) -> None:
    """Open the Overview through the proxy, change a filter, and open the Map through the app's navigation:
    each step is a script run that the session's websocket asks for and brings back."""
    page.goto(url)
    wait_for_app(page)
    with rerun(page):
        page.get_by_text("Precise events only").click()
    with rerun(page):
        page.locator('[data-testid="stSidebarNav"]').get_by_text("Map", exact=True).click()
    expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible()


def logged(deployment: Deployment, key: str, *, until: str, after: int) -> list[dict[str, str]]:
    """The proxy's access-log entries after the first `after` ones for the browser holding cookie `key`, once one
    of them is for `until` (a websocket is logged when it closes). Other tests on the shared deployment may have
    used the same cookie before."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        entries = [entry for entry in deployment.proxy.log()[after:] if entry.get("key") == key]
        if any(until in entry["line"] for entry in entries):
            return entries
        time.sleep(0.2)
    raise AssertionError(f"no request for {until} logged for {key}: {deployment.proxy.log()}")


def test_a_new_browser_gets_the_cookie_and_all_its_requests_and_websocket_go_to_one_replica(deployment, browser):
    earlier = len(deployment.proxy.log())
    with guarded_page(browser) as (page, outside):
        seen = upstreams_seen(page)
        use_the_app(page, deployment.proxy.url)
        cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
        assert outside == []
    cookie = cookies[deployment.proxy.cookie]
    assert cookie["httpOnly"] and cookie["path"] == "/" and len(cookie["value"]) == 32  # nginx's request id
    assert len(seen) > 10 and None not in seen
    assert len(set(seen)) == 1 and seen[0] in deployment.replicas
    entries = logged(deployment, cookie["value"], until="/_stcore/stream", after=earlier)
    assert {entry["replica"] for entry in entries} == {seen[0]}
    assert entries[0]["line"].split('"')[1].startswith("GET / ")  # the first visit chose the replica by its id
    assert any("/_stcore/stream" in entry["line"] and '" 101 ' in entry["line"] for entry in entries)


def test_browsers_are_spread_over_both_replicas_and_each_stays_on_its_own(deployment, browser):
    cookies = cookies_for_each_replica(deployment.proxy, deployment.replicas)
    for replica, value in cookies.items():
        earlier = len(deployment.proxy.log())
        with guarded_page(browser) as (page, _outside):
            page.context.add_cookies([{"name": deployment.proxy.cookie, "value": value, "url": deployment.proxy.url}])
            seen = upstreams_seen(page)
            use_the_app(page, deployment.proxy.url)
        assert set(seen) == {replica}
        entries = logged(deployment, value, until="/_stcore/stream", after=earlier)
        assert {entry["replica"] for entry in entries} == {replica}
