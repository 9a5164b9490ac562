"""The package's exceptions: callers catch `TensionsError` and show its message, never a traceback."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One validation finding, located as `file:row:column` (row is the line number; header is 1)."""

    file: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.message}"


class TensionsError(Exception):
    """Base of every error this package raises on purpose."""


class InvalidDataError(TensionsError):
    """The data files break the schema; `problems` lists every finding."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the data:\n" + "\n".join(map(str, self.problems)))


class GeocodingUnavailable(TensionsError):
    """The online geocoder could not answer (timeout, rate limit, service error)."""


class BasemapError(TensionsError):
    """The shipped basemap file is missing or unreadable."""


class ImportFailed(TensionsError):
    """The file cannot be imported at all (unknown format, missing column); `problems` says where."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UnknownFormatError(ImportFailed):
    """The file is none of the formats we import, or not the one the caller named."""


class InvalidOverride(TensionsError):
    """An override that cannot be recorded; the message says why."""


class BriefError(TensionsError):
    """A saved brief cannot be read or written."""


class InvalidFilter(TensionsError):
    """Filters written down (a link, a saved brief, the command line) that cannot be read; the message
    names the parameter and the value."""


class ExportError(TensionsError):
    """A static export could not be made (no Chromium, or the renderer failed)."""


class NotAuthorised(TensionsError):
    """A write without a curator's grant (`tensions.data.guard`): curation is not configured, this session
    has not signed in, or its sign-in is stale. Nothing was written."""


class DataNotWritable(TensionsError):
    """The data folder (or a file in it) cannot be written: no permission, a read-only disk, a full disk.
    The message names the file relative to the app, never the server's absolute path."""


class SignInThrottled(TensionsError):
    """Too many failed sign-ins from this address, or from everywhere: `retry_after` seconds to wait."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many failed sign-ins: try again in {max(1, round(retry_after))} s")


class NothingToSave(TensionsError):
    """The tables are the same as on disk."""


class ValidationFailed(InvalidDataError):
    """The changed tables break the schema; nothing was written. `located` names the row by its key
    (`tensions.data.rows.LocatedProblem`)."""

    def __init__(self, problems: Sequence[Problem], located: Sequence[object]) -> None:
        super().__init__(problems)
        self.located = list(located)


class ConcurrentEdit(TensionsError):
    """A file changed on disk since the page loaded it (with the database store: a row this save changes);
    nothing was written. `changes` is what changed (`tensions.data.rows.RowChange`), `descriptions` the same
    in words."""

    def __init__(self, files: Sequence[str], changes: Sequence[object], descriptions: Sequence[str]) -> None:
        self.files = list(files)
        self.changes = list(changes)
        summary = "; ".join(descriptions[:5]) or "the file was rewritten"
        super().__init__(
            f"{', '.join(self.files)} changed since this page loaded it (another curator saved): {summary}"
        )


class StoreError(TensionsError):
    """The database store is not configured as asked, holds what an operation must not overwrite, or is not
    at the schema this code needs."""


class DatabaseUnavailable(StoreError):
    """The configured PostgreSQL server cannot be reached (or refused the connection); nothing was written."""


class SyncError(TensionsError):
    """A live source could not be synced; what was stored before is unchanged and readable. `source` names
    it (`acled`, `ucdp`, `gdelt`)."""

    def __init__(self, source: str, message: str) -> None:
        self.source = source
        self.reason = message
        super().__init__(f"{source}: {message}")


class SourceUnavailable(SyncError):
    """The source kept answering 429 (rate limited) or 5xx past the retry budget, or asked to wait longer."""


class ConnectionLost(SyncError):
    """The connection was refused, timed out, or cut in the middle of an answer."""


class PayloadError(SyncError):
    """The source answered something we cannot read as documented: not JSON, a missing key, a renamed or
    missing column, a file whose checksum does not match its listing."""


class AuthenticationFailed(SyncError):
    """No credentials, credentials refused, a token that stayed refused after one renewal, or an account
    without API access."""
