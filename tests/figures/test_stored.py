"""Figures drawn from the database's rows (and events in memory beside them) are the figures of all the events."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tensions.analysis.filters import FilterState, apply_filters
from tensions.bench.synthetic import synthetic_events
from tensions.data.guard import local_grant
from tensions.figures.map.builder import event_map
from tensions.figures.stored import map_rows, timeline_rows
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
