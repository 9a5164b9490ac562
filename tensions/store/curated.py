"""The curated tables in the database: read as the same raw text frames the files give, loaded from the
CSV files and dumped back to them byte for byte.

Every change of the curated tables (a load here, a curator's save) runs in one transaction that holds
`CURATED_LOCK` (a transaction-level advisory lock) and raises the store's version, so changes take turns
and a reader can tell in one query whether anything changed since it read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from tensions.data import guard
from tensions.data.rows import (
    TABLE_SPECS,
    RowChange,
    audit_entries,
    cell_text,
    check_tables,
    describe_change,
    diff_tables,
    keep_sorted,
    keyed_rows,
    table_bytes,
)
from tensions.data.schema import TREND_OVERRIDES, TableSpec
from tensions.data.validate import read_raw_table, validate_tables, validate_trend_overrides
from tensions.data.validate import read_tables as read_csv_tables
from tensions.errors import ConcurrentEdit, InvalidDataError, Problem, StoreError
from tensions.store import tables
from tensions.store.engine import engine_for, reaching
from tensions.store.overrides import read_overrides

CURATED_LOCK = 7_061_902  # the advisory lock every change of the curated tables holds

# What `db load` loads and `db dump` writes: the curated tables and the analysts' trend judgements.
LOADED: dict[str, sa.Table] = {**tables.CURATED, TREND_OVERRIDES.file_name: tables.trend_overrides}
LOADED_SPECS: dict[str, TableSpec] = {**TABLE_SPECS, TREND_OVERRIDES.file_name: TREND_OVERRIDES}


@dataclass(frozen=True)
class StoredTables:
    """The curated tables as read in one transaction: raw text frames by file name, each row's version by
    key, and the store's version (raised by every change)."""

    tables: Mapping[str, pd.DataFrame]
    row_versions: Mapping[str, Mapping[str, int]]
    version: int


def _ordered(table: sa.Table) -> list[sa.ColumnElement]:
    """Events in date order (ties as loaded or added: the file's own order); actors and places as loaded or added."""
    order = [table.c[tables.ROW_ORDER]]
    return [table.c.event_date, *order] if table is tables.events else order


def _frame(rows: list, file_name: str) -> pd.DataFrame:
    return pd.DataFrame(
        [row[: len(TABLE_SPECS[file_name].columns)] for row in rows],
        columns=TABLE_SPECS[file_name].column_names,
        dtype="string",
    )


def lock_curated(connection: sa.Connection) -> None:
    """Hold the curated tables' advisory lock until `connection`'s transaction ends."""
    connection.execute(sa.select(sa.func.pg_advisory_xact_lock(CURATED_LOCK)))


def bump_version(connection: sa.Connection, store: str = tables.CURATED_STORE) -> int:
    """Raise `store`'s version in `connection`'s transaction; the new version."""
    statement = insert(tables.store_versions).values(store=store, version=1)
    statement = statement.on_conflict_do_update(
        index_elements=["store"], set_={"version": tables.store_versions.c.version + 1}
    )
    return connection.execute(statement.returning(tables.store_versions.c.version)).scalar_one()


def _version(connection: sa.Connection, store: str) -> int:
    found = connection.execute(
        sa.select(tables.store_versions.c.version).where(tables.store_versions.c.store == store)
    ).scalar_one_or_none()
    return found or 0


def store_version(url: str, store: str = tables.CURATED_STORE) -> int:
    """`store`'s version: one indexed row, cheap enough to ask on every rerun of a page (0 before any load)."""
    with reaching(url), engine_for(url).connect() as connection:
        return _version(connection, store)


def _read(connection: sa.Connection) -> StoredTables:
    frames, versions = {}, {}
    for file_name, table in tables.CURATED.items():
        columns = [table.c[name] for name in TABLE_SPECS[file_name].column_names]
        rows = connection.execute(sa.select(*columns, table.c[tables.ROW_VERSION]).order_by(*_ordered(table))).all()
        frames[file_name] = _frame(rows, file_name)
        key_at = TABLE_SPECS[file_name].column_names.index(TABLE_SPECS[file_name].key)
        versions[file_name] = {row[key_at]: row[-1] for row in rows}
    return StoredTables(frames, versions, _version(connection, tables.CURATED_STORE))


def read_curated(url: str) -> StoredTables:
    """The curated tables as one consistent snapshot (a repeatable-read transaction)."""
    engine = engine_for(url)
    with reaching(url), engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        return _read(connection)


def curated_counts(connection: sa.Connection) -> dict[str, int]:
    """Rows in each curated table, by file name."""
    return {
        file_name: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        for file_name, table in tables.CURATED.items()
    }


