"""The store in use, chosen here once for every page: the database when one is configured
(`tensions.store.config.database_url`), else the files of the data folder."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from tensions.data.load import CURATED_DATASET, Dataset, dataset_from_raw, load_dataset
from tensions.data.schema import TABLES
from tensions.ingest import imported as files
from tensions.ingest.importers import DEFAULT_LIMITS, ImportLimits
from tensions.ingest.importers.base import Source
from tensions.ingest.importers.reading import empty_rejected
from tensions.ingest.sync.store import FileSyncStore, SyncStore
from tensions.store import imported as stored
from tensions.store import tables
from tensions.store.config import database_url
from tensions.store.curated import read_curated, store_version
from tensions.store.synced import DatabaseSyncStore


def curated_fingerprint(data_dir: Path) -> tuple:
    """Changes whenever the curated data changes, so a page reloads it without a restart: the store's version
    (one indexed row: a save on another app server is seen on the next rerun), or each file's modification time."""
    url = database_url()
    if url is not None:
        return ("database", url, store_version(url))
    stamps = []
    for table in TABLES:
        path = Path(data_dir) / table.file_name
        stamps.append((table.file_name, path.stat().st_mtime_ns if path.exists() else None))
    return tuple(stamps)


def imports_in_database(datasets: Iterable[str]) -> str | None:
    """The database's URL when it is the store and `datasets` names imported ones, whose events stay in it (the
    figures sum them in SQL: `tensions.figures.stored`), else None."""
    url = database_url()
    return url if url is not None and any(name != CURATED_DATASET for name in datasets) else None


def load_curated(data_dir: Path, *, today: dt.date | None = None) -> Dataset:
    """The validated, typed curated dataset from the store in use."""
    url = database_url()
    if url is None:
        return load_dataset(data_dir, today=today)
    return dataset_from_raw(read_curated(url).tables, today=today)


def list_imports(data_dir: Path) -> list[files.ImportedFile]:
    """Every import in the store in use: the database's `imports` table, or the files under `data_dir/imported/`."""
    url = database_url()
    return files.list_imports(data_dir) if url is None else stored.list_imports(url)


def imported_datasets(data_dir: Path) -> list[str]:
    """The datasets with at least one import in the store in use, in the importers' order."""
    return files.imported_datasets(data_dir, list_imports(data_dir))


def every_dataset(data_dir: Path) -> list[str]:
    """The curated events and every dataset imported into the store in use: what an emptied Datasets filter
    shows."""
    return [CURATED_DATASET, *imported_datasets(data_dir)]


def imported_fingerprint(data_dir: Path) -> tuple:
    """Changes whenever an import is added, replaced or removed in the store in use (a cache key)."""
    url = database_url()
    return files.fingerprint(data_dir) if url is None else ("database", url, store_version(url, tables.IMPORTED_STORE))


def imported_in_memory(data_dir: Path, datasets: Iterable[str]) -> pd.DataFrame | None:
    """The imported events of `datasets` to hold in memory: those under `data_dir/imported/`; none when the
    database is the store, whose imported events stay there for the figures to sum in SQL
    (`tensions.figures.stored`)."""
    return files.load_imported(data_dir, datasets) if database_url() is None else None


def import_and_save(
    source: Source,
    dataset: str | None,
    data_dir: Path,
    *,
    grant: object,
    file_name: str | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
) -> files.ImportOutcome:
    """Import a file (`tensions.ingest.imported.import_and_save`) into the store in use: the database when one
    is configured (replacing an earlier import of the same file name there), else `data_dir/imported/`."""
    url = database_url()
    return files.import_and_save(
        source,
        dataset,
        data_dir,
        grant=grant,
        file_name=file_name,
        limits=limits,
        save=None
        if url is None
        else lambda result, sha256: stored.save_import(url, result, grant=grant, sha256=sha256),
        stored=None if url is None else stored.list_imports(url),
    )


def rejected_rows(record: files.ImportedFile) -> files.Rejected:
    """Where the import's rejected rows are read from (`tensions.ingest.imported.rejected_page` and the like):
    its Parquet file beside it, or the Parquet the database keeps with it."""
    url = database_url()
    if url is None:
        return record
    return stored.rejected_parquet(url, record.key) or files.parquet_bytes(empty_rejected())  # removed meanwhile


def remove_import(data_dir: Path, key: str, *, grant: object) -> bool:
    """Remove one import from the store in use; True when there was one. `NotAuthorised` without a curator's grant."""
    url = database_url()
    if url is None:
        return files.remove_import(data_dir, key, grant=grant)
    return stored.remove_import(url, key, grant=grant)


def sync_store(data_dir: Path) -> SyncStore:
    """Where live sync keeps each source's events, state and changes: the database when one is configured (the
    events an import there), else the files under `data_dir/imported/`."""
    url = database_url()
    return FileSyncStore(Path(data_dir)) if url is None else DatabaseSyncStore(url)
