"""Headline figures count what is known and say what is not."""

from __future__ import annotations

from tensions.analysis.summary import headline, latest_events, most_active_actors
from tensions.data.load import load_dataset


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
