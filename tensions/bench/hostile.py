"""`python -m tensions bench-hostile`: what hostile files cost an import, each measured in a fresh process.

Every file is built here, from nothing: ZIP archives of garbage ACLED rows, ZIP bombs, archives with
thousands of entries or a member that lies about its size, a line with no end, a header with a million
columns, and, for scale, a real-looking ACLED export at the row limit. Each is imported as the Data page
imports an upload (the bytes in memory first, then `import_and_save`) into a copy of the data folder, in
its own process, so the peak resident memory (Linux's VmHWM) is that import's alone. Then the Data page's
reads of the largest stored list of rejected rows (one page, its count, the CSV download) are measured
the same way. Timings are wall-clock on whatever else the machine runs; the targets are under 1 GiB and
60 s per file. Never a test: numbers, not verdicts on a shared machine.
"""

from __future__ import annotations

import concurrent.futures
import json
import multiprocessing
import shutil
import struct
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from tensions.bench.measure import peak_rss_bytes
from tensions.data.csv_safety import safe_csv_bytes
from tensions.data.guard import local_grant
from tensions.data.paths import data_dir as default_data_dir
from tensions.errors import TensionsError
from tensions.ingest import imported
from tensions.ingest.importers.acled import AcledImporter
from tensions.ingest.importers.base import finish_events
from tensions.ingest.importers.limits import DEFAULT_LIMITS

TARGET_PEAK_RSS_BYTES = 1024**3
TARGET_SECONDS = 60.0
ACLED_HEADER = ",".join((*AcledImporter.required_columns, *AcledImporter.optional_columns)) + "\n"
MIB = 1024 * 1024


@dataclass(frozen=True)
class HostileFile:
    """A file an outsider could upload: how to build it, and what it is."""

    name: str
    description: str
    build: Callable[[Path], None]


@dataclass
class CaseResult:
    name: str
    description: str
    file_bytes: int
    outcome: str
    seconds: float
    peak_rss_bytes: int
    baseline_rss_bytes: int


# ---------------------------------------------------------------------------------------------------
# The files


def _zip_stream(path: Path, member: str, pieces: Iterator[bytes]) -> None:
    """A ZIP archive at `path` holding `member`, deflated as written (never whole in memory)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive, archive.open(member, "w") as out:
        for piece in pieces:
            out.write(piece)


def _garbage_rows(rows: int, batch: int = 20_000) -> Iterator[bytes]:
    """ACLED's header, then rows whose every field but a running id is garbage."""
    yield ACLED_HEADER.encode()
    junk = "," + ",".join(["??"] * (ACLED_HEADER.count(",")))
    for start in range(0, rows, batch):
        yield "".join(f"G{i}{junk}\n" for i in range(start, min(start + batch, rows))).encode()


def garbage_zip(path: Path, rows: int = 700_000) -> None:
    """1.9 MB: ACLED's header and 700,000 garbage rows (69 MB unpacked, 36 times smaller zipped)."""
    _zip_stream(path, "acled.csv", _garbage_rows(rows))


def smaller_garbage_zip(path: Path) -> None:
    """ACLED's header and garbage rows, as many as the row limit lets through: every one rejected."""
    garbage_zip(path, DEFAULT_LIMITS.max_rows)


def zip_bomb(path: Path, megabytes: int = 1030) -> None:
    """1 MB: a gigabyte of NUL bytes, deflated about 1,000 times."""
    block = bytes(MIB)
    _zip_stream(path, "events.csv", (block for _ in range(megabytes)))


def zip_bomb_with_header(path: Path, megabytes: int = 1030) -> None:
    """1 MB: ACLED's header, then a gigabyte of one letter on one line."""
    block = b"A" * MIB
    _zip_stream(path, "acled.csv", iter([ACLED_HEADER.encode(), *(block for _ in range(megabytes))]))


