"""Events as the tables on every page show them: the schema's headings, deaths in words, nothing read as "None".

`event_table` prepares the values and `headings` names the columns; a page hands both to its table widget,
so "Reported deaths" and "not reported" read the same on the Overview, the Map, the Timeline, the Actors,
Curate and Data pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from tensions.data.schema import DERIVED_EVENT_COLUMNS, EVENT_LABELS, EVENTS
from tensions.data.words import fatalities_in_words

DATE_COLUMNS: tuple[str, ...] = tuple(c.name for c in (*EVENTS.columns, *DERIVED_EVENT_COLUMNS) if c.kind == "date")


def event_table(events: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """`columns` of `events`, in that order, as a reader scans them: unknown deaths are "not reported" (never
    blank, never 0) and other missing text is blank; dates stay dates, for the table to format."""
    table = events[list(columns)].copy()
    for column in table.columns:
        values = table[column]
        if column == "fatalities" and pd.api.types.is_numeric_dtype(values):
            table[column] = fatalities_in_words(table)
        elif column not in DATE_COLUMNS and not pd.api.types.is_numeric_dtype(values):
            table[column] = values.astype("string").fillna("")
    return table


def headings(columns: Iterable[str]) -> dict[str, str]:
    """The schema's heading of each event column in `columns` (other columns are left to the page)."""
    return {column: EVENT_LABELS[column] for column in columns if column in EVENT_LABELS}
