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
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from tensions.data import guard, taxonomy
from tensions.data.atomic import write_bytes_atomically
from tensions.data.csv_safety import safe_csv_bytes
from tensions.data.load import CURATED_DATASET
from tensions.data.schema import ACTORS, to_typed
from tensions.data.validate import read_raw_table
from tensions.ingest.importers import IMPORTERS, ImportResult, import_file
from tensions.ingest.importers.base import ENUM_CATEGORIES, OPEN_CATEGORICAL_COLUMNS, Source

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


def import_key(dataset: str, file_name: str) -> str:
    return f"{dataset}--{_slug(file_name)}"


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
            events[column] = _with_categories(events[column], list(categories))
    if "country" in events:
        events["country"] = _with_categories(events["country"], _country_categories([events["country"]]))
    return events


def _with_categories(values: pd.Series, categories: list) -> pd.Series:
    if isinstance(values.dtype, pd.CategoricalDtype):
        if list(values.cat.categories) == categories:
            return values
        return values.cat.set_categories(categories)
    return pd.Series(pd.Categorical(values.astype("string"), categories=categories), index=values.index)


def _country_categories(columns: Iterable[pd.Series]) -> list[str]:
    present: set[str] = set()
    for values in columns:
        if isinstance(values.dtype, pd.CategoricalDtype):
            present |= set(values.cat.categories)
        else:
            present |= set(values.dropna().astype(str))
    return [*taxonomy.COUNTRY_NAMES, *sorted(present - set(taxonomy.COUNTRY_NAMES))]


def save_import(result: ImportResult, data_dir: Path, *, grant: object, sha256: str = "") -> ImportedFile:
    """Store an import's events and rejected rows under `data_dir/imported/`; the JSON record last.

    Parquet keeps categoricals dictionary-encoded. `NotAuthorised` without a curator's grant."""
    guard.authorise(grant, "storing an import")
    folder = guard.make_folder(grant, imported_dir(data_dir))
    key = import_key(result.dataset, result.file_name)
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


def imported_datasets(data_dir: Path) -> list[str]:
    """The datasets with at least one import, in the importers' order."""
    present = {r.dataset for r in list_imports(data_dir)}
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


def read_rejected(record: ImportedFile) -> pd.DataFrame:
    return pd.read_parquet(record.rejected_path) if record.rejected_path.exists() else pd.DataFrame()


def remove_import(data_dir: Path, key: str, *, grant: object) -> bool:
    """Delete one import's files; True when there was one. `NotAuthorised` without a curator's grant."""
    guard.authorise(grant, "removing an import")
    folder = imported_dir(data_dir)
    paths = [folder / f"{key}.json", folder / f"{key}.parquet", folder / f"{key}.rejected.parquet"]
    found = guard.remove(grant, paths[0])  # the JSON first, so a half-removed import is never listed
    for path in paths[1:]:
        guard.remove(grant, path)
    return found


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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

    def rejected_csv(self) -> bytes:
        """The rejected rows with reasons, as a spreadsheet-safe CSV."""
        return safe_csv_bytes(self.result.rejected.assign(file=self.result.file_name))

    def write_rejected_csv(self, path: Path) -> None:
        write_bytes_atomically(Path(path), self.rejected_csv())


def import_and_save(
    source: Source, dataset: str | None, data_dir: Path, *, grant: object, file_name: str | None = None
) -> ImportOutcome:
    """Import a file (a path or uploaded bytes) as `dataset` ("auto" or None: detect it) and store it.

    Raises `NotAuthorised` without a curator's grant, before the file is read (so a viewer cannot make
    the server parse anything), and `ImportFailed` when the file cannot be imported at all; the curated
    tables are only read.
    """
    guard.authorise(grant, "importing a file")
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    name = file_name or (Path(source).name if not isinstance(source, bytes) else "upload")
    kind = None if dataset in (None, "auto") else dataset
    result = import_file(data, kind, file_name=name, actors=curated_actors(data_dir))
    return ImportOutcome(result, save_import(result, data_dir, grant=grant, sha256=file_sha256(data)))


def combine_events(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Stack event tables (curated and imported), keeping one set of categories per categorical column.

    pandas turns categoricals with different categories into plain objects when concatenating; here
    every categorical column gets the union of categories first (taxonomy order for enumerations),
    so the result stays compact and fast to filter. The result is sorted by date.
    """
    frames = [f for f in frames if f is not None]
    if len(frames) == 1:
        return frames[0]
    columns = list(dict.fromkeys(c for f in frames for c in f.columns))
    aligned = []
    categories: dict[str, list] = {}
    for column in columns:
        present = [f[column] for f in frames if column in f]
        if column in ENUM_CATEGORIES:
            categories[column] = list(ENUM_CATEGORIES[column])
        elif column == "country":
            categories[column] = _country_categories(present)
        elif column in OPEN_CATEGORICAL_COLUMNS or any(isinstance(p.dtype, pd.CategoricalDtype) for p in present):
            seen: dict = {}
            for values in present:
                unique = values.cat.categories if isinstance(values.dtype, pd.CategoricalDtype) else values.dropna()
                seen.update(dict.fromkeys(pd.unique(np.asarray(unique, dtype=object))))
            categories[column] = list(seen)
    dtypes = {column: next(f[column].dtype for f in frames if column in f) for column in columns}
    for frame in frames:
        out = {}
        for column in columns:
            values = frame[column] if column in frame else pd.Series(pd.NA, index=frame.index, dtype=dtypes[column])
            out[column] = _with_categories(values, categories[column]) if column in categories else values
        aligned.append(pd.DataFrame(out, index=frame.index))
    combined = single_chunk_text(pd.concat(aligned, ignore_index=True))
    order = np.argsort(combined["event_date"].to_numpy(), kind="stable")
    if not (np.diff(order) == 1).all():
        combined = combined.take(order).reset_index(drop=True)
    return combined


def single_chunk_text(events: pd.DataFrame) -> pd.DataFrame:
    """Arrow-backed text columns as one chunk each (concatenation leaves several), so `take` stays fast."""
    for column in events.columns:
        values = events[column].array
        chunked = getattr(values, "_pa_array", None)
        if (
            isinstance(values, pd.arrays.ArrowStringArray)
            and isinstance(chunked, pa.ChunkedArray)
            and chunked.num_chunks > 1
        ):
            events[column] = pd.Series(
                pd.arrays.ArrowStringArray(pa.chunked_array([chunked.combine_chunks()])), index=events.index
            )
    return events
