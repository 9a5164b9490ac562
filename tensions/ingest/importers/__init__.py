"""Importers of third-party event data (UCDP GED, ACLED, GDELT) behind one interface (`base.Importer`).

`import_file(path, dataset="ucdp")` reads a file into our event columns; `detect_format` tells which
source a file comes from. Adding a source means adding one module and one line to `IMPORTERS`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tensions.errors import Problem, UnknownFormatError
from tensions.ingest.importers.acled import AcledImporter
from tensions.ingest.importers.base import Importer, ImportResult
from tensions.ingest.importers.gdelt import GdeltImporter
from tensions.ingest.importers.limits import DEFAULT_LIMITS, ImportLimits
from tensions.ingest.importers.reading import Source, SourceFile, decode, first_line, open_source
from tensions.ingest.importers.ucdp import UcdpImporter

IMPORTERS: dict[str, Importer] = {i.dataset: i for i in (UcdpImporter(), AcledImporter(), GdeltImporter())}

__all__ = [
    "DEFAULT_LIMITS",
    "IMPORTERS",
    "ImportLimits",
    "ImportResult",
    "Importer",
    "detect_format",
    "import_file",
]


def detect_format(source: Source | SourceFile, limits: ImportLimits = DEFAULT_LIMITS) -> str | None:
    """The dataset (`ucdp`, `acled`, `gdelt`) whose format the file is in, or None (from its first 64 KiB)."""
    text = decode(open_source(source, _name(source, None), limits).head())
    return next((name for name, importer in IMPORTERS.items() if importer.recognises(text)), None)


def _name(source: Source | SourceFile, file_name: str | None) -> str:
    if file_name:
        return file_name
    if isinstance(source, SourceFile):
        return source.name
    return "upload" if isinstance(source, bytes) else Path(source).name


def import_file(
    source: Source,
    dataset: str | None = None,
    *,
    file_name: str | None = None,
    actors: pd.DataFrame | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
) -> ImportResult:
    """Import `source` as `dataset` (detected from the file when None), within `limits`.

    Raises `UnknownFormatError` when the file is in no known format, or in another source's format than
    the one named; `ImportFailed` when a required column is missing or the file would cost more than
    `limits` allow. Never touches the curated tables.
    """
    name = _name(source, file_name)
    if dataset is not None and dataset not in IMPORTERS:
        raise UnknownFormatError([Problem(name, 0, "", f"unknown dataset {dataset!r}; one of {', '.join(IMPORTERS)}")])
    opened = open_source(source, name, limits)
    detected = detect_format(opened)
    if detected is None and dataset is None:
        raise UnknownFormatError(
            [
                Problem(
                    name,
                    1,
                    "",
                    "not a UCDP GED, ACLED or GDELT file: the first line is "
                    f"{first_line(decode(opened.head(4096)))[:120]!r}; expected a UCDP GED or ACLED CSV header, "
                    "a GDELT header (GLOBALEVENTID, SQLDATE, …) or raw GDELT 2.0 rows (61 tab-separated fields)",
                )
            ]
        )
    if dataset is not None and detected is not None and detected != dataset:
        raise UnknownFormatError(
            [
                Problem(
                    name,
                    1,
                    "",
                    f"this looks like a {IMPORTERS[detected].title} file, not {IMPORTERS[dataset].title}: "
                    f"import it as {detected}",
                )
            ]
        )
    return IMPORTERS[dataset or detected].run(opened, file_name=name, actors=actors, limits=limits)
