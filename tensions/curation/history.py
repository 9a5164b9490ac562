"""What earlier saves left behind: the audit log (one JSON line per changed row, and one per failed sign-in,
with the client's address) and the backups."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from tensions.store import tables
from tensions.store.config import database_url
from tensions.store.curated import read_audit

AUDIT_LOG = "audit.log"
BACKUP_DIR = "backups"


def read_audit_log(data_dir: Path, *, limit: int = 200) -> pd.DataFrame:
    """The newest `limit` audit entries, newest first, one line per entry: the data folder's log, and the
    database's (the curated saves) when the database is the store."""
    path = Path(data_dir) / AUDIT_LOG
    columns = ["when", "who", "method", "address", "file", "action", "key", "changed columns"]
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines()[-limit:] if path.exists() else []:
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    url = database_url()
    if url is not None:
        entries = sorted([*entries, *read_audit(url, limit=limit)], key=lambda e: str(e.get("when")))[-limit:]
    rows = [
        {**{c: entry.get(c) for c in columns[:-1]}, "changed columns": ", ".join(entry.get("changes", {}))}
        for entry in entries
    ]
    return pd.DataFrame(rows[::-1], columns=columns, dtype="string")


def audit_log_place() -> str:
    """Where the audit log of the store in use is kept, for the pages to say."""
    if database_url() is None:
        return f"`{AUDIT_LOG}` in the data folder"
    return f"the database's `{tables.audit_log.name}` table, with any earlier lines of the data folder's `{AUDIT_LOG}`"


def where_saves_go() -> str:
    """One sentence on how the store in use keeps a save: backups and the log, or the database's audit rows."""
    if database_url() is None:
        return f"Saves are validated, backed up to `data/{BACKUP_DIR}/` and logged to `data/{AUDIT_LOG}`."
    return (
        f"Saves are validated and logged in the database's `{tables.audit_log.name}` table, in the save's transaction."
    )


def list_backups(data_dir: Path) -> list[Path]:
    """Backups of the curated files, newest first."""
    folder = Path(data_dir) / BACKUP_DIR
    return sorted(folder.glob("*.csv"), key=lambda p: p.name, reverse=True) if folder.exists() else []
