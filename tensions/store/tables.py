"""The database's tables (SQLAlchemy Core), derived from `tensions.data.schema`: the one list of columns.

Every curated cell is kept as text, exactly as in the CSV files, so `db dump` writes back the very bytes
`db load` read. Each curated row carries `row_version` (raised by every save that changes the row: a save
made from an older version of it is refused) and `row_order` (its place in the file).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from tensions.data.schema import ACTORS, EVENTS, PLACES, TableSpec

metadata = sa.MetaData()

ROW_VERSION = "row_version"
ROW_ORDER = "row_order"
CURATED_STORE = "curated"  # the `store_versions` row every curated save raises


def _curated_table(name: str, spec: TableSpec) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        *(sa.Column(column.name, sa.Text, primary_key=column.name == spec.key) for column in spec.columns),
        sa.Column(ROW_VERSION, sa.Integer, nullable=False, server_default=sa.text("1")),
        sa.Column(ROW_ORDER, sa.BigInteger, nullable=False),
    )


events = _curated_table("events", EVENTS)
actors = _curated_table("actors", ACTORS)
places = _curated_table("places", PLACES)

# The curated tables by the file each one mirrors.
CURATED: dict[str, sa.Table] = {EVENTS.file_name: events, ACTORS.file_name: actors, PLACES.file_name: places}

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("when", sa.DateTime(timezone=True), nullable=False),
    sa.Column("who", sa.Text, nullable=False),
    sa.Column("method", sa.Text, nullable=False),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("changes", JSONB, nullable=False),
)

# One counter per store, raised in the transaction of every change: a reader compares one number to know
# whether anything changed since it last read (e.g. another app server's save).
store_versions = sa.Table(
    "store_versions",
    metadata,
    sa.Column("store", sa.Text, primary_key=True),
    sa.Column("version", sa.BigInteger, nullable=False),
)
