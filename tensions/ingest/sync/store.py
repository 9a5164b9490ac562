"""Synced events on disk: each source's rows are one imported dataset (`<source>--live-sync`), merged run
after run and replaced atomically, in the same Parquet storage as an uploaded file.

`merge` applies a `Batch` to what is stored: a new id is added, a known id whose row differs is revised
(ACLED's newer timestamp, UCDP's final release over its candidate), a deleted id is removed; re-fetched
rows that did not change are counted as unchanged. `commit` is the one function that writes a sync's
results to the files, through the write guard; a run that fails writes only its report.

Where a sync reads and writes is a `SyncStore`: `FileSyncStore` (the data folder, the default) or the
database's (`tensions.store.synced`), chosen by `tensions.store.select.sync_store`.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from tensions.data import guard
from tensions.ingest.imported import (
    ImportedFile,
    combine_events,
    import_key,
    list_imports,
    parquet_bytes,
    read_events,
    save_import,
)
from tensions.ingest.importers import IMPORTERS, ImportResult
from tensions.ingest.importers.base import EVENT_COLUMNS, no_events
from tensions.ingest.importers.reading import empty_rejected, rejected_row_count
from tensions.ingest.sync.base import Batch
from tensions.ingest.sync.state import (
    SourceState,
    SyncReport,
    changes_after,
    changes_path,
    read_changes,
    read_state,
    state_path,
    sync_dir,
)

SYNC_FILE_NAME = "live sync"


def synced_record(data_dir: Path, source: str) -> ImportedFile | None:
    """The stored import that holds `source`'s synced events, if it ever synced."""
    key = import_key(source, SYNC_FILE_NAME)
    return next((r for r in list_imports(data_dir) if r.key == key), None)


def read_synced(data_dir: Path, source: str) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    """`source`'s stored events (None when it never synced) and its rejected rows."""
    record = synced_record(data_dir, source)
    if record is None:
        return None, empty_rejected()
    rejected = pd.read_parquet(record.rejected_path) if record.rejected_path.exists() else empty_rejected()
    return read_events(record.events_path), rejected


@dataclass
class Merged:
    events: pd.DataFrame
    rejected: pd.DataFrame
    added: list[str]
    revised: list[str]
    deleted: list[str]
    unchanged: int


def row_hashes(events: pd.DataFrame) -> np.ndarray:
    """A hash of each row's values in our columns (category order and storage types do not matter)."""
    columns = [c for c in EVENT_COLUMNS if c in events]
    plain = pd.DataFrame({c: events[c].astype("string") for c in columns})
    return pd.util.hash_pandas_object(plain, index=False).to_numpy()


def merge(stored: pd.DataFrame | None, stored_rejected: pd.DataFrame, batch: Batch, source: str) -> Merged:
    """What is stored after applying `batch` to `stored`, and which events were added, revised and deleted."""
    incoming = batch.events
    deleted_ids = {f"{source}:{i}" for i in batch.deleted_ids}
    if incoming is not None and deleted_ids:
        incoming = incoming[~incoming["event_id"].isin(list(deleted_ids)).to_numpy()]
    incoming_ids = np.asarray([] if incoming is None else incoming["event_id"].astype(str), dtype=object)

    if stored is None or stored.empty:
        kept, added, revised, deleted, unchanged = None, list(incoming_ids), [], [], 0
    else:
        stored_ids = stored["event_id"].astype(str).to_numpy(dtype=object)
        refetched = np.isin(stored_ids, incoming_ids)
        gone = np.isin(stored_ids, list(deleted_ids))
        if batch.replaces is not None:
            gone |= batch.replaces(stored).to_numpy(dtype=bool) & ~refetched
        old = pd.Series(row_hashes(stored[refetched]), index=stored_ids[refetched])
        new = pd.Series(row_hashes(incoming), index=incoming_ids) if incoming is not None else pd.Series()
        differs = new.reindex(old.index).to_numpy() != old.to_numpy()
        revised = list(old.index[differs])
        unchanged = int((~differs).sum())
        added = list(incoming_ids[~np.isin(incoming_ids, stored_ids)])
        deleted = list(stored_ids[gone])
        kept = stored[~(refetched | gone)]

    frames = [f for f in (kept, incoming) if f is not None and len(f)]
    events = combine_events(frames).reset_index(drop=True) if frames else no_events()
    return Merged(events, _merged_rejected(stored_rejected, batch, source), added, revised, deleted, unchanged)


