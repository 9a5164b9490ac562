"""`python -m tensions bench --store postgres`: synthetic events loaded into PostgreSQL with COPY, then filter +
figure per figure with the sums computed in SQL, and the app-side process's peak memory; beside the file
store at a tenth of the size (`tensions.bench.measure`), in the same run.

The events are generated and copied in a million at a time (one import each), so neither the generator nor
the loader holds ten million rows. Each filter + figure is measured in a fresh process whose peak memory is
that of an app server drawing from the database: what it reads is sums, never the events.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from tensions.analysis import queries, stored
from tensions.analysis.filters import FilterState
from tensions.bench.measure import FIGURES, FigureResult, filter_states, peak_rss_bytes
from tensions.bench.synthetic import read_curated_table, synthetic_events
from tensions.data.guard import local_grant
from tensions.data.schema import ACTORS
from tensions.figures.stored import map_rows, timeline_rows
from tensions.ingest.importers import ImportResult
from tensions.ingest.importers.reading import empty_rejected
from tensions.store import imported
from tensions.store.engine import engine_for

LOAD_CHUNK = 1_000_000
BENCH_FILE = "bench synthetic part {:03d}.csv"
TARGET_MS = 1000.0
TARGET_RSS_BYTES = 1024**3
# The sums the Overview, the Actors page and the sidebar read (`tensions.analysis.stored`), measured beside the
# figures: each the SQL sums of a filter state and the rows the app receives (no figure is built from them).
PAGE_SUMS: tuple[tuple[str, Callable[[str, FilterState, pd.DataFrame], object]], ...] = (
    ("overview sums", lambda url, state, actors: stored.activity_rows(url, state, actors=actors)),
    ("pair sums", lambda url, state, actors: stored.pair_rows(url, state, actors=actors)),
    ("index per day", lambda url, state, actors: stored.index_rows(url, state, actors)),
    ("sidebar names", lambda url, state, actors: queries.present_names(url, state.datasets or ("acled",))),
)


@dataclass
class PostgresResult:
    events: int
    load_seconds: float
    table_bytes: int
    figures: list[FigureResult] = field(default_factory=list)
    peak_rss_bytes: int = 0


def load_synthetic(url: str, events: int, *, seed: int, data_dir: Path, log: Callable[[str], None]) -> float:
    """Replace the database's imports with `events` synthetic events, a million per import; seconds taken by
    the COPYs (generation excluded)."""
    with engine_for(url).begin() as connection:
        connection.execute(sa.text("TRUNCATE imports, imported_events, imported_facts, imported_names"))
    copying = 0.0
    for part, start in enumerate(range(0, events, LOAD_CHUNK)):
        size = min(LOAD_CHUNK, events - start)
        chunk = synthetic_events(size, seed=seed + part, data_dir=data_dir)
        ids = pd.Series(np.arange(start + 1, start + size + 1).astype(str), dtype="string")
        chunk["event_id"], chunk["original_id"] = "syn:" + ids, ids
        name = BENCH_FILE.format(part)
        result = ImportResult("acled", "ACLED", name, "synthetic", size, chunk, empty_rejected())
        began = time.perf_counter()
        imported.save_import(url, result, grant=local_grant(), refresh=False)
        copying += time.perf_counter() - began
        log(f"  copied {start + size:,} events ({copying:,.0f} s)")
    began = time.perf_counter()
    with engine_for(url).begin() as connection:
        imported.refresh_sums(connection)
    log(f"  refreshed the kept sums ({time.perf_counter() - began:,.0f} s)")
    with engine_for(url).connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM ANALYZE imported_facts"))
        connection.execute(sa.text("ANALYZE imported_events"))
    return copying + time.perf_counter() - began


def _table_bytes(url: str) -> int:
    with engine_for(url).connect() as connection:
        return int(
            connection.execute(
                sa.text("SELECT pg_total_relation_size('imported_facts') + pg_total_relation_size('imported_events')")
            ).scalar_one()
        )


def measure_postgres(url: str, *, seed: int, figure_repeats: int, data_dir: str) -> PostgresResult:
    """Filter + figure per figure from the database's sums; runs in a fresh process (its own peak memory)."""
    actors = read_curated_table(Path(data_dir), ACTORS)
    sample = synthetic_events(100_000, seed=seed, data_dir=Path(data_dir))  # the filters' values and dates
    states = [FilterState(), *filter_states(sample, seed=seed)[: max(figure_repeats - 1, 0)]]
    result = PostgresResult(events=0, load_seconds=0.0, table_bytes=_table_bytes(url))
    for name, builder, options in FIGURES:
        builder(sample.head(50), **options)  # warm up: the app builds figures with its modules already loaded
        rows_for = _rows_for(name, options)
        total_ms, build_ms = [], []
        outcome = FigureResult(name, "ok")
        for k, state in enumerate(states):
            start = time.perf_counter()
            rows, extra_options = rows_for(url, state, actors)
            fetched = time.perf_counter()
            fig = builder(rows, **options, **extra_options)
            done = time.perf_counter()
            total_ms.append((done - start) * 1000)
            build_ms.append((done - fetched) * 1000)
            if k == 0:
                outcome.all_events_build_ms = total_ms[0]
                outcome.payload_bytes = len(fig.to_json())
                outcome.traces = len(fig.data)
        outcome.builds = len(total_ms)
        outcome.build_ms_median = statistics.median(build_ms)
        outcome.filter_plus_build_ms_median = statistics.median(total_ms)
        result.figures.append(outcome)
    for name, sums in PAGE_SUMS:
        total_ms = []
        for state in states:
            start = time.perf_counter()
            sums(url, state, actors)
            total_ms.append((time.perf_counter() - start) * 1000)
        result.figures.append(
            FigureResult(
                name,
                "ok",
                builds=len(total_ms),
                filter_plus_build_ms_median=statistics.median(total_ms),
                all_events_build_ms=total_ms[0],
            )
        )
    del sample
    result.peak_rss_bytes = peak_rss_bytes()
    return result


