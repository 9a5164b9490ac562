"""How much an import may cost: every file, however it was made, is read in bounded memory and time.

An upload is held in memory by Streamlit before the importer sees it (`server.maxUploadSize` in
`.streamlit/config.toml` matches `max_file_bytes`); from there the file is read as a stream, a ZIP
member is decompressed a chunk at a time, and records are normalised in chunks, so memory follows
the chunk and the events kept, never the file. The limits below refuse, with the file's name and a
reason, what would still cost too much: an archive that expands too far, too many rows, a line no
table has, or an import that takes too long.
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class ImportLimits:
    """The bounds one import works within; the defaults are what the app and the command line use."""

    # The file as given (an upload or a file on disk), compressed or not.
    max_file_bytes: int = 100 * MIB
    # A ZIP archive: its entries, the size of its directory, its member's size once unpacked, and how far
    # it expands. Real CSVs compress 5-20 times; a ZIP bomb expands about 1,000 times. The events kept
    # take about as much memory as their text, so the unpacked size bounds them (256 MiB of ACLED rows
    # with long notes peaks under 800 MiB).
    max_zip_entries: int = 16
    max_zip_directory_bytes: int = 1 * MIB
    max_unpacked_bytes: int = 256 * MIB
    max_ratio: float = 100.0
    # Records (data rows, the header not counted) and columns, and the longest physical line (a field
    # may span lines when quoted, and is held to the same length). A million ACLED rows peak at 1 GiB.
    max_rows: int = 500_000
    max_columns: int = 1_000
    max_line_chars: int = 1 * MIB
    # Wall-clock time, checked between chunks of records; the cut-off for a machine that is busy.
    max_seconds: float = 50.0
    # Rejected rows stored (and shown) with their reasons; all of them are counted.
    max_rejected_rows: int = 10_000


DEFAULT_LIMITS = ImportLimits()
