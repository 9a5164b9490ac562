"""The event map: points, density heat or province totals on the offline Natural Earth basemap.

Every trace is a MapLibre (WebGL) trace over `map_style="white-bg"` with the shipped basemap as GeoJSON
layers, so the map needs nothing from the network. The payload stays bounded as events grow: above
`max_points` events the points mode groups events into grid cells, and density heat is binned above
`MAX_DENSITY_POINTS`. Each clickable marker carries `customdata = [kind, key]` ("event", "cell" or
"province"); `selection_target` and `events_in_target` turn a click back into events.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tensions.analysis.filters import imprecise_mask
from tensions.figures import basemap as basemap_module
from tensions.figures import regions, theme
from tensions.figures.hover import hover_cards

MODES: tuple[str, ...] = ("points", "density", "provinces")
MODE_LABELS: dict[str, str] = {"points": "Events", "density": "Density", "provinces": "Provinces"}
COLOUR_BY: tuple[str, ...] = ("event_type", "actor1_family")
COLOUR_BY_LABELS: dict[str, str] = {"event_type": "Event type", "actor1_family": "Actor family"}
DENSITY_WEIGHTS: tuple[str, ...] = ("events", "fatalities")
DENSITY_WEIGHT_LABELS: dict[str, str] = {"events": "Events", "fatalities": "Reported deaths"}
UNKNOWN = "Unknown"

# Above this many events the points mode groups them into cells: each single event carries a hover card
# of ~0.6 kB, so 3,000 cards keep the figure near 2 MB.
MAX_POINTS = 3_000
MAX_CELLS = 3_000
CELL_SIZES = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
MAX_DENSITY_POINTS = 20_000
MAX_DENSITY_CELLS = 40_000
DENSITY_CELL_SIZES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0)
DENSITY_RADIUS = 18
DENSITY_SCALE_CELL = 0.25
DENSE_IDS = 4_000_000  # group ids up to this are counted in an array (32 MB); beyond, through a hash table
DENSITY_SCALE_SHARE = 0.25  # MapLibre's kernel peaks well below the summed weight
MAP_HEIGHT = regions.MAP_HEIGHT
LEGEND_PIXELS = 240  # the legend's width to the right of the map
KEY_PIXELS = 52  # the key and attribution under the map

# Marker sizes in pixels: a reported death toll grows the marker with its square root (area ~ deaths).
BASE_SIZE = 8.0
SIZE_PER_ROOT_DEATH = 2.6
MAX_SIZE = 36.0
RIM_PIXELS = 3.0
HOLE_SHARE = 0.5
MARKER_OPACITY = 0.9
# Events at one place are fanned out on a sunflower spiral, `JITTER_PIXELS` apart at the opening zoom.
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
JITTER_PIXELS = 4.0
JITTER_DEGREES = (0.01, 0.05)


@dataclass(frozen=True)
class Target:
    """What a click on the map picked: one event, a grid cell or a province."""

    kind: str
    key: str


# --- the public builder ---------------------------------------------------------------------------


def event_map(
    events: pd.DataFrame,
    *,
    mode: str = "points",
    colour_by: str = "event_type",
    region: str | regions.Region | None = None,
    places: pd.DataFrame | None = None,
    density_weight: str = "events",
    max_points: int = MAX_POINTS,
    height: int = MAP_HEIGHT,
    width: int | None = None,
    title: str | None = None,
    basemap: basemap_module.Basemap | None = None,
) -> go.Figure:
    """Events on the offline basemap as points, density heat or per-province bubbles, framed by `region`."""
    if mode not in MODES:
        raise ValueError(f"unknown map mode {mode!r}; choose one of {', '.join(MODES)}")
    if colour_by not in COLOUR_BY:
        raise ValueError(f"unknown colour {colour_by!r}; choose one of {', '.join(COLOUR_BY)}")
    if density_weight not in DENSITY_WEIGHTS:
        raise ValueError(f"unknown density weight {density_weight!r}; choose one of {', '.join(DENSITY_WEIGHTS)}")
    placed = events[(events["latitude"].notna() & events["longitude"].notna()).to_numpy()]
    # The view is fitted to the map's own area: the figure less the legend on the right (no legend in
    # density mode), the title and the key underneath.
    map_width = (width or regions.MAP_WIDTH) - (LEGEND_PIXELS if mode != "density" else 0)
    map_height = height - _top_margin(title) - KEY_PIXELS
    view = regions.view_for(placed, region, width=map_width, height=map_height)
    note = ""
    if mode == "points" and len(placed) > max_points:
        traces, key, note = _cell_traces(placed, colour_by)
    elif mode == "points":
        traces, key = _point_traces(placed, colour_by, view), _POINTS_KEY
    elif mode == "density":
        traces, key, note = _density_traces(placed, density_weight)
    else:
        traces, key = _province_traces(placed, colour_by, places), _PROVINCES_KEY
    key = key.format(colour=COLOUR_BY_LABELS[colour_by].lower())
    layout = _layout(view, height=height, width=width, title=title, key=key, basemap=basemap)
    layout["legend"]["title"] = {"text": COLOUR_BY_LABELS[colour_by] + ":"}
    # Plotly hides the legend of a one-trace figure; a map coloured by one type still needs its key.
    layout["showlegend"] = mode != "density"
    layout["meta"] = {"mode": mode, "aggregated": bool(note) and mode == "points", "note": note}
    return go.Figure(data=traces, layout=layout)


def _top_margin(title: str | None) -> int:
    return 56 if title else 28


def _layout(
    view: regions.View,
    *,
    height: int,
    width: int | None,
    title: str | None,
    key: str,
    basemap: basemap_module.Basemap | None,
) -> dict:
    """The map's layout in one dict (Plotly copies the layout on every update, so it is set once).

    It follows `theme.style_figure` for font, background, legend and hover labels, without its
    template and axes, which a map does not use.
    """
    return {
        "map": {
            "style": basemap_module.MAP_STYLE,
            "layers": basemap_module.map_layers(basemap),
            "center": {"lat": view.lat, "lon": view.lon},
            "zoom": view.zoom,
            # A new view (preset or filters) re-frames the map; a rerun with the same view keeps the
            # user's own pan and zoom.
            "uirevision": f"{view.lat},{view.lon},{view.zoom}",
        },
        "height": height,
        "width": width,
        "font": {"family": theme.FONT_FAMILY, "size": 13, "color": theme.TEXT_COLOUR},
        "paper_bgcolor": theme.BACKGROUND,
        "margin": {"l": 0, "r": 0, "t": _top_margin(title), "b": KEY_PIXELS},
        "title": {"text": html.escape(title), "x": 0, "xanchor": "left", "font": {"size": 15}} if title else None,
        # A vertical key to the right of the map, so the map's height does not depend on how many rows
        # a horizontal legend would wrap into.
        "legend": {
            "orientation": "v",
            "yanchor": "top",
            "y": 1.0,
            "xanchor": "left",
            "x": 1.0,
            "itemsizing": "constant",
            "bgcolor": theme.BACKGROUND,
        },
        "hoverlabel": {
            "bgcolor": theme.BACKGROUND,
            "font": {"family": theme.FONT_FAMILY, "size": 12, "color": theme.TEXT_COLOUR},
            "align": "left",
        },
        "clickmode": "event+select",
        "dragmode": "pan",
        "annotations": [
            {
                # The key and the attribution sit under the map, inside the figure, so a PNG carries them.
                "text": f"{key}<br>Basemap: {basemap_module.SHORT_ATTRIBUTION} (public domain)",
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 0,
                "yshift": -4,
                "xanchor": "left",
                "yanchor": "top",
                "align": "left",
                "showarrow": False,
                "font": {"size": 11, "color": theme.MUTED_TEXT_COLOUR},
            }
        ],
    }


_POINTS_KEY = (
    "Marker size: reported deaths; a dark rim marks a reported figure (no rim: not reported). "
    "Hollow: known only to the province or the month.<br>"
    "Events at the same place are fanned out around it; the hover card gives the place."
)
_CELLS_KEY = (
    "Each bubble groups the events in a {cell}° grid cell, at their mean position; "
    "size: number of events; colour: the most frequent {colour}."
)
_PROVINCES_KEY = (
    "Bubble size: events per province (admin 1), drawn at the province's gazetteer point, "
    "else at the mean of its events; colour: the most frequent {colour}."
)
_DENSITY_KEY = "Heat: where events cluster, weighted by {weight}."


# --- colours and categories -----------------------------------------------------------------------


def _category_order(colour_by: str, values: pd.Series) -> list[str]:
    """The house order of the colour column's categories, then any unexpected ones, then Unknown."""
    order = list(theme.CATEGORY_ORDERS[colour_by])
    present = values.cat.categories if isinstance(values.dtype, pd.CategoricalDtype) else values.dropna().unique()
    extra = sorted(str(v) for v in present if str(v) not in order)
    return [*order, *extra, UNKNOWN]


