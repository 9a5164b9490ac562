"""Headline figures count what is known and say what is not."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from tensions.analysis import summary, weighted
from tensions.analysis.summary import headline, latest_events, most_active_actors
from tensions.bench.synthetic import synthetic_events
from tensions.data.load import load_dataset
from tensions.figures import overview


def test_headline_counts_known_fatalities_and_unknowns_apart(data_copy):
    figures = headline(load_dataset(data_copy).events)
    assert figures.events == 6
    assert figures.fatalities_known == 3
    assert figures.events_with_unknown_fatalities == 5


def test_most_active_actors_ranks_by_events_initiated_then_fatalities(data_copy):
    table = most_active_actors(load_dataset(data_copy).events, top=2)
    assert list(table["actor"]) == ["Islamic Resistance in Iraq", "US forces"]
    assert list(table["events"]) == [2, 2]


def test_latest_events_come_newest_first(data_copy):
    latest = latest_events(load_dataset(data_copy).events, count=2)
    assert list(latest["event_date"].dt.strftime("%Y-%m-%d")) == ["2025-03-16", "2025-01-15"]
    assert list(latest["fatalities"]) == ["not reported", "not reported"]


def test_old_data_gets_a_notice_with_its_age_and_recent_data_none():
    today = dt.date(2026, 12, 6)
    notice = summary.stale_data_notice(dt.date(2026, 6, 18), today)
    assert notice == (
        "The newest report in this data is from 18 June 2026, 5 months ago: anything that happened since is not shown."
    )
    assert summary.stale_data_notice(today - dt.timedelta(days=summary.STALE_AFTER_DAYS), today) is None
    assert summary.stale_data_notice(None, today) is None


def test_the_headline_and_the_most_active_of_summed_rows_are_those_of_the_events():
    events = synthetic_events(2_000, seed=3)
    events.loc[events.index[:50], "fatalities"] = pd.NA  # some tolls not reported
    rows, pairs = weighted.activity_summary(events), weighted.pair_summary(events)
    assert len(rows) < len(events) and len(pairs) < len(events)
    assert headline(rows, pairs) == headline(events)
    pd.testing.assert_frame_equal(most_active_actors(pairs), most_active_actors(events), check_dtype=False)
    by_month = overview.events_per_month(rows)
    assert [(t.name, list(t.y)) for t in by_month.data] == [
        (t.name, list(t.y)) for t in overview.events_per_month(events).data
    ]