def _unknown_columns(frames: Mapping[str, pd.DataFrame]) -> list[Problem]:
    return [
        Problem(file_name, 1, str(column), "not a column of the schema: the database keeps only the schema's columns")
        for file_name, frame in frames.items()
        for column in frame.columns
        if column not in LOADED_SPECS[file_name].column_names
    ]


def _read_folder(folder: Path, today: dt.date | None) -> dict[str, pd.DataFrame]:
    """The curated tables of `folder` and its trend judgements (when it has them), validated."""
    frames, problems = read_csv_tables(folder)
    overrides = Path(folder) / TREND_OVERRIDES.file_name
    if not problems:
        problems = validate_trend_overrides(folder)
        if overrides.exists() and not problems:
            frames[TREND_OVERRIDES.file_name] = read_raw_table(overrides)
    if not problems:
        problems = _unknown_columns(frames) or validate_tables(
            *(frames[spec.file_name] for spec in TABLE_SPECS.values()), today=today
        )
    if problems:
        raise InvalidDataError(problems)
    return frames


def load_folder(
    url: str, folder: Path, *, grant: object, replace: bool = False, today: dt.date | None = None
) -> dict[str, int]:
    """Load the curated CSV files of `folder` (and its trend judgements, when it has them) into the database, in
    one transaction; rows loaded per file.

    The files are validated with the rules of `python -m tensions validate` first (`InvalidDataError`
    with every problem, nothing stored). A database that already holds curated rows is refused
    (`StoreError`) unless `replace`, which replaces them (and the judgements).
    """
    grant = guard.authorise(grant, "loading the database")
    frames = _read_folder(folder, today)
    now = dt.datetime.now(dt.UTC)
    with reaching(url), engine_for(url).begin() as connection:
        lock_curated(connection)
        held = curated_counts(connection)
        if any(held.values()) and not replace:
            listed = ", ".join(f"{count:,} rows in {name}" for name, count in held.items())
            raise StoreError(f"the database already holds {listed}: `db load --replace` replaces them")
        version = bump_version(connection)
        for table in LOADED.values():
            connection.execute(table.delete())
        for file_name, frame in frames.items():
            table = LOADED[file_name]
            rows = [
                {column: cell_text(value) for column, value in row.items()}
                | ({tables.ROW_ORDER: position, tables.ROW_VERSION: version} if tables.ROW_ORDER in table.c else {})
                for position, row in enumerate(frame.to_dict("records"))
            ]
            if rows:
                connection.execute(table.insert(), rows)
        connection.execute(
            tables.audit_log.insert(),
            [
                {"when": now, "who": grant.who, "method": grant.method, "file": file_name, "action": "loaded",
                 "key": f"{len(frame):,} rows", "changes": {}}
                for file_name, frame in frames.items()
            ],
        )  # fmt: skip
    return {file_name: len(frame) for file_name, frame in frames.items()}


def dump_folder(url: str, folder: Path, *, grant: object) -> list[Path]:
    """Write the curated tables and the trend judgements to CSV files in `folder`, made if missing (atomically,
    through the write guard): the files `load_folder` read, byte for byte. The paths written."""
    grant = guard.authorise(grant, "dumping the database")
    frames = {**read_curated(url).tables, TREND_OVERRIDES.file_name: read_overrides(url)}
    guard.make_folder(grant, folder)
    written = []
    for file_name, frame in frames.items():
        path = Path(folder) / file_name
        guard.write_bytes(grant, path, table_bytes(frame))
        written.append(path)
    return written


# --------------------------------------------------------------------------- a curator's save


@dataclass(frozen=True)
class SavedRows:
    """What a save changed, its audit entries, and the tables as the save left them."""

    changes: list[RowChange]
    audit_entries: list[dict]
    tables: StoredTables


def _versions_now(connection: sa.Connection, file_name: str, keys: list[str]) -> dict[str, int]:
    """The current version of each of `keys` that exists, its row locked until the transaction ends."""
    table = tables.CURATED[file_name]
    key = table.c[TABLE_SPECS[file_name].key]
    found = connection.execute(sa.select(key, table.c[tables.ROW_VERSION]).where(key.in_(keys)).with_for_update()).all()
    return dict(found)


def _moved_since(base: StoredTables, changes: list[RowChange], now: dict[str, dict[str, int]]) -> dict[str, list[str]]:
    """Keys, by file, of the rows this save changes that another save changed (or added) since `base` was read."""
    moved: dict[str, list[str]] = {}
    for change in changes:
        if now[change.file].get(change.key) != base.row_versions[change.file].get(change.key):
            moved.setdefault(change.file, []).append(change.key)
    return moved


