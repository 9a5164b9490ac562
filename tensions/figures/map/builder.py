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

from tensions.analysis import weighted
from tensions.data.literal import plotly_literal
from tensions.figures import theme
from tensions.figures.annotations import text_width, wrap_text
from tensions.figures.map import basemap as basemap_module
from tensions.figures.map import regions
from tensions.figures.map.density import density_traces
from tensions.figures.map.encoding import (
    BELOW_GAP,
    BELOW_KEY_LINES,
    BELOW_LEGEND_COLUMNS,
    BELOW_ROW_PIXELS,
    CELL_SIZES,
    COLOUR_BY,
    COLOUR_BY_LABELS,
    DENSITY_WEIGHTS,
    KEY_FONT_SIZE,
    KEY_PIXELS,
    LEGEND_PIXELS,
    MAP_HEIGHT,
    MAX_POINTS,
    MODES,
    SIZE_KEY_FONT_SIZE,
    SIZE_KEY_GAP,
    SIZE_KEY_ROW_GAP,
    SIZE_KEY_TITLES,
)
from tensions.figures.map.labels import label_trace, labelled_style
from tensions.figures.map.points import CELL_SIZES_PIXELS, POINTS_KEY, cell_traces, death_stops, point_traces
from tensions.figures.map.provinces import PROVINCE_SIZES, PROVINCES_KEY, province_traces


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
    pad: int = 0,
    basemap: basemap_module.Basemap | None = None,
    cell_sizes: tuple[float, ...] = CELL_SIZES,
    extent: regions.Bounds | None = None,
    served: str | None = None,
    key_below: bool = False,
) -> go.Figure:
    """Events on the offline basemap as points, density heat or per-province bubbles, framed by `region`.

    `events` may be a place summary (`tensions.analysis.weighted`) of more events than `max_points` (and, for
    density, than `MAX_DENSITY_POINTS`): grid cells, heat and provinces are drawn from its sums alike. Rows
    already summed per grid cell or province (the database's) come with the cell size they were summed at
    (`cell_sizes`, one size) and the `extent` of their events, which fits the view as the events would.
    `pad` is a blank border in pixels around everything (the PNG export's margins). `served`: for the app's
    browser, the URL of the app's static basemap files (`basemap.static_url`), which it fetches from there instead
    of receiving them with the figure on every rerun; a PNG export (None) keeps them inline. `key_below`: for a
    narrow map, the legend (in columns) and the size key (in a row) go under the map instead of beside it, so the
    map keeps the whole width.
    """
    if mode not in MODES:
        raise ValueError(f"unknown map mode {mode!r}; choose one of {', '.join(MODES)}")
    if colour_by not in COLOUR_BY:
        raise ValueError(f"unknown colour {colour_by!r}; choose one of {', '.join(COLOUR_BY)}")
    if density_weight not in DENSITY_WEIGHTS:
        raise ValueError(f"unknown density weight {density_weight!r}; choose one of {', '.join(DENSITY_WEIGHTS)}")
    placed = events[(events["latitude"].notna() & events["longitude"].notna()).to_numpy()]
    # The view is fitted to the map's own area: the figure less the legend on the right (no legend in
    # density mode), the title and the key underneath.
    below = _Below.plan(placed, mode, colour_by, width or regions.MAP_WIDTH, pad) if key_below else None
    margin = _margin(mode, title, pad, below)
    map_width = (width or regions.MAP_WIDTH) - margin["l"] - margin["r"]
    map_height = height - margin["t"] - margin["b"]
    framed = placed if extent is None else _corners(extent)
    view = regions.view_for(framed, region, width=map_width, height=map_height)
    note, stops = "", []
    if mode == "points" and weighted.total_events(placed) > max_points:
        traces, key, note, stops = cell_traces(placed, colour_by, sizes=cell_sizes)
    elif mode == "points":
        traces, key, stops = point_traces(placed, colour_by, view), POINTS_KEY, death_stops() if len(placed) else []
    elif mode == "density":
        traces, key, note = density_traces(placed, density_weight)
    else:
        (traces, stops), key = province_traces(placed, colour_by, places), PROVINCES_KEY
    key = key.format(colour=COLOUR_BY_LABELS[colour_by].lower())
    traces = [*traces, label_trace()]  # place names above the events, so a crowded city still shows its name
    layout = _layout(
        view, height=height, width=width, title=title, key=key, margin=margin, basemap=basemap, served=served
    )
    aggregated = mode == "points" and bool(note)
    key_options = {
        "title": SIZE_KEY_TITLES["cells" if aggregated else mode],
        "rims": mode == "points" and not aggregated,
    }
    shapes, notes = size_key(stops, **key_options) if below is None else below.size_key(stops, **key_options)
    layout["shapes"] = shapes
    layout["annotations"] = [*layout["annotations"], *notes]
    layout["legend"]["title"] = {"text": COLOUR_BY_LABELS[colour_by] + ":"}
    if below is not None:
        below.place(layout, height)
    # Plotly hides the legend of a one-trace figure; a map coloured by one type still needs its key.
    layout["showlegend"] = mode != "density"
    layout["meta"] = {"mode": mode, "aggregated": aggregated, "note": note}
    return go.Figure(data=traces, layout=layout)


