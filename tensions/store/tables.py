"""The database's tables (SQLAlchemy Core), derived from `tensions.data.schema`: the one list of columns.

Every curated cell is kept as text, exactly as in the CSV files, so `db dump` writes back the very bytes
`db load` read. Each curated row carries `row_version` (the store's version when the row was last written, by
a save or a load: a save made from an older version of it is refused) and `row_order` (its place in the file).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from tensions.data.schema import ACTORS, EVENTS, PLACES, TREND_OVERRIDES, TableSpec
from tensions.ingest.importers.base import DATE_COLUMNS, EVENT_COLUMNS, FLOAT_COLUMNS, INT_COLUMNS

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

# Analysts' judgements of a country's trend in a month (`trend_overrides.csv`): one per country and month.
OVERRIDE_KEY = ("country", "month")
trend_overrides = sa.Table(
    "trend_overrides",
    metadata,
    *(sa.Column(column.name, sa.Text, primary_key=column.name in OVERRIDE_KEY) for column in TREND_OVERRIDES.columns),
)

# Saved briefs (`data/briefs/<slug>.json` in the file store): each one's JSON as the file holds it.
briefs = sa.Table(
    "briefs",
    metadata,
    sa.Column("slug", sa.Text, primary_key=True),
    sa.Column("content", JSONB, nullable=False),
)

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
    sa.Column("address", sa.Text),  # a failed sign-in's client address (migration 0005)
)

# One counter per store, raised in the transaction of every change: a reader compares one number to know
# whether anything changed since it last read (e.g. another app server's save).
store_versions = sa.Table(
    "store_versions",
    metadata,
    sa.Column("store", sa.Text, primary_key=True),
    sa.Column("version", sa.BigInteger, nullable=False),
)

# --- imported events (migration 0002) --------------------------------------------------------------------
IMPORTED_STORE = "imported"  # the `store_versions` row every import and removal raises


def _imported_type(column: str) -> sa.types.TypeEngine:
    if column in DATE_COLUMNS:
        return sa.Date()
    if column in FLOAT_COLUMNS:
        return sa.Float(53)
    return (
        sa.SmallInteger()
        if column in ("geo_precision", "escalation")
        else sa.Integer()
        if column in INT_COLUMNS
        else sa.Text()
    )


imports = sa.Table(
    "imports",
    metadata,
    sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("key", sa.Text, nullable=False, unique=True),
    sa.Column("dataset", sa.Text, nullable=False),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("format_name", sa.Text, nullable=False),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sha256", sa.Text, nullable=False),
    sa.Column("rows_read", sa.BigInteger, nullable=False),
    sa.Column("rows_imported", sa.BigInteger, nullable=False),
    sa.Column("rows_rejected", sa.BigInteger, nullable=False),
    sa.Column("first_date", sa.Date),
    sa.Column("last_date", sa.Date),
    sa.Column("countries", JSONB, nullable=False),
    sa.Column("notes", JSONB, nullable=False),
    sa.Column("rejected", sa.LargeBinary, nullable=False),  # the rejected rows with their reasons, as Parquet
)

# Each imported event in full, in the normalised columns (`importers.base.EVENT_COLUMNS`).
imported_events = sa.Table(
    "imported_events",
    metadata,
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    *(sa.Column(name, _imported_type(name)) for name in EVENT_COLUMNS),
    sa.Index("imported_events_event_id", "event_id"),  # a linked event, found without a scan (migration 0009)
)

# Every name the facts refer to by number (countries, provinces, actors, types, datasets…).
imported_names = sa.Table(
    "imported_names",
    metadata,
    sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
)

# The columns of `imported_facts` holding a name's number in `imported_names` (`actor2_family`: migration 0007).
NAMED_FACTS: tuple[str, ...] = (
    "country", "admin1", "actor1", "actor2", "time_precision", "theatre", "event_type", "actor1_family", "dataset",
    "actor2_family",
)  # fmt: skip

# A narrow, coded copy of each imported event: what the filters test and the figures sum. Fixed-width
# columns, widest first (no alignment padding): about 110 bytes a row with its header, against several
# hundred for the full row, so a scan of ten million reads about a gigabyte.
imported_facts = sa.Table(
    "imported_facts",
    metadata,
    sa.Column("latitude", sa.Float(53)),
    sa.Column("longitude", sa.Float(53)),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id", ondelete="CASCADE"), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("event_date", sa.Date, nullable=False),
    sa.Column("fatalities", sa.Integer),
    *(sa.Column(name, sa.Integer) for name in NAMED_FACTS),
    sa.Column("geo_precision", sa.SmallInteger),
    sa.Column("escalation", sa.SmallInteger),
    sa.Column("is_key", sa.Boolean, nullable=False),
    # An import's rows arrive together in date order: block range indexes on both stay small and sharp.
    sa.Index("imported_facts_event_date", "event_date", postgresql_using="brin"),
    sa.Index("imported_facts_import", "import_id", postgresql_using="brin"),
    sa.Index("imported_facts_seq", "seq", postgresql_using="brin"),  # with the one above: one event's facts
    *(
        sa.Index(f"imported_facts_{column}", column)
        for column in ("country", "event_type", "dataset", "actor1", "actor2")
    ),
    # The key events a timeline labels are a handful among millions: found without a scan.
    sa.Index("imported_facts_key", "event_date", postgresql_where=sa.text("is_key")),
)

# --- live sync, the review queue and the sign-in counts (migration 0005) ------------------------------------
# Each source's cursor and its last runs' reports (`ingest.sync.state.SourceState`), one row per source.
sync_state = sa.Table(
    "sync_state",
    metadata,
    sa.Column("source", sa.Text, primary_key=True),
    sa.Column("cursor", JSONB, nullable=False),
    sa.Column("runs", JSONB, nullable=False),
)

# Which events each kept run added, revised or deleted (`<source>.changes.parquet` in the file store).
sync_changes = sa.Table(
    "sync_changes",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("event_id", sa.Text, nullable=False),
    sa.Column("change", sa.Text, nullable=False),
    sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("sync_changes_source", "source", "synced_at"),
)

# The review queue's decisions (`review.csv`): the latest one per synced event.
review_decisions = sa.Table(
    "review_decisions",
    metadata,
    sa.Column("event_id", sa.Text, primary_key=True),
    sa.Column("decision", sa.Text, nullable=False),
    sa.Column("curated_event_id", sa.Text),
    sa.Column("who", sa.Text, nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
)

# The sign-in counts (`.signin/throttle.json`): failures and the last attempt (seconds since the epoch) per
# client address (`scope` "address") and for everyone together (`scope` "overall", `key` "").
signin_counts = sa.Table(
    "signin_counts",
    metadata,
    sa.Column("scope", sa.Text, primary_key=True),
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last", sa.Float(53), nullable=False),
)
