"""Saved briefs: each one's JSON, by its slug.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("briefs", sa.Column("slug", sa.Text, primary_key=True), sa.Column("content", JSONB, nullable=False))


def downgrade() -> None:
    op.drop_table("briefs")
