"""The curated tables as a page loaded them (from the files: bytes, hashes, frames; or from the database)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tensions.data.rows import (
    KEY_COLUMNS,
    TABLE_SPECS,
    RowChange,
    cell_text,
    describe_change,
    diff_tables,
    table_bytes,
)
from tensions.data.schema import ACTORS, EVENTS, PLACES
from tensions.data.validate import read_raw_table
from tensions.errors import (
    InvalidDataError,
    Problem,
)
from tensions.store.config import database_url
from tensions.store.curated import StoredTables, read_curated, store_version

# The row helpers live in `tensions.data.rows` (the database store shares them); named here too for the
# callers that work with a snapshot.
__all__ = [
    "KEY_COLUMNS",
    "TABLE_SPECS",
    "RowChange",
    "Snapshot",
    "cell_text",
    "changes_frame",
    "content_hash",
    "describe_change",
    "diff_tables",
    "file_hash",
    "is_current",
    "load_current",
    "load_snapshot",
    "snapshot_of_database",
    "table_bytes",
]


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
    """The curated tables as read at one moment (every cell as text) and the hash of each file's bytes.

    From the database store (`database_url` set), `stored` also holds each row's version and the store's
    version at that moment, what a save checks row by row; `hashes` are then those of the tables' CSV bytes.
    """

    data_dir: Path
    tables: Mapping[str, pd.DataFrame]
    hashes: Mapping[str, str]
    database_url: str | None = None
    stored: StoredTables | None = None

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


def changes_frame(changes: Sequence[RowChange]) -> pd.DataFrame:
    """Changes as a table (one line per changed cell) for a page to show."""
    rows = [
        {"file": c.file, "row": c.key, "change": c.action, "column": column, "before": old, "after": new}
        for c in changes
        for column, (old, new) in (c.columns.items() if c.action == "edited" else [("", (None, None))])
    ]
    return pd.DataFrame(rows, columns=["file", "row", "change", "column", "before", "after"], dtype="string")


def snapshot_of_database(data_dir: Path, url: str, stored: StoredTables) -> Snapshot:
    """A snapshot of the tables as read from the database at `url`."""
    hashes = {name: content_hash(table_bytes(frame)) for name, frame in stored.tables.items()}
    return Snapshot(Path(data_dir), dict(stored.tables), hashes, url, stored)


def load_current(data_dir: Path) -> Snapshot:
    """The curated tables from the store in use: the database when one is configured, else the files of `data_dir`."""
    url = database_url()
    return load_snapshot(data_dir) if url is None else snapshot_of_database(data_dir, url, read_curated(url))


def is_current(base: Snapshot, data_dir: Path) -> bool:
    """Whether `base` still shows what the store in use holds: one cheap query (the database store's version),
    or a hash of each file."""
    url = database_url()
    if base.data_dir != Path(data_dir) or base.database_url != url:
        return False
    if base.stored is not None and url is not None:
        return store_version(url) == base.stored.version
    return {name: file_hash(Path(data_dir) / name) for name in base.hashes} == dict(base.hashes)
