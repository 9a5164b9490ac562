"""Serve the app on 127.0.0.1 and drive it with Debian's Chromium through Playwright.

Tests wait on what the page says, never on the clock. A script added to every page counts the script runs
that finish (from the server's messages), so after a click a test waits for a run that finished after the click
(`rerun`), with the app's script state back to notRunning, and then for every chart to be drawn: Plotly's SVG
in place and each MapLibre map idle after a repaint (`charts_drawn`). Screenshots go to each test's own
temporary folder; their paths are printed, and listed at the end of the session.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

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
# How long any wait on the page may take (a cold first run of a page on a busy machine takes tens of seconds);
# the waits end as soon as their condition holds.
TIMEOUT_MS = 90_000
expect.set_options(timeout=TIMEOUT_MS)

# Counts the script runs that finished, from the messages the server sends: each run ends with one ForwardMsg
# whose field 6, `script_finished`, is set (0 finished, 1 compile error, 3 fragment run; 2, "stopped early for a
# rerun", is left out). The app's own script-state attribute cannot count runs: a short run's "running" state can
# be batched away before it is ever drawn. The count goes up two frames after the message, once the page has
# drawn what the run sent.
RUN_COUNTER = """(() => {
  window.__finishedRuns = 0;
  const varint = (bytes, at) => {
    let value = 0, shift = 0, byte;
    do { byte = bytes[at++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
    return [value, at];
  };
  const runFinished = bytes => {
    let at = 0, key, value;
    while (at < bytes.length) {
      [key, at] = varint(bytes, at);
      const wire = key & 7;
      if (wire === 0) { [value, at] = varint(bytes, at); if (key >> 3 === 6) return value !== 2; }
      else if (wire === 2) { [value, at] = varint(bytes, at); at += value; }
      else if (wire === 1) at += 8;
      else if (wire === 5) at += 4;
      else return false;
    }
    return false;
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', event => {
        if (event.data instanceof ArrayBuffer && runFinished(new Uint8Array(event.data))) {
          requestAnimationFrame(() => requestAnimationFrame(() => { window.__finishedRuns += 1; }));
        }
      });
    }
  };
})()"""

# At least `minimum` runs have finished, none is running, and Streamlit shows no "running" status.
RUNS_FINISHED = """minimum => {
  const app = document.querySelector('[data-testid="stApp"]');
  return window.__finishedRuns >= minimum && app !== null && app.dataset.testScriptState === 'notRunning'
    && !document.querySelector('[data-testid="stStatusWidget"]');
}"""

# Resolves when every visible Plotly chart is drawn and settled: no skeleton left; each chart has its figure and
# SVG and no redraw waiting for fonts; each MapLibre map behind a chart has its style, has rendered a forced
# repaint and gone idle (sources and layers loaded, nothing moving), and is still so on the next frame. What is
# on screen is then the current figure. (Plotly adds a map's data layers in the same task as its style loads.)
CHARTS_SETTLED = """async timeout => {
  const deadline = performance.now() + timeout;
  const frame = () => new Promise(resolve => requestAnimationFrame(() => resolve()));
  const charts = () => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .filter(chart => chart.offsetParent !== null).map(chart => chart.querySelector('.js-plotly-plot'));
  const mapsOf = gd => {
    const layout = gd._fullLayout;
    return ((layout._subplots || {}).map || []).map(id => layout[id] && layout[id]._subplot && layout[id]._subplot.map);
  };
  const drawn = gd => gd && gd._fullLayout && gd.querySelector('.main-svg') && !gd._fontLoadToken
    && mapsOf(gd).every(map => map && map.isStyleLoaded());
  const idle = map => new Promise(resolve => { map.once('idle', resolve); map.triggerRepaint(); });
  while (performance.now() < deadline) {
    const plots = charts();
    if (!document.querySelector('[data-testid="stSkeleton"]') && plots.every(drawn)) {
      const maps = plots.flatMap(mapsOf);
      await Promise.race([Promise.all(maps.map(idle)), new Promise(resolve => setTimeout(resolve, deadline - performance.now()))]);
      await frame();
      const now = charts();
      if (now.length === plots.length && now.every(drawn) && now.flatMap(mapsOf).every((map, i) => map === maps[i])
          && maps.every(map => map.loaded() && !map.isMoving())) return true;
    } else {
      await frame();
    }
  }
  throw new Error(`the charts were not drawn within ${timeout} ms`);
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(data_dir: Path | None = None, *, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """Start `streamlit run app.py` on a free local port (with `TENSIONS_DATA_DIR=data_dir` and `env` added to
    this environment); return once the server says it listens and answers its health check."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    environment = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
    if data_dir is not None:
        environment["TENSIONS_DATA_DIR"] = str(data_dir)
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.address",
         "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=APP_ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    output: list[str] = []
    listening = threading.Event()

    def read_output() -> None:
        """Keep the server's output (shown if it fails to start) and note when it says where it listens."""
        for line in process.stdout:
            output.append(line)
            if f"URL: {url}" in line:
                listening.set()
        listening.set()  # the server ended: stop waiting

    threading.Thread(target=read_output, daemon=True).start()
    if not listening.wait(60) or process.poll() is not None:
        stop(process)
        raise RuntimeError("the app did not start within 60 s:\n" + "".join(output))
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as response:
        assert response.status == 200
    return process, url


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def served(data_dir: Path | None = None, *, env: dict[str, str] | None = None) -> Iterator[str]:
    """The app's URL while it is served (see `serve`)."""
    process, url = serve(data_dir, env=env)
    try:
        yield url
    finally:
        stop(process)


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
    """A page in a fresh browser context that records, and blocks, any request leaving the local host, and
    counts the app's finished script runs."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
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


@pytest.fixture
def page(browser: Browser) -> Iterator[tuple[Page, OutsideRequests]]:
    """A fresh, guarded page at slide-friendly size."""
    with guarded_page(browser) as guarded:
        yield guarded


def charts_drawn(page: Page) -> None:
    """Wait until every visible Plotly chart is drawn and every map has rendered its current figure."""
    page.evaluate(CHARTS_SETTLED, TIMEOUT_MS)


def wait_for_app(page: Page, *, runs: int = 1) -> None:
    """Wait until `runs` script runs have finished since the page was loaded, no run is going on, and the
    charts are drawn. Before the first run the status widget is absent too, so "no status widget" alone can
    pass on a page that has not started; the run counter says whether a run has finished."""
    page.wait_for_function(RUNS_FINISHED, arg=runs)
    charts_drawn(page)


@contextmanager
def rerun(page: Page) -> Iterator[None]:
    """Around an action that makes Streamlit rerun the script (a click, a typed value): wait for a run that
    finished after the action began, then for the charts it drew."""
    finished = page.evaluate("() => window.__finishedRuns")
    yield
    wait_for_app(page, runs=finished + 1)


SCREENSHOTS_TAKEN = pytest.StashKey[list[Path]]()
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
    to redraw at that size, then capture into the running test's folder."""
    height = page.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], [data-testid="stAppViewContainer"], section.main\')]'
        ".map(e => e.scrollHeight), 800)"
    )
    page.set_viewport_size({"width": page.viewport_size["width"], "height": int(height) + 40})
    charts_drawn(page)
    path = screenshot_path(name)
    page.screenshot(path=str(path))
    return path


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    taken = [path for path in config.stash.get(SCREENSHOTS_TAKEN, []) if path.exists()]
    if taken:
        terminalreporter.write_sep("-", f"{len(taken)} screenshots of the end-to-end tests")
        for path in taken:
            terminalreporter.write_line(str(path))
