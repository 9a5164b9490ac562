"""An actor's profile, activity and counterparts, the affiliation tree and who acts on whom, on the six
fixture events (US strikes on Iraqi militias, the Tower 22 attack, the Lebanon ceasefire, ...)."""

from __future__ import annotations

import pandas as pd
import pytest

from tensions.analysis import actor_profile, weighted
from tensions.analysis.filters import FilterState, apply_filters
from tensions.bench.synthetic import synthetic_events
from tensions.data.load import load_dataset


@pytest.fixture
def dataset(data_copy):
    return load_dataset(data_copy)


def test_a_profile_gives_kind_aliases_and_the_affiliation_chain(dataset):
    profile = actor_profile.actor_profile("Islamic Resistance in Iraq", dataset.actors)
    assert profile.kind == "umbrella group"
    assert profile.chain == ("IRGC Quds Force", "IRGC", "Iran")
    assert profile.affiliates == ("Harakat Hezbollah al-Nujaba", "Kataib Hezbollah")
    assert "Iraqi Islamic Resistance" in profile.aliases
    assert profile.family == "Iran and the axis"
    assert profile.description.startswith("Umbrella name")


def test_an_unknown_actor_has_no_profile(dataset):
    with pytest.raises(KeyError):
        actor_profile.actor_profile("Nobody", dataset.actors)


def test_an_umbrella_includes_its_factions_events_unless_asked_not_to(dataset):
    events = dataset.events
    with_factions = actor_profile.involving(events, "Islamic Resistance in Iraq", dataset.actors)
    alone = actor_profile.involving(events, "Islamic Resistance in Iraq", dataset.actors, include_affiliates=False)
    # The US strike on Nujaba (a faction) counts only with the factions.
    assert sorted(with_factions["event_id"]) == ["IRQ-20240104-1", "IRQ-20250115-1", "JOR-20240128-1"]
    assert sorted(alone["event_id"]) == ["IRQ-20250115-1", "JOR-20240128-1"]
    roles = dict(zip(with_factions["event_id"], with_factions["role"], strict=True))
    assert roles == {
        "IRQ-20240104-1": actor_profile.ACTED_ON,
        "JOR-20240128-1": actor_profile.ACTING,
        "IRQ-20250115-1": actor_profile.ACTING,
    }


def test_counterparts_count_both_directions(dataset):
    involved = actor_profile.involving(dataset.events, "Islamic Resistance in Iraq", dataset.actors)
    table = actor_profile.counterparts(involved)
    # US forces were struck at Tower 22 (acting) and struck Nujaba (acted on); the withdrawal has no counterpart.
    assert table.to_dict("records") == [
        {"counterpart": "US forces", actor_profile.ACTING: 1, actor_profile.ACTED_ON: 1, "events": 2}
    ]


def test_counterparts_are_found_when_the_two_actor_columns_have_different_categories(dataset):
    """Curated and imported events combined: actor1 and actor2 are categoricals with categories of their own."""
    events = dataset.events.assign(
        actor1=dataset.events["actor1"].astype("category"), actor2=dataset.events["actor2"].astype("category")
    )
    assert set(events["actor1"].cat.categories) != set(events["actor2"].cat.categories)
    involved = actor_profile.involving(events, "Islamic Resistance in Iraq", dataset.actors)
    assert list(actor_profile.counterparts(involved)["counterpart"]) == ["US forces"]


def test_the_profile_opens_on_the_busiest_actor_that_has_one():
    counts = pd.Series({"Military Forces of the United States (2021-)": 9, "Kataib Hezbollah": 4, "Iran": 2})
    assert actor_profile.busiest_profiled_actor(counts, ["Iran", "Kataib Hezbollah"]) == "Kataib Hezbollah"
    assert actor_profile.busiest_profiled_actor(counts.iloc[:1], ["Iran", "Kataib Hezbollah"]) == "Iran"


def test_an_event_inside_the_actors_own_branch_has_no_counterpart(dataset):
    events = dataset.events.copy()
    events.loc[0, "actor1"] = "Kataib Hezbollah"  # Kataib Hezbollah on Nujaba: both under the umbrella
    involved = actor_profile.involving(events, "Islamic Resistance in Iraq", dataset.actors)
    assert pd.isna(involved.set_index("event_id").loc["IRQ-20240104-1", "counterpart"])
    assert actor_profile.counterparts(involved)["counterpart"].tolist() == ["US forces"]


def test_activity_over_time_keeps_unknown_fatalities_apart(dataset):
    involved = actor_profile.involving(dataset.events, "Islamic Resistance in Iraq", dataset.actors)
    activity = actor_profile.activity_over_time(involved)
    rows = {(r.period.strftime("%Y-%m"), r.role): (r.events, r.fatalities, r.unknown_fatalities)
            for r in activity.itertuples()}  # fmt: skip
    assert rows == {
        ("2024-01", actor_profile.ACTING): (1, 3, 0),  # Tower 22: 3 reported deaths
        ("2024-01", actor_profile.ACTED_ON): (1, 0, 1),  # the strike on Nujaba: no figure reported
        ("2025-01", actor_profile.ACTING): (1, 0, 1),
    }


def test_the_tree_sizes_each_branch_by_its_distinct_events(dataset):
    tree = actor_profile.affiliation_tree(dataset.events, dataset.actors).set_index("id")
    # US forces: the two US strikes and Tower 22. United States adds Hegseth's warning.
    assert tree.loc["actor/US forces", ["own", "total", "parent"]].tolist() == [3, 3, "actor/United States"]
    assert tree.loc["actor/United States", ["own", "total", "parent"]].tolist() == [0, 4, "family/US and partners"]
    # The umbrella: Tower 22 and the withdrawal itself, plus the strike on its faction Nujaba.
    assert tree.loc["actor/Islamic Resistance in Iraq", ["own", "total"]].tolist() == [2, 3]
    # Quds Force: its own strike only; the umbrella it backs has its own branch (next test).
    assert tree.loc["actor/IRGC Quds Force", ["own", "total"]].tolist() == [1, 1]
    assert tree.loc["family/Iran and the axis", ["parent", "total"]].tolist() == ["", 5]


