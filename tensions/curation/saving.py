"""Saving curated changes safely. Every write of the curated tables goes through `save_changes`.

`save_changes` refuses unless the session holds a valid grant (`tensions.curation.access`), validates the
tables with the same rules as `python -m tensions validate`, refuses if a file changed on disk since
the page loaded it (and returns the difference), writes through a temporary file and an atomic rename
(all through the write guard, `tensions.data.guard`), then keeps a timestamped backup of the file it
replaced and appends one JSON line per changed row to the audit log. A lock serialises concurrent saves
so that of two curators saving at once, one wins and the other is told what changed.

A snapshot read from the database store is saved there instead (`tensions.store.curated.save_rows`): one
transaction, with the audit rows, refusing only the rows another curator changed since the page loaded them.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tensions.curation import access
from tensions.curation.history import AUDIT_LOG, BACKUP_DIR
from tensions.curation.snapshot import (
    Snapshot,
    content_hash,
    file_hash,
    load_snapshot,
    snapshot_of_database,
)
from tensions.data import guard
from tensions.data.rows import (
    TABLE_SPECS,
    RowChange,
    audit_entries,
    check_tables,
    describe_change,
    diff_tables,
    proposed_tables,
    table_bytes,
)
from tensions.data.schema import ACTORS, EVENTS, PLACES
from tensions.errors import ConcurrentEdit
from tensions.store import curated

LOCK_FILE = ".curation.lock"


@dataclass
class SaveResult:
    """What a save did, and the new snapshot the page should work from."""

    changes: list[RowChange]
    backups: list[Path]
    audit_entries: list[dict]
    snapshot: Snapshot


def _backup_path(folder: Path, file_name: str, now: dt.datetime) -> Path:
    backups = folder / BACKUP_DIR
    stem = Path(file_name).stem
    path = backups / f"{stem}-{now:%Y%m%dT%H%M%S}.csv"
    n = 2
    while path.exists():
        path = backups / f"{stem}-{now:%Y%m%dT%H%M%S}-{n}.csv"
        n += 1
    return path


def save_changes(
    base: Snapshot,
    *,
    grant: object,
    access_config: access.AccessConfig,
    events: pd.DataFrame | None = None,
    places: pd.DataFrame | None = None,
    actors: pd.DataFrame | None = None,
    now: dt.datetime | None = None,
    today: dt.date | None = None,
) -> SaveResult:
    """Save new versions of the curated tables (raw text frames) that were edited from `base`.

    Raises `NotAuthorised` without a valid grant, `NothingToSave`, `ValidationFailed` (with
    every problem, located by row key) or `ConcurrentEdit` (with the difference on disk); in each
    case nothing is written.
    """
    grant = access.verify(grant, access_config)
    now = now or dt.datetime.now(dt.UTC)
    proposed = {EVENTS.file_name: events, PLACES.file_name: places, ACTORS.file_name: actors}
    new_tables, changed = proposed_tables(base.tables, proposed)
    check_tables(new_tables, today=today)
    changes = [change for name in changed for change in diff_tables(base.tables[name], new_tables[name], name)]
    if base.database_url is not None and base.stored is not None:
        saved = curated.save_rows(base.database_url, base.stored, changes, grant=grant, now=now, today=today)
        return SaveResult(
            saved.changes, [], saved.audit_entries, snapshot_of_database(base.data_dir, base.database_url, saved.tables)
        )
    folder = base.data_dir
    with guard.exclusive_lock(grant, folder / LOCK_FILE):
        on_disk = {name: file_hash(folder / name) for name in TABLE_SPECS}
        moved = [name for name in TABLE_SPECS if on_disk[name] != base.hashes[name]]
        if moved:
            current = load_snapshot(folder)
            theirs = [c for name in moved for c in diff_tables(base.tables[name], current.tables[name], name)]
            raise ConcurrentEdit(moved, theirs, [describe_change(c) for c in theirs[:5]])
        # The backup is written only once its file has been replaced: a save that fails or is killed
        # half-way leaves no backup of a change that never happened.
        backups, hashes = [], dict(base.hashes)
        for name in changed:
            path = folder / name
            previous = path.read_bytes()
            payload = table_bytes(new_tables[name])
            guard.write_bytes(grant, path, payload)
            hashes[name] = content_hash(payload)
            guard.make_folder(grant, folder / BACKUP_DIR)
            backup = _backup_path(folder, name, now)
            guard.write_bytes(grant, backup, previous)
            backups.append(backup)
        entries = audit_entries(changes, grant, now)
        guard.append_lines(
            grant, folder / AUDIT_LOG, [json.dumps(e, ensure_ascii=False, sort_keys=True) for e in entries]
        )
    return SaveResult(changes, backups, entries, Snapshot(folder, new_tables, hashes))
