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
from tensions.ingest.importers.reading import Source, decode, first_line, source_bytes
from tensions.ingest.importers.ucdp import UcdpImporter

IMPORTERS: dict[str, Importer] = {i.dataset: i for i in (UcdpImporter(), AcledImporter(), GdeltImporter())}

__all__ = [
    "IMPORTERS",
    "ImportResult",
    "Importer",
    "detect_format",
    "import_file",
]


def detect_format(source: Source) -> str | None:
    """The dataset (`ucdp`, `acled`, `gdelt`) whose format the file is in, or None."""
    data, _ = source_bytes(source)
    text, _ = decode(data[:65536])
    return next((name for name, importer in IMPORTERS.items() if importer.recognises(text)), None)


def _name(source: Source, file_name: str | None) -> str:
    if file_name:
        return file_name
    return "upload" if isinstance(source, bytes) else Path(source).name


def import_file(
    source: Source,
    dataset: str | None = None,
    *,
    file_name: str | None = None,
    actors: pd.DataFrame | None = None,
) -> ImportResult:
    """Import `source` as `dataset` (detected from the file when None).

    Raises `UnknownFormatError` when the file is in no known format, or in another source's format than
    the one named; `ImportFailed` when a required column is missing. Never touches the curated tables.
    """
    name = _name(source, file_name)
    if dataset is not None and dataset not in IMPORTERS:
        raise UnknownFormatError([Problem(name, 0, "", f"unknown dataset {dataset!r}; one of {', '.join(IMPORTERS)}")])
    data, unpacked = source_bytes(source)
    detected = detect_format(data)
    if detected is None and dataset is None:
        text, _ = decode(data[:4096])
        raise UnknownFormatError(
            [
                Problem(
                    name,
                    1,
                    "",
                    "not a UCDP GED, ACLED or GDELT file: the first line is "
                    f"{first_line(text)[:120]!r}; expected a UCDP GED or ACLED CSV header, a GDELT header "
                    "(GLOBALEVENTID, SQLDATE, …) or raw GDELT 2.0 rows (61 tab-separated fields)",
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
    importer = IMPORTERS[dataset or detected]
    result = importer.run(data, file_name=name, actors=actors)
    result.notes[:0] = unpacked
    return result