def _corners(extent: regions.Bounds) -> pd.DataFrame:
    """Two points at the corners of `extent` (min_lon, min_lat, max_lon, max_lat): the view fitted to them is
    the view fitted to the events they bound."""
    min_lon, min_lat, max_lon, max_lat = extent
    return pd.DataFrame({"latitude": [min_lat, max_lat], "longitude": [min_lon, max_lon]})


def _margin(mode: str, title: str | None, pad: int, below: _Below | None = None) -> dict[str, int]:
    """Margins in pixels: the title on top, the legend and size key on the right (none in density mode) or
    under the map (`below`), the key and attribution underneath, and `pad` all round."""
    return {
        "l": pad,
        "r": pad + (LEGEND_PIXELS if mode != "density" and below is None else 0),
        "t": pad + (56 if title else 28),
        "b": pad + (KEY_PIXELS if below is None else below.height),
        "pad": 0,
    }


class _Below:
    """The legend, size key and key text under a narrow map: the legend in `BELOW_LEGEND_COLUMNS` columns, then
    the size key in one row, then the key and attribution wrapped to the map's width."""

    def __init__(self, legend_rows: int, size_row: int, map_width: float) -> None:
        self.legend_px = legend_rows * BELOW_ROW_PIXELS
        self.size_px = size_row
        self.map_width = map_width
        # The view is fitted with room for the longest key; `place` gives back what the actual key leaves.
        self.height = BELOW_GAP + self.legend_px + self.size_px + _key_pixels(BELOW_KEY_LINES)

    @classmethod
    def plan(cls, placed: pd.DataFrame, mode: str, colour_by: str, width: int, pad: int) -> _Below:
        """Room for the legend's rows (its title's row and at most one entry per category present), the size key's
        row and the key's lines at `width`."""
        present = placed[colour_by].nunique() + int(placed[colour_by].isna().any())
        legend_rows = 0 if mode == "density" else 1 + -(-max(present, 1) // BELOW_LEGEND_COLUMNS)
        largest = {"points": CELL_SIZES_PIXELS[1], "provinces": PROVINCE_SIZES[1]}.get(mode, 0.0)
        size_row = 0 if mode == "density" else round(max(BELOW_ROW_PIXELS, largest)) + 8
        # The key text is wrapped with room to spare: a page may stretch the figure a little narrower.
        return cls(legend_rows, size_row, 0.9 * (width - 2 * pad))

    def size_key(self, stops: list[tuple[str, float]], *, title: str, rims: bool) -> tuple[list[dict], list[dict]]:
        """The size key in one row under the legend: its title, then each circle at its true size and its label."""
        if not stops:
            return [], []
        centre = -(BELOW_GAP + self.legend_px + self.size_px / 2)
        notes = [_below_text(f"<b>{title}:</b>", x=0, y=centre)]
        x = text_width(f"{title}:", SIZE_KEY_FONT_SIZE, bold=True) + SIZE_KEY_GAP
        shapes = []
        for index, (label, size) in enumerate(stops):
            rimmed = rims and index > 0
            shapes.append(
                {
                    "type": "circle", "xref": "paper", "yref": "paper", "xsizemode": "pixel", "ysizemode": "pixel",
                    "xanchor": 0, "yanchor": 0, "x0": x, "x1": x + size, "y0": centre - size / 2, "y1": centre + size / 2,
                    "fillcolor": theme.UNKNOWN_COLOUR, "opacity": 0.9,
                    "line": {"color": theme.TEXT_COLOUR if rimmed else theme.BACKGROUND, "width": 1.5 if rimmed else 0.5},
                }
            )  # fmt: skip
            notes.append(_below_text(label, x=x + size + SIZE_KEY_GAP / 2, y=centre))
            x += size + SIZE_KEY_GAP + text_width(label, SIZE_KEY_FONT_SIZE) + SIZE_KEY_GAP
        return shapes, notes

    def place(self, layout: dict, height: int) -> None:
        """Move the legend under the map, in columns, and the key text under the size key, wrapped to the map's
        width; the bottom margin shrinks to the key's lines. `height`: the figure's."""
        key = layout["annotations"][0]
        lines = [line for part in key["text"].split("<br>") for line in wrap_text(part, KEY_FONT_SIZE, self.map_width)]
        key["text"] = "<br>".join(lines)
        key["yshift"] = -(BELOW_GAP + self.legend_px + self.size_px)
        margin = layout["margin"]
        margin["b"] += _key_pixels(len(lines)) - _key_pixels(BELOW_KEY_LINES)
        layout["legend"].update(
            orientation="h", x=0, xanchor="left", y=-BELOW_GAP / (height - margin["t"] - margin["b"]), yanchor="top",
            # Plotly adds the symbol and padding (about 40 px) to an entry's width.
            entrywidth=1 / BELOW_LEGEND_COLUMNS - 0.1, entrywidthmode="fraction",
        )  # fmt: skip
        layout["legend"]["title"]["side"] = "top"


def _key_pixels(lines: int) -> int:
    return lines * round(KEY_FONT_SIZE * 1.3) + 8


def _below_text(text: str, *, x: float, y: float) -> dict:
    return {
        "text": text, "xref": "paper", "yref": "paper", "x": 0, "y": 0, "xshift": x, "yshift": y,
        "xanchor": "left", "yanchor": "middle", "showarrow": False,
        "font": {"size": SIZE_KEY_FONT_SIZE, "color": theme.TEXT_COLOUR},
    }  # fmt: skip


def size_key(stops: list[tuple[str, float]], *, title: str, rims: bool) -> tuple[list[dict], list[dict]]:
    """Circles at their true pixel size with their labels, stacked upwards from the bottom of the column
    right of the map (under the legend): shapes and annotations for the layout. `rims`: a dark rim on every
    stop but the first, as on markers with a reported death toll."""
    if not stops:
        return [], []
    widest = max(size for _, size in stops)
    shapes, notes, y = [], [], SIZE_KEY_GAP
    for index, (label, size) in enumerate(stops):
        row = max(size, SIZE_KEY_FONT_SIZE + 4)
        centre = y + row / 2
        rimmed = rims and index > 0
        shapes.append(
            {
                "type": "circle", "xref": "paper", "yref": "paper", "xsizemode": "pixel", "ysizemode": "pixel",
                "xanchor": 1, "yanchor": 0, "x0": SIZE_KEY_GAP + (widest - size) / 2, "x1": SIZE_KEY_GAP + (widest + size) / 2,
                "y0": centre - size / 2, "y1": centre + size / 2, "fillcolor": theme.UNKNOWN_COLOUR, "opacity": 0.9,
                "line": {"color": theme.TEXT_COLOUR if rimmed else theme.BACKGROUND, "width": 1.5 if rimmed else 0.5},
            }
        )  # fmt: skip
        notes.append(_key_text(label, xshift=2 * SIZE_KEY_GAP + widest, yshift=centre, yanchor="middle"))
        y += row + SIZE_KEY_ROW_GAP
    notes.append(_key_text(f"<b>{title}</b>", xshift=SIZE_KEY_GAP, yshift=y, yanchor="bottom"))
    return shapes, notes


def _key_text(text: str, *, xshift: float, yshift: float, yanchor: str) -> dict:
    return {
        "text": text, "xref": "paper", "yref": "paper", "x": 1, "y": 0, "xshift": xshift, "yshift": yshift,
        "xanchor": "left", "yanchor": yanchor, "showarrow": False,
        "font": {"size": SIZE_KEY_FONT_SIZE, "color": theme.TEXT_COLOUR},
    }  # fmt: skip


def _layout(
    view: regions.View,
    *,
    height: int,
    width: int | None,
    title: str | None,
    key: str,
    margin: dict[str, int],
    basemap: basemap_module.Basemap | None,
    served: str | None,
) -> dict:
    """The map's layout in one dict (Plotly copies the layout on every update, so it is set once).

    It follows `theme.style_figure` for font, background, legend and hover labels, without its
    template and axes, which a map does not use.
    """
    return {
        "map": {
            "style": labelled_style(served=served),
            "layers": basemap_module.map_layers(basemap, served=served),
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
        "margin": margin,
        # The title lines up with the map's left edge, `pad` below the top.
        "title": {
            "text": plotly_literal(title),
            "x": 0,
            "xref": "paper",
            "xanchor": "left",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": margin["l"] + 8},
            "font": {"size": 15},
        }
        if title
        else None,
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
                "text": f"{key}<br>{basemap_module.ATTRIBUTION}",
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 0,
                "yshift": -4,
                "xanchor": "left",
                "yanchor": "top",
                "align": "left",
                "showarrow": False,
                "font": {"size": KEY_FONT_SIZE, "color": theme.MUTED_TEXT_COLOUR},
            }
        ],
    }
