"""The legend of event types and the key to the encodings (size, hollow, imprecise, changes) under the chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from tensions.data.literal import plotly_literal
from tensions.figures import theme
from tensions.figures.annotations import text_width
from tensions.figures.timeline.canvas import Canvas
from tensions.figures.timeline.events import marker_sizes
from tensions.figures.timeline.geometry import Geometry
from tensions.figures.timeline.style import CHANGE_WORDS, SIZE_KEY_DEATHS, TimelineStyle


def legend_row_height(style: TimelineStyle) -> float:
    """A legend row's height in px: Plotly gives each entry at least a 16 px symbol box plus a small gap,
    and a line of text 1.3 font sizes high, whichever is taller."""
    return max(style.legend_row_px, max(1.3 * style.legend_font_size, 16.0) + 6)


def legend_rows(names: Sequence[str], style: TimelineStyle, plot_w: float) -> int:
    """How many rows a horizontal legend of `names` wraps to (Plotly packs items left to right)."""
    rows, used = 1, 0.0
    for name in names:
        item = _legend_item_width(name, style)
        if used and used + item > plot_w:
            rows, used = rows + 1, 0.0
        used += item
    return rows


def _legend_item_width(name: str, style: TimelineStyle) -> float:
    # Plotly's legend item: a 40 px symbol column, the text, and some trailing space.
    return 40 + text_width(name, style.legend_font_size) + style.legend_font_size * 0.8


@dataclass(frozen=True)
class KeyItem:
    """One entry of the encoding key: an optional glyph (drawn with shapes) and its words."""

    words: str
    glyph: str = ""  # "circle", "square", "cross", "bar" or "" for words alone
    diameter: float = 0.0
    colour: str = ""
    filled: bool = False
    line: float = 0.0
    gap_after: float = 1.4  # in font sizes

    def width(self, font: float) -> float:
        glyph = self.diameter + font * 0.35 if self.glyph else 0.0
        return glyph + text_width(self.words, font) + font * self.gap_after


def key_item_groups(
    has_imprecise: bool, has_key_events: bool, changes: pd.DataFrame | None, style: TimelineStyle
) -> list[list[KeyItem]]:
    """The key's entries in groups that stay on one line: sizes, hollow, imprecise, key event, changes."""
    ink = theme.MUTED_TEXT_COLOUR
    sizes = [
        KeyItem(f"{deaths:,}", "circle", float(marker_sizes(pd.Series([deaths], dtype="Int64"), style)[0]), ink,
                 filled=True, gap_after=0.7 if deaths != SIZE_KEY_DEATHS[-1] else 1.4)
        for deaths in SIZE_KEY_DEATHS
    ]  # fmt: skip
    groups = [[KeyItem("Reported deaths:", gap_after=0.6), *sizes]]
    groups.append(
        [KeyItem("none reported", "circle", style.marker_min, ink, filled=False, line=style.marker_line * 1.3)]
    )
    if has_imprecise:
        groups.append([KeyItem("date known to the week or month", "bar", style.marker_min * 2.6, ink, filled=True)])
    if has_key_events:
        ring = style.marker_min + style.ring_pad
        groups.append([KeyItem("key event", "circle", ring, theme.KEY_EVENT_COLOUR, line=style.ring_line)])
    if changes is not None:
        for kind in ("added", "revised", "removed"):
            if (changes["change"] == kind).any():
                shape = {"added": "circle", "revised": "square", "removed": "cross"}[kind]
                groups.append(
                    [KeyItem(f"{CHANGE_WORDS[kind]} since brief", shape, style.marker_min * 1.5,
                              theme.CHANGE_COLOURS[kind], line=style.ring_line * 1.2, gap_after=1.0)]
                )  # fmt: skip
    return groups


def wrap_key_lines(groups: list[list[KeyItem]], font: float, plot_w: float) -> list[list[KeyItem]]:
    """The key's groups wrapped into lines no wider than the plot."""
    lines: list[list[KeyItem]] = [[]]
    used = 0.0
    for group in groups:
        width = sum(item.width(font) for item in group)
        if lines[-1] and used + width > plot_w:
            lines.append([])
            used = 0.0
        lines[-1].extend(group)
        used += width
    return lines


def add_key(
    fig: Canvas,
    key_items: list[list[KeyItem]],
    legend_h: float,
    geometry: Geometry,
    style: TimelineStyle,
    reserve_top: float,
) -> None:
    """The type legend, and under it (`legend_h` px below the reserved top) a key to the encodings drawn
    from shapes (Plotly's legend caps sizes).

    Everything is placed in pixels from the plot's left edge (annotation `xshift`, shapes sized in
    pixels), so the key keeps its spacing when a page stretches the figure to another width.
    """
    fig.layout.update(
        showlegend=True,
        legend={
            "orientation": "h",
            "xref": "paper",
            "x": 0,
            "xanchor": "left",
            "yref": "container",
            "y": 1 - reserve_top / geometry.height,
            "yanchor": "top",
            "font": {"size": style.legend_font_size, "color": theme.TEXT_COLOUR},
            "itemsizing": "trace",
            "title": None,
            "bgcolor": "rgba(0,0,0,0)",
            "tracegroupgap": 0,
        },
    )
    font = style.legend_font_size
    row = legend_row_height(style)
    lines = wrap_key_lines(key_items, font, geometry.plot_w)
    for number, line in enumerate(lines):
        centre_px = reserve_top + legend_h + row * (0.65 + number)  # from the figure's top
        y = 1 + (geometry.top - centre_px) / geometry.plot_h
        x = 0.0  # px from the plot's left edge
        for item in line:
            if item.glyph:
                _key_glyph(fig, item, x, y, style)
                x += item.diameter + font * 0.35
            fig.add_annotation(
                x=0, xshift=x, y=y, xref="paper", yref="paper", xanchor="left", yanchor="middle",
                text=plotly_literal(item.words), showarrow=False, font={"size": font, "color": theme.TEXT_COLOUR},
            )  # fmt: skip
            x += text_width(item.words, font) + font * item.gap_after


def _key_glyph(fig: Canvas, item: KeyItem, x: float, y: float, style: TimelineStyle) -> None:
    half = item.diameter / 2
    common = {"xref": "paper", "yref": "paper", "xsizemode": "pixel", "ysizemode": "pixel", "xanchor": 0, "yanchor": y}
    left, right = x, x + item.diameter
    if item.glyph == "bar":
        fig.add_shape(
            type="rect", x0=left, x1=right, y0=-style.bar_width / 2, y1=style.bar_width / 2,
            fillcolor=item.colour, opacity=0.4, line={"width": 0}, **common,
        )  # fmt: skip
    elif item.glyph == "cross":
        for y0, y1 in ((-half, half), (half, -half)):
            fig.add_shape(
                type="line", x0=left, x1=right, y0=y0, y1=y1, line={"color": item.colour, "width": item.line}, **common
            )
    else:
        fig.add_shape(
            type="rect" if item.glyph == "square" else "circle",
            x0=left, x1=right, y0=-half, y1=half,
            fillcolor=item.colour if item.filled else "rgba(0,0,0,0)",
            line={"color": item.colour, "width": 0 if item.filled else item.line},
            **common,
        )  # fmt: skip
