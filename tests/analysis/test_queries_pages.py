"""The sums the Overview, the Actors page and the sidebar read from SQL equal the same sums in pandas over the
same events, for every kind of filter (as tests/analysis/test_queries.py holds the map's and the timeline's)."""

from __future__ import annotations

import pandas as pd

from tensions.analysis import actor_profile, queries, tension, weighted
from tensions.analysis.filters import FilterState, apply_filters
from tensions.bench.measure import filter_states
from tensions.bench.synthetic import synthetic_events
from tensions.data.actors import with_descendants
from tensions.data.guard import local_grant
from tensions.ingest.importers import ImportResult
from tensions.ingest.importers.reading import empty_rejected
from tensions.store import imported
from tests.analysis import test_queries

# The synthetic events imported into a fresh database as for the map's and the timeline's sums (their fixtures).
events, actors, url = test_queries.events, test_queries.actors, test_queries.url
_sorted, _states = test_queries._sorted, test_queries._states


def test_activity_sums_in_sql_equal_the_activity_sums_in_pandas(url, events, actors):
    keys = list(weighted.ACTIVITY_KEYS)
    for state in _states(events):
        expected = weighted.activity_summary(apply_filters(events, state, actors))
        found = queries.activity_summary(url, state, actors)
        pd.testing.assert_frame_equal(_sorted(found, keys), _sorted(expected, keys), check_dtype=False, obj=str(state))


def test_pair_sums_in_sql_equal_the_pair_sums_in_pandas(url, events, actors):
    keys = list(weighted.PAIR_KEYS)
    by_dataset = [FilterState(datasets=("acled",)), FilterState(datasets=("gdelt",))]  # kept sums per dataset
    for state in [*_states(events), *by_dataset]:
        expected = weighted.pair_summary(apply_filters(events, state, actors))
        found = queries.pair_summary(url, state, actors)
        assert found["actor2"].isna().any() == expected["actor2"].isna().any()
        pd.testing.assert_frame_equal(_sorted(found, keys), _sorted(expected, keys), check_dtype=False, obj=str(state))


def test_the_names_offered_are_the_actors_and_types_of_the_chosen_datasets(url, events):
    names, types = queries.present_names(url, ["acled"])
    events = events[(events["dataset"] == "acled").to_numpy()]
    assert names == sorted(set(events["actor1"].dropna()) | set(events["actor2"].dropna()))
    assert types == set(events["event_type"].dropna())
    assert queries.present_names(url, ["no such dataset"]) == ([], set())


def test_the_index_inputs_per_day_in_sql_equal_those_in_pandas_and_give_the_same_trends(url, events, actors):
    keys = ["country", "theatre", "event_date"]
    as_of = events["event_date"].max().date()
    for state in [FilterState(), FilterState(countries=("Iraq", "Lebanon")), *filter_states(events, 3, seed=2)]:
        kept = apply_filters(events, state, actors)
        expected = tension.index_inputs(kept, actors)
        found = queries.index_summary(url, state, actors, "day")
        columns = [*keys, weighted.EVENTS, tension.SCORED, *tension.SCORE_SIDES]
        pd.testing.assert_frame_equal(
            found[columns].astype({k: "string" for k in keys[:-1]}).sort_values(keys, ignore_index=True),
            expected[columns].astype({k: "string" for k in keys[:-1]}).sort_values(keys, ignore_index=True),
            check_dtype=False,
            check_exact=False,
            rtol=1e-9,
            obj=str(state),
        )
        pd.testing.assert_frame_equal(
            tension.monthly_trends(found, actors, as_of=as_of),
            tension.monthly_trends(kept, actors, as_of=as_of),
            check_exact=False,
            rtol=1e-9,
            obj=str(state),
        )


def test_the_index_scores_actors_no_table_lists_and_unknown_escalations_as_pandas_does(postgres_url, actors):
    odd = synthetic_events(600, seed=5)
    odd["actor1"] = odd["actor1"].astype("object")
    odd.loc[odd.index[:150], "actor1"] = "An actor no table lists"
    odd.loc[odd.index[150:300], "actor2"] = None
    odd.loc[odd.index[300:450], "escalation"] = pd.NA
    # The unknown actor imported last, so its number lies past the end of the arrays the SQL reads classes from.
    for name, part in (("odd.csv", odd.iloc[150:]), ("odd-later.csv", odd.iloc[:150])):
        result = ImportResult("acled", "ACLED", name, "synthetic", len(part), part, empty_rejected())
        imported.save_import(postgres_url, result, grant=local_grant())
    keys = ["country", "theatre", "event_date"]
    expected = tension.index_inputs(odd, actors).sort_values(keys, ignore_index=True)
    found = queries.index_summary(postgres_url, FilterState(), actors, "day").sort_values(keys, ignore_index=True)
    assert expected[tension.SCORE_SIDES[1]].lt(0).any()  # de-escalatory events among them
    pd.testing.assert_frame_equal(
        found[expected.columns].astype({k: "string" for k in keys[:-1]}),
        expected.astype({k: "string" for k in keys[:-1]}),
        check_dtype=False,
        check_exact=False,
        rtol=1e-9,
    )


def test_no_imported_event_gives_typed_empty_index_inputs(postgres_url, actors):
    found = queries.index_summary(postgres_url, FilterState(), actors, "day")
    assert found.empty
    assert found[tension.SCORED].dtype == "float64" and found[weighted.EVENTS].dtype == "int64"


def test_an_actors_activity_from_sql_is_its_activity_from_the_events(url, events, actors):
    actor = "Islamic Resistance in Iraq"  # an umbrella: its factions' events are its own
    for affiliates in (True, False):
        names = with_descendants([actor], actors) if affiliates else {actor}
        for state in _states(events):
            kept = apply_filters(events, state, actors)
            involved = actor_profile.involving(kept, actor, actors, include_affiliates=affiliates)
            expected = actor_profile.activity_over_time(involved)
            found = actor_profile.activity_over_time(queries.role_summary(url, state, names, actors))
            pd.testing.assert_frame_equal(found, expected, check_dtype=False, obj=str(state))
