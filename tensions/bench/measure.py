"""`python -m tensions bench`: loading, filtering and figure building on synthetic events, next to the floor.

For each size (10k, 100k, 1M by default) synthetic events are written as normalised Parquet, then a
fresh process (so its peak memory is its own) loads them the way the app does, applies 20 different
filter states through `tensions.analysis.filters`, and the same filters as a bare NumPy boolean mask over the
same columns (the floor), and builds the map (each mode) and the timeline for a few of those states,
measuring build time and payload (`len(fig.to_json())`). Timings are wall-clock on whatever else the
machine runs: read them as orders of magnitude, never as a test.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import multiprocessing
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
import pandas as pd

from tensions.analysis.filters import FilterState, filter_mask
from tensions.data.paths import data_dir as default_data_dir
from tensions.figures.map.builder import event_map
from tensions.figures.timeline.builder import event_timeline

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
FILTER_CHANGES = 20
# Targets at the largest size (from the issue).
TARGET_FILTER_PLUS_BUILD_MS = 300.0
TARGET_PAYLOAD_BYTES = 5_000_000
TARGET_PEAK_RSS_BYTES = 1.5 * 1024**3
TARGET_FLOOR_RATIO = 5.0
# A figure whose first build takes longer than this is built only once, and no figure is rebuilt once its
# builds have taken this long in all (keeps the whole run under 2 minutes on a busy 2-core machine).
SLOW_BUILD_SECONDS = 8.0
FIGURES: tuple[tuple[str, Callable, dict], ...] = (
    ("map points", event_map, {"mode": "points"}),
    ("map density", event_map, {"mode": "density"}),
    ("map provinces", event_map, {"mode": "provinces"}),
    ("timeline", event_timeline, {}),
)


@dataclass
class FigureResult:
    name: str
    status: str  # "ok" or "error: …"
    builds: int = 0
    build_ms_median: float | None = None
    filter_plus_build_ms_median: float | None = None
    all_events_build_ms: float | None = None  # the default view, no filter: the worst case
    payload_bytes: int | None = None
    payload_ms: float | None = None
    traces: int | None = None


@dataclass
class SizeResult:
    events: int
    parquet_bytes: int
    load_ms: float
    rss_after_load_bytes: int
    filter_ms_median: float
    numpy_floor_ms_median: float
    floor_ratio: float
    take_ms_median: float
    kept_median: int
    masks_agree: bool
    # The filter change that took longest, as a link's query (`FilterState.to_query_params`): open it in the
    # app on the same data to see that view.
    slowest_filter: str = ""
    figures: list[FigureResult] = field(default_factory=list)
    peak_rss_bytes: int = 0
    seconds: float = 0.0


@dataclass
class BenchReport:
    sizes: list[SizeResult]
    seed: int
    filter_changes: int
    figure_states: int
    started: str
    seconds: float
    machine: dict


def bench_sizes(events: int, *, only: bool = False) -> list[int]:
    """10k and 100k before `events` (when smaller), unless `only`."""
    if only:
        return [events]
    return [s for s in DEFAULT_SIZES[:-1] if s < events] + [events]


# ---------------------------------------------------------------------------------------------------
# Filter states and the floor


def filter_states(events: pd.DataFrame, count: int = FILTER_CHANGES, *, seed: int = 7) -> list[FilterState]:
    """`count` different, plausible filter changes: periods, countries, types, actors, datasets, precision."""
    rng = np.random.default_rng(seed)
    dates = events["event_date"]
    first, last = dates.min().date(), dates.max().date()
    span = (last - first).days

    def present(column: str, top: int) -> list[str]:
        counts = events[column].value_counts()
        return [str(v) for v, n in counts.head(top).items() if n > 0]

    countries, types = present("country", 12), present("event_type", 8)
    actors, datasets = present("actor1", 40), present("dataset", 4)

    def pick(values: list[str], most: int) -> tuple[str, ...]:
        return tuple(
            str(v) for v in rng.choice(values, min(int(rng.integers(1, most + 1)), len(values)), replace=False)
        )

    states: list[FilterState] = []
    k = 0
    while len(states) < count and k < count * 20:
        k += 1
        start = first + dt.timedelta(days=int(rng.integers(0, max(span * 3 // 4, 1))))
        end = min(start + dt.timedelta(days=int(rng.integers(30, max(span // 2, 31)))), last)
        kind = k % 5
        state = FilterState(
            start=start if kind in (0, 2) else None,
            end=end if kind in (0, 2) else None,
            countries=pick(countries, 2) if kind in (1, 4) else (),
            event_types=pick(types, 2) if kind == 2 else (),
            actors=pick(actors, 2) if kind == 3 else (),
            datasets=pick(datasets, 2) if kind == 4 else (),
            precise_only=k % 4 == 0,
        )
        if state not in states:  # each change a different one
            states.append(state)
    return states


class NumpyFloor:
    """The same filters as `tensions.analysis.filters`, as bare NumPy over arrays prepared once: the floor."""

    def __init__(self, events: pd.DataFrame) -> None:
        self.dates = events["event_date"].to_numpy().astype("datetime64[us]").view("int64")
        self.codes = {
            c: events[c].cat.codes.to_numpy()
            for c in ("country", "event_type", "dataset", "actor1", "actor2", "time_precision")
        }
        self.categories = {c: events[c].cat.categories for c in self.codes}
        self.geo = events["geo_precision"].to_numpy(dtype="float64", na_value=np.nan)

    def _lookup(self, column: str, values) -> np.ndarray:
        codes = self.categories[column].get_indexer(list(values))
        table = np.zeros(len(self.categories[column]) + 1, dtype=bool)
        table[codes[codes >= 0]] = True
        return table[self.codes[column]]

    def mask(self, state: FilterState, actor_names: set[str] | None = None) -> np.ndarray:
        mask = np.ones(len(self.dates), dtype=bool)
        if state.start is not None:
            mask &= self.dates >= np.datetime64(state.start, "us").astype("int64")
        if state.end is not None:
            mask &= self.dates < (np.datetime64(state.end, "us") + np.timedelta64(1, "D")).astype("int64")
        for column, values in (
            ("country", state.countries),
            ("event_type", state.event_types),
            ("dataset", state.datasets),
        ):
            if values:
                mask &= self._lookup(column, values)
        if state.actors:
            names = actor_names if actor_names is not None else set(state.actors)
            mask &= self._lookup("actor1", names) | self._lookup("actor2", names)
        if state.precise_only:
            mask &= ~((self.geo == 3) | self._lookup("time_precision", ("month",)))
        return mask


def _best_ms(function: Callable[[], object], repeats: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, (time.perf_counter() - start) * 1000)
    return best, result


def peak_rss_bytes() -> int:
    """This process's peak resident memory. Linux's VmHWM starts afresh at exec, unlike ru_maxrss, which
    a spawned child inherits from the parent it was forked from."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # kilobytes on Linux, bytes on macOS


