"""Saved briefs in the database: each brief's JSON by its slug, each save audited in its own transaction
(`tensions.analysis.briefs` builds and reads briefs and chooses the store)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from tensions.data import guard
from tensions.data.rows import RowChange, audit_entries
from tensions.store import tables
from tensions.store.engine import engine_for, reaching

TABLE = tables.briefs
AUDITED_AS = "briefs"  # the `file` of their audit rows


def read_briefs(url: str) -> list[dict]:
    """Every saved brief's JSON."""
    with reaching(url), engine_for(url).connect() as connection:
        return list(connection.execute(sa.select(TABLE.c.content).order_by(TABLE.c.slug)).scalars())


def read_brief(url: str, slug: str) -> dict | None:
    """The JSON of the brief saved as `slug`; None when there is none."""
    with reaching(url), engine_for(url).connect() as connection:
        return connection.execute(sa.select(TABLE.c.content).where(TABLE.c.slug == slug)).scalar_one_or_none()


def write_brief(url: str, slug: str, content: Mapping, *, grant: object, now: dt.datetime) -> bool:
    """Save a brief's JSON as `slug` (replacing one of the same slug), with its audit row; True when it replaced one."""
    grant = guard.authorise(grant, "saving a brief")
    with reaching(url), engine_for(url).begin() as connection:
        replaced = (
            connection.execute(sa.select(TABLE.c.slug).where(TABLE.c.slug == slug).with_for_update()).first()
            is not None
        )
        statement = insert(TABLE).values(slug=slug, content=dict(content))
        connection.execute(
            statement.on_conflict_do_update(index_elements=["slug"], set_={"content": statement.excluded.content})
        )
        change = RowChange(AUDITED_AS, slug, "edited" if replaced else "added", {"name": (None, content.get("name"))})
        connection.execute(tables.audit_log.insert(), [{**e, "when": now} for e in audit_entries([change], grant, now)])
    return replaced
