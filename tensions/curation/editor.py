"""The table editor's round trip: raw rows to editable columns and back, and re-applying edits on top of another curator's save."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping

import pandas as pd

from tensions.curation.snapshot import KEY_COLUMNS, cell_text, diff_tables
from tensions.data.schema import EVENTS, TableSpec

EDITABLE_KINDS = {"float": "float64", "int": "Int64"}


def editor_frame(raw: pd.DataFrame, table: TableSpec = EVENTS) -> pd.DataFrame:
    """The raw table with numbers as numbers and dates as dates, for `st.data_editor`; index kept."""
    frame = raw.copy()
    for spec in table.columns:
        if spec.name not in frame:
            continue
        if spec.kind in EDITABLE_KINDS:
            frame[spec.name] = pd.to_numeric(frame[spec.name], errors="coerce").astype(EDITABLE_KINDS[spec.kind])
        elif spec.kind == "date":
            frame[spec.name] = pd.to_datetime(frame[spec.name], format="%Y-%m-%d", errors="coerce").dt.date
    return frame


def format_cell(value: object) -> str | None:
    """A typed value as the text the CSV holds: ISO dates, plain decimals, whole numbers, trimmed text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer() and abs(value) < 1e15:
            return f"{value:.1f}"
        return f"{value:.6f}".rstrip("0")
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return format_cell(value.item())
    text = str(value).strip()
    return text or None


def same_value(a: object, b: object) -> bool:
    a, b = (v.item() if hasattr(v, "item") and not isinstance(v, str) else v for v in (a, b))
    a_missing = a is None or a is pd.NA or a is pd.NaT or (isinstance(a, float) and math.isnan(a))
    b_missing = b is None or b is pd.NA or b is pd.NaT or (isinstance(b, float) and math.isnan(b))
    if a_missing or b_missing:
        return a_missing and b_missing
    if isinstance(a, float | int) and isinstance(b, float | int):
        return float(a) == float(b)
    return format_cell(a) == format_cell(b)


def raw_from_editor(
    edited: pd.DataFrame, working: pd.DataFrame, shown: Iterable[int], table: TableSpec = EVENTS
) -> pd.DataFrame:
    """The full raw table after editing the rows `shown` (index labels of `working`) in the editor.

    Only cells the curator changed are re-written; every other cell keeps its exact text, so saving
    an untouched table changes nothing. Rows shown but missing from `edited` were deleted.
    """
    before = editor_frame(working, table)
    result = working.copy()
    for label in edited.index:
        if label not in result.index:
            continue
        for column in working.columns:
            if column in edited and not same_value(edited.at[label, column], before.at[label, column]):
                result.at[label, column] = format_cell(edited.at[label, column])
    deleted = [label for label in shown if label not in edited.index]
    return result.drop(index=deleted)


def pending_editor_changes(state: Mapping | None) -> bool:
    """Whether a data editor's widget state holds any edit, addition or deletion."""
    if not state:
        return False
    return any(state.get(part) for part in ("edited_rows", "added_rows", "deleted_rows"))


def rebase(
    base: pd.DataFrame, mine: pd.DataFrame, theirs: pd.DataFrame, file_name: str = EVENTS.file_name
) -> tuple[pd.DataFrame, list[str]]:
    """Re-apply my changes (base → mine) onto their newer version; cells both changed stay theirs.

    Returns the merged table and a sentence per conflict, so a curator whose save was refused
    loses nothing and sees exactly what to look at again.
    """
    key_column = KEY_COLUMNS[file_name]
    merged = theirs.copy()
    position = {key: i for i, key in enumerate(merged[key_column].astype("string").fillna(""))}
    conflicts = []
    for change in diff_tables(base, mine, file_name):
        if change.action == "edited":
            if change.key not in position:
                conflicts.append(f"{change.key}: removed by the other curator; your edit was not re-applied")
                continue
            row = position[change.key]
            for column, (old, new) in change.columns.items():
                current = cell_text(merged.iloc[row][column])
                if current in (old, new):
                    merged.iat[row, merged.columns.get_loc(column)] = new if new is not None else pd.NA
                else:
                    conflicts.append(
                        f"{change.key}: {column} was changed by the other curator to {current!r}; yours ({new!r}) was not applied"
                    )
        elif change.action == "removed":
            if change.key in position:
                current_row = {c: cell_text(v) for c, v in merged.iloc[position[change.key]].items()}
                original = {c: old for c, (old, _) in change.columns.items()}
                if all(current_row.get(c) == original.get(c) for c in merged.columns):
                    merged = merged.drop(index=merged.index[position[change.key]])
                    position = {k: i for i, k in enumerate(merged[key_column].astype("string").fillna(""))}
                else:
                    conflicts.append(f"{change.key}: changed by the other curator, so it was not deleted")
        elif change.key in position:
            conflicts.append(f"{change.key}: the other curator added a row with this id; yours was not added")
        else:
            added = pd.DataFrame([{c: new for c, (_, new) in change.columns.items()}], columns=merged.columns)
            merged = pd.concat([merged, added.astype("string")], ignore_index=True)
            position = {k: i for i, k in enumerate(merged[key_column].astype("string").fillna(""))}
    return merged.reset_index(drop=True), conflicts
