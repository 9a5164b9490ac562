"""How values read in words on every page, card and slide: dates with their precision, deaths or "not reported"."""

from __future__ import annotations

import pandas as pd

PRECISION_WORDS = {"day": "", "week": " (week known)", "month": " (month known)"}
GEO_PRECISION_WORDS = {1: "", 2: " (near)", 3: " (province only)"}


def date_with_precision(events: pd.DataFrame) -> pd.Series:
    """ "12 Jan 2024", "Jan 2024 (month known)": how well the date is known, in words."""
    precision = events["time_precision"].astype("string").fillna("day")
    dates = events["event_date"]
    day = dates.dt.strftime("%d %b %Y")
    month = dates.dt.strftime("%b %Y")
    shown = day.where(precision != "month", month)
    return shown + precision.map(PRECISION_WORDS).fillna("")


def fatalities_in_words(events: pd.DataFrame) -> pd.Series:
    """Reported deaths, or "not reported": unknown is never shown as zero."""
    return events["fatalities"].map(lambda n: "not reported" if pd.isna(n) else f"{int(n):,}").astype("string")