def _rows_for(name: str, options: dict) -> Callable[[str, FilterState, pd.DataFrame | None], tuple[pd.DataFrame, dict]]:
    """For each figure: its rows from the database and the options they come with."""
    if name.startswith("map"):

        def rows(url: str, state: FilterState, actors: pd.DataFrame | None) -> tuple[pd.DataFrame, dict]:
            found = map_rows(url, state, mode=options["mode"], actors=actors)
            return found.rows, found.options

        return rows
    return lambda url, state, actors: (timeline_rows(url, state, actors=actors), {})


def run_postgres_bench(
    url: str,
    events: int,
    *,
    seed: int = 7,
    figure_repeats: int = 5,
    data_dir: Path,
    load: bool = True,
    log: Callable[[str], None],
) -> PostgresResult:
    """Load `events` synthetic events into the database at `url` (unless `load` is off: measure what is
    there), then measure each figure in a fresh process."""
    load_seconds = 0.0
    if load:
        log(f"copying {events:,} synthetic events into PostgreSQL…")
        load_seconds = load_synthetic(url, events, seed=seed, data_dir=data_dir, log=log)
    with engine_for(url).connect() as connection:
        stored = int(connection.execute(sa.text("SELECT count(*) FROM imported_facts")).scalar_one())
    log(f"measuring {stored:,} events in PostgreSQL…")
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        kwargs = {"seed": seed, "figure_repeats": figure_repeats, "data_dir": str(data_dir)}
        result = pool.submit(measure_postgres, url, **kwargs).result()
    result.events, result.load_seconds = stored, load_seconds
    return result


def format_comparison(database: PostgresResult, files) -> str:
    """PostgreSQL at its size beside the file store's largest size (a `measure.SizeResult`), one row per figure."""
    head = f"{'':<34}{f'PostgreSQL, {database.events:,}':>22}{f'files, {files.events:,}':>20}  target (PostgreSQL)"
    lines = [head, "-" * len(head)]
    lines.append(f"{'load (s)':<34}{database.load_seconds:>22,.0f}{files.load_ms / 1000:>20,.1f}")
    lines.append(f"{'stored (MB)':<34}{database.table_bytes / 1e6:>22,.0f}{files.parquet_bytes / 1e6:>20,.0f}")
    by_name = {f.name: f for f in files.figures}
    for figure in database.figures:
        other = by_name.get(figure.name)
        ours = figure.filter_plus_build_ms_median or 0.0
        theirs = f"{other.filter_plus_build_ms_median:,.0f}" if other and other.filter_plus_build_ms_median else "—"
        verdict = "meets" if ours < TARGET_MS else "MISSES"
        lines.append(
            f"{figure.name + ': filter+figure median (ms)':<34}{ours:>22,.0f}{theirs:>20}  < {TARGET_MS:,.0f} {verdict}"
        )
        theirs = f"{other.all_events_build_ms:,.0f}" if other and other.all_events_build_ms else "—"
        lines.append(f"{figure.name + ': all events (ms)':<34}{figure.all_events_build_ms or 0:>22,.0f}{theirs:>20}")
    verdict = "meets" if database.peak_rss_bytes < TARGET_RSS_BYTES else "MISSES"
    lines.append(
        f"{'peak memory of the process (MiB)':<34}{database.peak_rss_bytes / 1024**2:>22,.0f}"
        f"{files.peak_rss_bytes / 1024**2:>20,.0f}  < 1,024 {verdict}"
    )
    load = os.getloadavg()
    lines.append("")
    lines.append(
        f"medians over all events plus {len(database.figures[0:1]) and (database.figures[0].builds - 1)} filter "
        f"changes per figure; {os.cpu_count()} CPUs, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        "at the end. PostgreSQL: sums computed in SQL (tensions.analysis.queries); files: filter mask and build."
    )
    return "\n".join(lines)
