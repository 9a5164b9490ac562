"""The store in use, chosen here once for every page: the database when one is configured
(`tensions.store.config.database_url`), else the files of the data folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tensions.data.load import Dataset, dataset_from_raw, load_dataset
from tensions.data.schema import TABLES
from tensions.store.config import database_url
from tensions.store.curated import read_curated, store_version


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


def load_curated(data_dir: Path, *, today: dt.date | None = None) -> Dataset:
    """The validated, typed curated dataset from the store in use."""
    url = database_url()
    if url is None:
        return load_dataset(data_dir, today=today)
    return dataset_from_raw(read_curated(url).tables, today=today)