def _current_rss_bytes() -> int:
    try:
        import psutil

        return psutil.Process().memory_info().rss
    except ImportError:  # psutil is a test dependency; the peak from `resource` still works
        return 0


# ---------------------------------------------------------------------------------------------------
# One size, measured in its own process


def measure_size(
    path: str, *, seed: int = 7, figure_repeats: int = 5, actors_dir: str | None = None, figures: bool = True
) -> SizeResult:
    """Load `path`, time the filters against the floor and the figure builders; runs in a fresh process."""
    from tensions.bench.synthetic import read_curated_table
    from tensions.data.actors import with_descendants
    from tensions.data.schema import ACTORS
    from tensions.ingest.imported import read_events

    began = time.perf_counter()
    start = time.perf_counter()
    events = read_events(Path(path))
    load_ms = (time.perf_counter() - start) * 1000
    rss_after_load = _current_rss_bytes()
    actors = read_curated_table(Path(actors_dir), ACTORS) if actors_dir else None

    states = filter_states(events, seed=seed)
    floor = NumpyFloor(events)
    filter_ms, floor_ms, take_ms, kept, agree = [], [], [], [], True
    filter_mask(events, states[0], actors)  # warm up caches and lazy imports
    for state in states:
        names = with_descendants(state.actors, actors) if actors is not None and state.actors else None
        ms, mask = _best_ms(lambda state=state: filter_mask(events, state, actors))
        ms_floor, floor_mask = _best_ms(lambda state=state, names=names: floor.mask(state, names))
        agree &= bool(np.array_equal(mask, floor_mask))
        ms_take, _ = _best_ms(lambda mask=mask: events.take(np.flatnonzero(mask)), repeats=1)
        filter_ms.append(ms)
        floor_ms.append(ms_floor)
        take_ms.append(ms_take)
        kept.append(int(mask.sum()))
    result = SizeResult(
        events=len(events),
        parquet_bytes=Path(path).stat().st_size,
        load_ms=load_ms,
        rss_after_load_bytes=rss_after_load,
        filter_ms_median=statistics.median(filter_ms),
        numpy_floor_ms_median=statistics.median(floor_ms),
        floor_ratio=statistics.median(filter_ms) / max(statistics.median(floor_ms), 1e-6),
        take_ms_median=statistics.median(take_ms),
        kept_median=int(statistics.median(kept)),
        masks_agree=agree,
        slowest_filter=urlencode(states[int(np.argmax(filter_ms))].to_query_params(), doseq=True),
    )
    if figures:
        # All events (the default view, the worst case) and then the first few filter changes.
        figure_states = [FilterState(), *states[: max(figure_repeats - 1, 0)]]
        for name, builder, options in FIGURES:
            result.figures.append(_measure_figure(name, builder, options, events, figure_states, actors))
    result.peak_rss_bytes = peak_rss_bytes()
    result.seconds = time.perf_counter() - began
    return result


