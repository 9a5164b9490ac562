"""`python -m tensions bench-browser`: how fast the pages are in a real browser, against a trivial app.

The app and a trivial one-chart Streamlit app are served side by side on 127.0.0.1, warmed, then opened
several times each in headless Debian Chromium (through Playwright, a development requirement), each load in
a fresh browser context. A script added to every page records when the first visible chart is drawn,
counted from navigation start; the redraws (a country picked in the sidebar, a map mode switch) are timed
from the click until the run has finished and every chart has settled; the map PNG (of a view drawn before,
and of one no run has drawn yet) from the click until its download starts. Medians come from one run of the benchmark, and pages are compared as ratios to the trivial
app measured in that same run, so a busy machine slows both. Numbers, never a test.

The scripts that wait on the page (finished script runs, charts settled) are the end-to-end tests' too.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tensions.data.paths import APP_ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1600, "height": 1000}

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

# The visible Plotly charts (`charts()`), their MapLibre maps (`mapsOf(gd)`), and whether a chart is drawn: it has
# its figure and SVG, no redraw waiting for fonts, and each of its maps has its style (Plotly adds a map's data
# layers in the same task as its style loads).
_CHART_HELPERS = """
  const charts = () => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .filter(chart => chart.offsetParent !== null).map(chart => chart.querySelector('.js-plotly-plot'));
  const mapsOf = gd => {
    const layout = gd._fullLayout;
    return ((layout._subplots || {}).map || []).map(id => layout[id] && layout[id]._subplot && layout[id]._subplot.map);
  };
  const drawn = gd => gd && gd._fullLayout && gd.querySelector('.main-svg') && !gd._fontLoadToken
    && mapsOf(gd).every(map => map && map.isStyleLoaded());
"""

# Resolves when every visible Plotly chart is drawn and settled: no skeleton left; each chart drawn; each MapLibre
# map behind a chart has rendered a forced repaint and gone idle (sources and layers loaded, nothing moving), and
# is still so on the next frame. What is on screen is then the current figure.
CHARTS_SETTLED = (
    """async timeout => {
  const deadline = performance.now() + timeout;
  const frame = () => new Promise(resolve => requestAnimationFrame(() => resolve()));"""
    + _CHART_HELPERS
    + """
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
)

# Added to every page the benchmark opens: `window.__firstChartAt` is the time (ms from navigation start) of the
# first frame in which a visible chart is drawn.
FIRST_CHART = (
    """(() => {"""
    + _CHART_HELPERS
    + """
  const look = () => {
    if (charts().some(drawn)) window.__firstChartAt = performance.now();
    else requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})()"""
)

