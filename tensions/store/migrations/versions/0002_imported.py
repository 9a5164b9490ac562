"""Imported events: one `imports` row per imported file, its events in full (`imported_events`) and, for the
figures' sums, a narrow coded copy of each (`imported_facts`) whose names are numbered in `imported_names`.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The normalised columns of an imported event as `tensions.ingest.importers.base.EVENT_COLUMNS` had them when
# this migration was written, with their SQL types (a migration is history, so it names them itself).
EVENT_COLUMNS: tuple[tuple[str, sa.types.TypeEngine], ...] = (
    ("event_id", sa.Text()), ("event_date", sa.Date()), ("time_precision", sa.Text()), ("country", sa.Text()),
    ("theatre", sa.Text()), ("admin1", sa.Text()), ("location", sa.Text()), ("latitude", sa.Float(53)),
    ("longitude", sa.Float(53)), ("geo_precision", sa.SmallInteger()), ("event_type", sa.Text()),
    ("sub_event_type", sa.Text()), ("actor1", sa.Text()), ("actor2", sa.Text()), ("fatalities", sa.Integer()),
    ("attribution", sa.Text()), ("notes", sa.Text()), ("source", sa.Text()), ("source_title", sa.Text()),
    ("source_date", sa.Date()), ("source_url", sa.Text()), ("confidence", sa.Text()), ("tags", sa.Text()),
    ("label", sa.Text()), ("escalation", sa.SmallInteger()), ("actor1_family", sa.Text()),
    ("actor2_family", sa.Text()), ("dataset", sa.Text()), ("original_id", sa.Text()),
)  # fmt: skip
# The columns the figures sum and the filters test, each name as its number in `imported_names`.
NAMED_FACTS = (
    "country", "admin1", "actor1", "actor2", "time_precision", "theatre", "event_type", "actor1_family", "dataset",
)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "imports",
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
        sa.Column("rejected", sa.LargeBinary, nullable=False),  # the rejected rows with reasons, as Parquet
    )
    op.create_table(
        "imported_events",
        sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id", ondelete="CASCADE"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        *(sa.Column(name, kind) for name, kind in EVENT_COLUMNS),
        sa.PrimaryKeyConstraint("import_id", "seq"),
    )
    op.create_table(
        "imported_names",
        sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
    )
    # Fixed-width columns, widest first (no alignment padding): about 110 bytes a row with its header.
    op.create_table(
        "imported_facts",
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
    )
    # Rows arrive an import at a time in date order, so a block range index on the date stays small and sharp.
    op.create_index("imported_facts_event_date", "imported_facts", ["event_date"], postgresql_using="brin")
    op.create_index("imported_facts_import", "imported_facts", ["import_id"], postgresql_using="brin")
    for column in ("country", "event_type", "dataset", "actor1", "actor2"):
        op.create_index(f"imported_facts_{column}", "imported_facts", [column])
    op.create_index("imported_facts_key", "imported_facts", ["event_date"], postgresql_where=sa.text("is_key"))

    # Sums the figures read when no actor and no part of the period is left out (the default view): per
    # place and type for the map, per week or month for the timeline. Refreshed after each import or removal.
    imprecise = "coalesce(f.geo_precision = 3 OR f.time_precision = (SELECT id FROM imported_names WHERE name = 'month'), false)"
    sums = (
        "count(*) AS n_events, count(*) FILTER (WHERE f.fatalities IS NULL) AS n_not_reported, "
        "count(*) FILTER (WHERE f.fatalities > 0) AS n_with_deaths, coalesce(sum(f.fatalities), 0) AS fatalities, "
        "min(f.event_date) AS event_date, max(f.event_date) AS last_date"
    )
    op.execute(
        f"CREATE MATERIALIZED VIEW imported_place_sums AS SELECT f.country, f.admin1, f.latitude, f.longitude, "
        f"f.event_type, f.dataset, {imprecise} AS imprecise, {sums} FROM imported_facts f "
        "WHERE f.latitude IS NOT NULL AND f.longitude IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6, 7"
    )
    for period in ("week", "month"):
        op.execute(
            f"CREATE MATERIALIZED VIEW imported_{period}_sums AS SELECT "
            f"CAST(date_trunc('{period}', f.event_date) AS date) AS period, f.theatre, f.event_type, f.time_precision, "
            f"f.country, f.dataset, {imprecise} AS imprecise, {sums} FROM imported_facts f WHERE NOT f.is_key "
            "GROUP BY 1, 2, 3, 4, 5, 6, 7"
        )


def downgrade() -> None:
    for view in ("imported_place_sums", "imported_week_sums", "imported_month_sums"):
        op.execute(f"DROP MATERIALIZED VIEW {view}")
    for table in ("imported_facts", "imported_names", "imported_events", "imports"):
        op.drop_table(table)