def test_a_group_backed_by_a_foreign_state_starts_its_own_branch_at_the_top_of_its_family(dataset):
    tree = actor_profile.affiliation_tree(dataset.events, dataset.actors).set_index("id")
    iri = tree.loc["actor/Islamic Resistance in Iraq"]
    # actors.csv: Islamic Resistance in Iraq (Iraq) under the IRGC Quds Force (Iran): backing, not command.
    assert iri[["parent", "family", "backed_by"]].tolist() == ["family/Iran and the axis", "Iran and the axis",
                                                                "IRGC Quds Force"]  # fmt: skip
    # Its factions stay under it, and a force of the same country stays under its state.
    assert tree.loc["actor/Harakat Hezbollah al-Nujaba", "parent"] == "actor/Islamic Resistance in Iraq"
    assert tree.loc["actor/US forces", ["parent", "backed_by"]].tolist() == ["actor/United States", ""]


def test_who_acts_on_whom_counts_a_state_force_as_its_state(dataset):
    pairs = actor_profile.interaction_counts(dataset.events, dataset.actors, level="actor", top=12)
    counted = {(a, b): n for a, b, n in pairs.itertuples(index=False)}
    # US forces' two strikes count for the United States; no row or column is left for "US forces".
    assert "US forces" not in set(pairs["actor1"]) | set(pairs["actor2"])
    assert counted[("United States", "IRGC Quds Force")] == 1
    assert counted[("Islamic Resistance in Iraq", "United States")] == 1
    assert sum(counted.values()) == 5


def test_the_tree_leaves_out_actors_with_no_event_in_the_filter(dataset):
    tree = actor_profile.affiliation_tree(dataset.events, dataset.actors)
    assert "actor/Kataib Hezbollah" not in set(tree["id"])
    assert "actor/Popular Mobilization Forces" not in set(tree["id"])
    assert set(tree["parent"]) - {""} <= set(tree["id"]), "every parent is drawn"


def test_events_by_actor_counts_an_event_once_per_actor(dataset):
    counts = actor_profile.events_by_actor(dataset.events)
    assert counts["US forces"] == 3
    assert counts["Islamic Resistance in Iraq"] == 2


def test_who_acts_on_whom_counts_actor1_to_actor2(dataset):
    pairs = actor_profile.interaction_counts(dataset.events, level="actor", top=12)
    counted = {(a, b): n for a, b, n in pairs.itertuples(index=False)}
    assert counted[("Islamic Resistance in Iraq", "US forces")] == 1
    assert counted[("US forces", "IRGC Quds Force")] == 1
    assert sum(counted.values()) == 5  # the withdrawal has no second actor


def test_beyond_the_busiest_actors_the_rest_are_grouped(dataset):
    pairs = actor_profile.interaction_counts(dataset.events, level="actor", top=1)
    by_source = pairs.groupby("actor1")["events"].sum().to_dict()
    assert by_source == {"US forces": 2, actor_profile.OTHER_ACTORS: 3}


def test_who_acts_on_whom_between_families(dataset):
    pairs = actor_profile.interaction_counts(dataset.events, level="family")
    counted = {(a, b): n for a, b, n in pairs.itertuples(index=False)}
    assert counted == {
        ("US and partners", "Iran and the axis"): 2,
        ("Iran and the axis", "US and partners"): 1,
        ("Israel", "Iran and the axis"): 1,
        ("US and partners", "Iraqi state"): 1,
    }


def test_the_counts_of_summed_pairs_are_those_of_the_events(dataset, data_copy):
    """The database's imported events reach the Actors page as sums per pair of actors (`weighted.pair_summary`)."""
    events, actors = synthetic_events(3_000, seed=8, data_dir=data_copy), dataset.actors
    pairs = weighted.pair_summary(events)
    assert len(pairs) < len(events)
    pd.testing.assert_series_equal(actor_profile.events_by_actor(pairs), actor_profile.events_by_actor(events))
    pd.testing.assert_frame_equal(
        actor_profile.affiliation_tree(pairs, actors), actor_profile.affiliation_tree(events, actors)
    )
    for level in ("actor", "family"):
        pd.testing.assert_frame_equal(
            actor_profile.interaction_counts(pairs, actors, level=level, top=6),
            actor_profile.interaction_counts(events, actors, level=level, top=6),
        )
    assert actor_profile.without_second_actor(pairs) == int(events["actor2"].isna().sum()) > 0
    busiest = str(actor_profile.events_by_actor(events).idxmax())
    pd.testing.assert_frame_equal(
        actor_profile.counterparts(actor_profile.involving(pairs, busiest, actors)),
        actor_profile.counterparts(actor_profile.involving(events, busiest, actors)),
    )


def test_the_state_narrowed_to_an_actor_keeps_the_events_it_took_part_in(dataset):
    events, actors = dataset.events, dataset.actors
    umbrella = "Islamic Resistance in Iraq"
    for state in (FilterState(), FilterState(countries=("Iraq",)), FilterState(actors=("IRGC",))):
        narrowed = actor_profile.involving_state(state, umbrella, actors)
        expected = actor_profile.involving(apply_filters(events, state, actors), umbrella, actors)
        assert len(expected) > 0
        assert list(apply_filters(events, narrowed, actors)["event_id"]) == list(expected["event_id"])
    assert actor_profile.involving_state(FilterState(actors=("US forces",)), umbrella, actors) is None