def _measure_figure(
    name: str,
    builder: Callable,
    options: dict,
    events: pd.DataFrame,
    states: Sequence[FilterState],
    actors: pd.DataFrame | None,
) -> FigureResult:
    try:  # warm up: the app builds figures with its modules and basemap already loaded
        builder(events.head(50), **options)
    except Exception as error:
        return FigureResult(name, f"error: {type(error).__name__}: {error}"[:200])
    build_ms, total_ms = [], []
    outcome = FigureResult(name, "ok")
    for k, state in enumerate(states):
        start = time.perf_counter()
        mask = filter_mask(events, state, actors)
        view = events.take(np.flatnonzero(mask)) if not mask.all() else events
        filtered = time.perf_counter()
        try:
            fig = builder(view, **options)
        except Exception as error:  # a builder failing on these events is reported; the rest are still measured
            return FigureResult(name, f"error: {type(error).__name__}: {error}"[:200], builds=k)
        done = time.perf_counter()
        build_ms.append((done - filtered) * 1000)
        total_ms.append((done - start) * 1000)
        if k == 0:
            outcome.all_events_build_ms = build_ms[0]
            start_json = time.perf_counter()
            outcome.payload_bytes = len(fig.to_json())
            outcome.payload_ms = (time.perf_counter() - start_json) * 1000
            outcome.traces = len(fig.data)
        if sum(total_ms) > SLOW_BUILD_SECONDS * 1000:
            break
    outcome.builds = len(build_ms)
    outcome.build_ms_median = statistics.median(build_ms)
    outcome.filter_plus_build_ms_median = statistics.median(total_ms)
    return outcome


# ---------------------------------------------------------------------------------------------------
# The whole run


