"""The event map redrawn without WebGL, for a static image: the same view, basemap, markers, names and keys.

A MapLibre map takes seconds to draw in kaleido's headless Chromium, which has only software WebGL (even
two points cost 2-3 s at 1600 x 1000). `flat_map` turns an `event_map` figure into plain SVG traces on
Web-Mercator axes framed like the MapLibre view (same centre and zoom: a MapLibre world is
`regions.TILE_PIXELS * 2**zoom` pixels wide), so the PNG shows what the page shows and renders in a fraction
of a second. Land is filled polygons, borders and coasts are lines, the sea is the plot's background; the
density heat is the MapLibre kernel summed on a pixel grid and drawn as an image.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import plotly.graph_objects as go

from tensions.figures import theme
from tensions.figures.annotations import text_width
from tensions.figures.map import basemap as basemap_module
from tensions.figures.map import regions

_MARKER_KEYS = ("color", "size", "opacity")  # what the map's traces set on their markers
_TEXT_KEYS = ("text", "textposition", "textfont", "name", "legendgroup", "showlegend", "mode")
HEAT_CELL_PIXELS = 2  # the density grid's resolution: fine enough that the image is smooth at 1600 px
_DEFAULT_TEXT_SIZE = 12
_TEXT_HEIGHT, _TEXT_GAP = 1.3, 2.0  # a line's height per px of font size; px kept between two names
_GAUSS_COEF = 0.3989422804014327  # MapLibre's heatmap kernel: weight * coef * exp(-4.5 (d / radius)^2)


def mercator_y(lat: np.ndarray) -> np.ndarray:
    """Latitudes as Web-Mercator y, in degrees (so a degree of y is as wide on screen as a degree of longitude)."""
    lat = np.clip(np.asarray(lat, dtype=float), -85.0, 85.0)
    return np.degrees(np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)))


def flat_map(fig: go.Figure, *, basemap: basemap_module.Basemap | None = None) -> go.Figure:
    """`fig` (made by `builder.event_map` at a set width) as SVG traces on axes framing the same view.

    Title, legend, size key, notes and margins are the map's own layout; clicks and hover cards are left out.
    """
    layout = fig.layout
    margin = layout.margin
    width = (layout.width or regions.MAP_WIDTH) - margin.l - margin.r
    height = layout.height - margin.t - margin.b
    degrees_per_pixel = 360 / (regions.TILE_PIXELS * 2**layout.map.zoom)
    centre_x, centre_y = layout.map.center.lon, float(mercator_y(layout.map.center.lat))
    x_range = [centre_x - width / 2 * degrees_per_pixel, centre_x + width / 2 * degrees_per_pixel]
    y_range = [centre_y - height / 2 * degrees_per_pixel, centre_y + height / 2 * degrees_per_pixel]
    traces: list[go.Scatter | go.Heatmap] = []
    for trace in fig.data:
        if trace.type == "densitymap":
            traces.append(_heat(trace, x_range, y_range, degrees_per_pixel))
        else:
            traces.append(_scatter(trace, degrees_per_pixel))
    flat = layout.to_plotly_json()
    flat.pop("map", None)
    axis = {"visible": False, "fixedrange": True, "showgrid": False, "zeroline": False}
    flat["xaxis"] = {**axis, "range": x_range, "domain": [0, 1]}
    flat["yaxis"] = {**axis, "range": y_range, "domain": [0, 1]}
    flat["plot_bgcolor"] = theme.SEA_COLOUR
    flat["shapes"] = [*_basemap_shapes(basemap), *flat.get("shapes", ())]
    return go.Figure(data=traces, layout=flat)


def _scatter(trace: go.Scattermap, degrees_per_pixel: float) -> go.Scatter:
    """A map trace's markers (and text) at their projected positions; as MapLibre does, a text that would
    overlap an earlier one is left out."""
    marker = {key: trace.marker[key] for key in _MARKER_KEYS if trace.marker[key] is not None}
    marker["line"] = {"width": 0}  # SVG bubbles get a white outline by default; MapLibre circles have none
    spec = trace.to_plotly_json()
    options = {key: spec[key] for key in _TEXT_KEYS if key in spec}
    x, y = np.asarray(trace.lon, dtype=float), mercator_y(trace.lat)
    if "text" in options:
        size = (spec.get("textfont") or {}).get("size", _DEFAULT_TEXT_SIZE)
        options["text"] = unclashed_texts(list(options["text"]), x / degrees_per_pixel, y / degrees_per_pixel, size)
    return go.Scatter(
        x=x,
        y=y,
        marker=marker,
        hoverinfo="skip",
        **options,
    )


def unclashed_texts(texts: list[str], x: np.ndarray, y: np.ndarray, size: float) -> list[str]:
    """`texts` drawn top right of points at pixel positions `x`, `y` (y upwards), with every text whose box
    would overlap an earlier kept one blanked, so names never print over each other."""
    kept: list[tuple[float, float, float, float]] = []
    shown = []
    for text, left, bottom in zip(texts, x, y, strict=True):
        box = (left, bottom, left + text_width(text, size), bottom + _TEXT_HEIGHT * size)
        clash = any(
            box[0] < other[2] + _TEXT_GAP and other[0] < box[2] + _TEXT_GAP
            and box[1] < other[3] + _TEXT_GAP and other[1] < box[3] + _TEXT_GAP
            for other in kept
        )  # fmt: skip
        shown.append("" if clash else text)
        if not clash:
            kept.append(box)
    return shown


def _basemap_shapes(basemap: basemap_module.Basemap | None) -> list[dict]:
    """Land as filled paths and borders and coastlines as lines, in the map's colours, under every trace (shapes,
    since Plotly draws a heat image under any scatter trace, land included)."""
    land, lines = _projected(basemap)
    common = {"type": "path", "xref": "x", "yref": "y", "layer": "below"}
    return [
        {**common, "path": land, "fillcolor": theme.LAND_COLOUR, "line": {"width": 0}, "name": "land"},
        {
            **common,
            "path": lines,
            "line": {"color": theme.BORDER_COLOUR, "width": 0.8},
            "name": "borders and coastlines",
        },
    ]


def _projected(basemap: basemap_module.Basemap | None) -> tuple[str, str]:
    """SVG paths of the basemap's (default: the shipped one's, computed once) land rings (closed) and lines."""
    return _projected_path(Path(basemap_module.BASEMAP_PATH)) if basemap is None else _project(basemap)


@functools.cache
def _projected_path(path: Path) -> tuple[str, str]:
    return _project(basemap_module.load_basemap(path))


def _project(basemap: basemap_module.Basemap) -> tuple[str, str]:
    land = [ring for feature in basemap.land["features"] for ring in _rings(feature["geometry"])]
    lines = [line for feature in basemap.lines["features"] for line in _rings(feature["geometry"])]
    return _path(land, closed=True), _path(lines, closed=False)


def _rings(geometry: dict) -> list[list[list[float]]]:
    """The coordinate sequences of a (Multi)Polygon's rings or a (Multi)LineString's lines."""
    kind, coordinates = geometry["type"], geometry["coordinates"]
    if kind == "Polygon":
        return list(coordinates)
    if kind == "MultiPolygon":
        return [ring for polygon in coordinates for ring in polygon]
    if kind == "LineString":
        return [coordinates]
    if kind == "MultiLineString":
        return list(coordinates)
    raise ValueError(f"the basemap has a {kind} geometry, which the flat map cannot draw")


def _path(sequences: list[list[list[float]]], *, closed: bool) -> str:
    """One SVG path with a subpath per sequence, in projected coordinates (rounded to about a metre)."""
    parts = []
    for sequence in sequences:
        points = np.asarray(sequence, dtype=float)
        xs, ys = np.round(points[:, 0], 5), np.round(mercator_y(points[:, 1]), 5)
        parts.append("M" + "L".join(f"{x},{y}" for x, y in zip(xs.tolist(), ys.tolist(), strict=True)))
        if closed:
            parts.append("Z")
    return "".join(parts)


def _heat(trace: go.Densitymap, x_range: list[float], y_range: list[float], degrees_per_pixel: float) -> go.Heatmap:
    """MapLibre's heat layer on a grid of `HEAT_CELL_PIXELS` cells: each point adds its weight times a Gaussian
    of `radius` pixels; the summed density (0-1) is coloured with the trace's colour scale."""
    cell = HEAT_CELL_PIXELS * degrees_per_pixel
    radius = trace.radius * degrees_per_pixel
    # The grid reaches a radius beyond the view, so points just outside still warm its edge.
    x_edges = np.arange(x_range[0] - radius, x_range[1] + radius + cell, cell)
    y_edges = np.arange(y_range[0] - radius, y_range[1] + radius + cell, cell)
    # Plotly's weights: z from zmin to zmax as 0 to 1, or without z 1 / (zmax - zmin) for every point.
    span = max(trace.zmax - trace.zmin, 1e-12)
    if trace.z is None:
        weight = np.full(len(trace.lon), 1 / span)
    else:
        weight = np.clip((np.asarray(trace.z, dtype=float) - trace.zmin) / span, 0, 1)
    summed, _, _ = np.histogram2d(
        mercator_y(trace.lat), np.asarray(trace.lon, dtype=float), bins=[y_edges, x_edges], weights=weight
    )
    xs, ys = (x_edges[:-1] + x_edges[1:]) / 2, (y_edges[:-1] + y_edges[1:]) / 2
    # The kernel is separable: one matrix product per axis.
    density = _GAUSS_COEF * _kernel(ys, radius) @ summed @ _kernel(xs, radius).T
    density = np.clip(density, 0, 1)
    density[density < 1 / 255] = np.nan  # nothing there: the basemap shows through
    return go.Heatmap(
        x=xs,
        y=ys,
        z=density,
        zmin=0,
        zmax=1,
        colorscale=[list(stop) for stop in trace.colorscale],
        showscale=trace.showscale,
        colorbar=trace.colorbar.to_plotly_json(),
        hoverinfo="skip",
        name=trace.name,
    )


def _kernel(centres: np.ndarray, radius: float) -> np.ndarray:
    return np.exp(-4.5 * ((centres[:, None] - centres[None, :]) / radius) ** 2)