def _category_codes(values: pd.Series, order: list[str]) -> np.ndarray:
    """Each value's position in `order` (missing or unexpected values: Unknown), without a Python loop per row."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, categories = values.cat.codes.to_numpy(), values.cat.categories
    else:
        codes, categories = pd.factorize(values, use_na_sentinel=True)
    position = {name: i for i, name in enumerate(order)}
    unknown = len(order) - 1
    remap = np.array([position.get(str(c), unknown) for c in categories] + [unknown], dtype=np.int64)
    return remap[np.where(codes < 0, len(categories), codes)]


def _colour(colour_by: str, name: str) -> str:
    return theme.COLOURS_BY_COLUMN[colour_by].get(name, theme.UNKNOWN_COLOUR)


# --- single events --------------------------------------------------------------------------------


def marker_sizes(fatalities: pd.Series) -> np.ndarray:
    """Marker diameters in pixels: the base size for none or unknown, growing with reported deaths."""
    deaths = np.nan_to_num(fatalities.astype("Float64").to_numpy(dtype=float, na_value=np.nan), nan=0.0)
    return np.minimum(BASE_SIZE + SIZE_PER_ROOT_DEATH * np.sqrt(np.maximum(deaths, 0)), MAX_SIZE)


def fan_out(events: pd.DataFrame, *, step: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Latitudes and longitudes with events at the same place spread on a spiral around it (the first
    stays on the place), and how many events share each place."""
    lat = events["latitude"].to_numpy(dtype=float)
    lon = events["longitude"].to_numpy(dtype=float)
    places = pd.DataFrame({"lat": np.round(lat, 4), "lon": np.round(lon, 4)})
    groups = places.groupby(["lat", "lon"], sort=False)
    rank = groups.cumcount().to_numpy()
    count = groups["lat"].transform("size").to_numpy()
    radius = step * np.sqrt(rank)
    angle = rank * GOLDEN_ANGLE
    lat_out = np.clip(lat + radius * np.sin(angle), -85, 85)
    lon_out = lon + radius * np.cos(angle) / np.maximum(np.cos(np.radians(lat)), 0.2)
    return lat_out, lon_out, count


