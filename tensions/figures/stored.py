"""The rows a figure draws from when imported events live in PostgreSQL: their sums, computed in SQL
(`tensions.analysis.queries`), or the events themselves when few enough to draw one by one. Either way an
app server reads thousands of rows, never the millions the database holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from tensions.analysis import queries, weighted
from tensions.analysis.filters import FilterState, imprecise_mask
from tensions.analysis.periods import Granularity
from tensions.data.tags import is_key_event
from tensions.figures.map import regions, selection
from tensions.figures.map.encoding import CELL_SIZES, MAX_CELLS, MAX_DENSITY_POINTS, MAX_POINTS
from tensions.figures.timeline.style import MAX_MARKERS
from tensions.ingest.importers.base import combine_events

# The most events one download holds when the database's are among them (the newest): ~50 MB of CSV in memory.
EXPORT_LIMIT = 100_000


def capped_csv_note(total: int) -> str | None:
    """What a CSV of the `total` events passing the filters holds when some are the database's and they are more
    than `EXPORT_LIMIT` (None when it holds them all)."""
    if total <= EXPORT_LIMIT:
        return None
    return (
        f"The newest {EXPORT_LIMIT:,} of the {total:,} events these filters keep, every column (the database holds "
        "them all; narrow the filters for the rest)."
    )


@dataclass(frozen=True)
class MapRows:
    """What `event_map` draws: `event_map(rows, mode=…, colour_by=…, **options)` (options: the cell size and
    the events' extent, when the rows were summed per cell or province)."""

    rows: pd.DataFrame
    options: dict = field(default_factory=dict)


def _held(also: pd.DataFrame | None) -> tuple[pd.DataFrame | None, int]:
    """The events held in memory to draw beside the database's (None when there are none), and how many."""
    return (also, len(also)) if also is not None and len(also) else (None, 0)


def map_rows(
    url: str,
    state: FilterState,
    *,
    mode: str = "points",
    colour_by: str = "event_type",
    actors: pd.DataFrame | None = None,
    max_points: int = MAX_POINTS,
    also: pd.DataFrame | None = None,
) -> MapRows:
    """What `event_map(…, mode=mode, colour_by=colour_by)` needs: the events when the mode draws them one by one
    (points up to `max_points`, density heat up to `MAX_DENSITY_POINTS`), else sums: per grid cell for points
    (the cell size chosen over every event's place, as the map chooses it), per province, per place for heat.
    `also`: events held in memory that pass `state` (the curated ones), drawn with the database's."""
    extra, held = _held(also)
    if mode == "density":
        sums = queries.place_summary(url, state, None, actors)  # heat has no colours: sums per place alone
        if weighted.total_events(sums) + held <= MAX_DENSITY_POINTS:
            return MapRows(combine_events([extra, queries.events(url, state, actors)]))
        return MapRows(
            pd.concat([weighted.place_summary(extra, None), sums], ignore_index=True) if extra is not None else sums
        )
    sizes = CELL_SIZES if mode == "points" else ()
    size, extent, total = queries.grid_and_extent(url, state, sizes, MAX_CELLS, actors, also=extra)
    if mode == "points" and total + held <= max_points:
        return MapRows(combine_events([extra, queries.events(url, state, actors)]))
    if mode == "points":
        sums, options = queries.cell_summary(url, state, colour_by, size, actors), {"cell_sizes": (size,)}
    else:
        sums, options = queries.province_summary(url, state, colour_by, actors), {}
    if extra is not None:
        sums = pd.concat([weighted.place_summary(extra, colour_by), sums], ignore_index=True)
    return MapRows(sums, {**options, "extent": extent})


@dataclass(frozen=True)
class MapCounts:
    """The notes under the map: the events passing the filters, how many of them are placed outside the view,
    and how many are known only to their province or month."""

    events: int
    outside: int
    imprecise: int


def counts_of_events(events: pd.DataFrame, region: str | None) -> MapCounts:
    """`MapCounts` of events held in memory, the map opened on `region` (a preset's name, or fitted to them)."""
    return MapCounts(len(events), regions.outside_view(events, region), int(imprecise_mask(events).sum()))


def view_bounds(region: str | None, drawn: MapRows) -> regions.Bounds:
    """What the map drawn from `drawn` (`map_rows`) shows: the preset's bounds, or the box it fitted."""
    preset = regions.resolve_region(region)
    return preset.bounds if preset is not None else drawn.options.get("extent") or regions.fit_bounds(drawn.rows)


def map_counts(
    url: str,
    state: FilterState,
    bounds: regions.Bounds,
    *,
    actors: pd.DataFrame | None = None,
    also: pd.DataFrame | None = None,
) -> MapCounts:
    """`MapCounts` of the database's events passing `state` and the events `also` held in memory, for a map
    showing `bounds` (`view_bounds`)."""
    events, imprecise, outside = queries.map_counts(url, state, bounds, actors)
    extra, held = _held(also)
    if extra is None:
        return MapCounts(events, outside, imprecise)
    return MapCounts(
        events + held, outside + regions.outside(extra, bounds), imprecise + int(imprecise_mask(extra).sum())
    )


def _area_of(target: selection.Target | None) -> dict:
    """A clicked grid cell or province, or an event's place, as `queries.newest_events` and `queries.count_events`
    take it."""
    if target is not None and target.kind == "place":
        return {"place": selection.place_coordinates(target)}
    if target is not None and target.kind == "cell":
        return {"cell": selection.cell_of(target)}
    if target is not None and target.kind == "province":
        return {"province": selection.province_of(target)}
    return {}


def _held_in(also: pd.DataFrame | None, target: selection.Target | None) -> pd.DataFrame | None:
    """The events held in memory (`also`) in the clicked cell or province (or at an event's place), or all of them
    without a target."""
    extra, _ = _held(also)
    return selection.events_in_target(extra, target) if extra is not None and target is not None else extra


def listed_events(
    url: str,
    state: FilterState,
    *,
    limit: int,
    target: selection.Target | None = None,
    actors: pd.DataFrame | None = None,
    also: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The newest `limit` events passing `state` (in a clicked grid cell or province, or at an event's place, when
    given), the database's and those `also` held in memory, newest first: the database is asked for its newest
    `limit` alone, so a list or download stays bounded however many events pass (`listed_count` says how many)."""
    found = queries.newest_events(url, state, actors, limit=limit, **_area_of(target))
    extra = _held_in(also, target)
    if extra is None or extra.empty:
        return found
    rows = combine_events([extra, found]).sort_values(["event_date", "event_id"], ascending=[False, True])
    return rows.head(limit).reset_index(drop=True)


def listed_count(
    url: str,
    state: FilterState,
    *,
    target: selection.Target | None = None,
    actors: pd.DataFrame | None = None,
    also: pd.DataFrame | None = None,
) -> int:
    """How many events `listed_events` chooses its newest from."""
    extra = _held_in(also, target)
    return queries.count_events(url, state, actors, **_area_of(target)) + (0 if extra is None else len(extra))


def linked_event(
    url: str,
    state: FilterState,
    event_id: str,
    *,
    limit: int,
    actors: pd.DataFrame | None = None,
    also: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """A linked event (`event=`) where the map draws cells or provinces: the event `event_id` passing `state`
    (among those `also` held in memory, else the database's; none or one row), the newest `limit` events at its
    place (itself included; itself alone when it has no coordinates) and how many there are."""
    extra, _ = _held(also)
    event = selection.events_in_target(extra, selection.Target("event", event_id)) if extra is not None else None
    if event is None or event.empty:
        event = queries.event_by_id(url, state, event_id, actors)
    event = event.head(1)
    if event.empty or not selection.is_placed(event):
        return event, event, len(event)
    place = selection.place_of(event.iloc[0])
    return (
        event,
        listed_events(url, state, limit=limit, target=place, actors=actors, also=also),
        listed_count(url, state, target=place, actors=actors, also=also),
    )


def timeline_rows(
    url: str,
    state: FilterState,
    *,
    lanes: str = "theatre",
    granularity: Granularity = "week",
    actors: pd.DataFrame | None = None,
    max_markers: int = MAX_MARKERS,
    also: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """What `event_timeline(rows, lanes=lanes, granularity=granularity)` needs: per-period sums plus the key
    events, or every event when there are no more than `max_markers`. `also`: as for `map_rows`."""
    sums = queries.period_summary(url, state, lanes, granularity, actors)
    key = queries.events(url, state, actors, key_only=True)
    extra, held = _held(also)
    if weighted.total_events(sums) + len(key) + held <= max_markers:
        return combine_events([extra, queries.events(url, state, actors)])
    parts = [sums, weighted.one_each(key)]
    if extra is not None:
        extra_key = is_key_event(extra).to_numpy()
        parts += [weighted.period_summary(extra[~extra_key], lanes, granularity), weighted.one_each(extra[extra_key])]
    return pd.concat(parts, ignore_index=True)
