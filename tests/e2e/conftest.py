"""Serve the app on 127.0.0.1 and drive it with Debian's Chromium through Playwright.

Tests wait on what the page says, never on the clock. A script added to every page counts the script runs
that finish (from the server's messages), so after a click a test waits for a run that finished after the click
(`rerun`), with the app's script state back to notRunning, and then for every chart to be drawn: Plotly's SVG
in place and each MapLibre map idle after a repaint (`charts_drawn`). Screenshots go to each test's own
temporary folder; their paths are printed, and listed at the end of the session.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tensions.bench import browser as driving
from tensions.bench.browser import CHROMIUM, CHROMIUM_ARGS, RUN_COUNTER, free_port
from tensions.curation import access
from tensions.data.guard import local_grant
from tensions.store import curated
from tests.conftest import CURATOR_PASSWORD, FIXTURE_DATA, SCREENSHOTS_TAKEN, migrated_database
from tests.deploy.harness import Deployment, team_deployment
from tests.oidc_stub import CLIENT_ID, CLIENT_SECRET, OidcStub, oidc_stub

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# How long any wait on the page may take (a cold first run of a page on a busy machine takes tens of seconds);
# the waits end as soon as their condition holds.
TIMEOUT_MS = 90_000
expect.set_options(timeout=TIMEOUT_MS)


def _environment(data_dir: Path | None, env: dict[str, str] | None) -> dict[str, str]:
    return {**(env or {}), **({"TENSIONS_DATA_DIR": str(data_dir)} if data_dir is not None else {})}


def serve(data_dir: Path | None = None, *, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """Start `streamlit run serve.py` on a free local port (with `TENSIONS_DATA_DIR=data_dir` and `env` added to
    this environment); return once the server says it listens and answers its health check."""
    return driving.serve("serve.py", env=_environment(data_dir, env))


def served(data_dir: Path | None = None, *, env: dict[str, str] | None = None) -> AbstractContextManager[str]:
    """The app's URL while it is served (see `serve`)."""
    return driving.served("serve.py", env=_environment(data_dir, env))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


VIEWPORT = {"width": 1600, "height": 1000}


class OutsideRequests(list):
    """Every request the page made to a host other than this machine."""


@contextmanager
def guarded_page(browser: Browser) -> Iterator[tuple[Page, OutsideRequests]]:
    """A page in a fresh browser context that records, and blocks, any request leaving the local host, and
    counts the app's finished script runs."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(RUN_COUNTER)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    outside = OutsideRequests()

    def guard(route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    try:
        yield page, outside
    finally:
        context.close()


def open_front_page(browser: Browser, url: str) -> list[str]:
    """Open the app's front page once on this server (the first run fills its caches), and return the links of
    its navigation."""
    with guarded_page(browser) as (page, _):
        page.goto(url)
        wait_for_app(page)
        page.locator('[data-testid="stSidebarNav"]').get_by_text("Overview", exact=True).wait_for()
        return page.locator('[data-testid="stSidebarNav"] a').evaluate_all("links => links.map(a => a.href)")


@pytest.fixture(scope="session")
def app_url(browser: Browser) -> Iterator[str]:
    """The app on the shipped data, served once for the session, its front page already opened once."""
    with served() as url:
        open_front_page(browser, url)
        yield url


# Signed in by the team deployment's identity provider, and on its curators' list (which holds it in lower case).
CURATOR = "Curator@Example.org"
TEAM_DATABASE = "team_deployment"


@dataclass(frozen=True)
class Team:
    deployment: Deployment
    database: str  # the URL of its PostgreSQL database
    provider: OidcStub  # the organisation's identity provider, which signs in `provider.email`


@pytest.fixture(scope="session")
def team(browser: Browser, postgres_server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    """The team deployment as the README runs it, shared by the end-to-end tests of that setup (each replica
    starts cold, so one deployment for all of them keeps the run short): two replicas behind the proxy, one
    PostgreSQL database holding the fixture's curated tables, and curators signing in with the password or with
    the organisation's provider (a stub on this machine, signing in `CURATOR`)."""
    folder = tmp_path_factory.mktemp("team")
    shutil.copytree(FIXTURE_DATA, folder / "data")
    proxy_port = free_port()  # the provider's redirect address names it before the proxy starts
    with migrated_database(postgres_server, TEAM_DATABASE) as database, oidc_stub(CURATOR) as provider:
        curated.load_folder(database, FIXTURE_DATA, grant=local_grant())
        (folder / "secrets.toml").write_text(
            f'[auth]\nredirect_uri = "http://127.0.0.1:{proxy_port}/oauth2callback"\n'
            'cookie_secret = "a long random string for the tests only"\n'
            f'client_id = "{CLIENT_ID}"\nclient_secret = "{CLIENT_SECRET}"\n'
            f'server_metadata_url = "{provider.metadata_url}"\n'
            f'[curation]\nallowed_emails = ["{CURATOR.lower()}"]\n'
        )
        env = {
            "STREAMLIT_SECRETS_FILES": str(folder / "secrets.toml"),
            "TENSIONS_DATABASE_URL": database,
            access.PASSWORD_ENV: CURATOR_PASSWORD,
        }
        with team_deployment(folder / "data", env, proxy_port=proxy_port) as deployment:
            for url in deployment.urls:  # each replica runs app.py once (see open_front_page)
                open_front_page(browser, url)
            yield Team(deployment, database, provider)


