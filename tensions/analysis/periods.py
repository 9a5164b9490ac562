"""Weeks and months, the two periods events are counted per: one definition for every table, chart and band.

A week runs Monday to Sunday; a month is the calendar month. Both are numbered from the Unix epoch, so a
million dates are binned with integer arithmetic, never a Python loop or a `Period` object per row.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import numpy as np
import pandas as pd

Granularity = Literal["week", "month"]
GRANULARITIES: tuple[Granularity, ...] = ("week", "month")


def _check(granularity: str) -> None:
    if granularity not in GRANULARITIES:
        raise ValueError(f"granularity must be one of {', '.join(GRANULARITIES)}, not {granularity!r}")


def period_numbers(dates: np.ndarray | pd.Series, granularity: Granularity) -> np.ndarray:
    """Each date's week or month as an integer counted from the epoch's (consecutive periods differ by 1)."""
    _check(granularity)
    values = dates.to_numpy() if isinstance(dates, pd.Series) else np.asarray(dates)
    if granularity == "week":
        # 1970-01-01 was a Thursday: shift by 3 days so that weeks counted from it start on Mondays.
        return (values.astype("datetime64[D]").astype(np.int64) + 3) // 7
    return values.astype("datetime64[M]").astype(np.int64)


def period_start_days(numbers: np.ndarray, granularity: Granularity) -> np.ndarray:
    """The first day (`datetime64[D]`) of each numbered week or month."""
    _check(granularity)
    numbers = np.asarray(numbers, dtype=np.int64)
    if granularity == "week":
        return (numbers * 7 - 3).astype("datetime64[D]")
    return numbers.astype("datetime64[M]").astype("datetime64[D]")


def period_starts(dates: pd.Series, granularity: Granularity) -> pd.Series:
    """The first day of each date's week (Monday) or calendar month, aligned with `dates`."""
    starts = period_start_days(period_numbers(dates, granularity), granularity)
    return pd.Series(starts.astype("datetime64[us]"), index=dates.index)


def period_bounds(dates: pd.Series, granularity: Granularity) -> tuple[pd.Series, pd.Series]:
    """Each date's week or month as its first day and the first day of the next one (the period's extent)."""
    numbers = period_numbers(dates, granularity)
    starts, ends = (
        pd.Series(period_start_days(n, granularity).astype("datetime64[us]"), index=dates.index)
        for n in (numbers, numbers + 1)
    )
    return starts, ends


def period_range(
    first: dt.date | pd.Timestamp, last: dt.date | pd.Timestamp, granularity: Granularity
) -> pd.DatetimeIndex:
    """The first day of every week or month from the one holding `first` to the one holding `last`."""
    bounds = period_numbers(pd.Series([pd.Timestamp(first), pd.Timestamp(last)]), granularity)
    numbers = np.arange(bounds[0], bounds[1] + 1)
    return pd.DatetimeIndex(period_start_days(numbers, granularity).astype("datetime64[us]"))
