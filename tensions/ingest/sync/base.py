"""The sync interface: every live source (ACLED, UCDP, GDELT) is one `SyncSource` in its own module.

A source fetches what is new or changed since its cursor and returns it as a `Batch`: the rows imported
through the existing importer of that dataset (so a synced event maps exactly like an uploaded file's),
the ids the source says were deleted, which stored rows the batch replaces wholesale, and the cursor to
start from next time. Merging, storing and reporting are the same for every source (`store.py`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import ClassVar

import pandas as pd

from tensions.data import taxonomy
from tensions.errors import ImportFailed, PayloadError
from tensions.ingest.imported import combine_events, curated_actors
from tensions.ingest.importers import IMPORTERS, ImportResult
from tensions.ingest.sync.http import HttpClient, RetryPolicy

# The first day the dashboard covers: a first sync fetches from here.
DEFAULT_SINCE = dt.date(2023, 10, 7)
# Fetched rows are imported this many at a time.
CHUNK_ROWS = 50_000


@dataclass(frozen=True)
class SyncSettings:
    """Where each source lives, the credentials, and how far back a first sync reaches.

    Credentials come from the environment (`from_env`) or, on a page, from Streamlit's secrets: the
    package only ever takes them as values, and never stores them (ACLED's tokens are cached, its
    password is not).
    """

    acled_url: str = "https://acleddata.com"
    ucdp_url: str = "https://ucdpapi.pcr.uu.se/api"
    gdelt_url: str = "http://data.gdeltproject.org/gdeltv2"
    acled_email: str = field(default="", repr=False)
    acled_password: str = field(default="", repr=False)
    ucdp_token: str = field(default="", repr=False)
    since: dt.date = DEFAULT_SINCE
    # GDELT: how many 15-minute files a first sync takes, and at most per run when catching up.
    gdelt_first_files: int = 4
    gdelt_max_files: int = 96
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Seams for tests: the day it is (UCDP's versions and ACLED's date window follow it) and the sleep.
    today: Callable[[], dt.date] = dt.date.today
    sleep: Callable[[float], None] = time.sleep

    ENVIRONMENT: ClassVar[dict[str, str]] = {
        "acled_url": "TENSIONS_ACLED_URL",
        "ucdp_url": "TENSIONS_UCDP_URL",
        "gdelt_url": "TENSIONS_GDELT_URL",
        "acled_email": "TENSIONS_ACLED_EMAIL",
        "acled_password": "TENSIONS_ACLED_PASSWORD",
        "ucdp_token": "TENSIONS_UCDP_TOKEN",
    }

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> SyncSettings:
        """Settings from `TENSIONS_ACLED_URL`, `TENSIONS_ACLED_EMAIL`, … (see `ENVIRONMENT`), then `overrides`."""
        environ = os.environ if environ is None else environ
        found = {name: environ[var].strip() for name, var in cls.ENVIRONMENT.items() if environ.get(var, "").strip()}
        return replace(cls(), **found, **overrides)


@dataclass
class SyncContext:
    """What a source needs while fetching: the settings, the client, and where (and with which grant) it may
    keep what it caches (ACLED's tokens)."""

    settings: SyncSettings
    client: HttpClient
    data_dir: Path
    grant: object


@dataclass
class Batch:
    """What one run fetched, in our event columns."""

    events: pd.DataFrame | None
    rejected: pd.DataFrame | None
    rows_fetched: int
    cursor: dict
    format_name: str
    rows_rejected: int = 0
    deleted_ids: set[str] = field(default_factory=set)
    # Stored events this batch replaces wholesale: those of them it does not hold are deleted.
    replaces: Callable[[pd.DataFrame], pd.Series] | None = None
    notes: list[str] = field(default_factory=list)


class SyncSource(ABC):
    """One live source: fetch what changed since `cursor` into a `Batch`."""

    name: ClassVar[str]

    @property
    def title(self) -> str:
        return IMPORTERS[self.name].title

    @abstractmethod
    def fetch(self, context: SyncContext, cursor: dict) -> Batch:
        """What is new or changed since `cursor` (empty: never synced). Raises a `SyncError` when the source
        cannot be read; nothing is stored then."""


# ---------------------------------------------------------------------------------------------------
# Rows from JSON APIs, through the importers


def region_countries(*, seas: bool = True) -> tuple[str, ...]:
    """The taxonomy's countries in the region (talks abroad aside), with the bodies of water when `seas`."""
    return tuple(c.name for c in taxonomy.COUNTRIES if c.in_region and (seas or not c.is_sea))


def cell(value: object) -> str:
    """A JSON value as the text an export file would hold (1.0 → "1", null → "")."""
    if value.__class__ is str:  # most values: the fast way out
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class CsvSpool:
    """JSON records, page after page, written as CSV and imported every `chunk_rows` rows (as export files
    of that size would be), so memory follows the chunk, not the whole answer."""

    def __init__(
        self, source: str, data_dir: Path, file_name: str, *, convert: Callable[[str, object], str] | None = None
    ) -> None:
        self.source, self.data_dir, self.file_name = source, data_dir, file_name
        self.convert = convert
        self.header: list[str] | None = None
        self.rows = 0
        self.results: list[ImportResult] = []
        self._start()

    def _start(self) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\n")
        self.pending = 0
        if self.header is not None:
            self.writer.writerow(self.header)

    def add(self, records: Iterable[object]) -> None:
        for record in records:
            if not isinstance(record, dict):
                raise PayloadError(
                    self.source, f"a row is {type(record).__name__}, not an object: {str(record)[:80]!r}"
                )
            if self.header is None:
                importer = IMPORTERS[self.source]
                read = {*importer.required_columns, *importer.optional_columns}
                self.header = [key for key in record if key.lower() in read]  # only what the importer reads
                self.writer.writerow(self.header)
            if self.convert is None:
                self.writer.writerow([cell(value) for value in map(record.get, self.header)])
            else:
                self.writer.writerow([self.convert(key, record.get(key)) for key in self.header])
            self.rows += 1
            self.pending += 1
            if self.pending >= CHUNK_ROWS:
                self.flush()

    def flush(self) -> None:
        """Import the rows written since the last flush."""
        if not self.pending:
            return
        first = self.rows - self.pending + 1
        name = (
            f"{self.file_name} rows {first:,}-{self.rows:,}" if first > 1 or self.rows >= CHUNK_ROWS else self.file_name
        )
        data = self.buffer.getvalue().encode("utf-8")
        self._start()
        self.results.append(import_bytes(self.source, data, name, self.data_dir))

    def imported(self) -> list[ImportResult]:
        """Every row added, through the source's importer (a renamed column: `PayloadError`)."""
        self.flush()
        return self.results


def import_bytes(source: str, data: bytes, file_name: str, data_dir: Path) -> ImportResult:
    """Fetched rows (a CSV or a raw export file) through the source's importer, with its mapping.

    A renamed or missing column makes the importer refuse the whole file, which here means the source's
    answer changed shape: `PayloadError`, and nothing is stored.
    """
    try:
        return IMPORTERS[source].run(data, file_name=file_name, actors=curated_actors(data_dir))
    except ImportFailed as failure:
        reasons = "; ".join(p.message if not p.column else f"{p.column}: {p.message}" for p in failure.problems[:5])
        raise PayloadError(source, f"its answer changed shape and cannot be mapped: {reasons}") from None


def combined(results: Iterable[ImportResult | None]) -> tuple[pd.DataFrame | None, pd.DataFrame | None, int]:
    """The events and rejected rows of several imports (an id in two of them: the later one), and how many
    rows were rejected."""
    results = [r for r in results if r is not None]
    if not results:
        return None, None, 0
    seen: set[str] = set()
    kept = []
    for result in reversed(results):
        ids = result.events["event_id"]
        kept.append(result.events[~ids.isin(list(seen)).to_numpy()])
        seen.update(ids.astype(str))
    events = combine_events(kept[::-1]).reset_index(drop=True)
    rejected = pd.concat([r.rejected for r in results], ignore_index=True)
    return events, rejected, sum(r.rows_rejected for r in results)
