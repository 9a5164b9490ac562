"""Saving curated changes safely. Every write of the curated tables goes through `save_changes`.

`save_changes` refuses unless the session holds a valid grant (`tensions.curation.access`), validates the
tables with the same rules as `python -m tensions validate`, refuses if a file changed on disk since
the page loaded it (and returns the difference), writes through a temporary file and an atomic rename
(all through the write guard, `tensions.data.guard`), then keeps a timestamped backup of the file it
replaced and appends one JSON line per changed row to the audit log. A lock serialises concurrent saves
so that of two curators saving at once, one wins and the other is told what changed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tensions.curation import access
from tensions.curation.history import AUDIT_LOG, BACKUP_DIR
from tensions.curation.snapshot import (
    KEY_COLUMNS,
    TABLE_SPECS,
    RowChange,
    Snapshot,
    cell_text,
    content_hash,
    describe_change,
    diff_tables,
    file_hash,
    load_snapshot,
    table_bytes,
)
from tensions.data import guard
from tensions.data.schema import ACTORS, EVENTS, PLACES
from tensions.data.validate import validate_tables
from tensions.errors import ConcurrentEdit, NothingToSave, Problem, ValidationFailed

LOCK_FILE = ".curation.lock"


# Written in this order: places before the events that name them, so a crash in between leaves a
# valid (if unused) place rather than an event whose place is missing.
WRITE_ORDER = (ACTORS.file_name, PLACES.file_name, EVENTS.file_name)
SORT_COLUMNS: dict[str, str] = {EVENTS.file_name: "event_date", PLACES.file_name: "place"}


@dataclass(frozen=True)
class LocatedProblem:
    """A validation problem named by the row's key (e.g. the event id) rather than only its line."""

    file: str
    key: str
    column: str
    message: str


def locate_problems(problems: Sequence[Problem], tables: Mapping[str, pd.DataFrame]) -> list[LocatedProblem]:
    located = []
    for problem in problems:
        frame = tables.get(problem.file)
        key = ""
        if frame is not None and problem.row >= 2 and problem.row - 2 < len(frame):
            key = cell_text(frame.iloc[problem.row - 2].get(KEY_COLUMNS[problem.file])) or f"line {problem.row}"
        located.append(LocatedProblem(problem.file, key, problem.column, problem.message))
    return located


def _normalised(frame: pd.DataFrame, like: pd.DataFrame) -> pd.DataFrame:
    """`frame` with `like`'s columns in `like`'s order, every cell text, blank cells missing."""
    columns = list(like.columns)
    out = frame.reindex(columns=columns).astype("string")
    for column in columns:
        out[column] = out[column].mask(out[column].str.strip().eq("").fillna(False), pd.NA)
    return out.reset_index(drop=True)


def _keep_sorted(new: pd.DataFrame, base: pd.DataFrame, file_name: str) -> pd.DataFrame:
    """If the file was sorted (events by date, places by name), put added or moved rows in their place."""
    column = SORT_COLUMNS.get(file_name)
    if column is None or column not in base or not base[column].dropna().is_monotonic_increasing:
        return new
    return new.sort_values(column, kind="stable", na_position="last", ignore_index=True)


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


def _audit_entries(changes: Sequence[RowChange], grant: access.Grant, now: dt.datetime) -> list[dict]:
    return [
        {
            "when": now.isoformat(timespec="seconds"),
            "who": grant.who,
            "method": grant.method,
            "file": change.file,
            "action": change.action,
            "key": change.key,
            "changes": {column: {"old": old, "new": new} for column, (old, new) in change.columns.items()},
        }
        for change in changes
    ]


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
    new_tables = dict(base.tables)
    for file_name, frame in proposed.items():
        if frame is not None:
            normalised = _normalised(frame, base.tables[file_name])
            new_tables[file_name] = _keep_sorted(normalised, base.tables[file_name], file_name)
    changed = [name for name in WRITE_ORDER if table_bytes(new_tables[name]) != table_bytes(base.tables[name])]
    if not changed:
        raise NothingToSave("nothing changed")
    problems = validate_tables(
        new_tables[EVENTS.file_name], new_tables[ACTORS.file_name], new_tables[PLACES.file_name], today=today
    )
    if problems:
        raise ValidationFailed(problems, locate_problems(problems, new_tables))
    changes = [change for name in changed for change in diff_tables(base.tables[name], new_tables[name], name)]
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
        entries = _audit_entries(changes, grant, now)
        guard.append_lines(
            grant, folder / AUDIT_LOG, [json.dumps(e, ensure_ascii=False, sort_keys=True) for e in entries]
        )
    return SaveResult(changes, backups, entries, Snapshot(folder, new_tables, hashes))
