"""Reading messy delimited files in bounded memory: the bytes (unzipped as a stream), the text (BOM,
encodings) and the records, a chunk at a time.

`open_source` checks a file against the limits (`limits.py`) before anything is decompressed: its size,
and for a ZIP archive its directory, its one member and how far it expands. `decoded_text` turns the
byte chunks into text: UTF-8 with or without a BOM, UTF-16 with a BOM (or plainly UTF-16 without
one), and Windows-1252 where a chunk is not UTF-8. `read_table` reads the records with the `csv`
module, which keeps quoted line breaks, doubled quotes and a BOM straight and tells the file line where
each record starts, so every problem can be named as `file:line:column`; it yields them in chunks.
"""

from __future__ import annotations

import codecs
import csv
import io
import operator
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from tensions.errors import ImportFailed, Problem, UnknownFormatError
from tensions.ingest.importers.limits import DEFAULT_LIMITS, ImportLimits

Source = str | Path | bytes
HXL_NOTE = "skipped the HXL hashtag row (line 2)"
CHUNK_BYTES = 1024 * 1024
HEAD_BYTES = 65536
# Records are normalised this many at a time, or fewer when their text is long.
CHUNK_ROWS = 50_000
CHUNK_CHARS = 16 * 1024 * 1024
# Values quoted in a rejected row's reason (and stored beside it) are cut to this length.
SHOWN_VALUE_CHARS = 200

REJECTED_COLUMNS = ["line", "original_id", "column", "value", "reason"]


def empty_rejected() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "line" else "string") for c in REJECTED_COLUMNS})


def rejected_row_count(rejected: pd.DataFrame) -> int:
    return int(rejected["line"].nunique()) if len(rejected) else 0


def shown_value(value: str) -> str:
    """A value as a rejected row shows it: cut to SHOWN_VALUE_CHARS characters."""
    return value if len(value) <= SHOWN_VALUE_CHARS else value[:SHOWN_VALUE_CHARS] + "…"


# ---------------------------------------------------------------------------------------------------
# The file's bytes, checked against the limits, unzipped as a stream

_EOCD = struct.Struct("<4s4H2LH")  # end of central directory
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
READABLE_COMPRESSION = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})


def _mib(size: float) -> str:
    return f"{size / 1024 / 1024:,.0f} MiB" if size >= 1024 * 1024 else f"{size:,.0f} bytes"