@pytest.fixture
def page(browser: Browser) -> Iterator[tuple[Page, OutsideRequests]]:
    """A fresh, guarded page at slide-friendly size."""
    with guarded_page(browser) as guarded:
        yield guarded


def charts_drawn(page: Page) -> None:
    """Wait until every visible Plotly chart is drawn and every map has rendered its current figure."""
    driving.charts_drawn(page, TIMEOUT_MS)


def wait_for_app(page: Page, *, runs: int = 1) -> None:
    """Wait until `runs` script runs have finished since the page was loaded, no run is going on, and the
    charts are drawn (see `tensions.bench.browser.wait_for_app`)."""
    driving.wait_for_app(page, TIMEOUT_MS, runs=runs)


def countries_box(page: Page):
    """The sidebar's choice of countries and seas."""
    return page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="Countries")


@contextmanager
def rerun(page: Page) -> Iterator[None]:
    """Around an action that makes Streamlit rerun the script (a click, a typed value): wait for a run that
    finished after the action began, then for the charts it drew."""
    with driving.rerun(page, TIMEOUT_MS):
        yield


_screenshots: dict[str, object] = {}  # the running test's screenshot folder, and the session's list of them


@pytest.fixture(autouse=True)
def screenshot_folder(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    """Screenshots of each test go to its own temporary folder; their paths are printed and listed at the end."""
    _screenshots["folder"] = tmp_path / "screenshots"
    _screenshots["taken"] = request.config.stash.setdefault(SCREENSHOTS_TAKEN, [])
    yield _screenshots["folder"]
    _screenshots.clear()


def screenshot_path(name: str) -> Path:
    """Where the running test's screenshot `name` goes (for a capture the test makes itself)."""
    folder = _screenshots["folder"]
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.png"
    _screenshots["taken"].append(path)
    print(f"screenshot: {path}")
    return path


def full_screenshot(page: Page, name: str) -> Path:
    """Resize the viewport to the whole page (Streamlit scrolls inside its own container), wait for the charts
    to redraw at that size, then capture into the running test's folder. The page is measured at the first
    viewport: one enlarged for a longer page before (another tab's) would leave blank space below."""
    page.set_viewport_size({"width": page.viewport_size["width"], "height": VIEWPORT["height"]})
    height = page.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], [data-testid="stAppViewContainer"], section.main\')]'
        ".map(e => e.scrollHeight), 800)"
    )
    page.set_viewport_size({"width": page.viewport_size["width"], "height": int(height) + 40})
    charts_drawn(page)
    path = screenshot_path(name)
    page.screenshot(path=str(path))
    return path
