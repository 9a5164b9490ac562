"""The figures' heavy lifting in SQL: a `FilterState` as a WHERE clause over `imported_facts`, and the sums
the figure builders draw from (`tensions.analysis.weighted`), so an app server reads a few thousand rows
whatever the number of events.

Each function answers for the imported events in the database at `url`; its pandas twin in
`tensions.analysis.weighted` (or `filters`) answers for events in memory, and tests/analysis/test_queries.py
holds the two to the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import sqlalchemy as sa

from tensions.analysis import actor_profile, tension, weighted
from tensions.analysis.filters import FilterState
from tensions.analysis.periods import Granularity
from tensions.data import taxonomy
from tensions.data.actors import with_descendants
from tensions.store.engine import copy_frame, engine_for, reaching
from tensions.store.imported import KEPT_CELL_SIZES, typed_events

# "Known only to its province or its month" (`tensions.analysis.filters.imprecise_mask`), unknown as not.
IMPRECISE = "coalesce(f.geo_precision = 3 OR f.time_precision = :month_number, false)"
# The first day of each date's period, as `tensions.analysis.periods` numbers them (weeks start on Monday).
PERIOD_START: Mapping[str, str] = {
    "week": "CAST(date_trunc('week', f.event_date) AS date)",
    "month": "CAST(date_trunc('month', f.event_date) AS date)",
    "day": "f.event_date",  # the index's inputs per day (`tension.index_inputs`): trends and baselines as exact
}
# The columns the figures group by, besides the places' own: the map's colours and the timeline's lanes.
GROUP_COLUMNS: tuple[str, ...] = ("event_type", "actor1_family", "theatre")
_SUMS = f"""
    count(*) AS {weighted.EVENTS},
    count(*) FILTER (WHERE f.fatalities IS NULL) AS {weighted.NOT_REPORTED},
    count(*) FILTER (WHERE f.fatalities > 0) AS {weighted.WITH_DEATHS},
    count(*) FILTER (WHERE {IMPRECISE}) AS {weighted.IMPRECISE},
    coalesce(sum(f.fatalities), 0) AS fatalities,
    min(f.event_date) AS event_date,
    max(f.event_date) AS {weighted.LAST_DATE}"""


def _kept_sums(imprecise: str) -> str:
    """The same sums over kept sums, `imprecise` counting their imprecise events."""
    return f"""
    sum(f.n_events) AS {weighted.EVENTS},
    sum(f.n_not_reported) AS {weighted.NOT_REPORTED},
    sum(f.n_with_deaths) AS {weighted.WITH_DEATHS},
    {imprecise} AS {weighted.IMPRECISE},
    sum(f.fatalities) AS fatalities,
    min(f.event_date) AS event_date,
    max(f.last_date) AS {weighted.LAST_DATE}"""


# Over the materialised views of migrations 0002, 0006 and 0007 (`imprecise` is a key there), and over the kept
# sums per pair of actors (migration 0007), which count the imprecise events instead.
_KEPT_SUMS = _kept_sums("coalesce(sum(f.n_events) FILTER (WHERE f.imprecise), 0)")
_KEPT_PAIR_SUMS = _kept_sums("sum(f.n_imprecise)")
# Settings for these queries: room to hash their groups in memory, and no JIT compilation (it costs more
# than it saves on queries of well under a second).
_SETTINGS = ("SET LOCAL work_mem = '128MB'", "SET LOCAL jit = off")


Bounds = tuple[float, float, float, float]  # (min_lon, min_lat, max_lon, max_lat), as the map's regions
Cell = tuple[float, int, int]  # a grid cell: its size in degrees, column and row (floor of lon, lat / size)
Place = tuple[float, float, float]  # a place: its latitude and longitude, and how near counts as the same (degrees)


@dataclass(frozen=True)
class Where:
    """A filter state as SQL over `imported_facts f`, with its parameters."""

    sql: str
    params: dict


def _numbers(connection: sa.Connection, names: Iterable[str]) -> list[int]:
    """The numbers of the names in `imported_names` (names never imported have none)."""
    rows = connection.execute(
        sa.text("SELECT id FROM imported_names WHERE name = ANY(CAST(:names AS text[]))"), {"names": sorted(names)}
    )
    return [row[0] for row in rows]


def where(
    connection: sa.Connection, state: FilterState, actors: pd.DataFrame | None = None, *, kept: bool = False
) -> Where:
    """`state` as a WHERE clause: what `tensions.analysis.filters.filter_mask` keeps, an umbrella actor
    keeping its factions. `kept`: over the kept sums, which hold every date and no actor (`uses_kept_sums`)."""
    month = _numbers(connection, ["month"])
    clauses, params = ["true"], {"month_number": month[0] if month else None}
    if state.start is not None and not kept:
        clauses.append("f.event_date >= :start")
        params["start"] = state.start
    if state.end is not None and not kept:
        clauses.append("f.event_date <= :end")
        params["end"] = state.end
    for column, values in (
        ("country", state.countries),
        ("event_type", state.event_types),
        ("dataset", state.datasets),
    ):
        if values:
            clauses.append(f"f.{column} = ANY(:{column})")
            params[column] = _numbers(connection, values)
    if state.actors:
        names = with_descendants(state.actors, actors) if actors is not None else set(state.actors)
        clauses.append("(f.actor1 = ANY(:actors) OR f.actor2 = ANY(:actors))")
        params["actors"] = _numbers(connection, names)
    if state.precise_only:
        clauses.append("NOT f.imprecise" if kept else f"NOT {IMPRECISE}")
    return Where(" AND ".join(clauses), params)


def uses_kept_sums(connection: sa.Connection, state: FilterState) -> bool:
    """True when `state` leaves out no actor and no imported date, so the kept sums answer it."""
    if state.actors:
        return False
    if state.start is None and state.end is None:
        return True
    first, last = connection.execute(sa.text("SELECT min(first_date), max(last_date) FROM imports")).one()
    return first is None or ((state.start is None or state.start <= first) and (state.end is None or state.end >= last))


def _tuned(connection: sa.Connection) -> None:
    for setting in _SETTINGS:
        connection.execute(sa.text(setting))


def _names(connection: sa.Connection, frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """`frame` with the name numbers in `columns` replaced by the names."""
    columns = [c for c in columns if c in frame]
    numbers = pd.unique(pd.concat([frame[c] for c in columns]).dropna()) if columns else []
    rows = connection.execute(
        sa.text("SELECT id, name FROM imported_names WHERE id = ANY(:ids)"), {"ids": [int(n) for n in numbers]}
    )
    names = {number: name for number, name in rows}
    return frame.assign(**{c: frame[c].map(names).astype("string") for c in columns})


def _dated(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as the datetimes the figures read; counts as integers."""
    for column in ("event_date", weighted.LAST_DATE):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[us]")
    for column in (*weighted.COUNT_COLUMNS, "fatalities"):
        frame[column] = frame[column].astype("int64")
    return frame


