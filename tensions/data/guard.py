"""The one write guard: nothing in the data folder is written, replaced or deleted without a grant.

A `Grant` is issued in this process only: to a curator who signed in on the Curate page
(`tensions.curation.access`), or to the command line (`local_grant`). Every function of the package that
writes to the data folder (curated tables and their backups, audit log, places, trend overrides, briefs,
imports and their removal) takes a grant and writes through the functions here, which refuse
(`NotAuthorised`) without a valid one and turn an unwritable folder into `DataNotWritable` (a message
naming the file relative to the app, never a traceback). A viewer holds no grant, so nothing a viewer does
can change a file. The one write made without a grant is the record of failed sign-ins
(`tensions.curation.throttle`), which has to be written precisely for those who have none.

Grants are signed with a key that exists only in this process: a grant cannot be written by hand or
carried to another process, survives Streamlit reruns, and dies with the server.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tensions.data import atomic
from tensions.data.paths import shown_path
from tensions.errors import DataNotWritable, NotAuthorised

LOCAL = "local"

_PROCESS_KEY = secrets.token_bytes(32)


@dataclass(frozen=True)
class Grant:
    """Permission to write to the data folder, for one curator (or the command line's user).

    `binding` ties the grant to the credential it was issued under (a keyed digest of it, revealing
    nothing), so `tensions.curation.access.verify` can tell when the curator settings changed since.
    """

    who: str
    method: str  # "password", "login" or "local"
    issued_at: str
    token: str = field(repr=False)
    binding: str = field(default="", repr=False)


def _mac(*parts: str) -> str:
    return hmac.new(_PROCESS_KEY, "\x1f".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()


def binding_for(credential: str) -> str:
    """The keyed digest of a credential that a grant issued under it carries."""
    return _mac("credential", credential)


def issue(who: str, method: str, credential: str, *, now: dt.datetime | None = None) -> Grant:
    """A grant for `who`; only `tensions.curation.access` (after checking a sign-in) and `local_grant` call this."""
    issued_at = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    binding = binding_for(credential)
    return Grant(who, method, issued_at, _mac(who, method, issued_at, binding), binding)


def local_grant() -> Grant:
    """The command line's grant, for the operating-system user who runs it.

    Whoever runs `python -m tensions` on the server already holds the files' permissions and could edit
    them in a text editor, so asking them for the curator password would protect nothing; the grant
    makes that trust explicit, names them in what they write, and keeps the guard the single door.
    Only `tensions.cli` may call this (a test checks that no page or other module does).
    """
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no user name for this uid (e.g. a bare container)
        who = "command line"
    return issue(f"{who} (command line)", LOCAL, LOCAL)


def issued_here(grant: object) -> bool:
    """Whether `grant` is a grant this process issued, unaltered."""
    if not isinstance(grant, Grant):
        return False
    return hmac.compare_digest(_mac(grant.who, grant.method, grant.issued_at, grant.binding), str(grant.token))


def authorise(grant: object, action: str) -> Grant:
    """The grant itself when this process issued it; else `NotAuthorised` saying that `action` needs one."""
    if not issued_here(grant):
        raise NotAuthorised(f"{action} needs a curator's sign-in; nothing was written")
    return grant


@contextlib.contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn an operating-system refusal into `DataNotWritable`, naming the file as a viewer may see it."""
    try:
        yield
    except OSError as error:
        reason = error.strerror or str(error)
        raise DataNotWritable(
            f"cannot write {shown_path(path)}: {reason}. Nothing was changed; whoever runs the server must make "
            "the data folder writable (or free some space) and try again."
        ) from error


def write_bytes(grant: object, path: Path, payload: bytes) -> None:
    """Replace (or create) `path` atomically; temporary files left by killed writers are cleared first."""
    path = Path(path)
    authorise(grant, f"writing {path.name}")
    with writing(path):
        atomic.remove_stale_temp_files(path.parent)
        atomic.write_bytes_atomically(path, payload)


def write_csv(grant: object, frame: pd.DataFrame, path: Path) -> None:
    """Replace (or create) `path` with `frame` as UTF-8 CSV, atomically."""
    write_bytes(grant, path, frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))


def append_lines(grant: object, path: Path, lines: Iterable[str]) -> None:
    """Append lines to a log (`path`), fsynced."""
    path = Path(path)
    authorise(grant, f"writing {path.name}")
    with writing(path):
        atomic.append_lines(path, lines)


def make_folder(grant: object, path: Path) -> Path:
    """Create the folder `path` (and its parents) if missing."""
    path = Path(path)
    authorise(grant, f"creating {path.name}/")
    with writing(path):
        path.mkdir(parents=True, exist_ok=True)
    return path


def remove(grant: object, path: Path) -> bool:
    """Delete `path`; True when it existed."""
    path = Path(path)
    authorise(grant, f"deleting {path.name}")
    with writing(path):
        existed = path.exists()
        path.unlink(missing_ok=True)
    return existed


@contextlib.contextmanager
def exclusive_lock(grant: object, path: Path) -> Iterator[None]:
    """Hold the lock file `path` (across processes) for a series of writes."""
    path = Path(path)
    authorise(grant, f"locking {path.name}")
    with contextlib.ExitStack() as held:
        with writing(path):
            held.enter_context(atomic.exclusive_lock(path))
        yield
