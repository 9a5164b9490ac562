"""The database the pages' database-mode tests read: the fixture's curated tables and one ACLED import."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tensions.data.guard import local_grant
from tensions.ingest.importers import ImportResult
from tensions.ingest.importers.reading import empty_rejected
from tensions.store import curated, imported


def database_holding(url: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch, events: pd.DataFrame) -> str:
    """Load `data_dir`'s curated tables and `events` (as an ACLED import) into the database at `url`, and point
    the app at both; return `url`."""
    curated.load_folder(url, data_dir, grant=local_grant())
    result = ImportResult("acled", "ACLED", "acled.csv", "synthetic", len(events), events, empty_rejected())
    imported.save_import(url, result, grant=local_grant())
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(data_dir))
    monkeypatch.setenv("TENSIONS_DATABASE_URL", url)
    return url
