"""Live sync from ACLED, UCDP and GDELT into the imported datasets, incrementally and atomically.

`sync_source(grant, "acled", data_dir)` fetches what is new or changed since the source's last sync,
merges it into that source's stored events (`<source>--live-sync` under `data/imported/`) and reports
rows fetched, added, revised, deleted and rejected, and its time. A source that cannot be read stops
with a named `SyncError` and what was stored before stays as it was. For the pages: `last_syncs` (per
source, its runs and what each did) and `changed_since` / `events_changed_since` (what a sync brought).
Each takes the `SyncStore` to use (`tensions.store.select.sync_store` chooses the store in use); without
one, the files of `data_dir`.
Adding a source means adding one module and one line to `SOURCES`.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from tensions.data import guard
from tensions.errors import SyncError
from tensions.ingest.imported import combine_events
from tensions.ingest.sync.acled import AcledSync
from tensions.ingest.sync.base import SyncContext, SyncSettings, SyncSource
from tensions.ingest.sync.gdelt import GdeltSync
from tensions.ingest.sync.http import HttpClient, RetryPolicy
from tensions.ingest.sync.state import SourceState, SyncReport, utc_now
from tensions.ingest.sync.store import FileSyncStore, SyncStore, merge
from tensions.ingest.sync.ucdp import UcdpSync

SOURCES: dict[str, SyncSource] = {s.name: s for s in (AcledSync(), UcdpSync(), GdeltSync())}

__all__ = [
    "SOURCES",
    "RetryPolicy",
    "SyncReport",
    "SyncSettings",
    "changed_since",
    "events_changed_since",
    "last_syncs",
    "parse_interval",
    "run_every",
    "sync_source",
    "sync_sources",
]


def sync_source(
    grant: object,
    name: str,
    data_dir: Path,
    settings: SyncSettings | None = None,
    *,
    store: SyncStore | None = None,
) -> SyncReport:
    """Sync one source; raises its `SyncError` (after recording the failed run) when it cannot be read."""
    guard.authorise(grant, f"syncing {name}")
    if name not in SOURCES:
        raise ValueError(f"unknown source {name!r}; one of {', '.join(SOURCES)}")
    settings = settings or SyncSettings.from_env()
    data_dir = Path(data_dir)
    store = store or FileSyncStore(data_dir)
    with store.running(grant, name):
        state = store.read_state(name)
        report = SyncReport(name, started_at=utc_now())
        started = time.perf_counter()
        stored, stored_rejected = store.read_synced(name)
        # A cursor without its events (the dataset was removed on the Data page) starts again from scratch.
        cursor = state.cursor if stored is not None else {}
        with HttpClient(name, retry=settings.retry, sleep=settings.sleep) as client:
            try:
                batch = SOURCES[name].fetch(SyncContext(settings, client, data_dir, grant), cursor)
                merged = merge(stored, stored_rejected, batch, name)
            except SyncError as error:
                report.error, report.error_type = error.reason, type(error).__name__
                report.requests, report.network_seconds = client.requests_made, client.network_seconds
                report.seconds = time.perf_counter() - started
                store.commit(grant, state, report, merged=None, batch=None)
                raise
            report.requests, report.network_seconds = client.requests_made, client.network_seconds
        report.rows_fetched = batch.rows_fetched
        report.added, report.revised, report.deleted = len(merged.added), len(merged.revised), len(merged.deleted)
        report.unchanged = merged.unchanged
        report.rejected = batch.rows_rejected
        report.stored = len(merged.events)
        report.notes = list(batch.notes)
        report.seconds = time.perf_counter() - started
        store.commit(grant, state, report, merged=merged, batch=batch)
    return report


def sync_sources(
    grant: object,
    names: Iterable[str],
    data_dir: Path,
    settings: SyncSettings | None = None,
    *,
    store: SyncStore | None = None,
) -> list[SyncReport]:
    """Sync each source in turn; one that fails is reported (its error in its report) and the others go on."""
    store = store or FileSyncStore(Path(data_dir))
    reports = []
    for name in names:
        try:
            reports.append(sync_source(grant, name, data_dir, settings, store=store))
        except SyncError:
            reports.append(store.read_state(name).last_run)
    return reports


def parse_interval(text: str) -> float:
    """Seconds in an interval written `90s`, `15m`, `2h` or `1d` (a bare number is minutes)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text)
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"{text!r} is not an interval such as 15m, 1h or 90s")
    return float(match.group(1)) * {"s": 1, "m": 60, "": 60, "h": 3600, "d": 86400}[match.group(2)]


def run_every(
    seconds: float,
    run: Callable[[], object],
    *,
    times: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Call `run` every `seconds` (from the start of one run to the next; a long run is followed at once),
    `times` times or until interrupted."""
    done = 0
    while times is None or done < times:
        started = clock()
        run()
        done += 1
        if times is None or done < times:
            sleep(max(0.0, seconds - (clock() - started)))


def last_syncs(data_dir: Path, *, store: SyncStore | None = None) -> dict[str, SourceState]:
    """Per source (in `SOURCES` order): its cursor and recent runs, each with what it added, revised,
    removed and rejected, when, and any error. A source that never synced has no runs."""
    store = store or FileSyncStore(Path(data_dir))
    return {name: store.read_state(name) for name in SOURCES}


def changed_since(
    data_dir: Path, since: dt.datetime | str | None = None, *, store: SyncStore | None = None
) -> pd.DataFrame:
    """The events each source's syncs added, revised or deleted after `since` (default: in each source's
    last successful run): `dataset`, `event_id`, `change`, `synced_at`."""
    store = store or FileSyncStore(Path(data_dir))
    frames = []
    for name, state in last_syncs(data_dir, store=store).items():
        changes = store.read_changes(name)
        if since is None:
            last = state.last_success
            if last is None:
                continue
            changes = changes[changes["synced_at"] == pd.Timestamp(last.started_at)]
        else:
            changes = changes[changes["synced_at"] > _utc(since)]
        frames.append(changes.assign(dataset=name))
    columns = ["dataset", "event_id", "change", "synced_at"]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in columns})
    return pd.concat(frames, ignore_index=True)[columns]


def events_changed_since(
    data_dir: Path, since: dt.datetime | str | None = None, *, store: SyncStore | None = None
) -> pd.DataFrame | None:
    """The stored events that syncs added or revised after `since` (see `changed_since`), with their
    `change` and `synced_at`; None when there are none."""
    store = store or FileSyncStore(Path(data_dir))
    changes = changed_since(data_dir, since, store=store)
    changes = changes[changes["change"] != "deleted"].drop_duplicates("event_id", keep="last")
    frames = []
    for name in changes["dataset"].unique():
        mine = changes[changes["dataset"] == name].set_index("event_id")[["change", "synced_at"]]
        hits = store.changed_events(str(name), list(mine.index))
        if hits is not None:
            frames.append(hits.join(mine, on="event_id"))
    return combine_events(frames) if frames else None


def _utc(when: dt.datetime | str) -> pd.Timestamp:
    stamp = pd.Timestamp(when)
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
