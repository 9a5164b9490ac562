"""Curators sign in with the organisation's OpenID Connect provider (`st.login`), in Chromium, against a stub
provider on 127.0.0.1 (`tests/oidc_stub.py`): the whole flow runs as in the team deployment (discovery, the
browser sent to the provider and back, the code exchanged for an ID token the app checks), and only the
e-mail addresses on the allow-list may curate."""

from __future__ import annotations

import shutil
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tensions.bench.browser import free_port
from tests.conftest import FIXTURE_DATA
from tests.deploy.harness import team_deployment
from tests.deploy.proxy import cookies_for_each_replica
from tests.e2e.conftest import full_screenshot, guarded_page, served, wait_for_app
from tests.oidc_stub import CLIENT_ID, CLIENT_SECRET, OidcStub, oidc_stub

pytestmark = pytest.mark.e2e

CURATOR = "Curator@Example.org"


def signing_in_with(stub: OidcStub, folder: Path, port: int) -> tuple[Path, dict[str, str]]:
    """A copy of the fixture data, and the environment of an app whose `[auth]` names `stub` as its provider, with
    the browser sent back to 127.0.0.1:`port` (the app's, or the proxy's), and `CURATOR` on the curators' list."""
    data = folder / "data"
    shutil.copytree(FIXTURE_DATA, data)
    secrets = folder / "secrets.toml"
    secrets.write_text(
        f'[auth]\nredirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "a long random string for the tests only, {port}"\n'
        f'client_id = "{CLIENT_ID}"\nclient_secret = "{CLIENT_SECRET}"\nserver_metadata_url = "{stub.metadata_url}"\n'
        f'[curation]\nallowed_emails = ["{CURATOR.lower()}"]\n'
    )
    return data, {"STREAMLIT_SECRETS_FILES": str(secrets)}


def app_signing_in_with(stub: OidcStub, folder: Path) -> AbstractContextManager[str]:
    """The app served as `signing_in_with` sets it up."""
    port = free_port()  # the redirect address names it before the app starts
    data, env = signing_in_with(stub, folder, port)
    return served(data, env=env, port=port)


def sign_in_on_the_curate_page(page: Page, url: str) -> None:
    """Open the Curate page, sign in with the provider (the browser goes to it and back through the app's callback,
    which lands on the Overview), and open the Curate page again."""
    page.goto(f"{url}/curate")
    wait_for_app(page)
    page.get_by_role("button", name="Sign in with your organisation's account").click()
    page.wait_for_url(f"{url}/")
    page.goto(f"{url}/curate")
    wait_for_app(page)


def test_someone_signed_in_but_not_listed_may_read_but_not_curate(browser: Browser, tmp_path):
    with (
        oidc_stub("reader@example.org") as stub,
        app_signing_in_with(stub, tmp_path) as url,
        guarded_page(browser) as (page, outside),
    ):
        sign_in_on_the_curate_page(page, url)
        expect(
            page.get_by_text("You are signed in as reader@example.org, who is not on the curators' list")
        ).to_be_visible()
        expect(page.get_by_text("Curating as")).to_have_count(0)
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        assert outside == []


def test_a_listed_curator_signs_in_through_the_proxy_on_either_replica_and_may_curate(browser: Browser, tmp_path):
    """As deployed: the provider sends the browser back to the proxy, which keeps it on its replica."""
    proxy_port = free_port()
    with oidc_stub(CURATOR) as stub:
        data, env = signing_in_with(stub, tmp_path, proxy_port)
        with team_deployment(data, env, proxy_port=proxy_port) as deployment:
            proxy = deployment.proxy
            for replica, value in cookies_for_each_replica(proxy, deployment.replicas).items():
                with guarded_page(browser) as (page, outside):
                    page.context.add_cookies([{"name": proxy.cookie, "value": value, "url": proxy.url}])
                    seen: list[tuple[str, str | None]] = []
                    page.on(
                        "response",
                        lambda response, seen=seen: seen.append((response.url, response.headers.get("x-upstream"))),
                    )
                    sign_in_on_the_curate_page(page, proxy.url)
                    expect(page.get_by_text(f"Curating as {CURATOR.lower()} (login)")).to_be_visible()
                    full_screenshot(page, f"curate-signed-in-with-the-provider-on-{replica.replace(':', '-')}")
                    callbacks = {upstream for address, upstream in seen if "/oauth2callback" in address}
                    assert callbacks == {replica}
                    assert {upstream for address, upstream in seen if address.startswith(proxy.url)} == {replica}
                    assert outside == []
        assert [request["grant_type"] for request in stub.token_requests] == ["authorization_code"] * 2  # one each
        assert all(request["code_verifier"] for request in stub.token_requests)  # PKCE, as the provider offers S256
        assert stub.codes == {}  # every code was spent