# The trivial app the pages are compared with: Streamlit and one small Plotly chart, nothing else.
TRIVIAL_APP = '''"""One chart: what any Streamlit page with a Plotly chart costs in this browser."""

import plotly.graph_objects as go
import streamlit as st

st.title("Trivial")
st.plotly_chart(go.Figure(go.Bar(x=["a", "b", "c"], y=[3, 1, 2])), theme=None)
'''


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(
    script: Path | str = "serve.py", *, env: dict[str, str] | None = None, timeout: float = 60.0
) -> tuple[subprocess.Popen, str]:
    """Start `streamlit run script` from the app's folder (so its `.streamlit/config.toml` applies) on a free
    local port, with `env` added to this environment; return its URL (under `STREAMLIT_SERVER_BASE_URL_PATH` when
    `env` sets one) once the server says it listens and answers its health check."""
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    base = (env or {}).get("STREAMLIT_SERVER_BASE_URL_PATH", "").strip("/")
    url = f"{host}/{base}" if base else host
    environment = {**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true", "--server.address",
         "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=APP_ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    output: list[str] = []
    listening = threading.Event()

    def read_output() -> None:
        """Keep the server's output (shown if it fails to start) and note when it says where it listens."""
        for line in process.stdout:
            output.append(line)
            if f"URL: {host}" in line:
                listening.set()
        listening.set()  # the server ended: stop waiting

    threading.Thread(target=read_output, daemon=True).start()
    if not listening.wait(timeout) or process.poll() is not None:
        stop(process)
        raise RuntimeError(f"{script} did not start within {timeout:g} s:\n" + "".join(output))
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as response:
        if response.status != 200:
            stop(process)
            raise RuntimeError(f"{script}: the health check answered {response.status}")
    return process, url


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def served(script: Path | str = "serve.py", *, env: dict[str, str] | None = None) -> Iterator[str]:
    """The URL of `script` while it is served (see `serve`)."""
    process, url = serve(script, env=env)
    try:
        yield url
    finally:
        stop(process)


def charts_drawn(page: Page, timeout_ms: float) -> None:
    """Wait until every visible Plotly chart is drawn and every map has rendered its current figure."""
    page.evaluate(CHARTS_SETTLED, timeout_ms)


def wait_for_app(page: Page, timeout_ms: float, *, runs: int = 1) -> None:
    """Wait until `runs` script runs have finished since the page was loaded, no run is going on, and the
    charts are drawn. Before the first run the status widget is absent too, so "no status widget" alone can
    pass on a page that has not started; the run counter says whether a run has finished."""
    page.wait_for_function(RUNS_FINISHED, arg=runs, timeout=timeout_ms)
    charts_drawn(page, timeout_ms)


@contextmanager
def rerun(page: Page, timeout_ms: float) -> Iterator[None]:
    """Around an action that makes Streamlit rerun the script (a click, a typed value): wait for a run that
    finished after the action began, then for the charts it drew."""
    finished = page.evaluate("() => window.__finishedRuns")
    yield
    wait_for_app(page, timeout_ms, runs=finished + 1)


# ---------------------------------------------------------------------------------------------------
# The benchmark's targets and its table


@dataclass(frozen=True)
class Target:
    """A median's target: at most `limit` seconds, or at most `limit` times the trivial app's first chart."""

    limit: float
    relative: bool = False

    def describe(self) -> str:
        return f"≤ {self.limit:g}× trivial" if self.relative else f"≤ {self.limit:g} s"

    def met(self, median: float, trivial: float) -> bool:
        return median <= self.limit * trivial if self.relative else median <= self.limit


FIRST_CHART_TARGET = Target(1.3, relative=True)
REDRAW_TARGET = Target(1.0)
PNG_TARGET = Target(2.0)


@dataclass
class Measure:
    """One line of the table: what was timed, each run's seconds, and its target (None for the trivial app)."""

    name: str
    target: Target | None
    seconds: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def format_table(measures: list[Measure], trivial: Measure) -> str:
    """A Markdown table: each measure's median and runs, its target and whether the median meets it; a first
    chart's median also as a ratio to the trivial app's."""
    lines = [
        "| measure | median | runs | vs trivial | target | meets it |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for measure in (trivial, *measures):
        median = measure.median
        runs = " ".join(f"{s:.2f}" for s in measure.seconds)
        first_chart = measure is trivial or (measure.target is not None and measure.target.relative)
        ratio = f"{median / trivial.median:.2f}×" if first_chart else ""
        if measure.target is None:
            target, verdict = "", ""
        else:
            target = measure.target.describe()
            verdict = "yes" if measure.target.met(median, trivial.median) else "NO"
        lines.append(f"| {measure.name} | {median:.2f} s | {runs} | {ratio} | {target} | {verdict} |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------
# Measuring

PAGES = (("Overview", ""), ("Map", "map"), ("Timeline", "timeline"), ("Actors", "actors"))
# Map views no run has drawn yet, one per run (the server caches a view's PNG): each preset, in each colouring.
NEW_MAP_VIEWS = tuple(
    f"map_region={region.replace(' ', '+')}&map_colour={colour.replace(' ', '+')}"
    for colour in ("Event type", "Actor family")
    for region in ("Iraq", "Levant", "Gulf", "Yemen and Red Sea", "Middle East")
)
TIMEOUT_MS = 120_000


@contextmanager
def _fresh_page(browser: Browser) -> Iterator[Page]:
    """A page in a new browser context (an empty cache, as a first visit), that counts finished runs and notes
    when the first chart is drawn; requests leaving this machine are blocked."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(RUN_COUNTER)
    context.add_init_script(FIRST_CHART)
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(("http://127.0.0.1", "data:", "blob:")) else route.abort()
        ),
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        yield page
    finally:
        context.close()


def _open(page: Page, url: str) -> float:
    """Open `url`; the seconds from navigation start to its first visible chart (then wait for the whole page)."""
    page.goto(url)
    try:
        page.wait_for_function("() => window.__firstChartAt !== undefined", timeout=TIMEOUT_MS)
    except Exception as error:  # Playwright's TimeoutError: say which page, and what it shows
        text = page.locator("body").inner_text()[:2000]
        raise RuntimeError(f"{url} drew no chart within {TIMEOUT_MS / 1000:g} s; it shows:\n{text}") from error
    first = page.evaluate("() => window.__firstChartAt") / 1000
    wait_for_app(page, TIMEOUT_MS)
    return first


def _timed_rerun(page: Page, action: Callable[[], None]) -> float:
    """Seconds from `action` (which makes the script rerun) until the run has finished and the charts settled."""
    with rerun(page, TIMEOUT_MS):
        began = time.perf_counter()
        action()
    return time.perf_counter() - began


def _pick_country(page: Page, country: str) -> Callable[[], None]:
    """Open the sidebar's country list; the action that picks `country` in it."""
    page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="Countries").click()
    option = page.get_by_role("option", name=country, exact=True)
    option.wait_for()
    return option.click


def _png_seconds(page: Page) -> float:
    """Seconds from a click on "Map as PNG" until the download starts (the server draws it first)."""
    began = time.perf_counter()
    with page.expect_download(timeout=TIMEOUT_MS) as download:
        page.get_by_role("button", name="Map as PNG").click()
    seconds = time.perf_counter() - began
    download.value.delete()
    return seconds


def measure_pages(
    browser: Browser, app_url: str, trivial_url: str, *, runs: int, log: Callable[[str], None]
) -> tuple[Measure, list[Measure]]:
    """Warm both servers, then measure each page, the redraws and the map PNG `runs` times."""
    trivial = Measure("trivial app: first chart", None)
    firsts = {name: Measure(f"{name}: first chart", FIRST_CHART_TARGET) for name, _ in PAGES}
    country = Measure("Overview: a country picked in the sidebar, redrawn", REDRAW_TARGET)
    mode = Measure("Map: mode switch (points → density), redrawn", REDRAW_TARGET)
    png = Measure("Map: PNG download of a view already drawn (warm)", PNG_TARGET)
    new_png = Measure("Map: PNG download of a view not drawn before (warm)", PNG_TARGET)
    log("warming up: every page once (the app's front page first), the map PNG once")
    for url in (trivial_url, *(f"{app_url}/{path}" for _, path in PAGES)):
        with _fresh_page(browser) as page:
            _open(page, url)
            if url.endswith("/map"):
                _png_seconds(page)
    for run in range(1, runs + 1):
        log(f"run {run} of {runs}")
        with _fresh_page(browser) as page:
            trivial.seconds.append(_open(page, trivial_url))
        for name, path in PAGES:
            with _fresh_page(browser) as page:
                firsts[name].seconds.append(_open(page, f"{app_url}/{path}"))
                if name == "Overview":
                    country.seconds.append(_timed_rerun(page, _pick_country(page, "Iraq")))
                elif name == "Map":
                    mode.seconds.append(_timed_rerun(page, page.get_by_role("radio", name="Density").click))
                    png.seconds.append(_png_seconds(page))
        with _fresh_page(browser) as page:
            _open(page, f"{app_url}/map?{NEW_MAP_VIEWS[(run - 1) % len(NEW_MAP_VIEWS)]}")
            new_png.seconds.append(_png_seconds(page))
    return trivial, [*firsts.values(), country, mode, png, new_png]


def run_browser_bench(*, runs: int = 5, log: Callable[[str], None] | None = None) -> str:
    """Serve the app and the trivial app side by side, measure, and return the table."""
    from playwright.sync_api import sync_playwright

    say = log or (lambda message: print(message, file=sys.stderr, flush=True))
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="tensions-trivial-") as folder:
        script = Path(folder) / "trivial.py"
        script.write_text(TRIVIAL_APP, encoding="utf-8")
        say("serving the app and the trivial app on 127.0.0.1…")
        with served() as app_url, served(script) as trivial_url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                trivial, measures = measure_pages(browser, app_url, trivial_url, runs=runs, log=say)
            finally:
                browser.close()
    loads = (" ".join(f"{value:.2f}" for value in when) for when in (load_before, os.getloadavg()))
    return (
        format_table(measures, trivial)
        + f"\n\nMedians of {runs} runs, each load in a fresh browser context; "
        "load average (1, 5, 15 min) at the start {} and at the end {}.".format(*loads)
    )
