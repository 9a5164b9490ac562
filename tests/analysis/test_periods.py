"""Weeks and months: one definition for the index, the actor activity, the overview and the timeline."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from tensions.analysis.periods import period_bounds, period_numbers, period_range, period_start_days, period_starts

DATES = pd.Series(pd.to_datetime(["2024-01-03", "2024-01-07", "2024-01-08", "2024-02-29"]), index=[10, 11, 12, 13])


@pytest.mark.parametrize(
    ("granularity", "expected"),
    [
        ("week", ["2024-01-01", "2024-01-01", "2024-01-08", "2024-02-26"]),  # Wednesday and Sunday share a week
        ("month", ["2024-01-01", "2024-01-01", "2024-01-01", "2024-02-01"]),
    ],
)
def test_each_date_gets_the_first_day_of_its_week_or_month(granularity, expected):
    starts = period_starts(DATES, granularity)
    assert list(starts.index) == [10, 11, 12, 13]
    assert list(starts.dt.strftime("%Y-%m-%d")) == expected


def test_weeks_start_on_monday_whatever_the_year():
    days = pd.Series(pd.date_range("1969-12-20", "2031-01-10", freq="37D"))
    assert (period_starts(days, "week").dt.day_of_week == 0).all()
    assert ((days - period_starts(days, "week")).dt.days.between(0, 6)).all()


def test_consecutive_periods_have_consecutive_numbers():
    weeks = period_numbers(pd.Series(pd.to_datetime(["2024-12-30", "2025-01-06"])), "week")
    months = period_numbers(pd.Series(pd.to_datetime(["2024-12-31", "2025-01-01"])), "month")
    assert np.diff(weeks).tolist() == [1] and np.diff(months).tolist() == [1]
    assert period_start_days(months, "month").astype(str).tolist() == ["2024-12-01", "2025-01-01"]


def test_a_periods_bounds_are_its_first_day_and_the_next_periods():
    starts, ends = period_bounds(DATES, "month")
    assert list(starts.index) == list(ends.index) == [10, 11, 12, 13]
    assert list(ends.dt.strftime("%Y-%m-%d")) == ["2024-02-01", "2024-02-01", "2024-02-01", "2024-03-01"]
    week_starts, week_ends = period_bounds(DATES, "week")
    assert ((week_ends - week_starts).dt.days == 7).all()


def test_a_range_covers_every_period_between_the_two_dates_without_gaps():
    assert [d.strftime("%Y-%m-%d") for d in period_range(dt.date(2024, 1, 31), dt.date(2024, 4, 1), "month")] == [
        "2024-01-01",
        "2024-02-01",
        "2024-03-01",
        "2024-04-01",
    ]
    weeks = period_range(dt.date(2024, 1, 3), dt.date(2024, 1, 22), "week")
    assert [d.strftime("%d %b") for d in weeks] == ["01 Jan", "08 Jan", "15 Jan", "22 Jan"]


def test_an_unknown_granularity_is_refused():
    with pytest.raises(ValueError, match="granularity must be one of week, month, not 'day'"):
        period_starts(DATES, "day")
