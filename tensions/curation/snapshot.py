"""The curated tables as a page loaded them (bytes, hashes, frames), and the row-by-row difference between two versions."""

from __future__ import annotations

import hashlib
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tensions.data.schema import ACTORS, EVENTS, PLACES, TableSpec
from tensions.data.validate import read_raw_table
from tensions.errors import (
    InvalidDataError,
    Problem,
)

TABLE_SPECS: dict[str, TableSpec] = {t.file_name: t for t in (EVENTS, ACTORS, PLACES)}
KEY_COLUMNS: dict[str, str] = {EVENTS.file_name: "event_id", ACTORS.file_name: "actor", PLACES.file_name: "place"}


def content_hash(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def file_hash(path: Path) -> str:
    """SHA-256 of the file's bytes; '' when it does not exist."""
    try:
        return content_hash(Path(path).read_bytes())
    except FileNotFoundError:
        return ""


@dataclass(frozen=True)
class Snapshot:
    """The curated tables as read at one moment (every cell as text) and the hash of each file's bytes."""

    data_dir: Path
    tables: Mapping[str, pd.DataFrame]
    hashes: Mapping[str, str]

    @property
    def events(self) -> pd.DataFrame:
        return self.tables[EVENTS.file_name]

    @property
    def actors(self) -> pd.DataFrame:
        return self.tables[ACTORS.file_name]

    @property
    def places(self) -> pd.DataFrame:
        return self.tables[PLACES.file_name]

    @property
    def version(self) -> str:
        """A short tag that changes whenever any file changes."""
        return content_hash("".join(self.hashes[name] for name in sorted(self.hashes)).encode())[:12]


def _parse(payload: bytes, file_name: str) -> pd.DataFrame:
    try:
        return read_raw_table(io.BytesIO(payload))
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as error:
        raise InvalidDataError([Problem(file_name, 0, "", f"cannot be read as UTF-8 CSV: {error}")]) from error


def load_snapshot(data_dir: Path) -> Snapshot:
    """Read the three tables once, hashing exactly the bytes that were parsed."""
    folder = Path(data_dir)
    tables, hashes = {}, {}
    for file_name in TABLE_SPECS:
        try:
            payload = (folder / file_name).read_bytes()
        except FileNotFoundError as error:
            raise InvalidDataError([Problem(file_name, 0, "", f"file not found in {folder}")]) from error
        tables[file_name] = _parse(payload, file_name)
        hashes[file_name] = content_hash(payload)
    return Snapshot(folder, tables, hashes)


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


def _keyed_rows(frame: pd.DataFrame, key_column: str) -> dict[str, dict[str, str | None]]:
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
    before, after = _keyed_rows(old, key_column), _keyed_rows(new, key_column)
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


def changes_frame(changes: Sequence[RowChange]) -> pd.DataFrame:
    """Changes as a table (one line per changed cell) for a page to show."""
    rows = [
        {"file": c.file, "row": c.key, "change": c.action, "column": column, "before": old, "after": new}
        for c in changes
        for column, (old, new) in (c.columns.items() if c.action == "edited" else [("", (None, None))])
    ]
    return pd.DataFrame(rows, columns=["file", "row", "change", "column", "before", "after"], dtype="string")
