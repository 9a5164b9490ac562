"""Figures drawn from the database's rows (and events in memory beside them) are the figures of all the events."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tensions.analysis.filters import FilterState, apply_filters
from tensions.bench.synthetic import synthetic_events
from tensions.data.guard import local_grant
from tensions.figures.map.builder import event_map
from tensions.figures.map.regions import FIT
from tensions.figures.map.selection import Target, events_in_target, place_of
from tensions.figures.stored import (
    counts_of_events,
    linked_event,
    listed_count,
    listed_events,
    map_counts,
    map_rows,
    timeline_rows,
    view_bounds,
)
from tensions.figures.timeline.builder import event_timeline
from tensions.ingest.importers import ImportResult
from tensions.ingest.importers.base import combine_events
from tensions.ingest.importers.reading import empty_rejected
from tensions.store import imported


@pytest.fixture(scope="module")
def stored_events() -> pd.DataFrame:
    return synthetic_events(6_000, seed=21)


@pytest.fixture(scope="module")
def in_memory() -> pd.DataFrame:
    events = synthetic_events(400, seed=22)
    events["event_id"] = "mem:" + events["event_id"].astype("string")
    return events


@pytest.fixture
def url(postgres_url, stored_events) -> str:
    result = ImportResult(
        "acled", "ACLED", "stored.csv", "synthetic", len(stored_events), stored_events, empty_rejected()
    )
    imported.save_import(postgres_url, result, grant=local_grant())
    return postgres_url


def _markers(fig) -> list[list[tuple]]:
    """Per trace, its markers as (lat, lon, hover text), in a fixed order: bubbles of equal size may come in
    either order."""
    return [
        sorted(
            zip(
                np.round(np.asarray(t.lat, dtype=float), 9),
                np.round(np.asarray(t.lon, dtype=float), 9),
                [""] * len(t.lat) if t.hovertext is None else list(t.hovertext),
                strict=True,
            )
        )
        for t in fig.data
        if t.lat is not None
    ]


@pytest.mark.parametrize("mode", ["points", "density", "provinces"])
@pytest.mark.parametrize("state", [FilterState(), FilterState(countries=("Oman", "Qatar"))])
def test_the_map_from_the_database_and_memory_is_the_map_of_all_the_events(url, stored_events, in_memory, mode, state):
    also = apply_filters(in_memory, state)
    every = apply_filters(combine_events([in_memory, stored_events]), state)
    found = map_rows(url, state, mode=mode, also=also)
    drawn, expected = event_map(found.rows, mode=mode, **found.options), event_map(every, mode=mode)
    assert _markers(drawn) == _markers(expected)
    assert drawn.layout.map.center == expected.layout.map.center and drawn.layout.map.zoom == expected.layout.map.zoom
    assert drawn.layout.meta["note"] == expected.layout.meta["note"]


def test_the_timelines_counts_from_the_database_and_memory_are_those_of_all_the_events(url, stored_events, in_memory):
    every = combine_events([in_memory, stored_events])
    found = event_timeline(timeline_rows(url, FilterState(), also=in_memory))
    expected = event_timeline(every)
    assert found.layout.meta["detailed"] is expected.layout.meta["detailed"] is False
    assert sorted(found.layout.meta["key_events"]) == sorted(expected.layout.meta["key_events"])
    bars = [(t.name, np.asarray(t.y).tolist()) for t in found.data if t.type in ("bar", "heatmap") and t.y is not None]
    assert bars == [
        (t.name, np.asarray(t.y).tolist()) for t in expected.data if t.type in ("bar", "heatmap") and t.y is not None
    ]


@pytest.mark.parametrize("mode", ["points", "density", "provinces"])
@pytest.mark.parametrize("region", [FIT, "Levant"])
def test_the_notes_under_the_map_count_the_database_and_memory_as_all_the_events(
    url, stored_events, in_memory, mode, region
):
    state = FilterState(event_types=("Battles", "Agreements", "Protests"))
    held = in_memory.copy()
    abroad = held.index[(held["event_type"] == "Battles").to_numpy()][:3]
    held.loc[abroad, ["latitude", "longitude"]] = (38.9, -77.0)  # held abroad: outside any view
    also = apply_filters(held, state)
    every = apply_filters(combine_events([held, stored_events]), state)
    drawn = map_rows(url, state, mode=mode, also=also)
    expected = counts_of_events(every, region)
    assert map_counts(url, state, view_bounds(region, drawn), also=also) == expected
    assert expected.outside > 0 and expected.imprecise > 0  # the notes have something to say


def test_a_cells_list_holds_the_newest_of_its_events_from_the_database_and_memory(url, stored_events, in_memory):
    state = FilterState(countries=("Iraq", "Syria"))
    every = apply_filters(combine_events([in_memory, stored_events]), state)
    for target in (Target("cell", "2.0:21:18"), Target("province", "Iraq\tDuhok")):
        expected = events_in_target(every, target).sort_values(
            ["event_date", "event_id"], ascending=[False, True], ignore_index=True
        )
        assert len(expected) > 10
        held = apply_filters(in_memory, state)
        rows = listed_events(url, state, limit=10, target=target, also=held)
        assert listed_count(url, state, target=target, also=held) == len(expected)
        assert rows["event_date"].tolist() == expected["event_date"].head(10).tolist()
        assert rows["dataset"].notna().all() and rows["notes"].notna().any()  # full records, to read one in full
        rows = listed_events(url, state, limit=len(every), target=target, also=held)
        assert sorted(rows["event_id"]) == sorted(expected["event_id"])


def test_a_linked_event_comes_with_the_newest_events_at_its_place_and_their_count(url, stored_events, in_memory):
    state = FilterState(countries=("Iraq", "Syria"))
    held = apply_filters(in_memory, state)
    every = apply_filters(combine_events([in_memory, stored_events]), state)
    at_places = every.groupby(["latitude", "longitude"])["event_id"].transform("size")
    for linked in (every[(at_places > 3).to_numpy() & every["event_id"].isin(stored_events["event_id"]).to_numpy()],
                   every[(at_places > 3).to_numpy() & every["event_id"].isin(held["event_id"]).to_numpy()]):  # fmt: skip
        event_id = linked["event_id"].iloc[0]
        there = events_in_target(every, place_of(linked.iloc[0])).sort_values(
            ["event_date", "event_id"], ascending=[False, True], ignore_index=True
        )
        event, rows, total = linked_event(url, state, event_id, limit=3, also=held)
        assert event["event_id"].tolist() == [event_id]
        assert total == len(there) > 3  # the count is not capped by the list's limit
        assert rows["event_date"].tolist() == there["event_date"].head(3).tolist()
    unplaced = held.head(1).assign(latitude=float("nan"), longitude=float("nan"))
    event, rows, total = linked_event(url, state, unplaced["event_id"].iloc[0], limit=3, also=unplaced)
    assert rows["event_id"].tolist() == event["event_id"].tolist() == unplaced["event_id"].tolist() and total == 1
    event, rows, total = linked_event(url, state, "no such event", limit=3)
    assert event.empty and rows.empty and total == 0
