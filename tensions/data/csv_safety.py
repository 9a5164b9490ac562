"""CSV downloads that a spreadsheet cannot execute: formula-like cells are neutralised."""

from __future__ import annotations

import pandas as pd

from tensions.data.schema import DERIVED_EVENT_COLUMNS, EVENTS

# A spreadsheet treats a cell starting with these as a formula (OWASP's CSV injection guidance).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """Prefix a formula-like text cell with an apostrophe so spreadsheets show it as text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_csv_bytes(frame: pd.DataFrame) -> bytes:
    """`frame` as UTF-8 CSV (with BOM, so spreadsheets detect the encoding), formula cells neutralised."""
    text_columns = frame.select_dtypes(include=["object", "string", "category"]).columns
    safe = frame.copy()
    for column in text_columns:
        safe[column] = safe[column].astype("object").map(neutralise_cell)
    return safe.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def events_csv_bytes(events: pd.DataFrame) -> bytes:
    """The "events shown" download of every page: `events.csv`'s columns, then the derived ones (dataset, families,
    escalation…), in the schema's order, whatever else a page's frame holds."""
    columns = [c for c in (*EVENTS.column_names, *(c.name for c in DERIVED_EVENT_COLUMNS)) if c in events]
    return safe_csv_bytes(events[columns])
