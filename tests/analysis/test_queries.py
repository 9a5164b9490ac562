"""The figures' sums in SQL equal the same sums in pandas over the same events, for every kind of filter."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from tensions.analysis import queries, tension, weighted
from tensions.analysis.filters import FilterState, apply_filters, imprecise_mask
from tensions.bench.measure import filter_states
from tensions.bench.synthetic import synthetic_events
from tensions.data.guard import local_grant
from tensions.data.load import load_dataset
from tensions.data.tags import is_key_event
from tensions.data.taxonomy import REGION_BOUNDS
from tensions.figures.map.aggregate import finest_grid
from tensions.figures.map.encoding import CELL_SIZES
from tensions.figures.map.regions import fit_bounds, outside
from tensions.figures.map.selection import Target, events_in_target, place_coordinates, place_of
from tensions.ingest.importers import ImportResult
from tensions.ingest.importers.reading import empty_rejected
from tensions.store import imported
from tensions.store.engine import engine_for
from tests.conftest import APP_ROOT

EVENTS = 4_000


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    events = synthetic_events(EVENTS, seed=11)
    events.loc[events["country"] == "Iraq", "admin1"] = None  # some events with no province given
    return events


@pytest.fixture(scope="module")
def actors() -> pd.DataFrame:
    return load_dataset(APP_ROOT / "data").actors


@pytest.fixture
def url(postgres_url, events) -> str:
    result = ImportResult("acled", "ACLED", "synthetic.csv", "synthetic", len(events), events, empty_rejected())
    imported.save_import(postgres_url, result, grant=local_grant())
    return postgres_url


def _states(events: pd.DataFrame) -> list[FilterState]:
    return [
        FilterState(),
        FilterState(precise_only=True),
        FilterState(start=dt.date(2024, 3, 1), end=dt.date(2024, 3, 31)),
        FilterState(countries=("Iraq", "Yemen"), event_types=("Battles",)),
        FilterState(datasets=("gdelt",), countries=("Atlantis",)),  # a name never imported keeps nothing
        *filter_states(events, 8, seed=4),
    ]


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    plain = frame.astype({k: "string" for k in keys if k not in ("latitude", "longitude")})
    columns = [*keys, *weighted.COUNT_COLUMNS, "fatalities", "event_date", weighted.LAST_DATE]
    return plain[columns].sort_values([*keys, "event_date"], ignore_index=True, na_position="first")


def test_the_count_is_the_number_of_events_the_filters_keep(url, events, actors):
    for state in _states(events):
        assert queries.count_events(url, state, actors) == len(apply_filters(events, state, actors)), state


@pytest.mark.parametrize("colour_by", ["event_type", "actor1_family", None])
def test_place_sums_in_sql_equal_the_place_sums_in_pandas(url, events, actors, colour_by):
    keys = [*weighted.PLACE_KEYS, *([colour_by] if colour_by else [])]
    for state in _states(events):
        expected = weighted.place_summary(apply_filters(events, state, actors), colour_by)
        found = queries.place_summary(url, state, colour_by, actors)
        pd.testing.assert_frame_equal(_sorted(found, keys), _sorted(expected, keys), check_dtype=False, obj=str(state))


@pytest.mark.parametrize(("lanes", "granularity"), [("theatre", "week"), ("actor1_family", "month")])
def test_period_sums_in_sql_equal_the_period_sums_in_pandas_without_the_key_events(
    url, events, actors, lanes, granularity
):
    keys = [lanes, "event_type", "time_precision"]  # and the period, whose first event's date each row has
    for state in _states(events):
        kept = apply_filters(events, state, actors)
        expected = weighted.period_summary(kept[~is_key_event(kept).to_numpy()], lanes, granularity)
        found = queries.period_summary(url, state, lanes, granularity, actors)
        pd.testing.assert_frame_equal(_sorted(found, keys), _sorted(expected, keys), check_dtype=False, obj=str(state))


def test_the_events_listed_are_the_events_the_filters_keep_in_date_order(url, events, actors):
    state = FilterState(countries=("Lebanon",), precise_only=True)
    kept = apply_filters(events, state, actors)
    found = queries.events(url, state, actors, limit=50)
    assert found["event_id"].tolist() == kept["event_id"].head(50).tolist()
    assert found["event_date"].is_monotonic_increasing
    expected = kept.head(50).reset_index(drop=True)
    for column in expected.columns:  # every value, and every column's kind of dtype, as the events had them
        assert found[column].astype("string").tolist() == expected[column].astype("string").tolist(), column
        assert type(found[column].dtype) is type(expected[column].dtype), column


def test_key_events_alone_can_be_listed(url, events, actors):
    found = queries.events(url, FilterState(), actors, key_only=True)
    assert sorted(found["event_id"]) == sorted(events.loc[is_key_event(events).to_numpy(), "event_id"])
    assert len(found) == int(np.sum(is_key_event(events)))


def test_the_default_view_is_answered_from_the_kept_sums_and_a_shorter_period_from_the_events(url, events):
    first, last = events["event_date"].min().date(), events["event_date"].max().date()
    with engine_for(url).connect() as connection:
        assert queries.uses_kept_sums(connection, FilterState(start=first, end=last, countries=("Iraq",)))
        assert not queries.uses_kept_sums(connection, FilterState(start=first + dt.timedelta(days=1), end=last))
        assert not queries.uses_kept_sums(connection, FilterState(actors=("Hezbollah",)))


@pytest.mark.parametrize(("level", "granularity"), [("country", "month"), ("theatre", "week"), ("region", "month")])
def test_the_index_from_sql_inputs_is_the_index_of_the_events(url, events, actors, level, granularity):
    for state in [FilterState(), FilterState(countries=("Iraq", "Lebanon")), *filter_states(events, 4, seed=9)]:
        kept = apply_filters(events, state, actors)
        expected = tension.tension_index(
            kept, actors, level=level, granularity=granularity, start=state.start, end=state.end
        )
        rows = queries.index_summary(url, state, actors, granularity)
        found = tension.tension_index(
            rows, actors, level=level, granularity=granularity, start=state.start, end=state.end
        )
        pd.testing.assert_frame_equal(
            found.astype({"area": str}), expected.astype({"area": str}), check_exact=False, rtol=1e-9, obj=str(state)
        )


def test_the_grid_and_the_extent_are_those_the_map_chooses_for_the_events(url, events, actors):
    for state in _states(events):
        kept = apply_filters(events, state, actors)
        placed = kept[(kept["latitude"].notna() & kept["longitude"].notna()).to_numpy()]
        for max_cells in (50, 400, 3_000):
            size, extent, total = queries.grid_and_extent(url, state, CELL_SIZES, max_cells, actors)
            assert total == len(placed)
            if len(placed):
                lat, lon = placed["latitude"].to_numpy(float), placed["longitude"].to_numpy(float)
                assert size == finest_grid(lat, lon, CELL_SIZES, max_cells).size, (state, max_cells)
                assert extent == fit_bounds(placed)
            else:
                assert extent is None


def _newest_first(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["event_date", "event_id"], ascending=[False, True], ignore_index=True)


def test_the_newest_events_in_a_cell_or_a_province_are_those_the_map_lists_for_it(url, events, actors):
    state = FilterState(event_types=("Battles", "Protests", "Riots", "Explosions/Remote violence"))
    kept = apply_filters(events, state, actors)
    placed = kept.dropna(subset=["latitude", "admin1"]).iloc[0]
    targets = [
        (Target("cell", f"0.5:{int(np.floor(placed['longitude'] / 0.5))}:{int(np.floor(placed['latitude'] / 0.5))}"),
         {"cell": (0.5, int(np.floor(placed["longitude"] / 0.5)), int(np.floor(placed["latitude"] / 0.5)))}),
        (Target("province", f"{placed['country']}\t{placed['admin1']}"),
         {"province": (str(placed["country"]), str(placed["admin1"]))}),
        (Target("province", "Iraq\t"), {"province": ("Iraq", "")}),  # events with no province given
        (Target("province", "Atlantis\tNowhere"), {"province": ("Atlantis", "Nowhere")}),
        (place_of(placed), {"place": place_coordinates(place_of(placed))}),
        (None, {}),
    ]  # fmt: skip
    for target, area in targets:
        expected = _newest_first(kept if target is None else events_in_target(kept, target))
        found = queries.newest_events(url, state, actors, limit=len(kept) + 1, **area)
        total = queries.count_events(url, state, actors, **area)
        assert total == len(expected), target
        assert _newest_first(found)["event_id"].tolist() == expected["event_id"].tolist(), target
        assert found["event_date"].is_monotonic_decreasing
        found = queries.newest_events(url, state, actors, limit=5, **area)  # the newest five dates
        assert total == len(expected) and len(found) == min(5, len(expected)), target
        assert found["event_date"].tolist() == expected["event_date"].head(5).tolist(), target


def test_mean_positions_that_rounding_moved_out_of_their_cell_are_moved_back():
    edge = np.array([31.1, 31.1, 44.0])  # 31.1° is the lower edge of the 0.05° cell 622
    mean = np.array([31.1 * 19 / 19, 31.1, 44.0])  # nineteen events there average to just below it
    cell = np.floor(edge / 0.05)
    assert np.floor(mean[0] / 0.05) == cell[0] - 1
    moved = queries._within_cells(mean, cell, 0.05)
    assert (np.floor(moved / 0.05) == cell).all()
    assert np.allclose(moved, mean, rtol=0, atol=1e-12)


def test_a_linked_event_is_found_by_its_id_when_the_filters_keep_it(url, events, actors):
    for state in _states(events)[:6]:
        kept = apply_filters(events, state, actors)
        for event_id in (
            *kept["event_id"].head(2),
            *events["event_id"][~events["event_id"].isin(kept["event_id"])][:2],
        ):
            found = queries.event_by_id(url, state, event_id, actors)
            expected = kept[kept["event_id"] == event_id]
            assert found["event_id"].tolist() == expected["event_id"].tolist(), (state, event_id)
            assert found["notes"].tolist() == expected["notes"].tolist()
    assert queries.event_by_id(url, FilterState(), "no such event", actors).empty


def test_the_map_notes_counts_in_sql_are_those_of_the_events(url, events, actors):
    for state in _states(events):
        kept = apply_filters(events, state, actors)
        for bounds in (REGION_BOUNDS, (44.0, 30.0, 48.0, 34.0)):
            expected = (len(kept), int(imprecise_mask(kept).sum()), outside(kept, bounds))
            assert queries.map_counts(url, state, bounds, actors) == expected, (state, bounds)