def run_bench(
    sizes: Sequence[int] = DEFAULT_SIZES,
    *,
    seed: int = 7,
    figure_repeats: int = 5,
    isolate: bool = True,
    figures: bool = True,
    data_dir: Path | None = None,
    log: Callable[[str], None] | None = None,
) -> BenchReport:
    """Generate synthetic events once (the largest size; smaller sizes are random subsets) and measure
    each size, in its own process when `isolate` so peak memory belongs to that size alone."""
    from tensions.bench.synthetic import synthetic_events
    from tensions.data.atomic import write_bytes_atomically
    from tensions.ingest.imported import parquet_bytes

    say = log or (lambda message: print(message, file=sys.stderr, flush=True))
    began = time.perf_counter()
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    results = []
    with tempfile.TemporaryDirectory(prefix="tensions-bench-") as work:
        largest = max(sizes)
        say(f"generating {largest:,} synthetic events…")
        events = synthetic_events(largest, seed=seed, data_dir=folder)
        rng = np.random.default_rng(seed)
        paths = {}
        for size in sorted(set(sizes)):
            subset = events if size == largest else events.take(np.sort(rng.choice(largest, size, replace=False)))
            paths[size] = Path(work) / f"events-{size}.parquet"
            write_bytes_atomically(paths[size], parquet_bytes(subset.reset_index(drop=True)))
        del events, subset
        for size in sizes:
            say(f"measuring {size:,} events…")
            kwargs = {"seed": seed, "figure_repeats": figure_repeats, "actors_dir": str(folder), "figures": figures}
            if isolate:
                context = multiprocessing.get_context("spawn")
                with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
                    results.append(pool.submit(measure_size, str(paths[size]), **kwargs).result())
            else:
                results.append(measure_size(str(paths[size]), **kwargs))
    return BenchReport(
        sizes=results,
        seed=seed,
        filter_changes=FILTER_CHANGES,
        figure_states=figure_repeats,
        started=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        seconds=time.perf_counter() - began,
        machine=_machine(),
    )


