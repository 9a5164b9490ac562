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
from tensions.data.rows import TABLE_SPECS, cell_text, table_bytes
from tensions.data.validate import read_tables as read_csv_tables
from tensions.data.validate import validate_tables
from tensions.errors import InvalidDataError, Problem, StoreError
from tensions.store import tables
from tensions.store.engine import engine_for, reaching

CURATED_LOCK = 7_061_902  # the advisory lock every change of the curated tables holds


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


def read_curated(url: str) -> StoredTables:
    """The curated tables as one consistent snapshot (a repeatable-read transaction)."""
    engine = engine_for(url)
    with reaching(url), engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        frames, versions = {}, {}
        for file_name, table in tables.CURATED.items():
            spec = TABLE_SPECS[file_name]
            columns = [table.c[name] for name in spec.column_names]
            rows = connection.execute(sa.select(*columns, table.c[tables.ROW_VERSION]).order_by(*_ordered(table))).all()
            frames[file_name] = _frame(rows, file_name)
            versions[file_name] = {row[0]: row[-1] for row in rows}
        version = _version(connection, tables.CURATED_STORE)
    return StoredTables(frames, versions, version)


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
        if column not in TABLE_SPECS[file_name].column_names
    ]


def load_folder(
    url: str, folder: Path, *, grant: object, replace: bool = False, today: dt.date | None = None
) -> dict[str, int]:
    """Load the curated CSV files of `folder` into the database, in one transaction; rows loaded per file.

    The files are validated with the rules of `python -m tensions validate` first (`InvalidDataError`
    with every problem, nothing stored). A database that already holds curated rows is refused
    (`StoreError`) unless `replace`, which replaces them.
    """
    grant = guard.authorise(grant, "loading the database")
    frames, problems = read_csv_tables(folder)
    if not problems:
        problems = _unknown_columns(frames) or validate_tables(
            *(frames[spec.file_name] for spec in TABLE_SPECS.values()), today=today
        )
    if problems:
        raise InvalidDataError(problems)
    now = dt.datetime.now(dt.UTC)
    with reaching(url), engine_for(url).begin() as connection:
        lock_curated(connection)
        held = curated_counts(connection)
        if any(held.values()) and not replace:
            listed = ", ".join(f"{count:,} rows in {name}" for name, count in held.items())
            raise StoreError(f"the database already holds {listed}: `db load --replace` replaces them")
        for table in tables.CURATED.values():
            connection.execute(table.delete())
        for file_name, table in tables.CURATED.items():
            rows = [
                {
                    **{column: cell_text(value) for column, value in row.items()},
                    tables.ROW_ORDER: position,
                }
                for position, row in enumerate(frames[file_name].to_dict("records"))
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
        bump_version(connection)
    return {file_name: len(frame) for file_name, frame in frames.items()}


def dump_folder(url: str, folder: Path, *, grant: object) -> list[Path]:
    """Write the curated tables to CSV files in `folder` (atomically, through the write guard): the files
    `load_folder` read, byte for byte. The paths written."""
    grant = guard.authorise(grant, "dumping the database")
    stored = read_curated(url)
    written = []
    for file_name, frame in stored.tables.items():
        path = Path(folder) / file_name
        guard.write_bytes(grant, path, table_bytes(frame))
        written.append(path)
    return written
