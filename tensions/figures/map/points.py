"""Single events as markers fanned out around their place, and above `max_points` grid cells instead."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tensions.analysis import weighted
from tensions.analysis.filters import imprecise_mask
from tensions.data.literal import plotly_literal
from tensions.figures import theme
from tensions.figures.hover import hover_cards
from tensions.figures.map import regions
from tensions.figures.map.aggregate import (
    aggregate_groups,
    bubble_sizes,
    bubble_traces,
    count_stops,
    deaths_line,
    finest_grid,
)
from tensions.figures.map.encoding import (
    BASE_SIZE,
    CELL_SIZES,
    GOLDEN_ANGLE,
    HOLE_SHARE,
    JITTER_DEGREES,
    JITTER_PIXELS,
    MARKER_OPACITY,
    MAX_CELLS,
    MAX_FAN_DEGREES,
    MAX_POINTS,
    MAX_SIZE,
    RIM_PIXELS,
    SIZE_PER_ROOT_DEATH,
    category_codes,
    category_colour,
    category_order,
)

POINTS_KEY = (
    "Marker size: reported deaths; a dark rim marks a reported figure (no rim: not reported).<br>"
    "Hollow: known only to the province or the month. Events at the same place are fanned out around it."
)
CELL_SIZES_PIXELS = (6.0, 30.0)  # the smallest and largest cell bubble
_CELLS_KEY = (
    "Each bubble groups the events in a {cell}° grid cell, at their mean position;<br>"
    "size: number of events; colour: the most frequent {colour}."
)


def marker_sizes(fatalities: pd.Series) -> np.ndarray:
    """Marker diameters in pixels: the base size for none or unknown, growing with reported deaths."""
    deaths = np.nan_to_num(fatalities.astype("Float64").to_numpy(dtype=float, na_value=np.nan), nan=0.0)
    return np.minimum(BASE_SIZE + SIZE_PER_ROOT_DEATH * np.sqrt(np.maximum(deaths, 0)), MAX_SIZE)


def death_stops() -> list[tuple[str, float]]:
    """The size key of single events: no reported figure, two tolls, and the toll from which markers stop growing."""
    capped = math.ceil(((MAX_SIZE - BASE_SIZE) / SIZE_PER_ROOT_DEATH) ** 2)
    deaths = [0, 10, 50, capped]
    sizes = marker_sizes(pd.Series(deaths, dtype="Float64"))
    labels = ["none or not reported", "10 deaths", "50 deaths", f"{capped:,} or more"]
    return [(label, float(size)) for label, size in zip(labels, sizes, strict=True)]


def fan_out(events: pd.DataFrame, *, step: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Latitudes and longitudes with events at the same place spread on a spiral around it (the first
    stays on the place), and how many events share each place."""
    lat = events["latitude"].to_numpy(dtype=float)
    lon = events["longitude"].to_numpy(dtype=float)
    places = pd.DataFrame({"lat": np.round(lat, 4), "lon": np.round(lon, 4)})
    groups = places.groupby(["lat", "lon"], sort=False)
    rank = groups.cumcount().to_numpy()
    count = groups["lat"].transform("size").to_numpy()
    # A place's spiral never reaches beyond `MAX_FAN_DEGREES`: a busy city's events stay around the city
    # (packed tighter) instead of spilling over the province.
    radius = np.minimum(step, MAX_FAN_DEGREES / np.sqrt(np.maximum(count - 1, 1))) * np.sqrt(rank)
    angle = rank * GOLDEN_ANGLE
    lat_out = np.clip(lat + radius * np.sin(angle), -85, 85)
    lon_out = lon + radius * np.cos(angle) / np.maximum(np.cos(np.radians(lat)), 0.2)
    return lat_out, lon_out, count


def _jitter_step(view: regions.View) -> float:
    degrees = JITTER_PIXELS * 360 / (regions.TILE_PIXELS * 2**view.zoom)
    return float(np.clip(degrees, *JITTER_DEGREES))


