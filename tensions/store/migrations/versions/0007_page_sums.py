"""The second actor's family in the narrow facts, and kept sums for the Overview, the Actors page and the sidebar:
per pair of actors (with their families), per month (the Overview's activity), and the names each dataset offers
the sidebar. The pair sums no longer join the full events, and the default view reads thousands of kept rows
instead of scanning every fact.

The sums per month are grouped by what the filters the kept sums answer test (country, type, dataset,
imprecise), as the map's and the timeline's are (migration 0002); the sums per pair by the dataset alone (with
the imprecise events counted), so the default view reads about one row per pair it shows, and a country, type
or precision filter reads the facts. Refreshed with the others after every import and removal, the names after
the sums they are read from.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

IMPRECISE = (
    "coalesce(f.geo_precision = 3 OR f.time_precision = (SELECT id FROM imported_names WHERE name = 'month'), false)"
)
SUMS = (
    "count(*) AS n_events, count(*) FILTER (WHERE f.fatalities IS NULL) AS n_not_reported, "
    "count(*) FILTER (WHERE f.fatalities > 0) AS n_with_deaths, coalesce(sum(f.fatalities), 0) AS fatalities, "
    "min(f.event_date) AS event_date, max(f.event_date) AS last_date"
)
KEYS = f"f.country, f.event_type, f.dataset, {IMPRECISE} AS imprecise"


def upgrade() -> None:
    op.add_column("imported_facts", sa.Column("actor2_family", sa.Integer))
    # Facts imported before this migration: their second actor's family, numbered from the full events.
    op.execute(
        "INSERT INTO imported_names (name) SELECT DISTINCT e.actor2_family FROM imported_events e "
        "WHERE e.actor2_family IS NOT NULL ON CONFLICT (name) DO NOTHING"
    )
    op.execute(
        "UPDATE imported_facts f SET actor2_family = n.id FROM imported_events e JOIN imported_names n "
        "ON n.name = e.actor2_family WHERE e.import_id = f.import_id AND e.seq = f.seq"
    )
    op.execute(
        "CREATE MATERIALIZED VIEW imported_pair_sums AS SELECT f.actor1, f.actor2, f.actor1_family, f.actor2_family, "
        f"f.dataset, count(*) FILTER (WHERE {IMPRECISE}) AS n_imprecise, {SUMS} FROM imported_facts f "
        "GROUP BY 1, 2, 3, 4, 5"
    )
    op.execute(
        f"CREATE MATERIALIZED VIEW imported_activity_sums AS SELECT "
        f"CAST(date_trunc('month', f.event_date) AS date) AS period, {KEYS}, {SUMS} FROM imported_facts f "
        "GROUP BY 1, 2, 3, 4, 5"
    )
    # From the kept sums (a fraction of the facts' rows): the refresh reads them, not every fact three times.
    named = " UNION ".join(
        f"SELECT f.dataset, f.{column} AS id, '{kind}' AS kind FROM {source} f WHERE f.{column} IS NOT NULL"
        for column, kind, source in (
            ("actor1", "actor", "imported_pair_sums"),
            ("actor2", "actor", "imported_pair_sums"),
            ("event_type", "type", "imported_activity_sums"),
        )
    )
    op.execute(f"CREATE MATERIALIZED VIEW imported_present_names AS {named}")


def downgrade() -> None:
    for view in ("imported_present_names", "imported_activity_sums", "imported_pair_sums"):
        op.execute(f"DROP MATERIALIZED VIEW {view}")
    op.drop_column("imported_facts", "actor2_family")
