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
