"""The curated tables as raw text rows: each table's key, its CSV bytes, and the row-by-row difference
between two versions. Both stores (the files, `tensions.curation`, and the database, `tensions.store`) use these."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from tensions.data.schema import ACTORS, EVENTS, PLACES, TableSpec

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
