"""Serve the app on 127.0.0.1 and drive it with Debian's Chromium through Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import APP_ROOT

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
SCREENSHOTS = APP_ROOT / "artifacts" / "screenshots"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(data_dir: Path | None = None) -> tuple[subprocess.Popen, str]:
    """Start `streamlit run app.py` on a free local port and wait until it answers its health check."""
    port = free_port()
    env = {**os.environ}
    if data_dir is not None:
        env["TENSIONS_DATA_DIR"] = str(data_dir)
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=APP_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("the app did not start within 60 s")


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    process, url = serve()
    yield url
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class OutsideRequests(list):
    """Every request the page made to a host other than this machine."""


@contextmanager
def guarded_page(browser: Browser) -> Iterator[tuple[Page, OutsideRequests]]:
    """A page in a fresh browser context that records, and blocks, any request leaving the local host."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
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


@pytest.fixture
def page(browser: Browser) -> Iterator[tuple[Page, OutsideRequests]]:
    """A fresh, guarded page at slide-friendly size."""
    with guarded_page(browser) as guarded:
        yield guarded


def wait_for_app(page: Page) -> None:
    """Wait until Streamlit has finished running the script and drawn its charts."""
    # Before the first run the status widget is absent too, so "no status widget" alone can pass on a page
    # that has not started; the app's own script state says whether a run has finished.
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


def full_screenshot(page: Page, name: str) -> Path:
    """Resize the viewport to the whole page (Streamlit scrolls inside its own container), then capture."""
    height = page.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], [data-testid="stAppViewContainer"], section.main\')]'
        ".map(e => e.scrollHeight), 800)"
    )
    page.set_viewport_size({"width": page.viewport_size["width"], "height": int(height) + 40})
    page.wait_for_timeout(800)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