def point_traces(events: pd.DataFrame, colour_by: str, view: regions.View) -> list[go.Scattermap]:
    """Three layers per category, linked by legend group so the legend hides all three: a dark rim under
    events with a reported death toll, the coloured marker, and a white hole over imprecise events."""
    if events.empty:
        return []
    lat, lon, count = fan_out(events, step=_jitter_step(view))
    size = marker_sizes(events["fatalities"])
    reported = events["fatalities"].notna().to_numpy()
    imprecise = imprecise_mask(events).to_numpy()
    cards = hover_cards(events).to_numpy(dtype=object)
    shared = np.where(
        count > 1, [f"<br><i>One of {n} events at this place (fanned out around it)</i>" for n in count], ""
    )
    cards = cards + shared
    ids = events["event_id"].astype("string").to_numpy(dtype=object)
    order = category_order(colour_by, events[colour_by])
    codes = category_codes(events[colour_by], order)
    rims, markers, holes = [], [], []
    for index, name in enumerate(order):
        mask = codes == index
        if not mask.any():
            continue
        colour = category_colour(colour_by, name)
        common = {"legendgroup": name, "mode": "markers", "showlegend": False, "hoverinfo": "skip"}
        rim = mask & reported
        if rim.any():
            rims.append(
                go.Scattermap(
                    lat=lat[rim], lon=lon[rim], marker={"size": size[rim] + RIM_PIXELS, "color": theme.TEXT_COLOUR},
                    name=f"{name} (rim)", **common,
                )
            )  # fmt: skip
        markers.append(
            go.Scattermap(
                lat=lat[mask],
                lon=lon[mask],
                mode="markers",
                name=plotly_literal(name),
                legendgroup=name,
                marker={"size": size[mask], "color": colour, "opacity": MARKER_OPACITY},
                customdata=np.column_stack([np.full(mask.sum(), "event", dtype=object), ids[mask]]),
                hovertext=cards[mask],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
        hole = mask & imprecise
        if hole.any():
            holes.append(
                go.Scattermap(
                    lat=lat[hole], lon=lon[hole],
                    marker={"size": np.maximum(size[hole] * HOLE_SHARE, 3.0), "color": theme.BACKGROUND},
                    name=f"{name} (imprecise)", **common,
                )
            )  # fmt: skip
    return [*rims, *markers, *holes]


def cell_traces(
    events: pd.DataFrame, colour_by: str, *, sizes: tuple[float, ...] = CELL_SIZES
) -> tuple[list[go.Scattermap], str, str, list[tuple[str, float]]]:
    """Events grouped into the finest grid of `sizes` with at most `MAX_CELLS` cells: traces, key, note and
    size key."""
    lat = events["latitude"].to_numpy(dtype=float)
    lon = events["longitude"].to_numpy(dtype=float)
    grid = finest_grid(lat, lon, sizes, MAX_CELLS)
    groups, _, order = aggregate_groups(events, grid.cell, grid.cells, colour_by)
    columns, rows = grid.column_row(groups["group"].to_numpy())
    size = grid.size
    groups["key"] = [f"{size}:{x}:{y}" for x, y in zip(columns.tolist(), rows.tolist(), strict=True)]
    km = round(size * 111)
    groups["hover"] = [
        f"<b>{n:,} events</b> in this {size}° cell (about {km} km across)"
        f"<br>{plotly_literal(breakdown)}<br>{deaths_line(deaths, unknown)}"
        + (f"<br>{imprecise:,} known only to the province or the month" if imprecise else "")
        + "<br><i>Click to list them; zoom in or narrow the filters to see single events</i>"
        for n, breakdown, deaths, unknown, imprecise in zip(
            *(groups[c].tolist() for c in ("events", "breakdown", "deaths", "not_reported", "imprecise")), strict=True
        )
    ]
    sizes = {"smallest": CELL_SIZES_PIXELS[0], "largest": CELL_SIZES_PIXELS[1]}
    traces = bubble_traces(groups, order, colour_by, "cell", bubble_sizes(groups["events"], **sizes))
    note = (
        f"{weighted.total_events(events):,} events are too many to draw one by one (the limit is {MAX_POINTS:,}): "
        f"they are grouped into {len(groups):,} cells of {size}°. Narrow the filters or pick a region to see single events."
    )
    return traces, _CELLS_KEY.replace("{cell}", f"{size}"), note, count_stops(groups["events"], **sizes)
