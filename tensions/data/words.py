"""How values read in words on every page, card and slide: dates with their precision, deaths or "not reported"."""

from __future__ import annotations

import datetime as dt

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


def data_as_of_words(data_as_of: dt.date | None) -> str:
    """ "Data as of 18 June 2026": the newest report the data can speak for (slides and PNGs carry this)."""
    return f"Data as of {data_as_of:%-d %B %Y}" if data_as_of else "No data"


def age_in_words(since: dt.date, today: dt.date) -> str:
    """How long ago `since` was, in the coarsest unit that is still honest: "3 days", "5 weeks", "5 months"."""
    days = (today - since).days
    if days < 1:
        return "today"
    if days < 14:
        return f"{days} day{'s' if days > 1 else ''} ago"
    if days < 61:
        return f"{days // 7} weeks ago"
    months = (today.year - since.year) * 12 + today.month - since.month - (today.day < since.day)
    if months < 24:
        return f"{months} months ago"
    return f"{months // 12} years ago"


def data_as_of_with_age(data_as_of: dt.date | None, today: dt.date) -> str:
    """ "Data as of 18 June 2026 (5 months ago)": on screen, where a reader could take old data for current."""
    if data_as_of is None:
        return data_as_of_words(None)
    return f"{data_as_of_words(data_as_of)} ({age_in_words(data_as_of, today)})"