def _jitter_step(view: regions.View) -> float:
    degrees = JITTER_PIXELS * 360 / (regions.TILE_PIXELS * 2**view.zoom)
    return float(np.clip(degrees, *JITTER_DEGREES))


def _point_traces(events: pd.DataFrame, colour_by: str, view: regions.View) -> list[go.Scattermap]:
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
    order = _category_order(colour_by, events[colour_by])
    codes = _category_codes(events[colour_by], order)
    rims, markers, holes = [], [], []
    for index, name in enumerate(order):
        mask = codes == index
        if not mask.any():
            continue
        colour = _colour(colour_by, name)
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
                name=html.escape(name),
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


# --- aggregation shared by cells, density bins and provinces --------------------------------------


@dataclass(frozen=True)
class _Grid:
    """Events binned into square cells of `size` degrees: each event's cell id, and how to undo it."""

    size: float
    cell: np.ndarray  # (column - x0) * rows + (row - y0), never negative
    cells: int  # how many ids the grid could use
    x0: int
    y0: int
    rows: int

    def column_row(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Column and row (floor of lon / size, lat / size) of cell ids."""
        return ids // self.rows + self.x0, ids % self.rows + self.y0


def _grid(lat: np.ndarray, lon: np.ndarray, sizes: tuple[float, ...], max_cells: int) -> _Grid:
    """The finest grid of `sizes` (degrees) with at most `max_cells` non-empty cells (else the coarsest)."""
    for size in sizes:
        ix = np.floor(lon / size).astype(np.int64)
        iy = np.floor(lat / size).astype(np.int64)
        x0, y0 = int(ix.min()), int(iy.min())
        rows = int(iy.max()) - y0 + 1
        grid = _Grid(size, (ix - x0) * rows + (iy - y0), (int(ix.max()) - x0 + 1) * rows, x0, y0, rows)
        if _occupied(grid.cell, grid.cells) <= max_cells or size == sizes[-1]:
            return grid
    raise AssertionError("unreachable: the last size is always accepted")


def _occupied(group: np.ndarray, ids: int) -> int:
    """How many distinct group ids in [0, ids) occur."""
    if ids <= DENSE_IDS:
        return int(np.count_nonzero(np.bincount(group, minlength=ids)))
    return len(pd.unique(group))


def _group_codes(group: np.ndarray, ids: int) -> tuple[np.ndarray, np.ndarray]:
    """For group ids in [0, ids): each row's code (0…n-1) and the n ids that occur, in ascending order."""
    if ids <= DENSE_IDS:
        occupied = np.flatnonzero(np.bincount(group, minlength=ids))
        lookup = np.empty(ids, dtype=np.int64)
        lookup[occupied] = np.arange(len(occupied))
        return lookup[group], occupied
    codes, uniques = pd.factorize(group, sort=True)
    return codes, np.asarray(uniques)


def _aggregate(
    events: pd.DataFrame, group: np.ndarray, ids: int, colour_by: str | None
) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Per group: events, mean position, reported deaths, events with no figure, imprecise events and,
    when colouring, the dominant category and a breakdown of the top ones. Also each row's group code
    and the category order."""
    codes, occupied = _group_codes(group, ids)
    n = len(occupied)
    deaths = events["fatalities"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    counts = np.bincount(codes, minlength=n).astype(float)
    frame = pd.DataFrame(
        {
            "group": occupied,
            "events": counts.astype(np.int64),
            "lat": np.bincount(codes, weights=events["latitude"].to_numpy(dtype=float), minlength=n) / counts,
            "lon": np.bincount(codes, weights=events["longitude"].to_numpy(dtype=float), minlength=n) / counts,
            "deaths": np.bincount(codes, weights=np.nan_to_num(deaths), minlength=n).astype(np.int64),
            "not_reported": np.bincount(codes, weights=np.isnan(deaths), minlength=n).astype(np.int64),
            "imprecise": np.bincount(codes, weights=imprecise_mask(events).to_numpy(), minlength=n).astype(np.int64),
        }
    )
    order: list[str] = []
    if colour_by is not None:
        order = _category_order(colour_by, events[colour_by])
        cats = _category_codes(events[colour_by], order)
        table = np.bincount(codes * len(order) + cats, minlength=n * len(order)).reshape(n, len(order))
        frame["dominant"] = np.array(order, dtype=object)[table.argmax(axis=1)]
        frame["breakdown"] = pd.Series(_breakdowns(table, order), dtype=object)
    return frame, codes, order


def _breakdowns(table: np.ndarray, order: list[str], top: int = 3) -> list[str]:
    """Per row of a (groups x categories) count table: "Battles: 12 · Protests: 3 · others: 2" (plain text)."""
    names = list(order)
    ranked = np.argsort(-table, axis=1, kind="stable")[:, :top]
    counts = np.take_along_axis(table, ranked, axis=1)
    rest = table.sum(axis=1) - counts.sum(axis=1)
    lines = []
    for idx, cnt, other in zip(ranked.tolist(), counts.tolist(), rest.tolist(), strict=True):
        parts = [f"{names[i]}: {c:,}" for i, c in zip(idx, cnt, strict=True) if c]
        lines.append(" · ".join(parts) + (f" · others: {other:,}" if other else ""))
    return lines


def _deaths_line(deaths: int, not_reported: int) -> str:
    line = f"Reported deaths: {deaths:,}"
    return line + (f" ({not_reported:,} events without a reported figure)" if not_reported else "")


def _bubble_sizes(counts: pd.Series, *, smallest: float, largest: float) -> np.ndarray:
    peak = max(int(counts.max()), 1) if len(counts) else 1
    return smallest + (largest - smallest) * np.sqrt(counts.to_numpy(dtype=float) / peak)


def _bubble_traces(
    groups: pd.DataFrame, order: list[str], colour_by: str, kind: str, sizes: np.ndarray
) -> list[go.Scattermap]:
    """One trace per dominant category (so the legend matches the points mode), largest bubbles below."""
    traces = []
    groups = groups.assign(size=sizes).sort_values("size", ascending=False)
    for name in order:
        part = groups[groups["dominant"] == name]
        if part.empty:
            continue
        traces.append(
            go.Scattermap(
                lat=part["lat"].to_numpy(),
                lon=part["lon"].to_numpy(),
                mode="markers",
                name=html.escape(name),
                legendgroup=name,
                marker={"size": part["size"].to_numpy(), "color": _colour(colour_by, name), "opacity": 0.75},
                customdata=np.column_stack(
                    [np.full(len(part), kind, dtype=object), part["key"].to_numpy(dtype=object)]
                ),
                hovertext=part["hover"].to_numpy(dtype=object),
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    return traces


# --- grid cells (points mode at scale) ------------------------------------------------------------


def _cell_traces(events: pd.DataFrame, colour_by: str) -> tuple[list[go.Scattermap], str, str]:
    lat = events["latitude"].to_numpy(dtype=float)
    lon = events["longitude"].to_numpy(dtype=float)
    grid = _grid(lat, lon, CELL_SIZES, MAX_CELLS)
    groups, _, order = _aggregate(events, grid.cell, grid.cells, colour_by)
    columns, rows = grid.column_row(groups["group"].to_numpy())
    size = grid.size
    groups["key"] = [f"{size}:{x}:{y}" for x, y in zip(columns.tolist(), rows.tolist(), strict=True)]
    km = round(size * 111)
    groups["hover"] = [
        f"<b>{n:,} events</b> in this {size}° cell (about {km} km across)"
        f"<br>{html.escape(breakdown)}<br>{_deaths_line(deaths, unknown)}"
        + (f"<br>{imprecise:,} known only to the province or the month" if imprecise else "")
        + "<br><i>Click to list them; zoom in or narrow the filters to see single events</i>"
        for n, breakdown, deaths, unknown, imprecise in zip(
            *(groups[c].tolist() for c in ("events", "breakdown", "deaths", "not_reported", "imprecise")), strict=True
        )
    ]
    traces = _bubble_traces(groups, order, colour_by, "cell", _bubble_sizes(groups["events"], smallest=6, largest=30))
    note = (
        f"{len(events):,} events are too many to draw one by one (the limit is {MAX_POINTS:,}): "
        f"they are grouped into {len(groups):,} cells of {size}°. Narrow the filters or pick a region to see single events."
    )
    return traces, _CELLS_KEY.replace("{cell}", f"{size}"), note


# --- density --------------------------------------------------------------------------------------


def _density_traces(events: pd.DataFrame, weight: str) -> tuple[list[go.Densitymap], str, str]:
    key = _DENSITY_KEY.format(weight="reported deaths" if weight == "fatalities" else "number of events")
    note = ""
    if weight == "fatalities":
        deaths = events["fatalities"]
        missing = int(deaths.isna().sum())
        events = events[(deaths.fillna(0) > 0).to_numpy()]
        if missing:
            note = f"Heat by reported deaths leaves out {missing:,} events with no reported figure."
    if events.empty:
        return [], key, note
    lat = events["latitude"].to_numpy(dtype=float)
    lon = events["longitude"].to_numpy(dtype=float)
    z = events["fatalities"].astype("Float64").to_numpy(dtype=float, na_value=0.0) if weight == "fatalities" else None
    weights = z if z is not None else np.ones(len(lat))
    # The busiest quarter-degree cell sets the top of the scale, so one hotspot reads darkest and the
    # rest in proportion (with Plotly's default, a handful of events saturates the colour).
    zmax = _busiest_cell(lat, lon, weights, DENSITY_SCALE_CELL)
    if len(events) > MAX_DENSITY_POINTS:
        grid = _grid(lat, lon, DENSITY_CELL_SIZES, MAX_DENSITY_CELLS)
        size, codes = grid.size, _group_codes(grid.cell, grid.cells)[0]
        counts = np.bincount(codes).astype(float)
        lat = np.bincount(codes, weights=lat) / counts
        lon = np.bincount(codes, weights=lon) / counts
        z = np.bincount(codes, weights=z) if z is not None else counts
        binned = f"{len(events):,} events are summed into {len(counts):,} cells of {size}° for the heat map."
        note = f"{note} {binned}".strip()
    trace = go.Densitymap(
        lat=lat,
        lon=lon,
        z=z,
        radius=DENSITY_RADIUS,
        zmin=0,
        zmax=zmax,
        colorscale=theme.HEAT_COLOURSCALE,
        showscale=True,
        colorbar={
            "title": {"text": f"{DENSITY_WEIGHT_LABELS[weight]} (relative)", "side": "right"},
            "thickness": 12,
            "len": 0.5,
            "x": 1,
            "xanchor": "right",
            "y": 0.98,
            "yanchor": "top",
            "bgcolor": theme.MAP_KEY_BACKGROUND,
            "showticklabels": False,
        },
        hoverinfo="skip",
        name="density",
    )
    return [trace], key, note


def _busiest_cell(lat: np.ndarray, lon: np.ndarray, weights: np.ndarray, size: float) -> float:
    """The largest sum of `weights` in any `size`-degree cell."""
    cell = np.floor(lon / size).astype(np.int64) * 1_000_003 + np.floor(lat / size).astype(np.int64)
    codes = pd.factorize(cell, sort=False)[0]
    return max(float(np.bincount(codes, weights=weights).max()) * DENSITY_SCALE_SHARE, 1.0)


# --- provinces ------------------------------------------------------------------------------------


def province_totals(
    events: pd.DataFrame, *, places: pd.DataFrame | None = None, colour_by: str = "event_type"
) -> pd.DataFrame:
    """Per province (country, admin1): events, reported deaths, events without a figure, imprecise events,
    first and last date, and where to draw it (the gazetteer's province entry, else the events' mean)."""
    placed = events[(events["latitude"].notna() & events["longitude"].notna()).to_numpy()]
    country_codes, countries = _text_codes(placed["country"])
    admin_codes, admins = _text_codes(placed["admin1"])
    group = country_codes * len(admins) + admin_codes
    totals, codes, _ = _aggregate(placed, group, len(countries) * len(admins), colour_by)
    ids = totals["group"].to_numpy()
    totals["country"] = countries[ids // len(admins)]
    totals["admin1"] = admins[ids % len(admins)]
    dates = placed["event_date"].groupby(codes).agg(["min", "max"])
    totals["first_date"], totals["last_date"] = dates["min"].to_numpy(), dates["max"].to_numpy()
    gazetteer = _province_points(places)
    points = [gazetteer.get(key) for key in zip(totals["country"], totals["admin1"], strict=True)]
    found = np.array([p is not None for p in points], dtype=bool)
    totals["at"] = np.where(found, "gazetteer", "events")
    if found.any():
        totals.loc[found, "lat"] = [p[0] for p in points if p is not None]
        totals.loc[found, "lon"] = [p[1] for p in points if p is not None]
    totals["key"] = totals["country"] + "\t" + totals["admin1"]
    totals["province"] = [province_label(c, a) for c, a in zip(totals["country"], totals["admin1"], strict=True)]
    return totals.drop(columns="group").sort_values("events", ascending=False, ignore_index=True)


def _text_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and their labels for a text or categorical column, missing values labelled "".

    Categoricals use their own codes: converting a million categorical cells to text costs ~0.3 s.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy().astype(np.int64)
        labels = [str(c) for c in values.cat.categories]
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        labels = [str(u) for u in uniques]
    codes = np.where(codes < 0, len(labels), codes)
    return codes, np.array([*labels, ""], dtype=object)


def _province_points(places: pd.DataFrame | None) -> dict[tuple[str, str], tuple[float, float]]:
    """(country, admin1) -> the gazetteer's province-level point, preferring one named for the province."""
    if places is None or places.empty:
        return {}
    provinces = places[(places["geo_precision"] == 3).fillna(False) & places["admin1"].notna()]
    points: dict[tuple[str, str], tuple[float, float]] = {}
    named: set[tuple[str, str]] = set()
    for row in provinces.itertuples():
        key = (str(row.country), str(row.admin1))
        is_named = str(row.place).lower().startswith(str(row.admin1).lower())
        if key not in points or (is_named and key not in named):
            points[key] = (float(row.latitude), float(row.longitude))
            if is_named:
                named.add(key)
    return points


def province_label(country: str, admin1: str) -> str:
    """ "Anbar, Iraq", or "Red Sea (no province given)" for events with no admin1."""
    return f"{admin1}, {country}" if admin1 else f"{country} (no province given)"


def _province_traces(events: pd.DataFrame, colour_by: str, places: pd.DataFrame | None) -> list[go.Scattermap]:
    if events.empty:
        return []
    totals = province_totals(events, places=places, colour_by=colour_by)
    order = _category_order(colour_by, events[colour_by])
    where = {"gazetteer": "Drawn at the province's gazetteer point", "events": "Drawn at the mean of its events"}
    totals["hover"] = [
        f"<b>{html.escape(row.province)}</b>"
        f"<br><b>{row.events:,} events</b>, {row.first_date:%d %b %Y} to {row.last_date:%d %b %Y}"
        f"<br>{html.escape(row.breakdown)}<br>{_deaths_line(row.deaths, row.not_reported)}"
        + (f"<br>{row.imprecise:,} known only to the province or the month" if row.imprecise else "")
        + f"<br><i>{where[row.at]}. Click to list the events.</i>"
        for row in totals.itertuples()
    ]
    return _bubble_traces(totals, order, colour_by, "province", _bubble_sizes(totals["events"], smallest=9, largest=48))


# --- from a click back to events ------------------------------------------------------------------


def selection_target(points: list[dict]) -> Target | None:
    """The first clicked marker's target, from Streamlit's `selection.points` (None if nothing usable)."""
    for point in points or []:
        data = point.get("customdata")
        if isinstance(data, list | tuple) and len(data) == 2 and data[0] in ("event", "cell", "province"):
            return Target(kind=str(data[0]), key=str(data[1]))
    return None


def events_in_target(events: pd.DataFrame, target: Target) -> pd.DataFrame:
    """The events behind a clicked marker: the event itself, a grid cell's events or a province's events."""
    if target.kind == "event":
        return events[(events["event_id"] == target.key).fillna(False).to_numpy()]
    if target.kind == "cell":
        size_text, ix_text, iy_text = target.key.split(":")
        size, ix, iy = float(size_text), int(ix_text), int(iy_text)
        lon_cells = np.floor(events["longitude"].to_numpy(dtype=float) / size)
        lat_cells = np.floor(events["latitude"].to_numpy(dtype=float) / size)
        return events[(lon_cells == ix) & (lat_cells == iy)]
    if target.kind == "province":
        country, _, admin1 = target.key.partition("\t")
        same_country = (events["country"] == country).fillna(False)
        same_admin = events["admin1"].isna() if not admin1 else (events["admin1"] == admin1).fillna(False)
        return events[(same_country & same_admin).to_numpy()]
    raise ValueError(f"unknown map target kind {target.kind!r}")


def events_at_place(events: pd.DataFrame, event: pd.Series) -> pd.DataFrame:
    """Every event drawn at the same place as `event` (same coordinates to ~10 m), itself included."""
    same = (
        np.isclose(events["latitude"].to_numpy(dtype=float), float(event["latitude"]), atol=1e-4)
        & np.isclose(events["longitude"].to_numpy(dtype=float), float(event["longitude"]), atol=1e-4)
    )  # fmt: skip
    return events[same]


# --- static export --------------------------------------------------------------------------------


def map_png(fig: go.Figure, *, width: int = 1600, height: int = 1000, scale: float = 1.0) -> bytes:
    """The map as a PNG, rendered offline by kaleido in the local Chromium (MapLibre draws the basemap)."""
    export = go.Figure(fig)
    export.update_layout(width=width, height=height)
    return export.to_image(format="png", width=width, height=height, scale=scale)
