"""Reading messy delimited files: the bytes (unzipped), the text (BOM, encodings) and the records.

Reading is done with the `csv` module, which keeps quoted line breaks, doubled quotes and a BOM straight
and tells the file line where each record starts, so every problem can be named as `file:line:column`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from tensions.errors import ImportFailed, Problem, UnknownFormatError

Source = str | Path | bytes
HXL_NOTE = "skipped the HXL hashtag row (line 2)"


@dataclass
class RawTable:
    """A file's records as text (empty cells are ""), with the file line where each record starts."""

    file_name: str
    frame: pd.DataFrame
    lines: np.ndarray
    header: list[str]
    rejected: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    # How the file spells each (lower-cased) column, for messages.
    display_names: dict[str, str] = field(default_factory=dict)

    @property
    def rows_read(self) -> int:
        return len(self.frame) + rejected_row_count(self.rejected)


REJECTED_COLUMNS = ["line", "original_id", "column", "value", "reason"]


def rejected_row_count(rejected: pd.DataFrame) -> int:
    return int(rejected["line"].nunique()) if len(rejected) else 0


def empty_rejected() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "line" else "string") for c in REJECTED_COLUMNS})


def source_bytes(source: Source) -> tuple[bytes, list[str]]:
    """The file's bytes, unpacked when it is a ZIP archive holding one file (as GDELT publishes them)."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    notes: list[str] = []
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1:
                raise UnknownFormatError(
                    [Problem("(archive)", 0, "", f"a ZIP archive must hold exactly one file; it holds {len(members)}")]
                )
            data = archive.read(members[0])
            notes.append(f"unpacked {members[0].filename} from the ZIP archive")
    return data, notes


# Windows-1252 punctuation that went through a Latin-1 decoder arrives as C1 control characters
# (GDELT's "San\x91a'" for "San‘a'"): mapped back to what was meant.
_C1_REPAIR = {
    b: bytes([b]).decode("cp1252", errors="ignore") for b in range(0x80, 0xA0) if bytes([b]).decode("cp1252", "ignore")
}


def decode(data: bytes) -> tuple[str, list[str]]:
    """Text from UTF-8 (with or without a BOM); Windows-1252 as a fallback, said in a note."""
    notes = []
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        content = data.decode("cp1252", errors="replace")
        notes.append(f"not UTF-8 (first bad byte on line {line}); read as Windows-1252: check accented names")
    c1 = sum(content.count(chr(b)) for b in _C1_REPAIR)
    if c1:
        content = content.translate(_C1_REPAIR)
        notes.append(f"replaced {c1} control character(s) left by a wrong encoding with the punctuation meant")
    return content, notes


def first_line(text: str) -> str:
    return text.split("\n", 1)[0].rstrip("\r")


def guess_delimiter(line: str) -> str:
    """The delimiter of a header or first record: the most frequent of comma, tab and semicolon."""
    counts = {d: line.count(d) for d in (",", "\t", ";")}
    return max(counts, key=lambda d: counts[d])


def normalise_header(name: str) -> str:
    return name.strip().strip("\ufeff").strip().lower()


def _records(text: str, delimiter: str, quoting: int) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, its fields) for every non-blank record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting, strict=False)
    previous = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ImportFailed([Problem("", reader.line_num, "", f"cannot be read as CSV: {error}")]) from error
        start, previous = previous + 1, reader.line_num
        if record and any(cell.strip() for cell in record):
            yield start, record


def is_hxl_row(record: Sequence[str]) -> bool:
    """The HXL hashtag row HDX adds under the header: every filled cell starts with '#'."""
    filled = [cell.strip() for cell in record if cell.strip()]
    return bool(filled) and all(cell.startswith("#") for cell in filled)


def read_table(
    text: str,
    file_name: str,
    *,
    columns: Iterable[str],
    delimiter: str,
    names: Sequence[str] | None = None,
    quoting: int = csv.QUOTE_MINIMAL,
    chunk_rows: int = 100_000,
) -> RawTable:
    """Read delimited `text` keeping only `columns` (lower-case names); `names` when the file has no header.

    Records with the wrong number of fields are rejected (a line break inside an unquoted field, a
    stray delimiter); extra trailing empty fields are tolerated.
    """
    csv.field_size_limit(64 * 1024 * 1024)
    records = _records(text, delimiter, quoting)
    notes: list[str] = []
    if names is None:
        try:
            _, header_record = next(records)
        except StopIteration:
            raise ImportFailed([Problem(file_name, 1, "", "the file is empty")]) from None
        header = [normalise_header(h) for h in header_record]
        display = {
            h: original.strip().strip("\ufeff").strip() for h, original in zip(header, header_record, strict=True)
        }
    else:
        header = [n.lower() for n in names]
        display = {n.lower(): n for n in names}
    wanted = [c for c in dict.fromkeys(columns) if c in header]
    positions = [header.index(c) for c in wanted]
    width = len(header)
    chunks: list[pd.DataFrame] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    bad: list[tuple[int, str, str, str, str]] = []
    first = True
    for line, record in records:
        if first and names is None and is_hxl_row(record):
            notes.append(HXL_NOTE if line == 2 else f"skipped the HXL hashtag row (line {line})")
            first = False
            continue
        first = False
        if len(record) != width:
            if len(record) > width and not any(cell.strip() for cell in record[width:]):
                record = record[:width]
            else:
                bad.append(
                    (line, record[0] if record else "", "", "", f"has {len(record)} fields; the header has {width}")
                )
                continue
        rows.append([record[p] for p in positions])
        lines.append(line)
        if len(rows) >= chunk_rows:
            chunks.append(pd.DataFrame(rows, columns=wanted, dtype="str"))
            rows = []
    chunks.append(pd.DataFrame(rows, columns=wanted, dtype="str"))
    frame = pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]
    rejected = pd.DataFrame(bad, columns=REJECTED_COLUMNS) if bad else empty_rejected()
    return RawTable(file_name, frame, np.asarray(lines, dtype="int64"), header, rejected, notes, display)
