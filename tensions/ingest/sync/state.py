"""The sync state: per source, where the last sync got to (its cursor) and what each run did.

Kept beside the imported datasets, in the git-ignored `data/imported/sync/`: `<source>.json` (the cursor
and the last runs' reports) and `<source>.changes.parquet` (which events each run added, revised or
deleted, so the pages can list what is new since a sync). Both are written by `store.commit` only.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from tensions.ingest.imported import imported_dir

SYNC_FOLDER = "sync"
KEPT_RUNS = 50
CHANGES = ("added", "revised", "deleted")


def sync_dir(data_dir: Path) -> Path:
    return imported_dir(data_dir) / SYNC_FOLDER


def utc_now() -> str:
    """Now, as runs are stamped (to the microsecond: runs in the same second stay apart, and a run is never
    stamped before a moment taken just ahead of it)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


@dataclass
class SyncReport:
    """What one run of one source did (also what a failed run got to, with its error)."""

    source: str
    started_at: str
    seconds: float = 0.0
    rows_fetched: int = 0
    added: int = 0
    revised: int = 0
    deleted: int = 0
    unchanged: int = 0
    rejected: int = 0
    requests: int = 0
    network_seconds: float = 0.0
    stored: int = 0
    error: str | None = None
    error_type: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    def summary(self) -> str:
        """One line for the command line and the pages."""
        if not self.ok:
            return (
                f"{self.source}: stopped after {self.seconds:.1f} s ({self.error_type}): {self.error}; "
                "what was stored before is unchanged"
            )
        return (
            f"{self.source}: {self.rows_fetched:,} rows fetched in {self.requests:,} requests; "
            f"{self.added:,} added, {self.revised:,} revised, {self.deleted:,} deleted, {self.rejected:,} rejected "
            f"({self.unchanged:,} unchanged; {self.stored:,} stored) in {self.seconds:.1f} s, "
            f"{self.network_seconds:.1f} s of it waiting for the source"
        )


@dataclass
class SourceState:
    """A source's cursor (source-specific: timestamps, versions, file names) and its recent runs, oldest first."""

    source: str
    cursor: dict = field(default_factory=dict)
    runs: list[SyncReport] = field(default_factory=list)

    @property
    def last_run(self) -> SyncReport | None:
        return self.runs[-1] if self.runs else None

    @property
    def last_success(self) -> SyncReport | None:
        return next((run for run in reversed(self.runs) if run.ok), None)

    def with_run(self, report: SyncReport, cursor: dict | None = None) -> SourceState:
        """This state after `report`; the cursor moves only when given (a failed run leaves it)."""
        runs = [*self.runs, report][-KEPT_RUNS:]
        return SourceState(self.source, self.cursor if cursor is None else cursor, runs)

    def payload(self) -> dict:
        """The state as JSON values: the file's content, the database's row."""
        return {"source": self.source, "cursor": self.cursor, "runs": [asdict(r) for r in self.runs]}

    def to_bytes(self) -> bytes:
        return json.dumps(self.payload(), indent=2, ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_payload(cls, source: str, payload: dict) -> SourceState:
        """The state `payload` holds (`TypeError` or `ValueError` when it holds something else)."""
        return cls(source, dict(payload.get("cursor") or {}), [SyncReport(**run) for run in payload.get("runs", [])])


def state_path(data_dir: Path, source: str) -> Path:
    return sync_dir(data_dir) / f"{source}.json"


def changes_path(data_dir: Path, source: str) -> Path:
    return sync_dir(data_dir) / f"{source}.changes.parquet"


def read_state(data_dir: Path, source: str) -> SourceState:
    """The source's state; a fresh one when it never synced (or its file is unreadable: the next run
    then fetches everything again, which the merge makes harmless)."""
    path = state_path(data_dir, source)
    try:
        return SourceState.from_payload(source, json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, AttributeError):
        return SourceState(source)


def empty_changes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": pd.Series(dtype="string"),
            "change": pd.Series(dtype="string"),
            "synced_at": pd.Series(dtype="datetime64[us, UTC]"),
        }
    )


def read_changes(data_dir: Path, source: str) -> pd.DataFrame:
    """Every change the kept runs made: `event_id`, `change` (added, revised, deleted) and `synced_at`."""
    path = changes_path(data_dir, source)
    if not path.exists():
        return empty_changes()
    return pd.read_parquet(path)


def changes_after(
    changes: pd.DataFrame, runs: list[SyncReport], event_ids: dict[str, list[str]], at: str
) -> pd.DataFrame:
    """`changes` plus one run's (`event_ids` by kind of change, made at `at`), pruned to the kept runs."""
    stamp = pd.Timestamp(at)
    new = pd.concat(
        [
            pd.DataFrame({"event_id": pd.Series(ids, dtype="string"), "change": kind, "synced_at": stamp})
            for kind, ids in event_ids.items()
        ]
        or [empty_changes()],
        ignore_index=True,
    )
    combined = pd.concat([changes, new], ignore_index=True) if len(changes) else new
    kept_from = pd.Timestamp(runs[0].started_at) if runs else stamp
    combined = combined[combined["synced_at"] >= kept_from]
    return combined.astype({"event_id": "string", "change": "string", "synced_at": "datetime64[us, UTC]"})
