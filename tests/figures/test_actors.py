"""Actors figures: structure of the traces (not images), house colours, and escaped data strings."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from tensions.analysis import actor_profile
from tensions.data.load import load_dataset
from tensions.figures import actors as figures
from tensions.figures import theme
from tensions.figures.annotations import text_width

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def dataset(data_copy):
    return load_dataset(data_copy)


def test_the_tree_is_a_treemap_of_ids_and_parents_sized_by_own_events(dataset):
    tree = actor_profile.affiliation_tree(dataset.events, dataset.actors)
    fig = figures.affiliation_chart(tree)
    trace = fig.data[0]
    assert isinstance(trace, go.Treemap)
    assert trace.branchvalues == "remainder"
    position = list(trace.ids).index("actor/US forces")
    assert trace.parents[position] == "actor/United States"
    assert trace.values[position] == 3
    assert trace.marker.colors[position] == theme.ACTOR_FAMILY_COLOURS["US and partners"]


def test_the_tree_can_be_a_sunburst(dataset):
    tree = actor_profile.affiliation_tree(dataset.events, dataset.actors)
    assert isinstance(figures.affiliation_chart(tree, style="sunburst").data[0], go.Sunburst)


def test_actor_names_from_the_data_are_escaped_in_every_figure(dataset):
    actors = dataset.actors.copy()
    events = dataset.events.copy()
    actors.loc[actors["actor"] == "US forces", "actor"] = HOSTILE
    actors.loc[actors["parent"] == "US forces", "parent"] = HOSTILE
    for column in ("actor1", "actor2"):
        events[column] = events[column].replace("US forces", HOSTILE)
    tree = actor_profile.affiliation_tree(events, actors)
    labels = [label.replace("<br>", " ") for label in figures.affiliation_chart(tree).data[0].labels]
    assert "&lt;img src=x onerror=alert(1)&gt;" in labels and HOSTILE not in labels
    matrix = figures.interaction_matrix(actor_profile.interaction_counts(events))
    assert HOSTILE not in matrix.data[0].y and "&lt;img src=x onerror=alert(1)&gt;" in matrix.data[0].y
    involved = actor_profile.involving(events, "Islamic Resistance in Iraq", actors)
    bars = figures.counterparts_chart(actor_profile.counterparts(involved))
    assert list(bars.data[0].y) == ["&lt;img src=x onerror=alert(1)&gt;"]


def test_the_activity_chart_stacks_roles_under_a_fatalities_line(dataset):
    involved = actor_profile.involving(dataset.events, "Islamic Resistance in Iraq", dataset.actors)
    fig = figures.activity_chart(actor_profile.activity_over_time(involved))
    bars = [t for t in fig.data if isinstance(t, go.Bar)]
    assert [b.name for b in bars] == [actor_profile.ACTING, actor_profile.ACTED_ON]
    assert [b.marker.color for b in bars] == [theme.ROLE_COLOURS[actor_profile.ACTING],
                                             theme.ROLE_COLOURS[actor_profile.ACTED_ON]]  # fmt: skip
    assert fig.layout.barmode == "stack"
    line = next(t for t in fig.data if isinstance(t, go.Scatter))
    assert list(line.y) == [3, 0]  # January 2024: Tower 22's 3 deaths; January 2025: none reported


def test_the_counterparts_chart_puts_the_most_frequent_at_the_top():
    table = pd.DataFrame(
        {"counterpart": ["IDF", "US forces"], actor_profile.ACTING: [5, 1], actor_profile.ACTED_ON: [2, 0],
         "events": [7, 1]}
    )  # fmt: skip
    fig = figures.counterparts_chart(table)
    assert list(fig.data[0].y) == ["US forces", "IDF"]  # plotted bottom-up
    assert list(fig.data[0].x) == [1, 5] and list(fig.data[1].x) == [0, 2]


def test_the_matrix_puts_actor1_on_rows_and_actor2_on_columns():
    counts = pd.DataFrame(
        {"actor1": ["IDF", "IDF", "Hezbollah"], "actor2": ["Hezbollah", "Hamas", "IDF"], "events": [27, 8, 12]}
    )
    fig = figures.interaction_matrix(counts)
    heatmap = fig.data[0]
    assert list(heatmap.y) == ["IDF", "Hezbollah"]  # busiest source first
    assert list(heatmap.x) == ["Hezbollah", "IDF", "Hamas"]  # busiest target first
    assert heatmap.z[0][0] == 27 and heatmap.z[1][1] == 12
    assert heatmap.text[1][0] == ""  # Hezbollah never acted on itself: an empty cell, not 0


def test_every_tree_box_shows_its_count_and_small_labels_hide_instead_of_shrinking(dataset):
    fig = figures.affiliation_chart(actor_profile.affiliation_tree(dataset.events, dataset.actors))
    trace = fig.data[0]
    ids = list(trace.ids)
    # A box with children draws only its label in its header, so the label carries the count (4 events).
    united_states = ids.index("actor/United States")
    assert trace.labels[united_states] == "United States · 4 events"
    # A leaf shows its name, and its count on a second line.
    us_forces = ids.index("actor/US forces")
    assert trace.labels[us_forces] == "US forces"
    assert trace.texttemplate[us_forces] == "<b>%{label}</b><br>%{customdata[2]} events"
    assert int(trace.customdata[us_forces][2]) == 3
    assert fig.layout.uniformtext.minsize == figures.TREE_MIN_FONT >= 11
    assert fig.layout.uniformtext.mode == "hide"
    assert trace.maxdepth == 3  # families and two levels below them at once


def test_a_long_leaf_name_is_broken_into_short_lines_so_a_narrow_box_can_show_it(dataset):
    actors, events = dataset.actors.copy(), dataset.events.copy()
    long_name = "Popular Mobilization Forces of Iraq"
    actors.loc[actors["actor"] == "US forces", "actor"] = long_name
    for column in ("actor1", "actor2"):
        events[column] = events[column].replace("US forces", long_name)
    trace = figures.affiliation_chart(actor_profile.affiliation_tree(events, actors)).data[0]
    label = trace.labels[list(trace.ids).index(f"actor/{long_name}")]
    lines = label.split("<br>")
    assert " ".join(lines) == long_name and len(lines) >= 3
    assert all(text_width(line, figures.TREE_FONT, bold=True) <= figures.TREE_LINE_PX for line in lines)


def test_a_backed_group_names_its_backer_in_its_hover_card(dataset):
    tree = actor_profile.affiliation_tree(dataset.events, dataset.actors)
    trace = figures.affiliation_chart(tree).data[0]
    position = list(trace.ids).index("actor/Islamic Resistance in Iraq")
    assert trace.parents[position] == "family/Iran and the axis"
    assert trace.customdata[position][3] == "<br>backed by IRGC Quds Force"


def test_other_actors_come_last_in_the_matrix_however_many_events_they_hold():
    counts = pd.DataFrame(
        {
            "actor1": [actor_profile.OTHER_ACTORS, actor_profile.OTHER_ACTORS, "Israel", "Houthis"],
            "actor2": [actor_profile.OTHER_ACTORS, "Israel", "Hezbollah", "Israel"],
            "events": [74, 20, 33, 6],
        }
    )
    heatmap = figures.interaction_matrix(counts).data[0]
    assert list(heatmap.y) == ["Israel", "Houthis", actor_profile.OTHER_ACTORS]
    assert list(heatmap.x) == ["Hezbollah", "Israel", actor_profile.OTHER_ACTORS]
