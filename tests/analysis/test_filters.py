"""The shared filters, read as a specification."""

from __future__ import annotations

import datetime as dt

import pytest

from tensions.analysis.filters import FilterState, apply_filters
from tensions.data.load import load_dataset


@pytest.fixture
def dataset(data_copy):
    return load_dataset(data_copy)


def ids(frame):
    return sorted(frame["event_id"])


def test_no_filters_keep_every_event(dataset):
    assert len(apply_filters(dataset.events, FilterState())) == len(dataset.events)


def test_a_date_range_keeps_events_on_both_end_days(dataset):
    state = FilterState(start=dt.date(2024, 1, 4), end=dt.date(2024, 1, 28))
    assert ids(apply_filters(dataset.events, state)) == ["IRQ-20240104-1", "JOR-20240128-1"]


def test_filter_by_country_keeps_only_that_countrys_events(dataset):
    assert ids(apply_filters(dataset.events, FilterState(countries=("Lebanon",)))) == ["LBN-20241127-1"]


def test_filter_by_actor_matches_either_side(dataset):
    kept = apply_filters(dataset.events, FilterState(actors=("US forces",)), dataset.actors)
    assert ids(kept) == ["IRQ-20240104-1", "IRQ-20240202-1", "JOR-20240128-1"]


def test_filter_by_umbrella_actor_keeps_its_factions(dataset):
    kept = apply_filters(dataset.events, FilterState(actors=("Islamic Resistance in Iraq",)), dataset.actors)
    assert ids(kept) == ["IRQ-20240104-1", "IRQ-20250115-1", "JOR-20240128-1"]


def test_filter_by_event_type(dataset):
    kept = apply_filters(dataset.events, FilterState(event_types=("Agreements", "Troop movements")))
    assert ids(kept) == ["IRQ-20250115-1", "LBN-20241127-1"]


def test_precise_only_hides_province_level_and_month_level_events(dataset):
    kept = apply_filters(dataset.events, FilterState(precise_only=True))
    assert "IRQ-20250115-1" not in ids(kept)
    assert len(kept) == len(dataset.events) - 1


def test_filters_that_match_nothing_give_an_empty_table(dataset):
    assert apply_filters(dataset.events, FilterState(countries=("Yemen",))).empty


def test_describe_states_the_filters_in_words():
    state = FilterState(start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30), countries=("Iraq",), precise_only=True)
    assert state.describe() == "2025-01-01 to 2025-06-30; countries: Iraq; precisely placed and dated events only"
    assert FilterState().describe() == "all events"
