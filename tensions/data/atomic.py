"""Atomic file writes: a reader sees the old file or the new one, never half of either."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd


def write_bytes_atomically(path: Path, payload: bytes) -> None:
    """Write to a temporary file in the same folder, fsync it, then rename it over `path`."""
    path = Path(path)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as temp_file:
            temp_file.write(payload)
            temp_file.flush()
            # mkstemp makes files owner-only; keep the replaced file's mode, or the usual one for a new file.
            os.fchmod(temp_file.fileno(), _mode_for(path))
            os.fsync(temp_file.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_csv_atomically(frame: pd.DataFrame, path: Path) -> None:
    """Write `frame` as UTF-8 CSV with one header row, atomically."""
    write_bytes_atomically(path, frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))