def count_events(
    url: str,
    state: FilterState,
    actors: pd.DataFrame | None = None,
    *,
    cell: Cell | None = None,
    province: tuple[str, str] | None = None,
    place: Place | None = None,
) -> int:
    """How many imported events pass `state` (in one grid cell, province or place, when given)."""
    with reaching(url), engine_for(url).connect() as connection:
        _tuned(connection)
        clause, area = where(connection, state, actors), _area(connection, cell, province, place)
        sql = f"SELECT count(*) FROM imported_facts f WHERE {clause.sql} AND {area.sql}"
        return int(connection.execute(sa.text(sql), {**clause.params, **area.params}).scalar())


def place_summary(
    url: str, state: FilterState, colour_by: str | None, actors: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The map's sums (`tensions.analysis.weighted.place_summary`) of the imported events passing `state`
    (`colour_by` None: per place alone, for the heat map)."""
    if colour_by is not None and colour_by not in GROUP_COLUMNS:
        raise ValueError(f"cannot colour by {colour_by!r}; choose one of {', '.join(GROUP_COLUMNS)}")
    keys = [*weighted.PLACE_KEYS, *([colour_by] if colour_by else [])]
    listed = ", ".join(f"f.{k}" for k in keys)
    with reaching(url), engine_for(url).connect() as connection:
        _tuned(connection)
        kept = colour_by in (None, "event_type") and uses_kept_sums(connection, state)
        clause = where(connection, state, actors, kept=kept)
        source, sums = ("imported_place_sums", _KEPT_SUMS) if kept else ("imported_facts", _SUMS)
        sql = (
            f"SELECT {listed}, {sums} FROM {source} f WHERE {clause.sql} "
            f"AND f.latitude IS NOT NULL AND f.longitude IS NOT NULL GROUP BY {listed}"
        )
        frame = copy_frame(connection, sql, clause.params)
        frame = _names(connection, frame, ["country", "admin1", *([colour_by] if colour_by else [])])
    return _dated(frame)


def _period_sums(
    connection: sa.Connection,
    state: FilterState,
    actors: pd.DataFrame | None,
    listed: str,
    granularity: Granularity,
    kept: str | None,
    *,
    facts: str = "true",
) -> tuple[str, dict]:
    """The SQL and parameters of the sums per `listed` columns and period of the imported events passing `state`:
    from the view of kept sums `kept` (per period) when it answers `state`, else from the facts meeting `facts`."""
    if kept is not None and uses_kept_sums(connection, state):
        clause = where(connection, state, actors, kept=True)
        return (
            f"SELECT {listed}, {_KEPT_SUMS} FROM {kept} f WHERE {clause.sql} GROUP BY {listed}, f.period",
            clause.params,
        )
    clause = where(connection, state, actors)
    sql = (
        f"SELECT {listed}, {_SUMS} FROM imported_facts f WHERE {clause.sql} AND {facts} "
        f"GROUP BY {listed}, {PERIOD_START[granularity]}"
    )
    return sql, clause.params


def period_summary(
    url: str, state: FilterState, lanes: str, granularity: Granularity, actors: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The timeline's sums (`tensions.analysis.weighted.period_summary`) of the imported events passing
    `state`, key events left out (the timeline draws them one by one: `events(..., key_only=True)`)."""
    if lanes not in GROUP_COLUMNS:
        raise ValueError(f"cannot lay lanes by {lanes!r}; choose one of {', '.join(GROUP_COLUMNS)}")
    keys = [lanes, "event_type", "time_precision"]
    listed = ", ".join(f"f.{k}" for k in keys)
    with reaching(url), engine_for(url).connect() as connection:
        _tuned(connection)
        kept = f"imported_{granularity}_sums" if lanes == "theatre" else None
        sql, params = _period_sums(connection, state, actors, listed, granularity, kept, facts="NOT f.is_key")
        frame = copy_frame(connection, sql, params)
        frame = _names(connection, frame, keys)
    return _dated(frame)


def events(
    url: str,
    state: FilterState,
    actors: pd.DataFrame | None = None,
    *,
    limit: int | None = None,
    key_only: bool = False,
) -> pd.DataFrame:
    """The imported events passing `state` in full, newest last (the first `limit` of them by date), in the
    columns and dtypes of imported events: for views small enough to draw one by one."""
    with reaching(url), engine_for(url).connect() as connection:
        _tuned(connection)
        clause = where(connection, state, actors)
        sql = (
            "SELECT e.* FROM imported_facts f JOIN imported_events e ON e.import_id = f.import_id AND e.seq = f.seq "
            f"WHERE {clause.sql}{' AND f.is_key' if key_only else ''} ORDER BY f.event_date, f.import_id, f.seq"
            + (" LIMIT :limit" if limit is not None else "")
        )
        frame = copy_frame(connection, sql, {**clause.params, "limit": limit}, text=True)
    return typed_events(frame)


def _area(
    connection: sa.Connection, cell: Cell | None, province: tuple[str, str] | None, place: Place | None = None
) -> Where:
    """A grid cell, a province or a place as SQL over `imported_facts f` (as `tensions.figures.map.selection` keys
    them: a province's empty admin1 stands for events with none)."""
    if place is not None:
        latitude, longitude, degrees = place
        return Where(
            "abs(f.latitude - :area_lat) <= :area_degrees AND abs(f.longitude - :area_lon) <= :area_degrees",
            {"area_lat": float(latitude), "area_lon": float(longitude), "area_degrees": float(degrees)},
        )
    if cell is not None:
        size, column, row = cell
        return Where(
            "floor(f.longitude / CAST(:area_size AS double precision)) = :area_column "
            "AND floor(f.latitude / CAST(:area_size AS double precision)) = :area_row",
            {"area_size": float(size), "area_column": column, "area_row": row},
        )
    if province is not None:
        country, admin1 = province
        params = {"area_country": _numbers(connection, [country]), "area_admin1": _numbers(connection, [admin1])}
        return Where(
            "f.country = ANY(:area_country) AND " + ("f.admin1 = ANY(:area_admin1)" if admin1 else "f.admin1 IS NULL"),
            params,
        )
    return Where("true", {})


def newest_events(
    url: str,
    state: FilterState,
    actors: pd.DataFrame | None = None,
    *,
    limit: int,
    cell: Cell | None = None,
    province: tuple[str, str] | None = None,
    place: Place | None = None,
) -> pd.DataFrame:
    """The newest `limit` imported events passing `state` (in one grid cell, province or place, when given) in
    full, newest first: a list or a download that stays bounded whatever the count (`count_events` gives it)."""
    with reaching(url), engine_for(url).connect() as connection:
        _tuned(connection)
        clause, area = where(connection, state, actors), _area(connection, cell, province, place)
        condition, params = f"{clause.sql} AND {area.sql}", {**clause.params, **area.params, "limit": limit}
        newest = "n.event_date DESC, n.import_id DESC, n.seq DESC"
        sql = (
            f"SELECT e.* FROM (SELECT f.import_id, f.seq, f.event_date FROM imported_facts f WHERE {condition} "
            f"ORDER BY {newest.replace('n.', 'f.')} LIMIT :limit) n "
            f"JOIN imported_events e ON e.import_id = n.import_id AND e.seq = n.seq ORDER BY {newest}"
        )
        frame = copy_frame(connection, sql, params, text=True)
    return typed_events(frame)


def event_by_id(url: str, state: FilterState, event_id: str, actors: pd.DataFrame | None = None) -> pd.DataFrame:
    """The imported event `event_id` in full, if it passes `state` (none or one row; of the newest import when
    several hold that id): a linked event, whatever the map draws."""
    with reaching(url), engine_for(url).connect() as connection:
        _tuned(connection)
        clause = where(connection, state, actors)
        sql = (
            "SELECT e.* FROM imported_events e JOIN imported_facts f ON f.import_id = e.import_id AND f.seq = e.seq "
            f"WHERE e.event_id = :event_id AND {clause.sql} ORDER BY e.import_id DESC LIMIT 1"
        )
        frame = copy_frame(connection, sql, {**clause.params, "event_id": event_id}, text=True)
    return typed_events(frame)


def map_counts(
    url: str, state: FilterState, bounds: Bounds, actors: pd.DataFrame | None = None
) -> tuple[int, int, int]:
    """For the notes under the map, of the imported events passing `state`: how many there are, how many are
    known only to their province or month (`imprecise_mask`), and how many are placed outside `bounds`
    (`tensions.figures.map.regions.outside`). From the kept sums when they answer `state` (per month for the
    counts, per place for those outside), else from the facts."""
    min_lon, min_lat, max_lon, max_lat = bounds
    bounds_params = {"min_lon": min_lon, "min_lat": min_lat, "max_lon": max_lon, "max_lat": max_lat}
    inside = "f.longitude >= :min_lon AND f.longitude <= :max_lon AND f.latitude >= :min_lat AND f.latitude <= :max_lat"
    with reaching(url), engine_for(url).connect() as connection:
        _tuned(connection)
        if uses_kept_sums(connection, state):
            clause = where(connection, state, kept=True)
            events, imprecise = connection.execute(
                sa.text(
                    "SELECT coalesce(sum(f.n_events), 0), coalesce(sum(f.n_events) FILTER (WHERE f.imprecise), 0) "
                    f"FROM imported_activity_sums f WHERE {clause.sql}"
                ),
                clause.params,
            ).one()
            outside = connection.execute(
                sa.text(
                    f"SELECT coalesce(sum(f.n_events), 0) FROM imported_place_sums f WHERE {clause.sql} AND NOT ({inside})"
                ),
                {**clause.params, **bounds_params},
            ).scalar()
        else:
            clause = where(connection, state, actors)
            sql = (
                f"SELECT count(*), count(*) FILTER (WHERE {IMPRECISE}), count(*) FILTER (WHERE f.latitude IS NOT NULL "
                f"AND f.longitude IS NOT NULL AND NOT ({inside})) FROM imported_facts f WHERE {clause.sql}"
            )
            events, imprecise, outside = connection.execute(sa.text(sql), {**clause.params, **bounds_params}).one()
    return int(events), int(imprecise), int(outside)


def _score_params(connection: sa.Connection, actors: pd.DataFrame) -> dict:
    """What `_SCORE` reads, per name number: the class of each actor (its position in `_SCORE_CLASSES`) and the
    weight of each event type; and the weight of each pair of classes, flattened. The arrays end at the highest
    number that is not the default (past their end, `_SCORE` reads the default)."""
    weights = tension.WEIGHTS
    numbers = dict(connection.execute(sa.text("SELECT name, id FROM imported_names")).all())
    other = _SCORE_CLASSES.index("other")
    classes = {
        numbers[name]: _SCORE_CLASSES.index(actor_class)
        for name, actor_class in tension.actor_classes(actors).items()
        if name in numbers and actor_class != "other"
    }
    weighted_types = {numbers[name]: float(weight) for name, weight in weights.event_type.items() if name in numbers}
    class_codes, type_weights = [other] * max(classes, default=0), [1.0] * max(weighted_types, default=0)
    for number, code in classes.items():
        class_codes[number - 1] = code
    for number, weight in weighted_types.items():
        type_weights[number - 1] = weight
    return {
        "class_codes": class_codes,
        "type_weights": type_weights,
        "pair_weights": [float(weights.pair_weight(a, b)) for a in _SCORE_CLASSES for b in _SCORE_CLASSES],
        "fatality_coefficient": float(weights.fatality_coefficient),
    }


# Each fact's score as `tension.event_scores` gives it, from `_score_params`: an array read at a name's number
# costs the same whatever the number of actors, where `= ANY(list)` per class cost seconds at ten million.
_SCORE_CLASSES: tuple[str, ...] = (*tension.ACTOR_CLASSES, tension.NO_SECOND_ACTOR)
_CLASS_OF = "coalesce((CAST(:class_codes AS int[]))[f.{column}], " + str(_SCORE_CLASSES.index("other")) + ")"
_SCORE = (
    "coalesce(f.escalation, 0) * coalesce((CAST(:type_weights AS double precision[]))[f.event_type], 1) "
    f"* (CAST(:pair_weights AS double precision[]))[1 + {len(_SCORE_CLASSES)} * {_CLASS_OF.format(column='actor1')} "
    f"+ CASE WHEN f.actor2 IS NULL THEN {_SCORE_CLASSES.index(tension.NO_SECOND_ACTOR)} "
    f"ELSE {_CLASS_OF.format(column='actor2')} END] "
    "* (1 + :fatality_coefficient * ln(CAST(1 + coalesce(f.fatalities, 0) AS double precision)))"
)


def index_summary(
    url: str,
    state: FilterState,
    actors: pd.DataFrame,
    granularity: Granularity | Literal["day"] = "month",
) -> pd.DataFrame:
    """The tension index's inputs for the imported events passing `state`, scored in SQL as
    `tensions.analysis.tension.index_inputs` scores them: per period, country and theatre, the events, their
    summed score and its escalatory and de-escalatory sides, which the index, its trends and baselines read as
    they read the events. A few thousand rows whatever the number of events."""
    escalatory, de_escalatory = tension.SCORE_SIDES
    with reaching(url), engine_for(url).connect() as connection:
        _tuned(connection)
        clause = where(connection, state, actors)
        params = {**clause.params, **_score_params(connection, actors)}
        # Every weight is positive, so an event's score has its direction's sign: summed apart per direction, each
        # score is computed once (not once per side), and a sum's sign says its side.
        sql = (
            f"SELECT g.country, g.theatre, sum(g.events) AS {weighted.EVENTS}, sum(g.score) AS {tension.SCORED}, "
            f"sum(greatest(g.score, 0)) AS {escalatory}, sum(least(g.score, 0)) AS {de_escalatory}, "
            f"min(g.event_date) AS event_date FROM (SELECT f.country, f.theatre, {PERIOD_START[granularity]} AS period, "
            f"count(*) AS events, sum({_SCORE}) AS score, min(f.event_date) AS event_date FROM imported_facts f "
            f"WHERE {clause.sql} GROUP BY 1, 2, 3, sign(coalesce(f.escalation, 0))) g "
            "GROUP BY g.country, g.theatre, g.period"
        )
        frame = copy_frame(connection, sql, params)
        frame = _names(connection, frame, ["country", "theatre"])
    frame["event_date"] = pd.to_datetime(frame["event_date"]).astype("datetime64[us]")
    # Typed also when no row came back (CSV gives untyped empty columns), as `index_inputs` types its sums.
    return frame.astype(
        {weighted.EVENTS: "int64", tension.SCORED: "float64"} | dict.fromkeys(tension.SCORE_SIDES, "float64")
    )


def _placed_source(connection: sa.Connection, state: FilterState, actors: pd.DataFrame | None):
    """Where the map's places come from (the kept sums per place when they answer `state`), the WHERE clause over
    it, and the expression of how many events a row stands for."""
    kept = uses_kept_sums(connection, state)
    clause = where(connection, state, actors, kept=kept)
    sql = f"{clause.sql} AND f.latitude IS NOT NULL AND f.longitude IS NOT NULL"
    return (
        ("imported_place_sums" if kept else "imported_facts"),
        Where(sql, clause.params),
        "f.n_events" if kept else "1",
    )


def _held_positions(also: pd.DataFrame | None) -> dict:
    """The placed events held in memory as SQL array parameters, for `_HELD`."""
    extra = also[(also["latitude"].notna() & also["longitude"].notna()).to_numpy()] if also is not None else None
    return {
        "also_lat": [] if extra is None else extra["latitude"].astype(float).tolist(),
        "also_lon": [] if extra is None else extra["longitude"].astype(float).tolist(),
    }


_HELD = "unnest(CAST(:also_lat AS double precision[]), CAST(:also_lon AS double precision[])) AS a(lat, lon)"


def _inside(lon: str, lat: str) -> str:
    """SQL: the position (`lon`, `lat`) lies inside the region."""
    min_lon, min_lat, max_lon, max_lat = taxonomy.REGION_BOUNDS
    return f"{lon} >= {min_lon} AND {lon} <= {max_lon} AND {lat} >= {min_lat} AND {lat} <= {max_lat}"


def grid_and_extent(
    url: str,
    state: FilterState,
    sizes: tuple[float, ...],
    max_cells: int,
    actors: pd.DataFrame | None = None,
    also: pd.DataFrame | None = None,
) -> tuple[float | None, Bounds | None, int]:
    """For the placed imported events passing `state` (with the events `also` held in memory): the finest of
    `sizes` whose grid has at most `max_cells` occupied cells, else the coarsest (as
    `tensions.figures.map.aggregate.finest_grid` chooses; None without sizes), the box the map's view fits
    (`tensions.figures.map.regions.fit_bounds`: the events inside the region, else all; None when no event is
    placed), and how many imported events are placed. Read from the kept sums per cell and per province when
    they answer `state` and hold `sizes`."""
    params = _held_positions(also)
    with reaching(url), engine_for(url).connect() as connection:
        _tuned(connection)
        if set(sizes) <= set(KEPT_CELL_SIZES) and uses_kept_sums(connection, state):
            clause = where(connection, state, kept=True)
            size = _kept_grid(connection, clause, sizes, max_cells, params)
            box, total = _kept_extent(connection, clause, params)
        else:
            cells, box, total = _grid_and_extent(connection, state, sizes, actors, params)
            size = next((s for s, n in zip(sizes, cells, strict=True) if n <= max_cells), sizes[-1] if sizes else None)
    inside_box, all_box = box[:4], box[4:]
    chosen = inside_box if inside_box[0] is not None else all_box
    extent = None if chosen[0] is None else (chosen[0], chosen[1], chosen[2], chosen[3])
    return size, extent, total


# The box of a set of positions: (min lon, min lat, max lon, max lat) of those inside the region, then of all.
_BOX = tuple((fn, c, inside) for inside in (True, False) for fn in ("min", "max") for c in ("longitude", "latitude"))


def _grid_and_extent(
    connection: sa.Connection, state: FilterState, sizes: tuple[float, ...], actors: pd.DataFrame | None, params: dict
) -> tuple[list[int], list, int]:
    """`grid_and_extent` from the places: occupied cells per size, the boxes, how many events."""
    source, clause, count = _placed_source(connection, state, actors)
    occupied = [
        f"count(DISTINCT (floor(p.longitude / CAST({size!r} AS double precision)), "
        f"floor(p.latitude / CAST({size!r} AS double precision))))"
        for size in sizes
    ]
    inside = _inside("p.longitude", "p.latitude")
    box = [f"{fn}(p.{c})" + (f" FILTER (WHERE {inside})" if within else "") for fn, c, within in _BOX]
    sql = (
        f"WITH p AS (SELECT f.latitude, f.longitude, sum({count}) AS n FROM {source} f WHERE {clause.sql} "
        f"GROUP BY 1, 2 UNION ALL SELECT lat, lon, 0 FROM {_HELD}) "
        f"SELECT {', '.join([*occupied, *box])}, coalesce(sum(p.n), 0) FROM p"
    )
    row = list(connection.execute(sa.text(sql), {**clause.params, **params}).one())
    return row[: len(sizes)], row[len(sizes) : -1], int(row[-1])


def _kept_grid(
    connection: sa.Connection, clause: Where, sizes: tuple[float, ...], max_cells: int, params: dict
) -> float | None:
    """The finest of `sizes` with at most `max_cells` occupied cells (else the coarsest), the events held in
    memory (`params`) included, from the kept sums per cell (migration 0006): each size's distinct cells come in
    index order and the query stops at one too many, so a grid too fine costs a few thousand cells."""
    lat, lon = np.asarray(params["also_lat"], dtype=float), np.asarray(params["also_lon"], dtype=float)
    sql = (
        f"SELECT DISTINCT f.cell_x, f.cell_y FROM imported_cell_sums f WHERE f.size = :size AND {clause.sql} "
        "LIMIT :too_many"
    )
    for size in sizes:
        found = connection.execute(sa.text(sql), {**clause.params, "size": size, "too_many": max_cells + 1})
        held = zip(np.floor(lon / size).tolist(), np.floor(lat / size).tolist(), strict=True)
        if len({*map(tuple, found), *held}) <= max_cells:
            return size
    return sizes[-1] if sizes else None


def _kept_extent(connection: sa.Connection, clause: Where, params: dict) -> tuple[list, int]:
    """The boxes and how many events `grid_and_extent` gives, from the kept sums per province (migration 0006)
    and the events held in memory (`params`)."""
    kept = [f"f.{fn}_{c}" + ("_inside" if within else "") for fn, c, within in _BOX]
    inside = _inside("a.lon", "a.lat")
    held = [f"CASE WHEN {inside} THEN a.{c[:3]} END" if within else f"a.{c[:3]}" for _, c, within in _BOX]
    sql = (
        f"SELECT {', '.join(f'{fn}(b.c{k})' for k, (fn, _, _) in enumerate(_BOX))}, coalesce(sum(b.n), 0) FROM ("
        f"SELECT {', '.join(f'{e} AS c{k}' for k, e in enumerate(kept))}, f.n_events AS n "
        f"FROM imported_province_sums f WHERE {clause.sql} UNION ALL SELECT {', '.join(held)}, 0 FROM {_HELD}) b"
    )
    row = list(connection.execute(sa.text(sql), {**clause.params, **params}).one())
    return row[:-1], int(row[-1])


def _grouped(
    url: str,
    state: FilterState,
    keys: tuple[str, ...],
    colour_by: str,
    actors: pd.DataFrame | None,
    params: dict,
    *,
    kept: tuple[str, tuple[str, ...], str] | None,
) -> pd.DataFrame:
    """The map's sums per `keys` (SQL expressions over `imported_facts f`, named as columns) and colour, each at
    its events' mean position: rows that stand for a grid cell's or a province's events. `kept`: the view of
    kept sums per such area, its keys and the condition choosing its rows, read when it answers `state`."""
    with reaching(url), engine_for(url).connect() as connection:
        _tuned(connection)
        from_kept = kept is not None and colour_by == "event_type" and uses_kept_sums(connection, state)
        clause = where(connection, state, actors, kept=from_kept)
        if from_kept:
            source, keys, condition = kept
            sums = f"{_KEPT_SUMS}, sum(f.latitude_sum) / sum(f.n_events) AS latitude, "
            sums += "sum(f.longitude_sum) / sum(f.n_events) AS longitude"
        else:
            source, condition = "imported_facts", "f.latitude IS NOT NULL AND f.longitude IS NOT NULL"
            sums = f"{_SUMS}, avg(f.latitude) AS latitude, avg(f.longitude) AS longitude"
        grouped = ", ".join([*keys, f"f.{colour_by}"])
        positions = ", ".join(str(k) for k in range(1, len(keys) + 2))
        sql = f"SELECT {grouped}, {sums} FROM {source} f WHERE {clause.sql} AND {condition} GROUP BY {positions}"
        frame = copy_frame(connection, sql, {**clause.params, **params})
        frame = _names(connection, frame, [c for c in ("country", "admin1", colour_by) if c in frame])
    return _dated(frame)


def cell_summary(
    url: str, state: FilterState, colour_by: str, size: float, actors: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The map's sums per grid cell of `size` degrees (as `finest_grid` bins) and colour, at the mean position
    of each cell's events: `event_map(rows, cell_sizes=(size,))` draws the cells the events would give."""
    keys = ("floor(f.longitude / CAST(:size AS double precision)) AS cell_x",
            "floor(f.latitude / CAST(:size AS double precision)) AS cell_y")  # fmt: skip
    kept = ("imported_cell_sums", ("f.cell_x", "f.cell_y"), "f.size = :size") if size in KEPT_CELL_SIZES else None
    frame = _grouped(url, state, keys, colour_by, actors, {"size": size}, kept=kept)
    for position, cell in (("longitude", "cell_x"), ("latitude", "cell_y")):
        frame[position] = _within_cells(frame[position].to_numpy(dtype=float), frame[cell].to_numpy(), size)
    return frame.drop(columns=["cell_x", "cell_y"])


def _within_cells(mean: np.ndarray, cell: np.ndarray, size: float) -> np.ndarray:
    """Mean positions moved, by the few units in the last place their rounding drifted, back inside their cells:
    a cell's events all on its lower edge (31.1° in the 0.05° cell 622) can average to just below it, and
    `finest_grid`, which bins these rows again by position, would put them in the cell beside."""
    mean = mean.copy()
    for _ in range(8):
        binned = np.floor(mean / size)
        if (binned == cell).all():
            break
        mean = np.where(
            binned < cell, np.nextafter(mean, np.inf), np.where(binned > cell, np.nextafter(mean, -np.inf), mean)
        )
    return mean


def province_summary(url: str, state: FilterState, colour_by: str, actors: pd.DataFrame | None = None) -> pd.DataFrame:
    """The map's sums per province (country, admin1) and colour, at the mean position of its events."""
    keys = ("f.country", "f.admin1")
    return _grouped(url, state, keys, colour_by, actors, {}, kept=("imported_province_sums", keys, "true"))


def activity_summary(url: str, state: FilterState, actors: pd.DataFrame | None = None) -> pd.DataFrame:
    """The Overview's sums (`tensions.analysis.weighted.activity_summary`) of the imported events passing `state`:
    per month, country and event type."""
    keys = list(weighted.ACTIVITY_KEYS)
    listed = ", ".join(f"f.{k}" for k in keys)
    with reaching(url), engine_for(url).connect() as connection:
        _tuned(connection)
        sql, params = _period_sums(connection, state, actors, listed, "month", "imported_activity_sums")
        frame = _names(connection, copy_frame(connection, sql, params), keys)
    return _dated(frame)


def pair_summary(url: str, state: FilterState, actors: pd.DataFrame | None = None) -> pd.DataFrame:
    """The Actors page's sums (`tensions.analysis.weighted.pair_summary`) of the imported events passing `state`:
    per first and second actor and their families (from the kept sums per pair and dataset when they answer
    `state`: no country, type or precision chosen either)."""
    keys = list(weighted.PAIR_KEYS)
    listed = ", ".join(f"f.{k}" for k in keys)
    with reaching(url), engine_for(url).connect() as connection:
        _tuned(connection)
        narrowed = state.countries or state.event_types or state.precise_only
        kept = not narrowed and uses_kept_sums(connection, state)
        clause = where(connection, state, actors, kept=kept)
        source, sums = ("imported_pair_sums", _KEPT_PAIR_SUMS) if kept else ("imported_facts", _SUMS)
        if kept:
            # Sum each pair's rows in the order of the kept sums' index (migration 0008): 0.25 s at ten million events
            # where the hash the planner prefers (it counts on fewer pairs than there are) took 0.55 s.
            connection.execute(sa.text("SET LOCAL enable_hashagg = off"))
        sql = f"SELECT {listed}, {sums} FROM {source} f WHERE {clause.sql} GROUP BY {listed}"
        frame = _names(connection, copy_frame(connection, sql, clause.params), keys)
    return _dated(frame)


def present_names(url: str, datasets: Iterable[str]) -> tuple[list[str], set[str]]:
    """The actors (first or second, sorted) and the event types of the imported events of `datasets`: what the
    sidebar offers to choose from (kept per dataset in `imported_present_names`, migration 0007)."""
    with reaching(url), engine_for(url).connect() as connection:
        chosen = {"datasets": _numbers(connection, datasets)}
        sql = (
            "SELECT n.name, k.kind FROM imported_present_names k JOIN imported_names n ON n.id = k.id "
            "WHERE k.dataset = ANY(:datasets)"
        )
        rows = connection.execute(sa.text(sql), chosen).all()
    return sorted({name for name, kind in rows if kind == "actor"}), {name for name, kind in rows if kind == "type"}


def role_summary(
    url: str, state: FilterState, names: Iterable[str], actors: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per month and role, the imported events passing `state` that one of `names` took part in, acting (the
    first actor is one of them) or acted on, as `tensions.analysis.actor_profile.involving` gives them their
    role: what an actor's activity over time counts (`actor_profile.activity_over_time`)."""
    acting, acted_on = actor_profile.ACTING, actor_profile.ACTED_ON
    with reaching(url), engine_for(url).connect() as connection:
        _tuned(connection)
        clause = where(connection, state, actors)
        params = {**clause.params, "names": _numbers(connection, names)}
        sql = (
            f"SELECT CASE WHEN f.actor1 = ANY(:names) THEN '{acting}' ELSE '{acted_on}' END AS role, {_SUMS} "
            f"FROM imported_facts f WHERE {clause.sql} AND (f.actor1 = ANY(:names) OR f.actor2 = ANY(:names)) "
            f"GROUP BY 1, {PERIOD_START['month']}"
        )
        frame = copy_frame(connection, sql, params)
    return _dated(frame)
