"""Analysts' trend judgements (`trend_overrides.csv`): every cell text, one row per country and month.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = ("country", "month", "trend", "rationale", "analyst", "decided_at")


def upgrade() -> None:
    op.create_table(
        "trend_overrides", *(sa.Column(name, sa.Text, primary_key=name in ("country", "month")) for name in COLUMNS)
    )


def downgrade() -> None:
    op.drop_table("trend_overrides")