def many_entries_zip(path: Path, entries: int = 100_000) -> None:
    """A ZIP archive of 100,000 empty files (its directory alone is megabytes)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for number in range(entries):
            archive.writestr(f"e{number}.csv", b"")


def lying_zip(path: Path, declared_ratio: int = 10) -> None:
    """A ZIP archive whose member says it unpacks 10 times its compressed size (passing the ratio check)
    but unpacks 1,000 times: zipfile stops at the declared size, then the member fails its CRC check."""
    row = ("G1" + "," + ",".join(["??"] * ACLED_HEADER.count(",")) + "\n").encode()
    block = row * (MIB // len(row))
    _zip_stream(path, "acled.csv", iter([ACLED_HEADER.encode(), *(block for _ in range(1000))]))
    data = bytearray(path.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    declared = struct.unpack_from("<L", data, central + 20)[0] * declared_ratio
    struct.pack_into("<L", data, central + 24, declared)  # the uncompressed size zipfile believes
    struct.pack_into("<L", data, 22, declared)  # and the local header's, to match
    path.write_bytes(bytes(data))


def endless_line(path: Path, megabytes: int = 99) -> None:
    """99 MB, not zipped: ACLED's header, then one line with no end."""
    with open(path, "wb") as out:
        out.write(ACLED_HEADER.encode())
        for _ in range(megabytes):
            out.write(b"x" * MIB)


def wide_header(path: Path, columns: int = 100_000) -> None:
    """A header of 100,000 columns (ACLED's among them)."""
    path.write_text(ACLED_HEADER.rstrip("\n") + "," + ",".join(f"c{i}" for i in range(columns)) + "\n1\n")


def garbage_csv(path: Path, megabytes: int = 99) -> None:
    """99 MB of garbage ACLED rows, not zipped: 1.5 million rows, over the row limit."""
    rows = megabytes * MIB // 70
    with open(path, "wb") as out:
        for piece in _garbage_rows(rows):
            out.write(piece)


def acled_at_the_row_limit(path: Path, rows: int = DEFAULT_LIMITS.max_rows) -> None:
    """A real-looking ACLED export of as many sound rows as the limit allows (synthetic events), zipped:
    the largest such file that is imported in full."""
    from tensions.bench.synthetic import synthetic_events

    events = synthetic_events(rows, seed=11)
    precision = {"day": "1", "week": "2", "month": "3"}

    def pieces() -> Iterator[bytes]:
        yield ACLED_HEADER.encode()
        for start in range(0, rows, 100_000):
            part = events.iloc[start : start + 100_000]
            table = {
                "event_id_cnty": "SYN" + part["event_id"].astype("string").str.removeprefix("syn:"),
                "event_date": part["event_date"].dt.strftime("%Y-%m-%d"),
                "time_precision": part["time_precision"].astype("string").map(precision),
                "event_type": part["event_type"],
                "sub_event_type": part["sub_event_type"],
                "actor1": part["actor1"],
                "country": part["country"],
                "location": part["location"],
                "latitude": part["latitude"].round(4),
                "longitude": part["longitude"].round(4),
                "geo_precision": part["geo_precision"],
                "actor2": part["actor2"],
                "admin1": part["admin1"],
                "source": part["source"],
                "notes": part["notes"],
                "fatalities": part["fatalities"],
                "timestamp": 1_700_000_000 + np.arange(start, start + len(part)),
            }
            frame = pd.DataFrame(table)
            columns = ACLED_HEADER.rstrip("\n").split(",")
            yield frame.reindex(columns=columns).to_csv(index=False, header=False, lineterminator="\n").encode()

    _zip_stream(path, "acled-export.csv", pieces())


