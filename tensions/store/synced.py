"""Live sync in PostgreSQL: each source's synced events are an import in the imported tables (the one named
`SYNC_FILE_NAME`, summed by the figures like any other), its cursor and last runs a `sync_state` row, and
what each run added, revised or deleted `sync_changes` rows.

`DatabaseSyncStore` is the `SyncStore` a sync uses when the database is the store
(`tensions.store.select.sync_store`). A run of a source holds a session-level advisory lock for the source
from its first read to its commit, so a second run of it, on this or another app server, waits for the first
and starts from the cursor the first one left; the commit writes the events, the changes and the state in
one transaction, so a run killed halfway leaves everything as it was.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from tensions.data import guard
from tensions.ingest.imported import import_key
from tensions.ingest.importers.base import EVENT_COLUMNS
from tensions.ingest.importers.reading import empty_rejected
from tensions.ingest.sync.base import Batch
from tensions.ingest.sync.state import SourceState, SyncReport, empty_changes
from tensions.ingest.sync.store import SYNC_FILE_NAME, Merged, synced_import
from tensions.store import tables
from tensions.store.engine import copy_frame, engine_for, reaching
from tensions.store.imported import store_import, typed_events

SYNC_LOCK = 7_061_905  # with the source's hash: the advisory lock a run of that source holds
_EVENT_SELECT = ", ".join(f"e.{column}" for column in EVENT_COLUMNS)


def synced_key(source: str) -> str:
    """The key of the import holding `source`'s synced events."""
    return import_key(source, SYNC_FILE_NAME)


def _holds_import(connection: sa.Connection, keys: Sequence[str]) -> bool:
    """Whether the database holds an import under one of `keys`."""
    found = connection.execute(sa.text("SELECT 1 FROM imports WHERE key = ANY(:keys)"), {"keys": list(keys)})
    return found.first() is not None


def _events(connection: sa.Connection, where: str, params: dict) -> pd.DataFrame:
    """Synced events (the full rows, typed as imported events) of the imports joined as `i`, by `where`."""
    sql = (
        f"SELECT {_EVENT_SELECT} FROM imported_events e JOIN imports i ON i.id = e.import_id "
        f"WHERE {where} ORDER BY e.import_id, e.seq"
    )
    return typed_events(copy_frame(connection, sql, params, text=True))


def undecided_events(url: str, sources: Sequence[str], countries: Sequence[str]) -> pd.DataFrame | None:
    """The synced events of `sources` in `countries` that no curator has promoted or dismissed: what the review
    queue matches against the curated events (None before the first sync)."""
    keys = [synced_key(source) for source in sources]
    with reaching(url), engine_for(url).connect() as connection:
        if not _holds_import(connection, keys):
            return None
        return _events(
            connection,
            "i.key = ANY(:keys) AND e.country = ANY(:countries) "
            "AND NOT EXISTS (SELECT 1 FROM review_decisions d WHERE d.event_id = e.event_id)",
            {"keys": keys, "countries": list(countries)},
        )


@dataclass(frozen=True)
class DatabaseSyncStore:
    """The sync's events, state and changes in the database at `url`."""

    url: str

    def running(self, grant: object, source: str) -> AbstractContextManager[object]:
        guard.authorise(grant, f"syncing {source}")
        return self._locked(source)

    @contextmanager
    def _locked(self, source: str) -> Iterator[None]:
        lock = sa.func.pg_advisory_lock(SYNC_LOCK, sa.func.hashtext(source))
        with reaching(self.url), engine_for(self.url).connect() as connection:
            connection.execute(sa.select(lock))
            connection.commit()  # the lock is the session's: no transaction stays open while the source is read
            try:
                yield
            finally:
                connection.execute(sa.select(sa.func.pg_advisory_unlock(SYNC_LOCK, sa.func.hashtext(source))))
                connection.commit()

    def read_state(self, source: str) -> SourceState:
        state = tables.sync_state
        with reaching(self.url), engine_for(self.url).connect() as connection:
            row = connection.execute(sa.select(state).where(state.c.source == source)).mappings().first()
        return SourceState(source) if row is None else SourceState.from_payload(source, dict(row))

    def read_synced(self, source: str) -> tuple[pd.DataFrame | None, pd.DataFrame]:
        with reaching(self.url), engine_for(self.url).connect() as connection:
            rejected = connection.execute(
                sa.text("SELECT rejected FROM imports WHERE key = :key"), {"key": synced_key(source)}
            ).scalar()
            if rejected is None:
                return None, empty_rejected()
            events = _events(connection, "i.key = :key", {"key": synced_key(source)})
        return events, pd.read_parquet(io.BytesIO(rejected))

    def read_changes(self, source: str) -> pd.DataFrame:
        changes = tables.sync_changes
        query = (
            sa.select(changes.c.event_id, changes.c.change, changes.c.synced_at)
            .where(changes.c.source == source)
            .order_by(changes.c.id)
        )
        with reaching(self.url), engine_for(self.url).connect() as connection:
            rows = connection.execute(query).all()
        if not rows:
            return empty_changes()
        frame = pd.DataFrame(rows, columns=["event_id", "change", "synced_at"])
        return frame.astype({"event_id": "string", "change": "string", "synced_at": "datetime64[us, UTC]"})

    def changed_events(self, source: str, event_ids: list[str]) -> pd.DataFrame | None:
        with reaching(self.url), engine_for(self.url).connect() as connection:
            if _holds_import(connection, [synced_key(source)]):
                where = "i.key = :key AND e.event_id = ANY(:ids)"
                return _events(connection, where, {"key": synced_key(source), "ids": event_ids})
        return None

    def commit(
        self, grant: object, state: SourceState, report: SyncReport, *, merged: Merged | None, batch: Batch | None
    ) -> None:
        """The run's events (replacing the source's import), its changes and the new state, in one transaction;
        a failed run (`merged` None) records only its report."""
        guard.authorise(grant, f"storing {state.source}'s sync")
        source, changes = state.source, tables.sync_changes
        with reaching(self.url), engine_for(self.url).begin() as connection:
            if merged is not None and batch is not None:
                # A run that found nothing new (most runs of a 15-minute schedule) leaves the events, the kept
                # sums and the imported store's version (every page's cache key) as they are.
                found = merged.added or merged.revised or merged.deleted or batch.rows_rejected
                if found or not _holds_import(connection, [synced_key(source)]):
                    store_import(connection, synced_import(source, merged, batch))
                state = state.with_run(report, batch.cursor)
                for kind, ids in (("added", merged.added), ("revised", merged.revised), ("deleted", merged.deleted)):
                    connection.execute(
                        sa.text(
                            "INSERT INTO sync_changes (source, event_id, change, synced_at) "
                            "SELECT :source, unnest(CAST(:ids AS text[])), :change, :at"
                        ),
                        {
                            "source": source,
                            "ids": ids,
                            "change": kind,
                            "at": dt.datetime.fromisoformat(report.started_at),
                        },
                    )
                kept_from = dt.datetime.fromisoformat(state.runs[0].started_at)
                connection.execute(
                    changes.delete().where((changes.c.source == source) & (changes.c.synced_at < kept_from))
                )
            else:
                state = state.with_run(report)
            payload = state.payload()
            statement = insert(tables.sync_state).values(payload)
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=["source"],
                    set_={"cursor": statement.excluded.cursor, "runs": statement.excluded.runs},
                )
            )