def _merged_rejected(stored: pd.DataFrame, batch: Batch, source: str) -> pd.DataFrame:
    """Rejected rows still standing: earlier runs' rows the source has not sent again since, and this run's."""
    fresh = batch.rejected if batch.rejected is not None else empty_rejected()
    if stored.empty:
        return fresh
    seen = set(batch.deleted_ids) | set(fresh["original_id"].dropna().astype(str))
    if batch.events is not None:
        seen |= set(batch.events["original_id"].dropna().astype(str))
    still = stored[~stored["original_id"].astype("string").isin(list(seen)).fillna(False).to_numpy()]
    frames = [f for f in (still, fresh) if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else empty_rejected()


def synced_import(source: str, merged: Merged, batch: Batch) -> ImportResult:
    """A run's merged events as the import that holds `source`'s synced events (`SYNC_FILE_NAME`)."""
    return ImportResult(
        dataset=source,
        title=IMPORTERS[source].title,
        file_name=SYNC_FILE_NAME,
        format_name=batch.format_name,
        rows_read=len(merged.events) + rejected_row_count(merged.rejected),
        events=merged.events,
        rejected=merged.rejected,
        notes=batch.notes,
    )


def commit(
    grant: object, data_dir: Path, state: SourceState, report: SyncReport, *, merged: Merged | None, batch: Batch | None
) -> None:
    """Write one run's results through the write guard: the events, then the changes, then the state.

    Each file is replaced atomically, so a reader sees the old dataset or the new one. The cursor is
    written last: a run killed in between is simply fetched again by the next one (the merge finds the
    same rows unchanged). A failed run (`merged` None) writes only its report.
    """
    folder = guard.make_folder(grant, sync_dir(data_dir))
    source = state.source
    if merged is not None and batch is not None:
        save_import(synced_import(source, merged, batch), data_dir, grant=grant)
        state = state.with_run(report, batch.cursor)
        changes = changes_after(
            read_changes(data_dir, source),
            state.runs,
            {"added": merged.added, "revised": merged.revised, "deleted": merged.deleted},
            report.started_at,
        )
        guard.write_bytes(grant, changes_path(data_dir, source), parquet_bytes(changes))
    else:
        state = state.with_run(report)
    guard.write_bytes(grant, folder / state_path(data_dir, source).name, state.to_bytes())


class SyncStore(Protocol):
    """Where a sync keeps each source's events, state and changes."""

    def running(self, grant: object, source: str) -> AbstractContextManager[object]:
        """Held for a whole run of `source`: a second run of it (on any app server) waits for the first."""
        ...

    def read_state(self, source: str) -> SourceState: ...

    def read_synced(self, source: str) -> tuple[pd.DataFrame | None, pd.DataFrame]:
        """`source`'s stored events (None when it never synced) and its rejected rows."""
        ...

    def read_changes(self, source: str) -> pd.DataFrame: ...

    def changed_events(self, source: str, event_ids: list[str]) -> pd.DataFrame | None:
        """The stored events of `source` among `event_ids` (None when it never synced)."""
        ...

    def commit(
        self, grant: object, state: SourceState, report: SyncReport, *, merged: Merged | None, batch: Batch | None
    ) -> None:
        """Store one run's results (see `commit`); a failed run (`merged` None) stores only its report."""
        ...


@dataclass(frozen=True)
class FileSyncStore:
    """The sync's files under `data_dir/imported/` (see `tensions.ingest.sync.state`)."""

    data_dir: Path

    def running(self, grant: object, source: str) -> AbstractContextManager[object]:
        folder = guard.make_folder(grant, sync_dir(self.data_dir))
        return guard.exclusive_lock(grant, folder / f"{source}.lock")

    def read_state(self, source: str) -> SourceState:
        return read_state(self.data_dir, source)

    def read_synced(self, source: str) -> tuple[pd.DataFrame | None, pd.DataFrame]:
        return read_synced(self.data_dir, source)

    def read_changes(self, source: str) -> pd.DataFrame:
        return read_changes(self.data_dir, source)

    def changed_events(self, source: str, event_ids: list[str]) -> pd.DataFrame | None:
        stored, _ = read_synced(self.data_dir, source)
        return None if stored is None else stored[stored["event_id"].isin(event_ids).to_numpy()]

    def commit(
        self, grant: object, state: SourceState, report: SyncReport, *, merged: Merged | None, batch: Batch | None
    ) -> None:
        commit(grant, self.data_dir, state, report, merged=merged, batch=batch)
