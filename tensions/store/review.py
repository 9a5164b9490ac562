"""The review queue's decisions in the database: the latest promotion or dismissal of each synced event, each
recorded with its audit row in one transaction (`tensions.curation.review_queue` chooses the store)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from tensions.data import guard
from tensions.store import tables
from tensions.store.engine import engine_for, reaching

TABLE = tables.review_decisions
COLUMNS = [column.name for column in TABLE.columns]


def read_decisions(url: str) -> pd.DataFrame:
    """Every decision so far as text columns (the time as ISO 8601 in UTC, to the second), oldest first."""
    with reaching(url), engine_for(url).connect() as connection:
        rows = connection.execute(sa.select(TABLE).order_by(TABLE.c.decided_at, TABLE.c.event_id)).mappings().all()
    records = [
        {**row, "decided_at": row["decided_at"].astimezone(dt.UTC).isoformat(timespec="seconds")} for row in rows
    ]
    return pd.DataFrame(records, columns=COLUMNS, dtype="string")


def record_decision(
    url: str, decision: Mapping[str, object], audit: Mapping[str, object], *, grant: object, now: dt.datetime
) -> None:
    """Store `decision` (a `review_decisions` row; it replaces an earlier one of the same event) and its `audit`
    entry (an audit log row but for its time, `now`), in one transaction. `NotAuthorised` without a grant."""
    guard.authorise(grant, f"recording a {decision['decision']} review")
    statement = insert(TABLE).values({**decision, "decided_at": now})
    upsert = statement.on_conflict_do_update(
        index_elements=[TABLE.c.event_id], set_={c: statement.excluded[c] for c in COLUMNS if c != "event_id"}
    )
    with reaching(url), engine_for(url).begin() as connection:
        connection.execute(upsert)
        connection.execute(tables.audit_log.insert(), [{**audit, "when": now}])
