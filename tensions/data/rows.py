"""The curated tables as raw text rows: each table's key, its CSV bytes, the row-by-row difference between two
versions, and the steps of a save that do not depend on where the tables are kept (normalising the proposed
tables, validating them, locating problems by row key, audit entries). Both stores use these: the files
(`tensions.curation.saving`) and the database (`tensions.store.curated`)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from tensions.data.guard import Grant
from tensions.data.schema import ACTORS, EVENTS, PLACES, TableSpec
from tensions.data.validate import validate_tables
from tensions.errors import NothingToSave, Problem, ValidationFailed

TABLE_SPECS: dict[str, TableSpec] = {t.file_name: t for t in (EVENTS, ACTORS, PLACES)}
KEY_COLUMNS: dict[str, str] = {name: spec.key for name, spec in TABLE_SPECS.items()}


def table_bytes(frame: pd.DataFrame) -> bytes:
    """A raw table as the CSV bytes the curated files use (re-reading and re-writing is byte-identical)."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


@dataclass(frozen=True)
class RowChange:
    """One row added, removed or edited; `columns` maps each changed column to (old, new)."""

    file: str
    key: str
    action: str  # "added", "removed" or "edited"
    columns: Mapping[str, tuple[str | None, str | None]]


def cell_text(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def keyed_rows(frame: pd.DataFrame, key_column: str) -> dict[str, dict[str, str | None]]:
    """Rows by key; a missing or repeated key gets a stand-in so no row is lost from a difference."""
    rows: dict[str, dict[str, str | None]] = {}
    for position, (_, row) in enumerate(frame.iterrows()):
        key = cell_text(row.get(key_column)) or f"(row {position + 2} without {key_column})"
        while key in rows:
            key += " (again)"
        rows[key] = {column: cell_text(value) for column, value in row.items()}
    return rows


def diff_tables(old: pd.DataFrame, new: pd.DataFrame, file_name: str) -> list[RowChange]:
    """Rows added, removed and edited between two versions of a table, matched by its key column."""
    key_column = KEY_COLUMNS[file_name]
    before, after = keyed_rows(old, key_column), keyed_rows(new, key_column)
    columns = list(dict.fromkeys([*old.columns, *new.columns]))
    changes = []
    for key, row in after.items():
        if key not in before:
            filled = {c: (None, row.get(c)) for c in columns if row.get(c) is not None}
            changes.append(RowChange(file_name, key, "added", filled))
            continue
        edited = {c: (before[key].get(c), row.get(c)) for c in columns if before[key].get(c) != row.get(c)}
        if edited:
            changes.append(RowChange(file_name, key, "edited", edited))
    for key, row in before.items():
        if key not in after:
            changes.append(
                RowChange(file_name, key, "removed", {c: (v, None) for c, v in row.items() if v is not None})
            )
    return changes


def describe_change(change: RowChange, *, limit: int = 60) -> str:
    """One line a person can read: 'edited IRQ-20240104-1: notes "…" → "…"'."""

    def short(value: str | None) -> str:
        if value is None:
            return "(empty)"
        return repr(value if len(value) <= limit else value[: limit - 1] + "…")

    if change.action == "edited":
        parts = ", ".join(f"{c} {short(o)} → {short(n)}" for c, (o, n) in change.columns.items())
        return f"edited {change.key}: {parts}"
    return f"{change.action} {change.key} ({change.file})"


# --------------------------------------------------------------------------- a save, whichever store keeps the tables

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


def normalised(frame: pd.DataFrame, like: pd.DataFrame) -> pd.DataFrame:
    """`frame` with `like`'s columns in `like`'s order, every cell text, blank cells missing."""
    columns = list(like.columns)
    out = frame.reindex(columns=columns).astype("string")
    for column in columns:
        out[column] = out[column].mask(out[column].str.strip().eq("").fillna(False), pd.NA)
    return out.reset_index(drop=True)


def keep_sorted(new: pd.DataFrame, base: pd.DataFrame, file_name: str) -> pd.DataFrame:
    """If the table was sorted (events by date, places by name), put added or moved rows in their place."""
    column = SORT_COLUMNS.get(file_name)
    if column is None or column not in base or not base[column].dropna().is_monotonic_increasing:
        return new
    return new.sort_values(column, kind="stable", na_position="last", ignore_index=True)


def proposed_tables(
    base: Mapping[str, pd.DataFrame], proposed: Mapping[str, pd.DataFrame | None]
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """The tables a save would leave (`base` with each proposed frame normalised and kept in order) and the
    names of those that differ from `base`, in `WRITE_ORDER`; `NothingToSave` when none does."""
    new_tables = dict(base)
    for file_name, frame in proposed.items():
        if frame is not None:
            new_tables[file_name] = keep_sorted(normalised(frame, base[file_name]), base[file_name], file_name)
    changed = [name for name in WRITE_ORDER if table_bytes(new_tables[name]) != table_bytes(base[name])]
    if not changed:
        raise NothingToSave("nothing changed")
    return new_tables, changed


def check_tables(tables: Mapping[str, pd.DataFrame], *, today: dt.date | None = None) -> None:
    """`ValidationFailed` (every problem, located by row key) unless the three tables pass `validate`'s rules."""
    problems = validate_tables(
        tables[EVENTS.file_name], tables[ACTORS.file_name], tables[PLACES.file_name], today=today
    )
    if problems:
        raise ValidationFailed(problems, locate_problems(problems, tables))


def audit_entries(changes: Sequence[RowChange], grant: Grant, now: dt.datetime) -> list[dict]:
    """One audit entry per changed row: when, who and how they signed in, and each column's old and new value."""
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