class SourceFile:
    """A file to import (a path, or an upload's bytes), opened as byte chunks within the limits.

    A ZIP archive must hold one file, compressed with Deflate or stored, which is streamed out of it;
    everything about the archive that could cost memory or time is checked before it is unpacked.
    """

    def __init__(self, source: Source, name: str, limits: ImportLimits = DEFAULT_LIMITS) -> None:
        self.source, self.name, self.limits = source, name, limits
        size = len(source) if isinstance(source, bytes) else Path(source).stat().st_size
        if size > limits.max_file_bytes:
            self.refuse(f"the file is {_mib(size)}; at most {_mib(limits.max_file_bytes)} can be imported")
        self.size = size
        with self._open() as raw:
            self.member = self._zip_member(raw) if raw.read(4) == b"PK\x03\x04" else None
        self.notes = [f"unpacked {self.member.filename} from the ZIP archive"] if self.member else []

    def refuse(self, reason: str, *, line: int = 0) -> None:
        raise ImportFailed([Problem(self.name, line, "", reason)])

    def _open(self) -> BinaryIO:
        return io.BytesIO(self.source) if isinstance(self.source, bytes) else open(self.source, "rb")

    def _zip_member(self, raw: BinaryIO) -> zipfile.ZipInfo:
        entries, directory = self._zip_directory(raw)
        if entries > self.limits.max_zip_entries:
            self.refuse(f"the ZIP archive has {entries:,} entries; it must hold one file")
        if directory > self.limits.max_zip_directory_bytes:
            self.refuse(f"the ZIP archive's directory is {_mib(directory)}; it must hold one file")
        try:
            with zipfile.ZipFile(raw) as archive:
                members = [m for m in archive.infolist() if not m.is_dir()]
        except (zipfile.BadZipFile, ValueError, NotImplementedError) as error:
            self.refuse(f"not a readable ZIP archive ({error})")
        if len(members) != 1:
            raise UnknownFormatError(
                [Problem(self.name, 0, "", f"a ZIP archive must hold exactly one file; it holds {len(members)}")]
            )
        member = members[0]
        where = f"the ZIP archive's {member.filename!r}"
        if member.flag_bits & 0x1:
            self.refuse(f"{where} is encrypted")
        if member.compress_type not in READABLE_COMPRESSION:
            self.refuse(f"{where} is compressed with method {member.compress_type}; only Deflate or stored are read")
        if member.file_size > self.limits.max_unpacked_bytes:
            self.refuse(
                f"{where} unpacks to {_mib(member.file_size)}; at most {_mib(self.limits.max_unpacked_bytes)} "
                "can be imported"
            )
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > self.limits.max_ratio:
            self.refuse(
                f"{where} expands {ratio:,.0f} times ({_mib(member.compress_size)} to {_mib(member.file_size)}); "
                f"a table of events expands at most {self.limits.max_ratio:,.0f} times: this looks like a ZIP bomb"
            )
        return member

    def _zip_directory(self, raw: BinaryIO) -> tuple[int, int]:
        """(entries, bytes) of the archive's central directory, read from its end records without parsing it."""
        tail_size = min(self.size, _EOCD.size + 65535)
        raw.seek(self.size - tail_size)
        tail = raw.read(tail_size)
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < _EOCD.size:
            self.refuse("not a readable ZIP archive (no end of its directory)")
        _, _, _, _, entries, directory, _, _ = _EOCD.unpack_from(tail, at)
        if (entries == 0xFFFF or directory == 0xFFFFFFFF) and at >= _ZIP64_LOCATOR.size:
            signature, _, offset, _ = _ZIP64_LOCATOR.unpack_from(tail, at - _ZIP64_LOCATOR.size)
            if signature == b"PK\x06\x07" and offset + _ZIP64_EOCD.size <= self.size:
                raw.seek(offset)
                record = raw.read(_ZIP64_EOCD.size)
                if record[:4] == b"PK\x06\x06":
                    *_, entries, directory, _ = _ZIP64_EOCD.unpack(record)
        return entries, directory

    def chunks(self, size: int | None = None) -> Iterator[bytes]:
        """The file's bytes (its member's, unpacked, for a ZIP archive), `size` (CHUNK_BYTES) at a time."""
        size = size or CHUNK_BYTES
        with self._open() as raw:
            if self.member is None:
                while chunk := raw.read(size):
                    yield chunk
                return
            # The member's declared size bounds what zipfile returns; a false one fails its CRC check.
            try:
                with zipfile.ZipFile(raw) as archive, archive.open(self.member) as member:
                    while chunk := member.read(size):
                        yield chunk
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
                self.refuse(f"the ZIP archive is damaged ({error})")

    def head(self, size: int = HEAD_BYTES) -> bytes:
        """The first `size` bytes (unpacked), to recognise the file's format."""
        data = b""
        for chunk in self.chunks(min(size, CHUNK_BYTES)):
            data += chunk
            if len(data) >= size:
                break
        return data[:size]


def open_source(source: Source | SourceFile, name: str, limits: ImportLimits = DEFAULT_LIMITS) -> SourceFile:
    return source if isinstance(source, SourceFile) else SourceFile(source, name, limits)


# ---------------------------------------------------------------------------------------------------
# Text

