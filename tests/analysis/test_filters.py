"""The shared filters, read as a specification."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlencode

import pytest

from tensions.analysis.filters import FilterState, apply_filters, carried_filters, names_a_filter
from tensions.data.load import load_dataset
from tensions.errors import InvalidFilter


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


# --- written down: one vocabulary for the URL, saved briefs, the command line and the bench ----------------

ROUND_TRIPS = [
    FilterState(),
    FilterState(start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30)),
    FilterState(start=dt.date(2025, 1, 1)),  # a brief saved "to the latest event"
    FilterState(end=dt.date(2024, 12, 31)),  # a brief saved "from the first event"
    FilterState(countries=("Iraq", "Yemen"), actors=("Islamic Resistance in Iraq",), precise_only=True),
    FilterState(event_types=("Explosions/Remote violence",), datasets=("curated", "acled-2025")),
]


@pytest.mark.parametrize("state", ROUND_TRIPS, ids=lambda s: s.describe())
def test_filters_survive_a_round_trip_through_query_params(state):
    assert FilterState.from_query_params(state.to_query_params()) == state


@pytest.mark.parametrize("state", ROUND_TRIPS, ids=lambda s: s.describe())
def test_filters_survive_a_round_trip_through_a_link(state):
    query = urlencode(state.to_query_params(), doseq=True)
    assert FilterState.from_query_params(parse_qs(query, keep_blank_values=True)) == state


def test_query_params_use_the_sidebars_names_and_leave_out_what_keeps_everything():
    state = FilterState(start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30), countries=("Iraq",), precise_only=True)
    assert state.to_query_params() == {"dates": ["2025-01-01", "2025-06-30"], "country": ["Iraq"], "precise": ["true"]}
    assert FilterState().to_query_params() == {}


def test_datasets_are_written_by_the_titles_the_sidebar_shows_and_read_by_title_or_id():
    # The Datasets filter is bound to the URL through its labels: a copied link says `dataset=ACLED`.
    state = FilterState(datasets=("curated", "acled", "ucdp"))
    assert state.to_query_params() == {"dataset": ["Curated", "ACLED", "UCDP GED"]}
    assert FilterState.from_query_params({"dataset": ["Curated", "ACLED", "UCDP GED"]}) == state
    # Briefs saved before, and hand-written links, name the ids; a title in another case is the same dataset.
    assert FilterState.from_query_params({"dataset": ["curated", "acled", "ucdp ged"]}) == state
    assert state.describe() == "datasets: Curated, ACLED, UCDP GED"  # as the captions and slide footers say


def test_single_values_and_other_pages_parameters_are_read_as_a_link_gives_them():
    # st.query_params hands single values as text; map_mode and event belong to the Map page.
    params = {"country": "Iraq", "precise": "True", "map_mode": "Provinces", "event": "IRQ-20240104-1"}
    assert FilterState.from_query_params(params) == FilterState(countries=("Iraq",), precise_only=True)


def test_empty_and_repeated_values_are_dropped():
    params = {"country": ["", "Iraq", "Iraq"], "type": [""], "dates": [""], "precise": []}
    assert FilterState.from_query_params(params) == FilterState(countries=("Iraq",))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"dates": ["2025-13-40"]}, "dates: '2025-13-40' is not a day (YYYY-MM-DD)"),
        ({"dates": ["yesterday", "today"]}, "dates: 'yesterday' is not a day"),
        ({"dates": ["2025-06-30", "2025-01-01"]}, "dates: the first day 2025-06-30 is after the last day 2025-01-01"),
        ({"dates": ["2025-01-01", "2025-02-01", "2025-03-01"]}, "dates: at most a first and a last day, got 3"),
        ({"precise": "maybe"}, "precise: 'maybe' is neither true nor false"),
        ({"country": [1, 2]}, "country: expected text, got [1, 2]"),
        ({"actor": None}, "actor: expected text, got None"),
    ],
)
def test_a_value_that_cannot_be_read_is_refused_naming_the_parameter(params, message):
    with pytest.raises(InvalidFilter, match=re.escape(message)):
        FilterState.from_query_params(params)


# --- carried from page to page: moving to another page clears the URL, the session keeps the filters ---------

IRAQ = FilterState(countries=("Iraq",))


def test_the_sessions_first_page_opens_as_its_url_says():
    assert carried_filters({}, None) is None
    assert carried_filters({"country": "Yemen"}, None) is None


def test_a_page_reached_through_the_navigation_opens_with_the_filters_shown_on_the_page_before():
    assert carried_filters({}, IRAQ) == IRAQ
    assert carried_filters({"map_mode": "Provinces"}, IRAQ) == IRAQ  # a page's own parameter is no filter


def test_filters_cleared_on_one_page_stay_cleared_on_the_next():
    assert carried_filters({}, FilterState()) == FilterState()


def test_a_link_naming_a_filter_wins_over_the_filters_shown_before():
    assert carried_filters({"country": "Yemen", "map_mode": "Provinces"}, IRAQ) == FilterState(countries=("Yemen",))
    assert carried_filters({"precise": "true"}, IRAQ) == FilterState(precise_only=True)


def test_a_link_that_cannot_be_read_is_left_to_the_page():
    assert carried_filters({"dates": "yesterday"}, IRAQ) is None


def test_only_the_filters_parameters_name_a_filter():
    assert not names_a_filter({"map_mode": "Provinces", "event": "IRQ-20240104-1", "lanes": "family"})
    assert all(names_a_filter({name: ""}) for name in ("dates", "country", "actor", "type", "dataset", "precise"))


@pytest.mark.parametrize(
    ("start", "end", "kept"),
    [
        (dt.date(2024, 1, 4), dt.date(2025, 3, 16), False),  # the data's whole range, the sidebar's default
        (dt.date(2024, 1, 1), dt.date(2025, 12, 31), False),  # wider still
        (dt.date(2024, 2, 1), dt.date(2025, 3, 16), True),
        (dt.date(2024, 1, 4), dt.date(2025, 3, 1), True),
    ],
)
def test_only_a_period_narrower_than_the_data_is_written_down(start, end, kept):
    state = FilterState(start=start, end=end, countries=("Iraq",))
    carried = state.without_whole_period(dt.date(2024, 1, 4), dt.date(2025, 3, 16))
    assert carried == (state if kept else FilterState(countries=("Iraq",)))
