"""Analysts' trend judgements in the database: the rows of `trend_overrides.csv`, each change audited in its
own transaction (`tensions.analysis.overrides` checks a judgement and chooses the store)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from tensions.data import guard
from tensions.data.rows import RowChange, audit_entries, cell_text
from tensions.data.schema import TREND_OVERRIDES
from tensions.store import tables
from tensions.store.engine import engine_for, reaching

TABLE = tables.trend_overrides


def read_overrides(url: str) -> pd.DataFrame:
    """The recorded judgements as text columns, by month then country (the file's order)."""
    with reaching(url), engine_for(url).connect() as connection:
        rows = connection.execute(sa.select(TABLE).order_by(TABLE.c.month, TABLE.c.country)).all()
    return pd.DataFrame(rows, columns=TREND_OVERRIDES.column_names, dtype="string")


def _audit(connection: sa.Connection, change: RowChange, grant: guard.Grant, now: dt.datetime) -> None:
    connection.execute(tables.audit_log.insert(), [{**e, "when": now} for e in audit_entries([change], grant, now)])


def _key(country: str, month: str) -> sa.ColumnElement[bool]:
    return (TABLE.c.country == country) & (TABLE.c.month == month)


def record_override(url: str, record: Mapping[str, str], *, grant: object, now: dt.datetime) -> None:
    """Record a checked judgement (replacing any for the same country and month), with its audit row."""
    grant = guard.authorise(grant, "recording a trend judgement")
    with reaching(url), engine_for(url).begin() as connection:
        before = (
            connection.execute(sa.select(TABLE).where(_key(record["country"], record["month"])).with_for_update())
            .mappings()
            .first()
        )
        statement = insert(TABLE).values(**record)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=list(tables.OVERRIDE_KEY), set_={c: statement.excluded[c] for c in record}
            )
        )
        old = {column: cell_text(before[column]) for column in record} if before else {}
        columns = {c: (old.get(c), v) for c, v in record.items() if old.get(c) != v}
        action = "edited" if before else "added"
        key = f"{record['country']} {record['month']}"
        _audit(connection, RowChange(TREND_OVERRIDES.file_name, key, action, columns), grant, now)


def withdraw_override(url: str, country: str, month: str, *, grant: object, now: dt.datetime) -> bool:
    """Delete the judgement for `country` and `month`, with its audit row; False when there was none."""
    grant = guard.authorise(grant, "withdrawing a trend judgement")
    with reaching(url), engine_for(url).begin() as connection:
        removed = connection.execute(TABLE.delete().where(_key(country, month)).returning(TABLE)).mappings().first()
        if removed is None:
            return False
        columns = {column: (cell_text(value), None) for column, value in removed.items()}
        _audit(connection, RowChange(TREND_OVERRIDES.file_name, f"{country} {month}", "removed", columns), grant, now)
    return True