HOSTILE_FILES: tuple[HostileFile, ...] = (
    HostileFile("acled-garbage.zip", "1.9 MB ZIP of 700,000 garbage ACLED rows", garbage_zip),
    HostileFile(
        "acled-garbage-limit.zip", f"ZIP of {DEFAULT_LIMITS.max_rows:,} garbage ACLED rows", smaller_garbage_zip
    ),
    HostileFile("bomb.zip", "1 MB ZIP bomb: 1 GB of NUL bytes", zip_bomb),
    HostileFile("bomb-acled.zip", "1 MB ZIP bomb: ACLED header, then 1 GB on one line", zip_bomb_with_header),
    HostileFile("entries.zip", "ZIP of 100,000 empty files", many_entries_zip),
    HostileFile("lying.zip", "ZIP member that unpacks far past its declared size", lying_zip),
    HostileFile("endless-line.csv", "99 MB CSV: a header, then one line with no end", endless_line),
    HostileFile("wide-header.csv", "CSV with a 100,000-column header", wide_header),
    HostileFile("acled-garbage.csv", "99 MB CSV of 1.5 million garbage ACLED rows", garbage_csv),
    HostileFile(
        "acled-limit.zip",
        f"ACLED export at the row limit: {DEFAULT_LIMITS.max_rows:,} sound rows",
        acled_at_the_row_limit,
    ),
)


# ---------------------------------------------------------------------------------------------------
# Measuring, each in its own process


def measure_import(path: str, data_dir: str) -> tuple[str, float, int, int]:
    """Import `path` as an upload would be (bytes in memory), into `data_dir`: (outcome, s, peak, baseline)."""
    baseline = peak_rss_bytes()
    began = time.perf_counter()
    try:
        data = Path(path).read_bytes()
        outcome = imported.import_and_save(data, None, Path(data_dir), grant=local_grant(), file_name=Path(path).name)
        result = outcome.result
        message = f"imported: {result.summary()}"
        if result.rows_rejected_listed < result.rows_rejected:
            message += f"; the first {result.rows_rejected_listed:,} rejected rows kept with their reasons"
    except TensionsError as error:
        message = f"refused: {error}"
    return message, time.perf_counter() - began, peak_rss_bytes(), baseline


def measure_rejected_reads(data_dir: str, key: str) -> tuple[str, float, int, int]:
    """What opening an import's rejected rows costs the Data page: their count, a page of reasons, and the
    CSV download of the rows kept."""
    baseline = peak_rss_bytes()
    began = time.perf_counter()
    record = next(r for r in imported.list_imports(Path(data_dir)) if r.key == key)
    reasons = imported.rejected_reasons(record)
    page = imported.rejected_page(record, 1)
    download = safe_csv_bytes(imported.read_rejected(record).assign(file=record.file_name))
    message = (
        f"{record.rows_rejected:,} rows rejected, {reasons:,} reasons stored; page 1 shows {len(page)}; "
        f"the CSV download (the first {DEFAULT_LIMITS.max_rejected_rows:,} rows) is {len(download) / MIB:,.1f} MiB"
    )
    return message, time.perf_counter() - began, peak_rss_bytes(), baseline


def legacy_rejected_import(folder: Path, rows: int = 700_000, reasons_per_row: int = 8) -> str:
    """An import stored before the limits existed: 700,000 garbage rows rejected, all 5.6 million reasons
    stored (as the issue's 1.9 MB ZIP left them). Written a batch at a time; returns its key."""
    key = "acled--legacy-garbage"
    folder = imported.imported_dir(folder)
    folder.mkdir(parents=True, exist_ok=True)
    empty = finish_events(
        pd.DataFrame({c: pd.Series(dtype="string") for c in ("original_id", "country", "sub_event_type")}), "acled"
    )
    (folder / f"{key}.parquet").write_bytes(imported.parquet_bytes(empty))
    batch_rows = 50_000
    schema = pa.schema(
        [("line", pa.int64()), *((c, pa.string()) for c in ("original_id", "column", "value", "reason"))]
    )
    with pq.ParquetWriter(folder / f"{key}.rejected.parquet", schema, compression="zstd") as writer:
        for start in range(0, rows, batch_rows):
            lines = np.repeat(np.arange(start, min(start + batch_rows, rows)) + 2, reasons_per_row)
            ids = [f"G{line - 2}" for line in lines]
            writer.write_table(
                pa.table(
                    {
                        "line": lines,
                        "original_id": ids,
                        "column": ["event_date"] * len(lines),
                        "value": ["??"] * len(lines),
                        "reason": ["'??' is not a date (YYYY-MM-DD or DD Month YYYY)"] * len(lines),
                    },
                    schema=schema,
                )
            )
    record = {
        "key": key, "dataset": "acled", "file_name": "legacy-garbage.zip", "format_name": "ACLED CSV",
        "imported_at": "2026-01-01T00:00:00+00:00", "sha256": "", "rows_read": rows, "rows_imported": 0,
        "rows_rejected": rows, "first_date": None, "last_date": None, "countries": [], "notes": [],
    }  # fmt: skip
    (folder / f"{key}.json").write_text(json.dumps(record), encoding="utf-8")
    return key