# Windows-1252 punctuation that went through a Latin-1 decoder arrives as C1 control characters
# (GDELT's "San\x91a'" for "San‘a'"): mapped back to what was meant.
_C1_REPAIR = {
    b: bytes([b]).decode("cp1252", errors="ignore") for b in range(0x80, 0xA0) if bytes([b]).decode("cp1252", "ignore")
}
_UTF16_BOMS = {codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}


def _encoding(head: bytes) -> tuple[str, int, str | None]:
    """(encoding, length of its byte-order mark, a note) from a file's first bytes."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", len(codecs.BOM_UTF8), None
    for bom, encoding in _UTF16_BOMS.items():
        if head.startswith(bom):
            return encoding, len(bom), f"read as UTF-16 ({encoding[-2:].upper()}, with a byte-order mark)"
    # UTF-16 without a mark: text in Latin script has a NUL byte in every other position, and only there.
    sample = head[:4096]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if len(sample) >= 64:
        for encoding, nuls, others in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
            if others == 0 and nuls > len(sample) / 4:
                return encoding, 0, f"read as UTF-16 ({encoding[-2:].upper()}, without a byte-order mark)"
    return "utf-8", 0, None


def _utf8_tail(data: bytes) -> int:
    """How many bytes at the end of `data` start a UTF-8 character that the next chunk completes."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 == 0x80:  # a continuation byte: the character starts further back
            continue
        if byte >= 0xC0:
            length = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return back if length > back else 0
        return 0
    return 0


class Decoder:
    """Bytes to text a chunk at a time: UTF-16 as marked, else UTF-8, each chunk that is not UTF-8 read as
    Windows-1252 (and said in a note); C1 control characters left by a wrong encoding repaired."""

    def __init__(self, name: str, head: bytes) -> None:
        self.name = name
        self.encoding, self._skip, note = _encoding(head)
        self.notes: list[str] = [note] if note else []
        self._utf16 = codecs.getincrementaldecoder(self.encoding)() if self.encoding != "utf-8" else None
        self._pending = b""
        self._lines = 0
        self._first_bad_line: int | None = None
        self._repaired = 0

    def decode(self, chunk: bytes, *, final: bool = False) -> str:
        if self._skip:
            chunk, self._skip = chunk[self._skip :], 0
        if self._utf16 is not None:
            try:
                text = self._utf16.decode(chunk, final)
            except UnicodeDecodeError as error:
                raise ImportFailed(
                    [Problem(self.name, self._lines + 1, "", f"is not valid {self.encoding.upper()} ({error.reason})")]
                ) from None
        else:
            data = self._pending + chunk
            cut = 0 if final else _utf8_tail(data)
            data, self._pending = (data[: len(data) - cut], data[len(data) - cut :]) if cut else (data, b"")
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as error:
                if self._first_bad_line is None:
                    self._first_bad_line = self._lines + data[: error.start].count(b"\n") + 1
                text = data.decode("cp1252", errors="replace")
        if any(chr(b) in text for b in _C1_REPAIR):
            self._repaired += sum(text.count(chr(b)) for b in _C1_REPAIR)
            text = text.translate(_C1_REPAIR)
        self._lines += text.count("\n")
        return text

    def final_notes(self) -> list[str]:
        notes = list(self.notes)
        if self._first_bad_line is not None:
            notes.append(
                f"not UTF-8 (first bad byte on line {self._first_bad_line}); those parts were read as "
                "Windows-1252: check accented names"
            )
        if self._repaired:
            notes.append(
                f"replaced {self._repaired} control character(s) left by a wrong encoding with the punctuation meant"
            )
        return notes


def decode(head: bytes) -> str:
    """The start of a file as text, decoded as the whole file will be (a character cut at the end is left out)."""
    return Decoder("", head).decode(head)


