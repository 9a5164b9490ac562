"""The rows a figure draws from when imported events live in PostgreSQL: their sums, computed in SQL
(`tensions.analysis.queries`), or the events themselves when few enough to draw one by one. Either way an
app server reads thousands of rows, never the millions the database holds.
"""

from __future__ import annotations

import pandas as pd

from tensions.analysis import queries, weighted
from tensions.analysis.filters import FilterState
from tensions.analysis.periods import Granularity
from tensions.figures.map.encoding import MAX_DENSITY_POINTS, MAX_POINTS
from tensions.figures.timeline.style import MAX_MARKERS


def map_rows(
    url: str,
    state: FilterState,
    *,
    mode: str = "points",
    colour_by: str = "event_type",
    actors: pd.DataFrame | None = None,
    max_points: int = MAX_POINTS,
) -> pd.DataFrame:
    """What `event_map(rows, mode=mode, colour_by=colour_by)` needs: per-place sums, or the events when the
    mode draws them one by one (points up to `max_points`, density heat up to `MAX_DENSITY_POINTS`)."""
    sums = queries.place_summary(url, state, colour_by, actors)
    single = {"points": max_points, "density": MAX_DENSITY_POINTS}.get(mode, -1)
    if weighted.total_events(sums) <= single:
        return queries.events(url, state, actors)
    return sums


def timeline_rows(
    url: str,
    state: FilterState,
    *,
    lanes: str = "theatre",
    granularity: Granularity = "week",
    actors: pd.DataFrame | None = None,
    max_markers: int = MAX_MARKERS,
) -> pd.DataFrame:
    """What `event_timeline(rows, lanes=lanes, granularity=granularity)` needs: per-period sums plus the key
    events, or every event when there are no more than `max_markers`."""
    sums = queries.period_summary(url, state, lanes, granularity, actors)
    key = queries.events(url, state, actors, key_only=True)
    if weighted.total_events(sums) + len(key) <= max_markers:
        return queries.events(url, state, actors)
    return pd.concat([sums, weighted.one_each(key)], ignore_index=True)