def _rows(frame: pd.DataFrame, file_name: str, keys: list[str]) -> pd.DataFrame:
    return frame[frame[TABLE_SPECS[file_name].key].isin(keys)]


def _applied(current: Mapping[str, pd.DataFrame], changes: list[RowChange]) -> dict[str, pd.DataFrame]:
    """`current` with `changes` made: what the tables will hold once this save is written."""
    result = dict(current)
    for file_name in {change.file for change in changes}:
        frame = current[file_name]
        rows = keyed_rows(frame, TABLE_SPECS[file_name].key)
        for change in (c for c in changes if c.file == file_name):
            if change.action == "removed":
                rows.pop(change.key, None)
            else:
                row = rows.setdefault(change.key, dict.fromkeys(frame.columns))
                row.update({column: new for column, (_, new) in change.columns.items()})
        merged = pd.DataFrame(list(rows.values()), columns=frame.columns, dtype="string")
        result[file_name] = keep_sorted(merged, frame, file_name)
    return result


def _write(connection: sa.Connection, changes: list[RowChange], version: int) -> None:
    """Make `changes`; each row written carries `version`, the store's version this save raised it to."""
    next_order: dict[str, int] = {}
    for change in changes:
        table = tables.CURATED[change.file]
        key = table.c[TABLE_SPECS[change.file].key]
        new = {column: value for column, (_, value) in change.columns.items()}
        if change.action == "removed":
            connection.execute(table.delete().where(key == change.key))
        elif change.action == "edited":
            connection.execute(table.update().where(key == change.key).values(**new, **{tables.ROW_VERSION: version}))
        else:
            if change.file not in next_order:
                highest = connection.execute(sa.select(sa.func.max(table.c[tables.ROW_ORDER]))).scalar_one()
                next_order[change.file] = -1 if highest is None else highest
            next_order[change.file] += 1
            placed = {tables.ROW_ORDER: next_order[change.file], tables.ROW_VERSION: version}
            connection.execute(table.insert().values(**new, **placed))


def save_rows(
    url: str,
    base: StoredTables,
    changes: list[RowChange],
    *,
    grant: object,
    now: dt.datetime,
    today: dt.date | None = None,
) -> SavedRows:
    """Write `changes` (rows added, edited, removed since `base` was read) in one transaction, with their audit
    entries; the tables as the save left them.

    Row by row: a row another save changed, removed or added since `base` was read is refused
    (`ConcurrentEdit` with their changes to it); changes to other rows go through. When anything else
    changed since `base`, the tables as they will be are validated again (`ValidationFailed`), so two saves
    that each pass alone cannot combine into invalid tables. Any refusal writes nothing, audit included.
    """
    grant = guard.authorise(grant, "saving the curated tables")
    with reaching(url), engine_for(url).begin() as connection:
        lock_curated(connection)
        files = sorted({change.file for change in changes})
        now_versions = {
            name: _versions_now(connection, name, [c.key for c in changes if c.file == name]) for name in files
        }
        moved = _moved_since(base, changes, now_versions)
        if moved:
            current = _read(connection)
            theirs = [
                change
                for name, keys in moved.items()
                for change in diff_tables(
                    _rows(base.tables[name], name, keys), _rows(current.tables[name], name, keys), name
                )
            ]
            raise ConcurrentEdit(sorted(moved), theirs, [describe_change(c) for c in theirs[:5]])
        if _version(connection, tables.CURATED_STORE) != base.version:
            check_tables(_applied(_read(connection).tables, changes), today=today)
        _write(connection, changes, bump_version(connection))
        entries = audit_entries(changes, grant, now)
        connection.execute(tables.audit_log.insert(), [{**entry, "when": now} for entry in entries])
        after = _read(connection)
    return SavedRows(changes, entries, after)


def read_audit(url: str, *, limit: int = 200) -> list[dict]:
    """The newest `limit` audit entries in the database, newest first, as the audit log's JSON lines have them
    (a failed sign-in's with its client `address`)."""
    log = tables.audit_log
    with reaching(url), engine_for(url).connect() as connection:
        rows = connection.execute(sa.select(log).order_by(log.c.id.desc()).limit(limit)).mappings().all()
    return [
        {**{name: row[name] for name in ("who", "method", "file", "action", "key", "changes")},
         "when": row["when"].astimezone(dt.UTC).isoformat(timespec="seconds"),
         **({"address": row["address"]} if row["address"] is not None else {})}
        for row in rows
    ]  # fmt: skip
