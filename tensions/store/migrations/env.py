"""Alembic's environment: run the migrations on the connection `tensions.store.migrate` opens.

Migrations hold a transaction-level advisory lock, so two app servers upgrading at once take turns.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from tensions.store.tables import metadata

MIGRATION_LOCK = 7_061_901  # any constant shared by every process that migrates

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    context.run_migrations()
