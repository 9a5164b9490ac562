"""Safe file writes: a reader sees the old file or the new one, never half of either.

These are the mechanism; inside the data folder they are called through `tensions.data.guard`, which
refuses without a curator's grant.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

TEMP_SUFFIX = ".tmp"


def write_bytes_atomically(path: Path, payload: bytes) -> None:
    """Write to a temporary file in the same folder, fsync it, then rename it over `path`.

    The temporary file is named `.<name>.<pid>.<random>.tmp`, so one left by a killed process can be
    told from one still being written (`remove_stale_temp_files`).
    """
    path = Path(path)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=TEMP_SUFFIX)
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


def append_lines(path: Path, lines: Iterable[str]) -> None:
    """Append whole lines in one write and fsync them (an append-only log survives a crash line by line)."""
    payload = "".join(line.rstrip("\n") + "\n" for line in lines)
    with open(path, "a", encoding="utf-8") as log:
        log.write(payload)
        log.flush()
        os.fsync(log.fileno())


@contextlib.contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` (created if missing) across processes; released if the holder dies."""
    with open(path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _writer_pid(temp: Path) -> int | None:
    """The process that made a temporary file of ours (`.<name>.<pid>.<random>.tmp`), if the name says."""
    parts = temp.name.removesuffix(TEMP_SUFFIX).rsplit(".", 2)
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def remove_stale_temp_files(folder: Path) -> list[Path]:
    """Delete the temporary files that killed writers left in `folder`; files of live processes stay.

    A process killed between writing its temporary file and renaming it (power cut, SIGKILL, OOM) cannot
    clean up after itself; the next write to the folder does.
    """
    removed = []
    for temp in Path(folder).glob(f".*{TEMP_SUFFIX}"):
        pid = _writer_pid(temp)
        if pid is not None and pid != os.getpid() and not _alive(pid):
            temp.unlink(missing_ok=True)
            removed.append(temp)
    return removed
