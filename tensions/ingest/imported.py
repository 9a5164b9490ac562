"""Imported datasets on disk: normalised Parquet under `data/imported/`, one set of files per imported file.

Each import writes `<dataset>--<name>.parquet` (the events, categorical columns for enumerations,
actors and places), `<dataset>--<name>.rejected.parquet` (the rejected rows with reasons) and
`<dataset>--<name>.json` (what was imported, when, from which file, with which counts), the JSON last
so a listed import is always complete. Importing a file of the same name again replaces it. The
curated tables are never written here; imports and their removal need a curator's grant
(`tensions.data.guard`), checked before the file is even read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from tensions.data import guard
from tensions.data.atomic import write_bytes_atomically
from tensions.data.csv_safety import safe_csv_bytes
from tensions.data.load import CURATED_DATASET
from tensions.data.schema import ACTORS, to_typed
from tensions.data.validate import read_raw_table
from tensions.ingest.importers import DEFAULT_LIMITS, IMPORTERS, ImportLimits, ImportResult, import_file
from tensions.ingest.importers.base import (
    ENUM_CATEGORIES,
    Source,
    combine_events,
    country_categories,
    with_categories,
)
from tensions.ingest.importers.reading import empty_rejected

IMPORTED_FOLDER = "imported"
CURATED_TITLE = "Curated"
CURATED_ATTRIBUTION = "Regional Tensions Dashboard curated events, compiled from the public reports cited in each row."
DATASET_TITLES: dict[str, str] = {CURATED_DATASET: CURATED_TITLE} | {n: i.title for n, i in IMPORTERS.items()}
ATTRIBUTIONS: dict[str, str] = {CURATED_DATASET: CURATED_ATTRIBUTION} | {n: i.attribution for n, i in IMPORTERS.items()}


@dataclass(frozen=True)
class ImportedFile:
    """One imported file as recorded in its JSON: where it came from and what it gave."""

    key: str
    dataset: str
    file_name: str
    format_name: str
    imported_at: str
    sha256: str
    rows_read: int
    rows_imported: int
    rows_rejected: int
    first_date: str | None
    last_date: str | None
    countries: list[str]
    notes: list[str]
    folder: str

    @property
    def events_path(self) -> Path:
        return Path(self.folder) / f"{self.key}.parquet"

    @property
    def rejected_path(self) -> Path:
        return Path(self.folder) / f"{self.key}.rejected.parquet"

    @property
    def title(self) -> str:
        return DATASET_TITLES.get(self.dataset, self.dataset)


def imported_dir(data_dir: Path) -> Path:
    return Path(data_dir) / IMPORTED_FOLDER


def dataset_title(dataset: str) -> str:
    return DATASET_TITLES.get(dataset, dataset)


_DATASETS_BY_NAME: dict[str, str] = {
    name.casefold(): dataset for dataset, title in DATASET_TITLES.items() for name in (dataset, title)
}


def dataset_named(name: str) -> str:
    """The dataset `name` stands for: its id (`acled`) or its title (`ACLED`), which the sidebar's Datasets
    filter writes into a page's URL, in any case; any other name as given."""
    return _DATASETS_BY_NAME.get(name.casefold(), name)


SHORT_ATTRIBUTIONS: dict[str, str] = {
    CURATED_DATASET: "compiled from the public reports cited in each event",
    "ucdp": "UCDP Georeferenced Event Dataset, CC BY 4.0 (Sundberg & Melander 2013)",
    "acled": "Armed Conflict Location & Event Data (acleddata.com), under ACLED's terms of use",
    "gdelt": "The GDELT Project (gdeltproject.org): machine-coded from news, unverified",
}


def short_attribution(dataset: str) -> str:
    """A one-line credit for captions and slide footers."""
    return SHORT_ATTRIBUTIONS.get(dataset, dataset)


def attribution(dataset: str) -> str:
    """How to credit a dataset wherever its events are shown."""
    return ATTRIBUTIONS.get(dataset, dataset)


def _slug(file_name: str) -> str:
    stem = Path(file_name).name
    for suffix in (".zip", ".csv", ".tsv", ".txt", ".export", ".CSV"):
        stem = stem.removesuffix(suffix)
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-.").lower()
    return slug[:80] or "file"


def import_key(dataset: str, file_name: str, folder: Path | None = None, *, stored_name: str | None = None) -> str:
    """The name an import of `file_name` is stored under: its dataset and the file name made safe. When
    another file name already has that key in `folder` ("ACLED data.csv" and "acled-data.zip"), or is
    `stored_name` (the file name a database holds under that key), a digest of the name is added, so an
    import replaces only an earlier import of the same file name."""
    key = f"{dataset}--{_slug(file_name)}"
    if folder is not None:
        try:
            stored_name = json.loads((Path(folder) / f"{key}.json").read_text(encoding="utf-8")).get("file_name")
        except (OSError, ValueError, AttributeError):
            return key
    if stored_name is None or stored_name == file_name:
        return key
    return f"{key}--{hashlib.sha256(file_name.encode('utf-8')).hexdigest()[:8]}"


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False, engine="pyarrow", compression="zstd")
    return buffer.getvalue()


