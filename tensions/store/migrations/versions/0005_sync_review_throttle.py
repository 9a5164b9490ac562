"""Live sync, the review queue and the sign-in throttle in the database: each source's sync state (its cursor
and recent runs) and the changes its runs made, the curators' review decisions, the sign-in counts (shared by
every app server), and the client address of a failed sign-in in the audit log.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_state",
        sa.Column("source", sa.Text, primary_key=True),
        sa.Column("cursor", JSONB, nullable=False),
        sa.Column("runs", JSONB, nullable=False),
    )
    op.create_table(
        "sync_changes",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("event_id", sa.Text, nullable=False),
        sa.Column("change", sa.Text, nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("sync_changes_source", "sync_changes", ["source", "synced_at"])
    op.create_table(
        "review_decisions",
        sa.Column("event_id", sa.Text, primary_key=True),
        sa.Column("decision", sa.Text, nullable=False),
        sa.Column("curated_event_id", sa.Text),
        sa.Column("who", sa.Text, nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "signin_counts",
        sa.Column("scope", sa.Text, primary_key=True),
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last", sa.Float(53), nullable=False),
    )
    op.add_column("audit_log", sa.Column("address", sa.Text))


def downgrade() -> None:
    op.drop_column("audit_log", "address")
    op.drop_table("signin_counts")
    op.drop_table("review_decisions")
    op.drop_index("sync_changes_source", table_name="sync_changes")
    op.drop_table("sync_changes")
    op.drop_table("sync_state")