def _in_fresh_process(function: Callable, *args: str) -> tuple[str, float, int, int]:
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(function, *args).result()


def run_hostile(
    files: tuple[HostileFile, ...] = HOSTILE_FILES,
    *,
    data_dir: Path | None = None,
    log: Callable[[str], None] | None = None,
) -> list[CaseResult]:
    """Build each file, import it in a fresh process into a copy of the data folder, then measure the
    Data page's reads of the rejected rows stored."""
    say = log or (lambda message: print(message, file=sys.stderr, flush=True))
    results = []
    with tempfile.TemporaryDirectory(prefix="tensions-hostile-") as work:
        folder = Path(work) / "data"
        shutil.copytree(Path(data_dir) if data_dir is not None else default_data_dir(), folder)
        shutil.rmtree(folder / imported.IMPORTED_FOLDER, ignore_errors=True)
        for hostile in files:
            path = Path(work) / hostile.name
            say(f"building {hostile.name}…")
            hostile.build(path)
            say(f"importing {hostile.name} ({path.stat().st_size / MIB:,.1f} MiB)…")
            outcome = _in_fresh_process(measure_import, str(path), str(folder))
            results.append(CaseResult(hostile.name, hostile.description, path.stat().st_size, *outcome))
            path.unlink()
        stored = [r for r in imported.list_imports(folder) if r.rows_rejected]
        if stored:
            record = max(stored, key=lambda r: r.rows_rejected)
            say(f"reading the rejected rows of {record.file_name}…")
            outcome = _in_fresh_process(measure_rejected_reads, str(folder), record.key)
            results.append(CaseResult(f"rejected rows of {record.file_name}", "opened on the Data page", 0, *outcome))
        say("reading the rejected rows of an import stored before the limits…")
        outcome = _in_fresh_process(measure_rejected_reads, str(folder), legacy_rejected_import(folder))
        description = "opened on the Data page: 5.6 million reasons stored before the limits"
        results.append(CaseResult("rejected rows of an old import", description, 0, *outcome))
    return results


def format_results(results: list[CaseResult]) -> str:
    """One block per case: the file, peak memory and time against the targets, and the outcome message."""
    lines = []
    for result in results:
        over = result.peak_rss_bytes >= TARGET_PEAK_RSS_BYTES or result.seconds >= TARGET_SECONDS
        size = f"{result.file_bytes / MIB:,.1f} MiB, " if result.file_bytes else ""
        lines.append(f"{result.name} ({size}{result.description})")
        lines.append(
            f"  peak {result.peak_rss_bytes / MIB:,.0f} MiB (process at start {result.baseline_rss_bytes / MIB:,.0f}),"
            f" {result.seconds:,.1f} s{'  MISSES the target' if over else ''}"
        )
        lines.append(f"  {result.outcome}")
    lines.append("")
    lines.append(
        f"Targets: under {TARGET_PEAK_RSS_BYTES / MIB:,.0f} MiB and {TARGET_SECONDS:g} s per file, "
        "each import in its own process (peak = VmHWM)."
    )
    return "\n".join(lines)
