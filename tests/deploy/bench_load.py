"""A bounded load test of the team deployment: N reader sessions at once, through the proxy, across two replicas.

    python -m tests.deploy.bench_load --sessions 20      (make bench-load)

The harness of the end-to-end tests (tests/deploy/harness.py) serves two replicas of the app on one store (by
default a private PostgreSQL server, as the tests start theirs, loaded with the shipped tables; `--store files`
for the data folder) and the deployment's nginx in front. Each reader is one Streamlit session driven over Streamlit's own websocket
protocol, as its browser would: a first visit (the proxy's cookie), the Overview's first run, then filter
changes (a country and "Precise events only"), each a rerun of the page with the new widget values, a pause
between them as a reader reads. A filter change is timed from sending the new values to the server's
"script finished", every element of the rerun received, the Overview's four charts included.

Why the protocol, not a browser per reader: on a 2-core machine, twenty Chromium pages drawing Plotly and
MapLibre would take the cores from the servers being measured, and the numbers would be the browsers'. The
protocol client costs next to nothing, so what is timed is the replicas and the proxy; drawing a chart in a
browser (about the same for one reader or many) is measured by `make bench-browser`.

Errors: a session that could not connect, a run that did not finish within the timeout, a run that ended
with an exception or a compile error, or a session whose websocket reached another replica than its page.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import shutil
import statistics
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Coroutine, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import TypeVar

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from tensions.data.guard import local_grant
from tensions.store import curated
from tensions.store.engine import dispose_engine
from tensions.store.migrate import upgrade
from tests.conftest import APP_ROOT
from tests.deploy.harness import team_deployment
from tests.postgres_server import postgres_server

T = TypeVar("T")
RUN_TIMEOUT = 120.0  # seconds a run may take before it counts as an error
COUNTRY_LABEL = "Countries"
PRECISE_LABEL = "Precise events only"
FINISHED = 0  # ForwardMsg.script_finished: finished successfully


class RunFailed(Exception):
    """A script run ended with an exception or a compile error, or did not end in time."""


@dataclass
class Run:
    seconds: float
    widgets: dict[str, object]  # the filters' widgets of the page, by label
    page: str  # the page's script hash, sent back with the next rerun


@dataclass
class Results:
    first_runs: list[float] = field(default_factory=list)
    changes: list[float] = field(default_factory=list)
    replicas: Counter = field(default_factory=Counter)  # sessions per replica
    errors: list[str] = field(default_factory=list)


async def script_run(socket, page: str, widgets: Sequence[WidgetState] = ()) -> Run:
    """Ask for a run of `page` with `widgets`, and read every message until the run finishes."""
    message = BackMsg()
    message.rerun_script.page_script_hash = page
    message.rerun_script.widget_states.widgets.extend(widgets)
    started = time.perf_counter()
    await socket.send(message.SerializeToString())
    found: dict[str, object] = {}
    failure = None
    async with asyncio.timeout(RUN_TIMEOUT):
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await socket.recv())
            kind = forward.WhichOneof("type")
            if kind == "navigation":
                page = forward.navigation.page_script_hash
            elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                element = forward.delta.new_element
                inner = getattr(element, element.WhichOneof("type"))
                if element.WhichOneof("type") == "exception":
                    failure = failure or f"the run raised {inner.type}"
                if getattr(inner, "label", None) in (COUNTRY_LABEL, PRECISE_LABEL):
                    found[inner.label] = inner
            elif kind == "script_finished":
                if failure or forward.script_finished != FINISHED:
                    raise RunFailed(failure or f"the run ended with status {forward.script_finished}")
                return Run(time.perf_counter() - started, found, page)


def first_visit(url: str, cookie_name: str) -> tuple[str, str]:
    """GET the app's page through the proxy as a new browser: the proxy's cookie and the replica that answered."""
    with urllib.request.urlopen(url, timeout=60) as response:
        cookie = SimpleCookie(response.headers["Set-Cookie"])[cookie_name].value
        return cookie, response.headers["X-Upstream"]


def filter_change(run: Run, change: int, session: int) -> list[WidgetState]:
    """The widget values of a reader's `change`-th filter change: one country in turn, precise events every
    other change."""
    countries = run.widgets[COUNTRY_LABEL]
    country = WidgetState(id=countries.id)
    country.string_array_value.data.append(countries.options[(session + change) % len(countries.options)])
    precise = WidgetState(id=run.widgets[PRECISE_LABEL].id, bool_value=change % 2 == 1)
    return [country, precise]


async def reader(session: int, proxy_url: str, cookie_name: str, changes: int, pause: float, results: Results):
    """One reader: a first visit, the first run, then `changes` filter changes with pauses between them."""
    pauses = random.Random(session)
    try:
        cookie, replica = await asyncio.to_thread(first_visit, proxy_url, cookie_name)
        async with websockets.connect(
            proxy_url.replace("http://", "ws://") + "/_stcore/stream",
            subprotocols=["streamlit"],
            additional_headers={"Cookie": f"{cookie_name}={cookie}"},
            max_size=None,
            open_timeout=RUN_TIMEOUT,
        ) as socket:
            if socket.response.headers["X-Upstream"] != replica:
                results.errors.append(f"session {session}: its websocket went to another replica than its page")
            results.replicas[replica] += 1
            run = await script_run(socket, "")
            results.first_runs.append(run.seconds)
            for change in range(changes):
                await asyncio.sleep(pauses.uniform(0.5, 1.5) * pause)
                changed = await script_run(socket, run.page, filter_change(run, change, session))
                results.changes.append(changed.seconds)
    except (OSError, TimeoutError, RunFailed, KeyError, websockets.WebSocketException) as error:
        results.errors.append(f"session {session}: {type(error).__name__}: {error}")


def percentile(values: Sequence[float], share: float) -> float:
    """The `share` quantile of `values` (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def report(results: Results, sessions: int, changes: int, seconds: float, load_before: float) -> str:
    rows = [
        ("reader sessions at once", f"{sessions}"),
        ("replicas (sessions on each)", ", ".join(f"{n}" for n in sorted(results.replicas.values())) or "none"),
        ("filter changes timed", f"{len(results.changes)} of {sessions * changes}"),
    ]
    if results.changes:
        rows += [
            ("filter change, median", f"{statistics.median(results.changes):.2f} s"),
            ("filter change, 95th percentile", f"{percentile(results.changes, 0.95):.2f} s"),
            ("filter change, slowest", f"{max(results.changes):.2f} s"),
        ]
    if results.first_runs:
        rows.append(("first run of the Overview, median", f"{statistics.median(results.first_runs):.2f} s"))
    rows += [
        ("errors", f"{len(results.errors)}"),
        ("wall time", f"{seconds:.0f} s"),
        ("cores; load average before the run (1 min)", f"{os.cpu_count()}; {load_before:.1f}"),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [f"| {'measure':<{width}} | value |", f"| {'-' * width} | --- |"]
    lines += [f"| {name:<{width}} | {value} |" for name, value in rows]
    return "\n".join(lines + [f"error: {error}" for error in results.errors[:20]])


async def load(proxy_url: str, cookie_name: str, sessions: int, changes: int, pause: float) -> Results:
    results = Results()
    await asyncio.gather(*(reader(n, proxy_url, cookie_name, changes, pause, results) for n in range(sessions)))
    return results


def in_own_loop(coroutine: Coroutine[object, object, T]) -> T:
    """Run `coroutine` in an event loop of its own thread, so that this also works where the calling thread has
    one running already (Playwright's synchronous API in the same test session keeps one)."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def warm_up(urls: Sequence[str]) -> None:
    """One session on each replica first, straight to it: it loads the data into the replica's cache, as the
    first reader of the day would, so the readers measure a serving app rather than its start."""

    async def once(url: str) -> None:
        async with websockets.connect(
            url.replace("http://", "ws://") + "/_stcore/stream", subprotocols=["streamlit"], max_size=None
        ) as socket:
            await script_run(socket, "")

    async def all_replicas() -> None:
        await asyncio.gather(*(once(url) for url in urls))

    in_own_loop(all_replicas())


@contextmanager
def store(kind: str, data: Path) -> Iterator[dict[str, str]]:
    """The environment that points the replicas at the store: a private PostgreSQL server holding the tables
    of `data`, or nothing (the data folder)."""
    if kind == "files":
        yield {}
        return
    with postgres_server() as server:
        url = server.url()
        upgrade(url)
        curated.load_folder(url, data, grant=local_grant())
        try:
            yield {"TENSIONS_DATABASE_URL": url}
        finally:
            dispose_engine(url)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20, help="reader sessions at once (default 20)")
    parser.add_argument("--changes", type=int, default=5, help="filter changes per reader (default 5)")
    parser.add_argument("--pause", type=float, default=2.0, help="mean seconds a reader waits between changes")
    parser.add_argument("--data", type=Path, default=APP_ROOT / "data", help="the data folder served (copied)")
    parser.add_argument("--store", choices=("postgres", "files"), default="postgres", help="default postgres")
    args = parser.parse_args(argv)
    print(
        f"{args.sessions} reader sessions, {args.changes} filter changes each, through the proxy to 2 replicas "
        f"on the {args.store} store"
    )
    load_before = os.getloadavg()[0]  # what the machine was doing already: the cores may be shared
    with tempfile.TemporaryDirectory(prefix="tensions-load-") as folder:
        data = Path(folder) / "data"
        shutil.copytree(args.data, data)
        with store(args.store, data) as environment, team_deployment(data, environment) as deployment:
            warm_up(deployment.urls)
            started = time.perf_counter()
            results = in_own_loop(
                load(deployment.proxy.url, deployment.proxy.cookie, args.sessions, args.changes, args.pause)
            )
            print(report(results, args.sessions, args.changes, time.perf_counter() - started, load_before))
    return 1 if results.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