def read_events(path: Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Read normalised events, with the taxonomy's categories (and their order) restored.

    Text columns are made one contiguous Arrow array each: taking rows from a column split in chunks
    concatenates it first, which made every filtered view of a million events 100 ms slower.
    """
    table = pq.read_table(path, columns=list(columns) if columns else None).combine_chunks()
    events = table.to_pandas()
    for column, categories in ENUM_CATEGORIES.items():
        if column in events:
            events[column] = with_categories(events[column], list(categories))
    if "country" in events:
        events["country"] = with_categories(events["country"], country_categories([events["country"]]))
    return events


def save_import(result: ImportResult, data_dir: Path, *, grant: object, sha256: str = "") -> ImportedFile:
    """Store an import's events and rejected rows under `data_dir/imported/`; the JSON record last.

    Parquet keeps categoricals dictionary-encoded. `NotAuthorised` without a curator's grant."""
    guard.authorise(grant, "storing an import")
    folder = guard.make_folder(grant, imported_dir(data_dir))
    key = import_key(result.dataset, result.file_name, folder)
    events = result.events.sort_values("event_date", kind="stable", ignore_index=True)
    dates = events["event_date"]
    record = ImportedFile(
        key=key,
        dataset=result.dataset,
        file_name=result.file_name,
        format_name=result.format_name,
        imported_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        sha256=sha256,
        rows_read=result.rows_read,
        rows_imported=result.rows_imported,
        rows_rejected=result.rows_rejected,
        first_date=None if events.empty else f"{dates.min():%Y-%m-%d}",
        last_date=None if events.empty else f"{dates.max():%Y-%m-%d}",
        countries=[str(c) for c, n in events["country"].value_counts().items() if n > 0],
        notes=list(result.notes),
        folder=str(folder),
    )
    guard.write_bytes(grant, record.events_path, parquet_bytes(events))
    guard.write_bytes(grant, record.rejected_path, parquet_bytes(result.rejected))
    meta = {k: v for k, v in asdict(record).items() if k != "folder"}
    guard.write_bytes(grant, folder / f"{key}.json", json.dumps(meta, indent=2, ensure_ascii=False).encode("utf-8"))
    return record


def list_imports(data_dir: Path) -> list[ImportedFile]:
    """Every complete import under `data_dir/imported/`, by dataset then import time."""
    folder = imported_dir(data_dir)
    if not folder.is_dir():
        return []
    records = []
    for path in sorted(folder.glob("*.json")):
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
            record = ImportedFile(**meta, folder=str(folder))
        except (ValueError, TypeError):
            continue
        if record.events_path.exists():
            records.append(record)
    order = {name: i for i, name in enumerate(IMPORTERS)}
    return sorted(records, key=lambda r: (order.get(r.dataset, 99), r.imported_at, r.key))


def imported_datasets(data_dir: Path, records: Iterable[ImportedFile] | None = None) -> list[str]:
    """The datasets with at least one import (of `records`, else of those under `data_dir`), in the importers'
    order."""
    present = {r.dataset for r in (list_imports(data_dir) if records is None else records)}
    return [name for name in IMPORTERS if name in present]


def fingerprint(data_dir: Path) -> tuple:
    """Changes whenever an import is added, replaced or removed (a cache key)."""
    folder = imported_dir(data_dir)
    if not folder.is_dir():
        return ()
    return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in folder.glob("*.json")))


def load_imported(data_dir: Path, datasets: Iterable[str]) -> pd.DataFrame | None:
    """The events of every import of `datasets`; an event imported twice counts once (the newer import)."""
    wanted = set(datasets)
    records = [r for r in list_imports(data_dir) if r.dataset in wanted]
    if not records:
        return None
    frames = [read_events(r.events_path) for r in records]
    events = combine_events(frames)
    if len(frames) > 1:
        events = events[~events["event_id"].duplicated(keep="last").to_numpy()].reset_index(drop=True)
    return events


REJECTED_PER_PAGE = 100


# An import's rejected rows with reasons: its record (the Parquet file beside it), or that Parquet's bytes (as the
# database keeps them: `tensions.store.select.rejected_rows`).
Rejected = ImportedFile | bytes


def _rejected_file(rejected: Rejected) -> pq.ParquetFile | None:
    if isinstance(rejected, bytes):
        return pq.ParquetFile(io.BytesIO(rejected))
    return pq.ParquetFile(rejected.rejected_path) if rejected.rejected_path.exists() else None


