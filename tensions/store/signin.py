"""The sign-in counts in the database, shared by every app server (`tensions.curation.throttle` holds the
policy): per client address and for everyone together, each change made under one transaction-level advisory
lock, so attempts on two servers at once are both counted. A failed sign-in's audit row is written here too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from tensions.store import tables
from tensions.store.engine import engine_for, reaching

TABLE = tables.signin_counts
SIGNIN_LOCK = 7_061_906  # the advisory lock every change of the counts holds
ADDRESS, OVERALL = "address", "overall"  # the scopes: one client address, everyone together (key "")

Record = dict | None  # {"failures": int, "last": seconds since the epoch}, or none kept
Change = Callable[[Record, Record], tuple[Record, Record]]


def _read(connection: sa.Connection, key: str) -> tuple[Record, Record]:
    rows = connection.execute(
        sa.select(TABLE.c.scope, TABLE.c.failures, TABLE.c.last).where(
            ((TABLE.c.scope == ADDRESS) & (TABLE.c.key == key)) | ((TABLE.c.scope == OVERALL) & (TABLE.c.key == ""))
        )
    ).all()
    found = {scope: {"failures": failures, "last": last} for scope, failures, last in rows}
    return found.get(ADDRESS), found.get(OVERALL)


def read_counts(url: str, key: str) -> tuple[Record, Record]:
    """The record of the address `key` and everyone's."""
    with reaching(url), engine_for(url).connect() as connection:
        return _read(connection, key)


def update_counts(url: str, key: str, change: Change, *, forget_before: float, keep: int) -> None:
    """Replace the records of `key` and everyone by `change(own, everyone)` (None: delete it) in one locked
    transaction (an exception from `change` changes nothing), forgetting addresses quiet since `forget_before`
    and all but the `keep` latest."""
    with reaching(url), engine_for(url).begin() as connection:
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(SIGNIN_LOCK)))
        for scope, name, record in zip((ADDRESS, OVERALL), (key, ""), change(*_read(connection, key)), strict=True):
            if record is None:
                connection.execute(TABLE.delete().where((TABLE.c.scope == scope) & (TABLE.c.key == name)))
                continue
            values = {"failures": int(record["failures"]), "last": float(record["last"])}
            statement = insert(TABLE).values(scope=scope, key=name, **values)
            connection.execute(statement.on_conflict_do_update(index_elements=["scope", "key"], set_=values))
        addresses = TABLE.c.scope == ADDRESS
        newest = sa.select(TABLE.c.key).where(addresses).order_by(TABLE.c.last.desc()).limit(keep)
        connection.execute(
            TABLE.delete().where(addresses & ((TABLE.c.last < forget_before) | TABLE.c.key.not_in(newest)))
        )


def record_failure(url: str, entry: dict, *, when: dt.datetime) -> None:
    """Write a failed sign-in (`entry`: who, method, action and address) to the audit log."""
    row = {"file": "", "key": "", "changes": {}, **entry, "when": when}
    with reaching(url), engine_for(url).begin() as connection:
        connection.execute(tables.audit_log.insert(), [row])
