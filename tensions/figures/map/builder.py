"""The event map: points, density heat or province totals on the offline Natural Earth basemap.

Every trace is a MapLibre (WebGL) trace over `map_style="white-bg"` with the shipped basemap as GeoJSON
layers, so the map needs nothing from the network. The payload stays bounded as events grow: above
`max_points` events the points mode groups events into grid cells, and density heat is binned above
`MAX_DENSITY_POINTS`. Each clickable marker carries `customdata = [kind, key]` ("event", "cell" or
"province"); `selection.selection_target` and `selection.events_in_target` turn a click back into events.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from tensions.data.literal import plotly_literal
from tensions.figures import theme
from tensions.figures.map import basemap as basemap_module
from tensions.figures.map import regions
from tensions.figures.map.density import density_traces
from tensions.figures.map.encoding import (
    COLOUR_BY,
    COLOUR_BY_LABELS,
    DENSITY_WEIGHTS,
    KEY_PIXELS,
    LEGEND_PIXELS,
    MAP_HEIGHT,
    MAX_POINTS,
    MODES,
)
from tensions.figures.map.points import POINTS_KEY, cell_traces, point_traces
from tensions.figures.map.provinces import PROVINCES_KEY, province_traces


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
        traces, key, note = cell_traces(placed, colour_by)
    elif mode == "points":
        traces, key = point_traces(placed, colour_by, view), POINTS_KEY
    elif mode == "density":
        traces, key, note = density_traces(placed, density_weight)
    else:
        traces, key = province_traces(placed, colour_by, places), PROVINCES_KEY
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
        "title": {"text": plotly_literal(title), "x": 0, "xanchor": "left", "font": {"size": 15}} if title else None,
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


def map_png(fig: go.Figure, *, width: int = 1600, height: int = 1000, scale: float = 1.0) -> bytes:
    """The map as a PNG, rendered offline by kaleido in the local Chromium (MapLibre draws the basemap)."""
    export = go.Figure(fig)
    export.update_layout(width=width, height=height)
    return export.to_image(format="png", width=width, height=height, scale=scale)