def _rejected_batches(rejected: Rejected, size: int = 65_536) -> Iterator[pd.DataFrame]:
    """The stored reasons, a batch at a time: an import stored before the limits may hold millions."""
    file = _rejected_file(rejected)
    if file is None:
        return
    for batch in file.iter_batches(batch_size=size):
        yield batch.to_pandas()


def rejected_reasons(rejected: Rejected) -> int:
    """How many reasons are stored for the import's rejected rows (a row may have several)."""
    file = _rejected_file(rejected)
    return 0 if file is None else file.metadata.num_rows


def rejected_page(rejected: Rejected, page: int, per_page: int = REJECTED_PER_PAGE) -> pd.DataFrame:
    """One page of the stored reasons (page 1 first), read without loading the others."""
    start, parts, seen = (page - 1) * per_page, [], 0
    for batch in _rejected_batches(rejected):
        if seen + len(batch) > start:
            parts.append(batch.iloc[max(start - seen, 0) :])
            if sum(map(len, parts)) >= per_page:
                break
        seen += len(batch)
    return pd.concat(parts, ignore_index=True).head(per_page) if parts else empty_rejected()


def read_rejected(rejected: Rejected, rows: int = DEFAULT_LIMITS.max_rejected_rows) -> pd.DataFrame:
    """Every reason of the first `rows` rejected rows (in file order), read a batch at a time."""
    parts: list[pd.DataFrame] = []
    for batch in _rejected_batches(rejected):
        parts.append(batch)
        if pd.concat([p["line"] for p in parts]).nunique() > rows:
            break
    if not parts:
        return empty_rejected()
    reasons = pd.concat(parts, ignore_index=True)
    last = np.unique(reasons["line"].to_numpy())[:rows][-1] if len(reasons) else 0
    return reasons[reasons["line"] <= last].reset_index(drop=True)


def remove_import(data_dir: Path, key: str, *, grant: object) -> bool:
    """Delete one import's files; True when there was one. `NotAuthorised` without a curator's grant."""
    guard.authorise(grant, "removing an import")
    folder = imported_dir(data_dir)
    paths = [folder / f"{key}.json", folder / f"{key}.parquet", folder / f"{key}.rejected.parquet"]
    found = guard.remove(grant, paths[0])  # the JSON first, so a half-removed import is never listed
    for path in paths[1:]:
        guard.remove(grant, path)
    return found


def file_sha256(source: Source) -> str:
    """The SHA-256 of a file's bytes (uploaded, or read from disk a megabyte at a time)."""
    if isinstance(source, bytes):
        return hashlib.sha256(source).hexdigest()
    digest = hashlib.sha256()
    with open(source, "rb") as file:
        while block := file.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def curated_actors(data_dir: Path) -> pd.DataFrame | None:
    """The curated actors (to match imported names against), or None when the table cannot be read."""
    try:
        return to_typed(read_raw_table(Path(data_dir) / ACTORS.file_name), ACTORS)
    except (OSError, ValueError, KeyError):
        return None


@dataclass(frozen=True)
class ImportOutcome:
    result: ImportResult
    record: ImportedFile
    replaced: ImportedFile | None = None  # the earlier import of the same file name, now replaced

    def rejected_csv(self) -> bytes:
        """The rejected rows with reasons, as a spreadsheet-safe CSV."""
        return safe_csv_bytes(self.result.rejected.assign(file=self.result.file_name))

    def write_rejected_csv(self, path: Path) -> None:
        write_bytes_atomically(Path(path), self.rejected_csv())


def import_and_save(
    source: Source,
    dataset: str | None,
    data_dir: Path,
    *,
    grant: object,
    file_name: str | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
    save: Callable[[ImportResult, str], ImportedFile] | None = None,
    stored: Sequence[ImportedFile] | None = None,
) -> ImportOutcome:
    """Import a file (a path or uploaded bytes) as `dataset` ("auto" or None: detect it) within `limits`,
    and store it: by `save(result, sha256)` with `stored` the imports already there when given (another store,
    chosen by `tensions.store.select`), else under `data_dir/imported/`. Nothing already stored changes unless
    the import succeeds.

    Raises `NotAuthorised` without a curator's grant, before the file is read (so a viewer cannot make
    the server parse anything), and `ImportFailed` when the file cannot be imported at all; the curated
    tables are only read.
    """
    guard.authorise(grant, "importing a file")
    name = file_name or (Path(source).name if not isinstance(source, bytes) else "upload")
    kind = None if dataset in (None, "auto") else dataset
    result = import_file(source, kind, file_name=name, actors=curated_actors(data_dir), limits=limits)
    earlier = {r.key: r for r in (list_imports(data_dir) if stored is None else stored)}
    sha256 = file_sha256(source)
    record = save_import(result, data_dir, grant=grant, sha256=sha256) if save is None else save(result, sha256)
    return ImportOutcome(result, record, earlier.get(record.key))