class Lines:
    """A file's physical lines (ends kept) as they are decoded, no line longer than the limit; counts
    the characters read, so the reader can cut its chunks by size."""

    def __init__(self, source: SourceFile, decoder: Decoder) -> None:
        self.source, self.decoder = source, decoder
        self.chars = 0
        self.count = 0

    def __iter__(self) -> Iterator[str]:
        longest = self.source.limits.max_line_chars
        carry = ""
        for chunk in self.source.chunks():
            carry += self.decoder.decode(chunk)
            lines = io.StringIO(carry, newline="").readlines()
            # The last piece is held back unless it ends the line ("\r" might be the first half of "\r\n").
            carry = lines.pop() if lines and not lines[-1].endswith("\n") else ""
            yield from self._counted(lines, longest)
            if len(carry) > longest:
                self._too_long()
        carry += self.decoder.decode(b"", final=True)
        yield from self._counted(io.StringIO(carry, newline="").readlines(), longest)

    def _counted(self, lines: list[str], longest: int) -> Iterator[str]:
        for line in lines:
            self.count += 1
            if len(line) > longest:
                self._too_long(self.count - 1)
            self.chars += len(line)
            yield line

    def _too_long(self, before: int | None = None) -> None:
        line = (self.count if before is None else before) + 1
        self.source.refuse(
            f"line {line:,} is longer than {self.source.limits.max_line_chars:,} characters: "
            "not a table of events (or its quotes do not match)",
            line=line,
        )


@dataclass
class TextSource:
    """A file's text as it is read: its start (to recognise the format), its lines, and what was noticed."""

    name: str
    head: str
    lines: Lines
    decoder: Decoder
    limits: ImportLimits
    notes: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, source: SourceFile) -> TextSource:
        head_bytes = source.head()
        decoder = Decoder(source.name, head_bytes)
        head = decode(head_bytes)
        return cls(source.name, head, Lines(source, decoder), decoder, source.limits, list(source.notes))


def first_line(text: str) -> str:
    return text.split("\n", 1)[0].rstrip("\r")


def guess_delimiter(line: str) -> str:
    """The delimiter of a header or first record: the most frequent of comma, tab and semicolon."""
    counts = {d: line.count(d) for d in (",", "\t", ";")}
    return max(counts, key=lambda d: counts[d])


def normalise_header(name: str) -> str:
    return name.strip().strip("\ufeff").strip().lower()


# ---------------------------------------------------------------------------------------------------
# Records


def _records(lines: Iterable[str], delimiter: str, quoting: int, name: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, its fields) for every non-blank record."""
    reader = csv.reader(lines, delimiter=delimiter, quoting=quoting, strict=False)
    previous = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ImportFailed([Problem(name, reader.line_num, "", f"cannot be read as CSV: {error}")]) from error
        start, previous = previous + 1, reader.line_num
        if "".join(record).strip():
            yield start, record


def is_hxl_row(record: Sequence[str]) -> bool:
    """The HXL hashtag row HDX adds under the header: every filled cell starts with '#'."""
    filled = [cell.strip() for cell in record if cell.strip()]
    return bool(filled) and all(cell.startswith("#") for cell in filled)


@dataclass
class RawChunk:
    """Some consecutive records: the wanted columns as text, the line each starts on, and the records
    that could not be split into the header's columns (as rejected rows)."""

    frame: pd.DataFrame
    lines: np.ndarray
    malformed: pd.DataFrame
    last_line: int  # where the chunk's last record starts

    @property
    def rows(self) -> int:
        return len(self.frame) + len(self.malformed)


@dataclass
class RawTable:
    """A file's header, and its records as an iterator of chunks (read once, as the file is read)."""

    file_name: str
    header: list[str]
    chunks: Iterator[RawChunk]
    text: TextSource
    notes: list[str] = field(default_factory=list)
    # How the file spells each (lower-cased) column, for messages.
    display_names: dict[str, str] = field(default_factory=dict)

    def final_notes(self) -> list[str]:
        """Every note, the decoder's included: complete once the chunks are read."""
        return [*self.text.notes, *self.text.decoder.final_notes(), *self.notes]


