"""One SQLAlchemy engine (a connection pool) per database URL per process, connection failures as
`DatabaseUnavailable` (a message, never a traceback), a database that does not store UTF-8 refused
(`StoreError`), and query results read by COPY (`copy_frame`)."""

from __future__ import annotations

import contextlib
import functools
import io
import re
import threading
from collections.abc import Iterator

import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy
from sqlalchemy.exc import InterfaceError, OperationalError

from tensions.errors import DatabaseUnavailable, StoreError
from tensions.store.config import shown_url

CONNECT_TIMEOUT_S = 5

_engines: dict[str, sqlalchemy.Engine] = {}
_engines_lock = threading.Lock()


def engine_for(url: str) -> sqlalchemy.Engine:
    """The engine for `url`, created on first use; connections are checked before use (`pool_pre_ping`), so
    a restarted server costs a reconnect, not an error."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = sqlalchemy.create_engine(
                url, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT_S}
            )
            # Ahead of SQLAlchemy's own first-connection setup, which fails with a TypeError on such a database.
            sqlalchemy.event.listen(engine, "connect", functools.partial(_refuse_other_encodings, url), insert=True)
            _engines[url] = engine
        return engine


def _refuse_other_encodings(url: str, connection: psycopg.Connection, _record: object) -> None:
    """Refuse a database whose encoding is not UTF8: the events' names and summaries are not ASCII, and under
    SQL_ASCII (what `initdb` gives under the C locale) the server neither checks nor converts what it stores."""
    encoding = connection.info.parameter_status("server_encoding")
    if encoding != "UTF8":
        raise StoreError(
            f"the database {shown_url(url)} has the encoding {encoding}; the store needs UTF8: create it with "
            "CREATE DATABASE … ENCODING 'UTF8' TEMPLATE template0 (or initdb --encoding=UTF8)"
        )


def dispose_engine(url: str) -> None:
    """Close `url`'s pooled connections and forget its engine (before the database is dropped or renamed)."""
    with _engines_lock:
        engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()


@contextlib.contextmanager
def reaching(url: str) -> Iterator[None]:
    """Turn a refused, timed-out or lost connection to `url` into `DatabaseUnavailable`."""
    try:
        yield
    except (OperationalError, InterfaceError) as error:
        if isinstance(error.orig, psycopg.errors.TransactionRollback):  # a deadlock is not an outage
            raise
        lines = str(error.orig or error).strip().splitlines()
        raise DatabaseUnavailable(
            f"cannot reach the database {shown_url(url)}: {lines[0] if lines else error}"
        ) from error


def copy_frame(connection: sqlalchemy.Connection, sql: str, params: dict, *, text: bool = False) -> pd.DataFrame:
    """The rows of `sql` (`:name` parameters) as a frame, sent by COPY as CSV and parsed by Arrow: tens of
    thousands of rows arrive in milliseconds, where Python objects per value took a second. `text`: every
    column as text (NULL kept apart from an empty string), for the caller to type."""
    statement = re.sub(r"(?<!:):(\w+)", r"%(\1)s", sql)
    buffer = io.BytesIO()
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY ({statement}) TO STDOUT WITH (FORMAT csv, HEADER)", params) as copy:
        for block in copy:
            buffer.write(block)
    data = buffer.getvalue()
    options = pacsv.ConvertOptions()
    if text:  # the header holds plain column names
        names = data.split(b"\n", 1)[0].decode("utf-8").split(",")
        options = pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=True, quoted_strings_can_be_null=False
        )
    return pacsv.read_csv(io.BytesIO(data), convert_options=options).to_pandas()