def _machine() -> dict:
    import os

    import plotly

    return {
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "plotly": plotly.__version__,
        "cpus": os.cpu_count(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


# ---------------------------------------------------------------------------------------------------
# Output


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _mb(value: float | None) -> str:
    return "—" if value is None else f"{value / 1e6:,.2f}"


def _mib(value: float | None) -> str:
    return "—" if value is None else f"{value / 1024**2:,.0f}"


def _verdict(ok: bool | None) -> str:
    return "" if ok is None else "meets" if ok else "MISSES"


def format_report(report: BenchReport) -> str:
    """The results as a plain-text table, one column per size, with the targets at the largest size."""
    sizes = report.sizes
    largest = sizes[-1]
    rows: list[tuple[str, list[str], str]] = []
    rows.append(("Parquet file (MB)", [_mb(s.parquet_bytes) for s in sizes], ""))
    rows.append(("load Parquet (ms)", [_ms(s.load_ms) for s in sizes], ""))
    rows.append(("RSS after load (MiB)", [_mib(s.rss_after_load_bytes) for s in sizes], ""))
    rows.append(("filter mask, median of 20 (ms)", [_ms(s.filter_ms_median) for s in sizes], ""))
    rows.append(("NumPy floor, median of 20 (ms)", [_ms(s.numpy_floor_ms_median) for s in sizes], ""))
    ratio_ok = largest.floor_ratio <= TARGET_FLOOR_RATIO
    rows.append(
        (
            "filter / floor",
            [f"{s.floor_ratio:.2f}x" for s in sizes],
            f"<= {TARGET_FLOOR_RATIO:g}x {_verdict(ratio_ok)}",
        )
    )
    rows.append(("take filtered rows, median (ms)", [_ms(s.take_ms_median) for s in sizes], ""))
    rows.append(("events kept, median", [f"{s.kept_median:,}" for s in sizes], ""))
    rows.append(("filter masks equal the floor's", ["yes" if s.masks_agree else "NO" for s in sizes], ""))
    for k, figure in enumerate(largest.figures):
        per_size = [s.figures[k] if k < len(s.figures) else None for s in sizes]
        if figure.status != "ok":
            rows.append((f"{figure.name}", [f.status[:40] if f else "—" for f in per_size], ""))
            continue
        total_ok = figure.filter_plus_build_ms_median <= TARGET_FILTER_PLUS_BUILD_MS
        rows.append(
            (
                f"{figure.name}: filter+build median (ms)",
                [_ms(f.filter_plus_build_ms_median) if f and f.status == "ok" else "—" for f in per_size],
                f"< {TARGET_FILTER_PLUS_BUILD_MS:g} {_verdict(total_ok)}",
            )
        )
        rows.append(
            (
                f"{figure.name}: build only, median (ms)",
                [_ms(f.build_ms_median) if f and f.status == "ok" else "—" for f in per_size],
                "",
            )
        )
        rows.append(
            (
                f"{figure.name}: build, all events (ms)",
                [_ms(f.all_events_build_ms) if f and f.status == "ok" else "—" for f in per_size],
                "",
            )
        )
        rows.append(
            (
                f"{figure.name}: builds timed",
                [str(f.builds) if f and f.status == "ok" else "—" for f in per_size],
                "",
            )
        )
        payload_ok = (figure.payload_bytes or 0) < TARGET_PAYLOAD_BYTES
        rows.append(
            (
                f"{figure.name}: payload, all events (MB)",
                [_mb(f.payload_bytes) if f and f.status == "ok" else "—" for f in per_size],
                f"< {TARGET_PAYLOAD_BYTES / 1e6:g} {_verdict(payload_ok)}",
            )
        )
    rss_ok = largest.peak_rss_bytes < TARGET_PEAK_RSS_BYTES
    rows.append(("peak RSS (MiB)", [_mib(s.peak_rss_bytes) for s in sizes], f"< 1,536 {_verdict(rss_ok)}"))
    rows.append(("seconds for this size", [f"{s.seconds:,.1f}" for s in sizes], ""))

    label_width = max(len(r[0]) for r in rows)
    widths = [max(len(f"{s.events:,}"), *(len(r[1][i]) for r in rows)) for i, s in enumerate(sizes)]
    header = f"{'events':<{label_width}}  " + "  ".join(f"{s.events:>{w},}" for s, w in zip(sizes, widths, strict=True))
    header += f"  target at {largest.events:,}"
    lines = [header, "-" * len(header)]
    for label, values, target in rows:
        cells = "  ".join(f"{v:>{w}}" for v, w in zip(values, widths, strict=True))
        lines.append(f"{label:<{label_width}}  {cells}  {target}".rstrip())
    load = report.machine.get("load_average")
    lines.append("")
    lines.append(
        f"{report.filter_changes} filter changes per size (best of 3 each, then the median); figures timed on "
        f"all events plus {report.figure_states - 1} filter changes; seed {report.seed}; "
        f"{report.machine.get('cpus')} CPUs"
        + (f", load average {load[0]:.1f} at the end" if load else "")
        + f"; whole run {report.seconds:,.0f} s."
    )
    lines.append(f"Slowest filter change at {largest.events:,} events: ?{largest.slowest_filter}")
    return "\n".join(lines)


def report_dict(report: BenchReport) -> dict:
    data = asdict(report)
    data["targets"] = {
        "filter_plus_build_ms": TARGET_FILTER_PLUS_BUILD_MS,
        "payload_bytes": TARGET_PAYLOAD_BYTES,
        "peak_rss_bytes": TARGET_PEAK_RSS_BYTES,
        "floor_ratio": TARGET_FLOOR_RATIO,
    }
    return data


def write_json(report: BenchReport, path: Path) -> None:
    Path(path).write_text(json.dumps(report_dict(report), indent=2), encoding="utf-8")