def read_table(
    text: TextSource,
    *,
    columns: Iterable[str],
    delimiter: str,
    names: Sequence[str] | None = None,
    quoting: int = csv.QUOTE_MINIMAL,
) -> RawTable:
    """Read delimited `text` keeping only `columns` (lower-case names); `names` when the file has no header.

    The header is read now; the records as the returned table's chunks are iterated. Records with the
    wrong number of fields are rejected (a line break inside an unquoted field, a stray delimiter);
    extra trailing empty fields are tolerated.
    """
    limits = text.limits
    csv.field_size_limit(limits.max_line_chars)
    records = _records(iter(text.lines), delimiter, quoting, text.name)
    if names is None:
        try:
            _, header_record = next(records)
        except StopIteration:
            raise ImportFailed([Problem(text.name, 1, "", "the file is empty")]) from None
        if len(header_record) > limits.max_columns:
            raise UnknownFormatError(
                [Problem(text.name, 1, "", f"the header has {len(header_record):,} columns: not a table of events")]
            )
        header = [normalise_header(h) for h in header_record]
        display = {
            h: original.strip().strip("\ufeff").strip() for h, original in zip(header, header_record, strict=True)
        }
    else:
        header = [n.lower() for n in names]
        display = {n.lower(): n for n in names}
    table = RawTable(text.name, header, iter(()), text, [], display)
    table.chunks = _chunks(records, table, columns, names is None)
    return table


def _chunks(
    records: Iterator[tuple[int, list[str]]], table: RawTable, columns: Iterable[str], has_header: bool
) -> Iterator[RawChunk]:
    header, lines_read, most = table.header, table.text.lines, table.text.limits.max_rows
    wanted = [c for c in dict.fromkeys(columns) if c in header]
    positions = [header.index(c) for c in wanted]
    # itemgetter picks the wanted fields in C; with one position it would return a value, not a tuple.
    pick = operator.itemgetter(*positions) if len(positions) > 1 else lambda r: tuple(r[p] for p in positions)
    width = len(header)
    rows: list[tuple[str, ...]] = []
    lines: list[int] = []
    bad: list[tuple[int, str, str, str, str]] = []
    chars_at_start = lines_read.chars
    count, line, chunks = 0, 1, 0
    for line, record in records:
        if count == 0 and has_header and is_hxl_row(record):
            table.notes.append(HXL_NOTE if line == 2 else f"skipped the HXL hashtag row (line {line})")
            continue
        count += 1
        if count > most:
            reason = f"the file has more than {most:,} rows; import it in parts (nothing was imported)"
            raise ImportFailed([Problem(table.file_name, line, "", reason)])
        if len(record) > width and not any(cell.strip() for cell in record[width:]):
            record = record[:width]
        if len(record) == width:
            rows.append(pick(record))
            lines.append(line)
        else:
            first_field = shown_value(record[0]) if record else ""
            bad.append((line, first_field, "", "", f"has {len(record)} fields; the header has {width}"))
        if len(rows) + len(bad) >= CHUNK_ROWS or lines_read.chars - chars_at_start >= CHUNK_CHARS:
            yield _chunk(rows, lines, bad, wanted, line)
            rows, lines, bad, chunks = [], [], [], chunks + 1
            chars_at_start = lines_read.chars
    if rows or bad or not chunks:  # a file of a header alone gives one empty chunk
        yield _chunk(rows, lines, bad, wanted, line)


def _chunk(rows: list[tuple[str, ...]], lines: list[int], bad: list[tuple], wanted: list[str], last: int) -> RawChunk:
    malformed = pd.DataFrame(bad, columns=REJECTED_COLUMNS) if bad else empty_rejected()
    frame = pd.DataFrame(rows, columns=wanted, dtype="str")
    return RawChunk(frame, np.asarray(lines, dtype="int64"), malformed, last)
