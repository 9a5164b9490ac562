"""Curators sign in with the organisation's OpenID Connect provider (`st.login`), in Chromium, through the team
deployment's proxy, against a stub provider on 127.0.0.1 (`tests/oidc_stub.py`): the whole flow runs as
deployed (discovery, the browser sent to the provider and back to the proxy, which keeps it on its replica, the
code exchanged for an ID token the app checks), and only the e-mail addresses on the allow-list may curate."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tensions.data.literal import WORD_JOINER
from tests.deploy.proxy import cookies_for_each_replica
from tests.e2e.conftest import CURATOR, Team, full_screenshot, guarded_page, wait_for_app

pytestmark = pytest.mark.e2e


def sign_in_on_the_curate_page(page: Page, url: str) -> None:
    """Open the Curate page, sign in with the provider (the browser goes to it and back through the app's callback,
    which lands on the Overview), and open the Curate page again."""
    page.goto(f"{url}/curate")
    wait_for_app(page)
    page.get_by_role("button", name="Sign in with your organisation's account").click()
    page.wait_for_url(f"{url}/")
    page.goto(f"{url}/curate")
    wait_for_app(page)


@pytest.fixture
def provider_signs_in_a_reader(team: Team) -> Iterator[str]:
    """The provider signs in someone who is not on the curators' list, for this test."""
    team.provider.email = "reader@example.org"
    try:
        yield team.provider.email
    finally:
        team.provider.email = CURATOR


def test_someone_signed_in_but_not_listed_may_read_but_not_curate(browser: Browser, team, provider_signs_in_a_reader):
    with guarded_page(browser) as (page, outside):
        sign_in_on_the_curate_page(page, team.deployment.proxy.url)
        shown = provider_signs_in_a_reader.replace("@", "@" + WORD_JOINER)  # as text, not a mailto link
        expect(page.get_by_text(f"You are signed in as {shown}, who is not on the curators' list")).to_be_visible()
        expect(page.get_by_text("Curating as")).to_have_count(0)
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        assert outside == []


def test_a_listed_curator_signs_in_through_the_proxy_on_either_replica_and_may_curate(browser: Browser, team):
    proxy, provider = team.deployment.proxy, team.provider
    answered = len(provider.token_requests)
    for replica, value in cookies_for_each_replica(proxy, team.deployment.replicas).items():
        with guarded_page(browser) as (page, outside):
            page.context.add_cookies([{"name": proxy.cookie, "value": value, "url": proxy.url}])
            seen: list[tuple[str, str | None]] = []
            page.on(
                "response", lambda response, seen=seen: seen.append((response.url, response.headers.get("x-upstream")))
            )
            sign_in_on_the_curate_page(page, proxy.url)
            caption = page.locator('[data-testid="stSidebar"]').get_by_text("Curating as")
            expect(caption).to_be_visible()
            # The address as text (a word joiner after its @ keeps Markdown from making it a mailto link).
            assert caption.inner_text().replace(WORD_JOINER, "") == f"Curating as {CURATOR.lower()} (login)"
            full_screenshot(page, f"curate-signed-in-with-the-provider-on-{replica.replace(':', '-')}")
            callbacks = {upstream for address, upstream in seen if "/oauth2callback" in address}
            assert callbacks == {replica}
            assert {upstream for address, upstream in seen if address.startswith(proxy.url)} == {replica}
            assert outside == []
    requests = provider.token_requests[answered:]
    assert [request["grant_type"] for request in requests] == ["authorization_code"] * 2  # one each
    assert all(request["code_verifier"] for request in requests)  # PKCE, as the provider offers S256
    assert provider.codes == {}  # every code was spent
