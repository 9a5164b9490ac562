"""The curated tables (events, actors, places: every cell text, as in the CSV files), the audit log and the
store versions.

Revision ID: 0001
Revises:
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The columns as `tensions.data.schema` had them when this migration was written: a migration is history,
# so it names them itself (tests/store/test_migrate.py checks that the migrated tables match the schema).
CURATED_COLUMNS = {
    "events": (
        "event_id", "event_date", "time_precision", "country", "theatre", "admin1", "location", "latitude",
        "longitude", "geo_precision", "event_type", "sub_event_type", "actor1", "actor2", "fatalities",
        "attribution", "notes", "source", "source_title", "source_date", "source_url", "confidence", "tags", "label",
    ),
    "actors": ("actor", "aliases", "kind", "parent", "country", "description"),
    "places": (
        "place", "aliases", "latitude", "longitude", "geo_precision", "admin1", "country", "geocoder", "geocoded_at",
    ),
}  # fmt: skip


def upgrade() -> None:
    for table, columns in CURATED_COLUMNS.items():
        op.create_table(
            table,
            *(sa.Column(name, sa.Text, primary_key=position == 0) for position, name in enumerate(columns)),
            sa.Column("row_version", sa.Integer, nullable=False, server_default=sa.text("1")),
            sa.Column("row_order", sa.BigInteger, nullable=False),
        )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("when", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.Text, nullable=False),
        sa.Column("method", sa.Text, nullable=False),
        sa.Column("file", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("changes", JSONB, nullable=False),
    )
    op.create_table(
        "store_versions",
        sa.Column("store", sa.Text, primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    for table in ("store_versions", "audit_log", *CURATED_COLUMNS):
        op.drop_table(table)
