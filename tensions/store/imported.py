"""Imported events in PostgreSQL: each import one `imports` row, its events copied in with COPY, in one
transaction; importing the same file name again replaces its events, removing it deletes them.

Every event is stored twice: in full (`imported_events`, typed columns: dates as dates, coordinates as
double precision, names as text), for the few rows a page lists, and as a narrow coded row
(`imported_facts`: the columns the filters test and the figures sum, each name as its number in
`imported_names`), which the SQL sums of `tensions.store.queries` scan: ten million of them are about
a gigabyte where the full rows are several.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy as sa

from tensions.data import guard
from tensions.data.categorical import lookup
from tensions.data.tags import is_key_event
from tensions.ingest.imported import ImportedFile, import_key, parquet_bytes
from tensions.ingest.importers import ImportResult
from tensions.ingest.importers.base import (
    DATE_COLUMNS,
    ENUM_CATEGORIES,
    EVENT_COLUMNS,
    FLOAT_COLUMNS,
    INT_COLUMNS,
    OPEN_CATEGORICAL_COLUMNS,
    country_categories,
    with_categories,
)
from tensions.store import tables
from tensions.store.curated import bump_version
from tensions.store.engine import engine_for, reaching

FACT_COLUMNS: tuple[str, ...] = tuple(tables.imported_facts.columns.keys())
# The sums kept for the default view (migrations 0002, 0006 and 0007), refreshed after every import and removal
# in this order: the sums per map cell and per province are summed from those per place, the names each dataset
# offers read from the sums per pair and per month.
SUM_VIEWS: tuple[str, ...] = (
    "imported_place_sums",
    "imported_cell_sums",
    "imported_province_sums",
    "imported_week_sums",
    "imported_month_sums",
    "imported_pair_sums",
    "imported_activity_sums",
    "imported_present_names",
)
# The grid cell sizes (degrees) of the kept sums per cell (migration 0006): the map's `CELL_SIZES`.
KEPT_CELL_SIZES: tuple[float, ...] = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
COPY_ROWS = 200_000  # rows per CSV chunk handed to COPY: memory follows the chunk, not the import


def _connection_copy(connection: sa.Connection, table: str, columns: Sequence[str], chunks: Iterator[bytes]) -> None:
    """COPY CSV `chunks` into `table` on the psycopg connection under `connection` (its transaction)."""
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)") as copy:
        for chunk in chunks:
            copy.write(chunk)


def _csv_chunks(frame: pd.DataFrame) -> Iterator[bytes]:
    """`frame` as headerless CSV a chunk at a time (Arrow's writer: an empty unquoted field is NULL to COPY,
    an empty string is written quoted)."""
    options = pacsv.WriteOptions(include_header=False)
    for start in range(0, len(frame), COPY_ROWS):
        part = frame.iloc[start : start + COPY_ROWS]
        columns = {}
        for name in part.columns:
            values = part[name]
            if isinstance(values.dtype, pd.CategoricalDtype) or values.dtype == object:
                values = values.astype("string")
            columns[name] = values
        table = pa.Table.from_pandas(pd.DataFrame(columns), preserve_index=False)
        table = table.cast(pa.schema([_csv_field(field) for field in table.schema]))
        buffer = io.BytesIO()
        pacsv.write_csv(table, buffer, options)
        yield buffer.getvalue()


def _csv_field(field: pa.Field) -> pa.Field:
    """Dates as days (COPY reads `2024-01-31`), everything else as it is."""
    return pa.field(field.name, pa.date32()) if pa.types.is_timestamp(field.type) else field


def _name_numbers(connection: sa.Connection, names: set[str]) -> dict[str, int]:
    """The number of each name in `imported_names`, numbering the new ones (only those: a conflicting insert
    would use up a number each time, and the index's scores read arrays as long as the highest number)."""
    wanted = sorted(names)
    connection.execute(
        sa.text(
            "INSERT INTO imported_names (name) SELECT n.name FROM unnest(CAST(:names AS text[])) AS n(name) "
            "WHERE NOT EXISTS (SELECT 1 FROM imported_names i WHERE i.name = n.name) ON CONFLICT (name) DO NOTHING"
        ),
        {"names": wanted},
    )
    rows = connection.execute(
        sa.text("SELECT name, id FROM imported_names WHERE name = ANY(CAST(:names AS text[]))"), {"names": wanted}
    )
    return {name: number for name, number in rows}


def _facts(connection: sa.Connection, events: pd.DataFrame, import_id: int) -> pd.DataFrame:
    """The narrow coded rows of `events` (in the same order, `seq` 0, 1, …)."""
    distinct: set[str] = set()
    for column in tables.NAMED_FACTS:
        values = events[column]
        present = values.cat.categories if isinstance(values.dtype, pd.CategoricalDtype) else values.dropna().unique()
        distinct |= {str(v) for v in present}
    numbers = _name_numbers(connection, distinct)
    facts = {
        "latitude": events["latitude"].to_numpy(dtype=float),
        "longitude": events["longitude"].to_numpy(dtype=float),
        "import_id": np.full(len(events), import_id, dtype=np.int32),
        "seq": np.arange(len(events), dtype=np.int32),
        "event_date": events["event_date"].to_numpy(),
        "fatalities": events["fatalities"].astype("Int64").to_numpy(),
    }
    for column in tables.NAMED_FACTS:
        codes = lookup(events[column], numbers, -1, dtype=np.int64)
        facts[column] = pd.arrays.IntegerArray(np.maximum(codes, 0), codes < 0)
    facts["geo_precision"] = events["geo_precision"].astype("Int64").to_numpy()
    facts["escalation"] = events["escalation"].astype("Int64").to_numpy()
    facts["is_key"] = is_key_event(events).to_numpy()
    return pd.DataFrame(facts)[list(FACT_COLUMNS)]


def _record(row: sa.Row) -> ImportedFile:
    return ImportedFile(
        key=row.key,
        dataset=row.dataset,
        file_name=row.file_name,
        format_name=row.format_name,
        imported_at=row.imported_at.isoformat(timespec="seconds"),
        sha256=row.sha256,
        rows_read=row.rows_read,
        rows_imported=row.rows_imported,
        rows_rejected=row.rows_rejected,
        first_date=None if row.first_date is None else row.first_date.isoformat(),
        last_date=None if row.last_date is None else row.last_date.isoformat(),
        countries=list(row.countries),
        notes=list(row.notes),
        folder="",  # nothing on disk: the events are in the database
    )


_RECORD_COLUMNS = (
    "key, dataset, file_name, format_name, imported_at, sha256, rows_read, rows_imported, rows_rejected, "
    "first_date, last_date, countries, notes"
)


def refresh_sums(connection: sa.Connection) -> None:
    """Recompute the kept sums from every imported event (in `connection`'s transaction), and their statistics:
    a refreshed view has none until autovacuum comes by, and the planner's guesses without them cost seconds."""
    for view in SUM_VIEWS:
        connection.execute(sa.text(f"REFRESH MATERIALIZED VIEW {view}"))
        connection.execute(sa.text(f"ANALYZE {view}"))


def save_import(
    url: str, result: ImportResult, *, grant: object, sha256: str = "", refresh: bool = True
) -> ImportedFile:
    """Store an import's events in the database at `url`, replacing an earlier import of the same file name,
    in one transaction, and refresh the kept sums (unless `refresh` is off: a bulk load refreshes once at the
    end, through `refresh_sums`). `NotAuthorised` without a curator's grant."""
    guard.authorise(grant, "storing an import")
    with reaching(url), engine_for(url).begin() as connection:
        return store_import(connection, result, sha256=sha256, refresh=refresh)


def store_import(
    connection: sa.Connection, result: ImportResult, *, sha256: str = "", refresh: bool = True
) -> ImportedFile:
    """`save_import` in `connection`'s transaction (its caller checked the grant): a sync stores its events
    in the same transaction as its state (`tensions.store.synced`)."""
    events = result.events.sort_values("event_date", kind="stable", ignore_index=True)
    base = import_key(result.dataset, result.file_name)
    stored = connection.execute(sa.text("SELECT file_name FROM imports WHERE key = :key"), {"key": base}).scalar()
    key = import_key(result.dataset, result.file_name, stored_name=stored)
    connection.execute(sa.text("DELETE FROM imports WHERE key = :key"), {"key": key})
    dates = events["event_date"]
    values = {
        "key": key,
        "dataset": result.dataset,
        "file_name": result.file_name,
        "format_name": result.format_name,
        "imported_at": dt.datetime.now(dt.UTC).replace(microsecond=0),
        "sha256": sha256,
        "rows_read": result.rows_read,
        "rows_imported": result.rows_imported,
        "rows_rejected": result.rows_rejected,
        "first_date": None if events.empty else dates.min().date(),
        "last_date": None if events.empty else dates.max().date(),
        "countries": json.dumps([str(c) for c, n in events["country"].value_counts().items() if n > 0]),
        "notes": json.dumps(list(result.notes)),
        "rejected": parquet_bytes(result.rejected),
    }
    row = connection.execute(
        sa.text(
            f"INSERT INTO imports ({_RECORD_COLUMNS}, rejected) VALUES (:key, :dataset, :file_name, :format_name, "
            ":imported_at, :sha256, :rows_read, :rows_imported, :rows_rejected, :first_date, :last_date, "
            f"CAST(:countries AS jsonb), CAST(:notes AS jsonb), :rejected) RETURNING id, {_RECORD_COLUMNS}"
        ),
        values,
    ).one()
    full = events[list(EVENT_COLUMNS)].assign(import_id=row.id, seq=np.arange(len(events), dtype=np.int32))
    _connection_copy(connection, "imported_events", list(full.columns), _csv_chunks(full))
    facts = _facts(connection, events, row.id)
    _connection_copy(connection, "imported_facts", FACT_COLUMNS, _csv_chunks(facts))
    if refresh:
        refresh_sums(connection)
    bump_version(connection, tables.IMPORTED_STORE)
    return _record(row)


def list_imports(url: str) -> list[ImportedFile]:
    """Every import stored in the database, by dataset then import time."""
    with reaching(url), engine_for(url).connect() as connection:
        rows = connection.execute(sa.text(f"SELECT {_RECORD_COLUMNS} FROM imports ORDER BY dataset, imported_at, key"))
        return [_record(row) for row in rows]


def rejected_parquet(url: str, key: str) -> bytes | None:
    """The rejected rows with reasons of the import `key`, as the Parquet stored with it (None: no such import)."""
    with reaching(url), engine_for(url).connect() as connection:
        return connection.execute(sa.text("SELECT rejected FROM imports WHERE key = :key"), {"key": key}).scalar()


def remove_import(url: str, key: str, *, grant: object) -> bool:
    """Delete one import and its events; True when there was one. `NotAuthorised` without a curator's grant."""
    guard.authorise(grant, "removing an import")
    with reaching(url), engine_for(url).begin() as connection:
        found = connection.execute(sa.text("DELETE FROM imports WHERE key = :key"), {"key": key}).rowcount > 0
        if found:
            refresh_sums(connection)
            bump_version(connection, tables.IMPORTED_STORE)
        return found


def typed_events(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows read from `imported_events` in the columns and dtypes of imported events (as `read_events` gives
    them from Parquet): categoricals for enumerations (taxonomy order) and names, nullable integers."""
    typed = {}
    for column in EVENT_COLUMNS:
        values = frame[column]
        if column in DATE_COLUMNS:
            typed[column] = pd.to_datetime(values).astype("datetime64[us]")
        elif column in FLOAT_COLUMNS:
            typed[column] = values.astype("float64")
        elif column in INT_COLUMNS:
            typed[column] = values.astype("Int64")
        elif column in ENUM_CATEGORIES:
            typed[column] = with_categories(values, list(ENUM_CATEGORIES[column]))
        elif column == "country":
            typed[column] = with_categories(values, country_categories([values]))
        elif column in OPEN_CATEGORICAL_COLUMNS:
            typed[column] = values.astype("string").astype("category")
        else:
            typed[column] = values.astype("string")
    return pd.DataFrame(typed, index=frame.index)
