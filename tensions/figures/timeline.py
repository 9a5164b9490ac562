"""The timeline: events in swimlanes over time with key events labelled, and counts and deaths below.

The figure is a stack of panels sharing one time axis (subplot rows): the swimlanes first, then
any `bands` a caller adds (e.g. a tension index), then events per week or month stacked by type, then
reported deaths. Sizes are laid out in pixels from a `TimelineStyle`, so the same builder draws the
on-screen chart and, through `tensions.figures.briefing`, a 1920x1080 slide with large type.

The figure is assembled as plain data (`Canvas`) and validated once at the end: Plotly's incremental
`add_trace`/`update_layout` re-validate the whole figure on each call, which cost half a second per build
whatever the number of events.

Encodings: colour and marker shape by event type (from `tensions.figures.theme`); marker area by reported deaths
(log scale), hollow when no figure was reported (never drawn as zero); a translucent bar over the week
or month when the date is known only to that period; a dark ring and a label for key events.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tensions.data import taxonomy
from tensions.figures import theme
from tensions.figures.annotations import Placement, group_close, layout_labels, text_width
from tensions.figures.hover import hover_cards

LANES: dict[str, str] = {"theatre": "Theatre", "actor1_family": "Actor family"}
GRANULARITIES: dict[str, str] = {"week": "Week", "month": "Month"}
LANE_ORDERS: dict[str, tuple[str, ...]] = {"theatre": taxonomy.THEATRES, "actor1_family": taxonomy.ACTOR_FAMILIES}
UNASSIGNED_LANE = "Unassigned"
# Above this many events the lanes show counts per period instead of one marker per event: a browser
# cannot draw a million markers, and nobody could read them.
MAX_MARKERS = 5000
# Reported deaths at which the size key shows a marker; the scale itself is continuous.
SIZE_KEY_DEATHS: tuple[int, ...] = (1, 10, 100, 1000)
CHANGE_WORDS: dict[str, str] = {"added": "added", "revised": "revised", "removed": "removed"}
# Date ticks on one line at every zoom (Plotly's default stacks the year under the day).
_DAY_MS = 86_400_000
DATE_FORMATS: list[dict] = [
    {"dtickrange": [None, 27 * _DAY_MS], "value": "%-d %b %Y"},
    {"dtickrange": [27 * _DAY_MS, "M11"], "value": "%b %Y"},
    {"dtickrange": ["M11", None], "value": "%Y"},
]
# Vertical offsets (in lanes) for markers that would sit on top of each other; the top lane only dodges
# downwards so that its markers never reach up into the labels.
_DODGE = (0.0, 0.26, -0.26, 0.13, -0.13)
_TOP_LANE_DODGE = (0.0, -0.26, -0.13)


@dataclass(frozen=True)
class TimelineStyle:
    """Every size the timeline uses, in pixels: one instance for the screen, one (scaled) for slides."""

    font_size: float = 13
    tick_font_size: float = 13
    label_font_size: float = 12.5
    legend_font_size: float = 13
    panel_title_size: float = 13
    marker_min: float = 8
    marker_per_decade: float = 6
    marker_line: float = 1.6
    ring_pad: float = 7
    ring_line: float = 2
    lane_px: float = 40
    min_lane_px: float = 26
    max_lane_px: float = 64
    label_row_px: float = 21
    label_gap: float = 10
    label_pad: float = 4
    label_inset: float = 4
    label_clearance: float = 3
    max_label_rows: int = 6
    leader_width: float = 1
    bar_width: float = 6
    counts_px: float = 140
    fatalities_px: float = 90
    panel_gap_px: float = 34
    margin_right: float = 24
    margin_bottom: float = 8
    legend_row_px: float = 24
    range_slider_px: float = 36
    dodge_px: float = 7

    def scaled(self, factor: float) -> TimelineStyle:
        """The same style with every pixel size multiplied by `factor` (row counts unchanged)."""
        counts = {"max_label_rows"}
        return replace(
            self,
            **{
                f.name: getattr(self, f.name) * factor
                for f in fields(self)
                if f.name not in counts and type(getattr(self, f.name)) in (int, float)
            },
        )


SCREEN = TimelineStyle()


@dataclass(frozen=True)
class Bins:
    """Events grouped by week (starting Monday) or calendar month."""

    granularity: str
    code: np.ndarray  # per event: the position of its bin in `starts`
    starts: np.ndarray  # datetime64[ms], one per bin, ascending, without gaps over the events' span
    ends: np.ndarray

    @property
    def centres(self) -> np.ndarray:
        return self.starts + (self.ends - self.starts) // 2

    def names(self) -> list[str]:
        """ "Week of 29 Jan 2024" or "January 2024", one per bin."""
        starts = pd.DatetimeIndex(self.starts)
        if self.granularity == "week":
            return [f"Week of {d:%d %b %Y}" for d in starts]
        return [f"{d:%B %Y}" for d in starts]


def period_bins(dates: pd.Series, granularity: str) -> Bins:
    """Assign each date to its week (Monday start) or month; bins run without gaps from first to last."""
    if granularity not in GRANULARITIES:
        raise ValueError(f"granularity must be one of {sorted(GRANULARITIES)}, not {granularity!r}")
    values = dates.to_numpy()
    if granularity == "week":
        days = values.astype("datetime64[D]").astype(np.int64)
        number = (days + 3) // 7  # 1970-01-01 was a Thursday; weeks start on Monday
        first, last = (int(number.min()), int(number.max())) if len(number) else (0, -1)
        starts = (np.arange(first, last + 1) * 7 - 3).astype("datetime64[D]")
        ends = starts + np.timedelta64(7, "D")
    else:
        number = values.astype("datetime64[M]").astype(np.int64)
        first, last = (int(number.min()), int(number.max())) if len(number) else (0, -1)
        months = np.arange(first, last + 1).astype("datetime64[M]")
        starts, ends = months.astype("datetime64[D]"), (months + 1).astype("datetime64[D]")
    return Bins(
        granularity=granularity,
        code=(number - first).astype(np.int64),
        starts=starts.astype("datetime64[ms]"),
        ends=ends.astype("datetime64[ms]"),
    )


@dataclass(frozen=True)
class PanelContext:
    """What a panel may draw from: the events, their bins, the style and the subplot row it owns."""

    events: pd.DataFrame
    bins: Bins
    style: TimelineStyle
    row: int


@dataclass(frozen=True)
class Panel:
    """A row under the swimlanes on the shared time axis: its heading, its height and how to draw it.

    `draw(canvas, context)` adds traces to row `context.row` (`canvas.add_trace(trace, row=context.row)`)
    and may style that row's y axis (`canvas.update_yaxis(context.row, ...)`). A tension index band
    arrives as one of these through `event_timeline(..., bands=[...])`; `height_px` is at screen scale
    and grows with the style on a slide.
    """

    name: str
    title: str
    height_px: float
    draw: Callable[[Canvas, PanelContext], None]


def positions_in(values: pd.Series, order: Sequence[str]) -> np.ndarray:
    """Each value's position in `order`, -1 when missing or not in it; through the categorical codes when
    the column is categorical, so a million rows cost a few milliseconds, not a million string compares."""
    index = pd.Index(list(order), dtype="object")
    if isinstance(values.dtype, pd.CategoricalDtype):
        lookup = np.append(index.get_indexer(values.cat.categories.astype("object")), -1)
        return lookup[values.cat.codes.to_numpy()]
    return index.get_indexer(values.astype("object").to_numpy())


def is_key_event(events: pd.DataFrame) -> pd.Series:
    """Events tagged `key` (tags are a semicolon list): the ones a briefing labels."""
    tags = events["tags"].astype("string")
    # A plain substring test first (fast on Arrow strings); the exact tag test only where it matched.
    maybe = tags.str.contains("key", regex=False).fillna(False).to_numpy(dtype=bool)
    found = np.zeros(len(events), dtype=bool)
    if maybe.any():
        exact = tags[maybe].str.contains(r"(?:^|;)\s*key\s*(?:;|$)", regex=True).fillna(False)
        found[maybe] = exact.to_numpy(dtype=bool)
    return pd.Series(found, index=events.index)


def key_event_labels(events: pd.DataFrame) -> pd.Series:
    """The short label of each event, or its sub-type and place when the curator gave none (not escaped)."""
    fallback = events["sub_event_type"].astype("string") + ", " + events["location"].astype("string")
    return events["label"].astype("string").fillna(fallback).str.strip()


def marker_sizes(fatalities: pd.Series, style: TimelineStyle = SCREEN) -> np.ndarray:
    """Marker diameters in px, growing with the logarithm of reported deaths; unknown gets the smallest."""
    return _sizes_for(fatalities.to_numpy(dtype=float, na_value=0.0), style)


def _sizes_for(deaths: np.ndarray, style: TimelineStyle) -> np.ndarray:
    return style.marker_min + style.marker_per_decade * np.log10(1 + np.clip(deaths, 0, None))


def lane_values(events: pd.DataFrame, lanes: str) -> pd.Series:
    """Each event's lane: its theatre or its actor family ("Unassigned" when the family is unknown)."""
    if lanes not in LANES:
        raise ValueError(f"lanes must be one of {sorted(LANES)}, not {lanes!r}")
    if lanes not in events:
        return pd.Series(UNASSIGNED_LANE, index=events.index, dtype="string")
    return events[lanes].astype("string").fillna(UNASSIGNED_LANE)


def present_lanes(values: pd.Series, lanes: str) -> list[str]:
    """The lanes that occur, in the taxonomy's display order (Unassigned last)."""
    present = set(values.dropna().astype(str))
    return [lane for lane in (*LANE_ORDERS[lanes], UNASSIGNED_LANE) if lane in present]


def imprecise_dates(events: pd.DataFrame) -> pd.Series:
    """Events whose date is known only to the week or the month."""
    return pd.Series(positions_in(events["time_precision"], ("week", "month")) >= 0, index=events.index)


@dataclass(frozen=True)
class _Geometry:
    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float
    panel_px: tuple[float, ...]
    gap: float
    lane_px: float
    label_base_px: float  # bottom of label row 0, measured up from the bottom of the events panel

    @property
    def plot_w(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_h(self) -> float:
        return self.height - self.top - self.bottom

    def row_domains(self) -> list[tuple[float, float]]:
        """Each panel's vertical extent as fractions of the plot's height (bottom, top), top panel first."""
        domains, top = [], self.plot_h
        for px in self.panel_px:
            domains.append((max(0.0, (top - px) / self.plot_h), top / self.plot_h))
            top -= px + self.gap
        return domains

    def lane_units(self, px: float) -> float:
        """A height in px above the events panel's bottom, in the lanes' y units (lane i sits at y=i)."""
        return px / self.lane_px - 0.5


def event_timeline(
    events: pd.DataFrame,
    *,
    lanes: str = "theatre",
    granularity: str = "week",
    period: tuple[object, object] | None = None,
    changes: pd.DataFrame | None = None,
    bands: Sequence[Panel] = (),
    width: float = 1200,
    height: float | None = None,
    style: TimelineStyle = SCREEN,
    layout_width: float | None = None,
    reserve_top: float = 0.0,
    reserve_bottom: float = 0.0,
    range_slider: bool = True,
    max_markers: int = MAX_MARKERS,
) -> go.Figure:
    """Events in swimlanes (by theatre or actor family) over time, with counts and deaths per period below.

    `width`/`height` are the figure's size in px (height None: as tall as its content needs);
    `layout_width` is the width the key-event labels are laid out for (default `width`: a page whose
    chart may be squeezed passes less). `changes` (event_id, change, event_date, the lane columns,
    details) marks what changed since a saved brief. `reserve_top`/`reserve_bottom` keep room for a
    slide's title and footer. Facts about the result (lanes, unlabelled key events) are in `layout.meta`.
    """
    if lanes not in LANES:
        raise ValueError(f"lanes must be one of {sorted(LANES)}, not {lanes!r}")
    changed = changes if changes is not None and len(changes) else None
    order = [*LANE_ORDERS[lanes], UNASSIGNED_LANE]
    lane_code = positions_in(events[lanes], order) if lanes in events else np.full(len(events), -1)
    lane_code[lane_code < 0] = len(order) - 1  # unknown family: the Unassigned lane
    extra = lane_values(changed, lanes) if changed is not None else pd.Series(dtype="string")
    present = set(_codes_present(lane_code, len(order))) | {order.index(lane) for lane in present_lanes(extra, lanes)}
    lane_names = [order[code] for code in sorted(present)] or [UNASSIGNED_LANE]
    lane_y = {name: float(len(lane_names) - 1 - i) for i, name in enumerate(lane_names)}
    top_lane = float(len(lane_names) - 1)
    x0, x1 = _x_range(events, period, changed)
    bins = period_bins(events["event_date"], granularity)
    detailed = len(events) <= max_markers
    screen = height is None
    slider = range_slider and style.range_slider_px > 0

    # Per-event facts are computed once: on a million rows each pass costs milliseconds.
    types = _types_present(events)
    imprecise = imprecise_dates(events).to_numpy()
    deaths = events["fatalities"].to_numpy(dtype=float, na_value=0.0)
    key_idx = np.flatnonzero(is_key_event(events).to_numpy())
    key_items = _key_items(bool(imprecise.any()), bool(len(key_idx)), changed, style)
    margins = _margins(types, key_items, lane_names, style, width, reserve_top, reserve_bottom, slider)
    plot_w = width - margins["l"] - margins["r"]
    label_w = (layout_width or width) - margins["l"] - margins["r"]
    span_ms = (x1 - x0).total_seconds() * 1000
    x_ms = _ms_since(events["event_date"], x0)

    # Above `max_markers` the lanes are a heat strip and only key events get a marker: only they need a size.
    drawn = slice(None) if detailed else key_idx
    sizes = np.full(len(events), float(style.marker_min))
    sizes[drawn] = _sizes_for(deaths[drawn], style)
    lane_pos = np.array([lane_y.get(name, 0.0) for name in order])[lane_code]
    offsets = _dodge(lane_pos, x_ms * plot_w / span_ms, top_lane, style.dodge_px) if detailed else 0 * lane_pos
    y = lane_pos + offsets

    # Key-event labels are laid out in px along the axis, in rows above the top lane's markers.
    key_order = key_idx[np.argsort(x_ms[key_idx], kind="stable")]
    key_px = x_ms[key_order] * label_w / span_ms
    # Key events closer than a label's inset share one label (same-day events, typically).
    groups = [key_order[g] for g in group_close(key_px, 2 * style.label_inset)]
    labels = pd.Series(key_event_labels(events.iloc[key_order]).to_numpy(dtype=object), index=key_order)
    texts = [" · ".join(dict.fromkeys(str(t) for t in labels[g])) for g in groups]
    widths = [text_width(t, style.label_font_size) + 2 * style.label_pad for t in texts]
    weights = [(1 + np.log10(1 + deaths[g].max())) ** 2 for g in groups]
    in_top = lane_pos == top_lane
    clearance = (
        float(sizes[in_top].max(initial=style.marker_min)) / 2
        + (style.ring_pad / 2 + style.ring_line if len(key_order) else 0)
        + style.label_pad * 2
    )
    panels: list[Panel | None] = [None, *bands, counts_panel(granularity, style), fatalities_panel(granularity, style)]
    others = [panel.height_px for panel in panels[1:]]
    rows_allowed = style.max_label_rows
    if not screen:
        budget = _events_budget(height, margins, others, style)
        spare = budget - len(lane_names) * style.min_lane_px - max(0.0, clearance - style.min_lane_px / 2)
        rows_allowed = int(max(0, min(style.max_label_rows, (spare - style.label_pad) // style.label_row_px)))
    anchors_px = [float(np.mean(x_ms[g])) * label_w / span_ms for g in groups]
    placements = layout_labels(
        anchors_px,
        widths,
        rows=rows_allowed,
        gap=style.label_gap,
        clearance=style.label_clearance,
        inset=style.label_inset,
        right=label_w,
        weights=weights,
    )
    used_rows = max((p.row + 1 for p in placements if p is not None), default=0)
    geometry = _geometry(style, width, height, margins, others, len(lane_names), clearance, used_rows)

    canvas = Canvas()
    canvas.layout.update(theme.house_layout(font_size=round(style.font_size)))
    _style_axes(canvas, lane_names, lane_y, geometry, x0, x1, style, slider, len(panels))
    _draw_lane_shading(canvas, lane_names)
    _draw_type_legend(canvas, types, style)
    if detailed:
        cards = hover_cards(events).to_numpy(dtype=object)
        _draw_imprecise_bars(canvas, events, imprecise, y, style)
        _draw_leaders(canvas, events, groups, placements, y, sizes, geometry, style)
        _draw_markers(canvas, events, y, sizes, cards, style)
        _draw_key_rings(canvas, events, key_order, y, sizes, style)
    else:
        _draw_lane_density(canvas, lane_pos, bins, lane_names)
        _draw_leaders(canvas, events, groups, placements, y, sizes, geometry, style)
        key_events = events.iloc[key_order]
        key_cards = hover_cards(key_events).to_numpy(dtype=object)
        _draw_markers(canvas, key_events, y[key_order], sizes[key_order], key_cards, style)
        _draw_key_rings(canvas, events, key_order, y, sizes, style)
    if changed is not None:
        _draw_changes(canvas, events, changed, y, lane_y, lanes, sizes, style)
    _draw_labels(canvas, x0, span_ms / label_w, anchors_px, texts, placements, geometry, style)
    _add_panel_titles(canvas, panels, geometry, style)
    _add_key(canvas, key_items, margins["legend_h"], geometry, style, reserve_top)
    for row, panel in enumerate(panels[1:], start=2):
        panel.draw(canvas, PanelContext(events=events, bins=bins, style=style, row=row))

    canvas.layout.update(
        height=round(geometry.height),
        margin={
            "l": geometry.left,
            "r": geometry.right,
            "t": geometry.top,
            "b": geometry.bottom,
            "pad": 0,
            "autoexpand": False,
        },
        barmode="stack",
        bargap=0.12,
        hovermode="closest",
        hoverlabel={"font": {"family": theme.FONT_FAMILY, "size": round(style.font_size)}, "align": "left"},
        meta={
            "lanes": lane_names,
            "granularity": granularity,
            "label_rows": used_rows,
            "key_events": [str(events["event_id"].iloc[i]) for i in key_order],
            "unlabelled_key_events": [
                str(events["event_id"].iloc[i])
                for group, p in zip(groups, placements, strict=True)
                if p is None
                for i in group
            ],
            "detailed": detailed,
            "lane_px": geometry.lane_px,
        },
    )
    if not screen:
        canvas.layout["width"] = round(width)
    return canvas.figure()


class Canvas:
    """The timeline's figure as plain data: traces, layout, annotations and shapes, with rows of one column
    of subplots (row 1 uses axes x/y, row n axes xn/yn). `figure()` validates it all once."""

    def __init__(self) -> None:
        self.data: list[dict] = []
        self.layout: dict = {}
        self.annotations: list[dict] = []
        self.shapes: list[dict] = []

    def add_trace(self, trace: dict | go.Scatter | go.Bar | go.Heatmap, row: int = 1) -> None:
        """Add a trace (a dict with its `type`, or a Plotly trace object) to subplot row `row`."""
        spec = dict(trace) if isinstance(trace, dict) else trace.to_plotly_json()
        suffix = _axis_suffix(row)
        self.data.append({**spec, "xaxis": f"x{suffix}", "yaxis": f"y{suffix}"})

    def update_yaxis(self, row: int, **properties: object) -> None:
        """Set top-level properties of row `row`'s y axis (nested dicts are replaced, not merged)."""
        self.layout.setdefault(f"yaxis{_axis_suffix(row)}", {}).update(properties)

    def add_annotation(self, **annotation: object) -> None:
        self.annotations.append(annotation)

    def add_shape(self, **shape: object) -> None:
        self.shapes.append(shape)

    def figure(self) -> go.Figure:
        layout = {**self.layout, "annotations": self.annotations, "shapes": self.shapes}
        return go.Figure({"data": self.data, "layout": layout})


def _axis_suffix(row: int) -> str:
    return "" if row == 1 else str(row)


def _x_range(
    events: pd.DataFrame, period: tuple[object, object] | None, changes: pd.DataFrame | None
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The axis range: the period asked for (else the data's span), padded so edge markers show whole."""
    dates = events["event_date"]
    if changes is not None:
        dates = pd.concat([dates, pd.to_datetime(changes["event_date"])])
    dates = dates.dropna()
    start = pd.Timestamp(period[0]) if period and period[0] is not None else None
    end = pd.Timestamp(period[1]) if period and period[1] is not None else None
    start = start if start is not None else (dates.min() if len(dates) else pd.Timestamp("2023-10-07"))
    end = end if end is not None else (dates.max() if len(dates) else start + pd.Timedelta(days=30))
    if end - start < pd.Timedelta(days=14):
        middle = start + (end - start) / 2
        start, end = middle - pd.Timedelta(days=7), middle + pd.Timedelta(days=7)
    pad = (end - start) * 0.015 + pd.Timedelta(days=1)
    return start - pad, end + pad


def _ms_since(dates: pd.Series, origin: pd.Timestamp) -> np.ndarray:
    """Milliseconds from `origin` to each date, as floats (straight from the datetime ticks, no copies)."""
    values = dates.to_numpy()
    unit, _ = np.datetime_data(values.dtype)
    ticks_per_ms = np.timedelta64(1, "ms") / np.timedelta64(1, unit)
    return (values.view(np.int64) - np.datetime64(origin, unit).astype(np.int64)) / ticks_per_ms


def _margins(
    types: Sequence[str],
    key_items: list[list[_KeyItem]],
    lane_names: Sequence[str],
    style: TimelineStyle,
    width: float,
    reserve_top: float,
    reserve_bottom: float,
    slider: bool,
) -> dict[str, float]:
    left = max(text_width(name, style.tick_font_size) for name in lane_names) + style.tick_font_size * 1.2
    plot_w = width - left - style.margin_right
    row = legend_row_height(style)
    legend_h = _legend_rows(types, style, plot_w) * row
    key_lines = _key_lines(key_items, style.legend_font_size, plot_w)
    key_h = row * (len(key_lines) + 0.3)
    ticks = style.tick_font_size * 2.0  # one line of dates (see DATE_FORMATS)
    slider_h = style.range_slider_px + style.tick_font_size * 1.2 if slider else 0
    return {
        "l": left,
        "r": style.margin_right,
        "t": reserve_top + legend_h + key_h + row * 0.4,
        "b": reserve_bottom + ticks + slider_h + style.margin_bottom,
        "legend_h": legend_h,
    }


def _types_present(events: pd.DataFrame) -> list[str]:
    """The event types that occur, in the taxonomy's order."""
    codes = _codes_present(positions_in(events["event_type"], taxonomy.EVENT_TYPES), len(taxonomy.EVENT_TYPES))
    return [taxonomy.EVENT_TYPES[code] for code in codes]


def _codes_present(codes: np.ndarray, size: int) -> list[int]:
    """The codes in 0..size-1 that occur (a count per code is much faster than np.unique on many rows)."""
    counts = np.bincount(codes[codes >= 0], minlength=size) if len(codes) else np.zeros(size, dtype=int)
    return np.flatnonzero(counts).tolist()


def legend_row_height(style: TimelineStyle) -> float:
    """A legend row's height in px: Plotly gives each entry at least a 16 px symbol box plus a small gap,
    and a line of text 1.3 font sizes high, whichever is taller."""
    return max(style.legend_row_px, max(1.3 * style.legend_font_size, 16.0) + 6)


def _legend_rows(names: Sequence[str], style: TimelineStyle, plot_w: float) -> int:
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


def _events_budget(height: float, margins: dict, others: Sequence[float], style: TimelineStyle) -> float:
    """Px left for the swimlanes and their labels once the panels below and the gaps are placed."""
    plot_h = height - margins["t"] - margins["b"]
    return plot_h - sum(others) - style.panel_gap_px * len(others)


def _geometry(
    style: TimelineStyle,
    width: float,
    height: float | None,
    margins: dict,
    others: Sequence[float],
    lanes: int,
    clearance: float,
    used_rows: int,
) -> _Geometry:
    band = used_rows * style.label_row_px + (style.label_pad if used_rows else 0)
    others = list(others)
    if height is None:
        lane_px = style.lane_px
    else:
        budget = _events_budget(height, margins, others, style)
        lane_px = (budget - band) / lanes
        if used_rows and clearance > lane_px / 2:
            lane_px = (budget - band - clearance) / (lanes - 0.5)
        # Lanes shrink below their minimum only when the figure is too short for anything else.
        lane_px = max(min(style.min_lane_px, lane_px), min(style.max_lane_px, lane_px), 4.0)
    label_base = max(lanes * lane_px, (lanes - 0.5) * lane_px + clearance) if used_rows else lanes * lane_px
    events_px = label_base + band
    if height is not None:
        # Lanes have a maximum height: what they cannot use goes to the panels below.
        spare = max(0.0, _events_budget(height, margins, others, style) - events_px)
        others = [h + spare * h / sum(others) for h in others]
    panel_px = (events_px, *others)
    plot_h = sum(panel_px) + style.panel_gap_px * (len(panel_px) - 1)
    total = height if height is not None else margins["t"] + plot_h + margins["b"]
    return _Geometry(
        width=width,
        height=total,
        left=margins["l"],
        right=margins["r"],
        top=margins["t"],
        bottom=total - margins["t"] - plot_h,
        panel_px=panel_px,
        gap=style.panel_gap_px,
        lane_px=lane_px,
        label_base_px=label_base,
    )


def _dodge(lane_pos: np.ndarray, x_px: np.ndarray, top_lane: float, threshold: float) -> np.ndarray:
    """Small vertical offsets (in lanes) for markers closer than `threshold` px to the previous one in a lane."""
    offsets = np.zeros(len(lane_pos))
    order = np.lexsort((x_px, lane_pos))
    previous_lane, previous_x, run = None, -np.inf, 0
    for i in order:
        if lane_pos[i] == previous_lane and x_px[i] - previous_x < threshold:
            run += 1
        else:
            run = 0
        pattern = _TOP_LANE_DODGE if lane_pos[i] == top_lane else _DODGE
        offsets[i] = pattern[run % len(pattern)]
        if run == 0:
            previous_x = x_px[i]
        previous_lane = lane_pos[i]
    return offsets


def _draw_lane_shading(fig: Canvas, lane_names: Sequence[str]) -> None:
    for i in range(len(lane_names)):
        if i % 2 == 0:
            y = len(lane_names) - 1 - i
            fig.add_shape(
                type="rect",
                xref="x domain",
                yref="y",
                x0=0,
                x1=1,
                y0=y - 0.5,
                y1=y + 0.5,
                fillcolor=theme.LANE_SHADE_COLOUR,
                line={"width": 0},
                layer="below",
            )


def _draw_type_legend(fig: Canvas, types: Sequence[str], style: TimelineStyle) -> None:
    """One legend entry per event type present; clicking it hides that type's markers and bars together."""
    for event_type in types:
        fig.add_trace(
            dict(
                type="scatter",
                x=[None],
                y=[None],
                mode="markers",
                name=html.escape(event_type),
                legendgroup=event_type,
                marker={
                    "symbol": theme.EVENT_TYPE_SYMBOLS[event_type],
                    "color": theme.EVENT_TYPE_COLOURS[event_type],
                    "size": style.legend_font_size,
                    "line": {"width": 0},
                },
                hoverinfo="skip",
            ),
        )


def _draw_imprecise_bars(
    fig: Canvas, events: pd.DataFrame, imprecise: np.ndarray, y: np.ndarray, style: TimelineStyle
) -> None:
    """A translucent bar over the week or month of each event dated only to that period (`imprecise`)."""
    if not imprecise.any():
        return
    dates = events["event_date"]
    is_month = (events["time_precision"].astype("string") == "month").to_numpy()
    starts = dates.dt.to_period("M").dt.start_time.where(is_month, dates - pd.Timedelta(days=3.5))
    ends = (dates.dt.to_period("M").dt.end_time + pd.Timedelta(microseconds=1)).where(
        is_month, dates + pd.Timedelta(days=3.5)
    )
    for event_type in _types_present(events[imprecise]):
        chosen = np.flatnonzero(imprecise & (events["event_type"].astype("string") == event_type).to_numpy())
        xs, ys = [], []
        for i in chosen:
            xs += [starts.iloc[i], ends.iloc[i], None]
            ys += [y[i], y[i], None]
        fig.add_trace(
            dict(
                type="scatter",
                x=xs,
                y=ys,
                mode="lines",
                line={"color": theme.EVENT_TYPE_COLOURS[event_type], "width": style.bar_width},
                opacity=0.4,
                legendgroup=event_type,
                showlegend=False,
                hoverinfo="skip",
                name=html.escape(event_type),
            ),
        )


def _draw_markers(
    fig: Canvas, events: pd.DataFrame, y: np.ndarray, sizes: np.ndarray, cards: np.ndarray, style: TimelineStyle
) -> None:
    """One marker per event: the type's colour and shape, area by reported deaths, hollow when unreported."""
    # Types absent here draw nothing (their selections are empty), so the whole taxonomy needs no pre-pass.
    type_code = positions_in(events["event_type"], taxonomy.EVENT_TYPES)
    unknown = events["fatalities"].isna().to_numpy()
    dates = events["event_date"].to_numpy()
    for code, event_type in enumerate(taxonomy.EVENT_TYPES):
        for hollow in (False, True):
            chosen = np.flatnonzero((type_code == code) & (unknown == hollow))
            if not len(chosen):
                continue
            symbol = theme.EVENT_TYPE_SYMBOLS[event_type]
            colour = theme.EVENT_TYPE_COLOURS[event_type]
            fig.add_trace(
                dict(
                    type="scatter",
                    x=dates[chosen],
                    y=y[chosen],
                    mode="markers",
                    name=html.escape(event_type),
                    legendgroup=event_type,
                    showlegend=False,
                    marker={
                        "symbol": f"{symbol}-open" if hollow else symbol,
                        "color": colour,
                        "size": sizes[chosen],
                        "opacity": 0.9,
                        "line": {
                            "width": style.marker_line * (1.3 if hollow else 0.7),
                            "color": colour if hollow else theme.BACKGROUND,
                        },
                    },
                    customdata=cards[chosen],
                    hovertemplate="%{customdata}<extra></extra>",
                ),
            )


def _draw_key_rings(
    fig: Canvas, events: pd.DataFrame, key_order: np.ndarray, y: np.ndarray, sizes: np.ndarray, style: TimelineStyle
) -> None:
    if not len(key_order):
        return
    fig.add_trace(
        dict(
            type="scatter",
            x=events["event_date"].to_numpy()[key_order],
            y=y[key_order],
            mode="markers",
            name="Key event",
            showlegend=False,
            marker={
                "symbol": "circle-open",
                "size": sizes[key_order] + style.ring_pad,
                "color": theme.KEY_EVENT_COLOUR,
                "line": {"width": style.ring_line, "color": theme.KEY_EVENT_COLOUR},
            },
            hoverinfo="skip",
        ),
    )


def _draw_leaders(
    fig: Canvas,
    events: pd.DataFrame,
    groups: Sequence[np.ndarray],
    placements: Sequence[Placement | None],
    y: np.ndarray,
    sizes: np.ndarray,
    geometry: _Geometry,
    style: TimelineStyle,
) -> None:
    """A thin dotted line from each placed label down to the top of its event's ring."""
    xs, ys = [], []
    dates = events["event_date"].to_numpy()
    for group, placement in zip(groups, placements, strict=True):
        if placement is None:
            continue
        label_bottom = geometry.lane_units(geometry.label_base_px + placement.row * style.label_row_px)
        for i in group:
            marker_top = y[i] + (sizes[i] / 2 + style.ring_pad / 2 + style.ring_line) / geometry.lane_px
            xs += [dates[i], dates[i], None]
            ys += [marker_top, label_bottom + style.label_pad / geometry.lane_px, None]
    if xs:
        fig.add_trace(
            dict(
                type="scatter",
                x=xs,
                y=ys,
                mode="lines",
                line={"color": theme.LEADER_COLOUR, "width": style.leader_width, "dash": "dot"},
                hoverinfo="skip",
                showlegend=False,
                name="Key event label",
            ),
        )


def _draw_labels(
    fig: Canvas,
    x0: pd.Timestamp,
    ms_per_px: float,
    anchors_px: Sequence[float],
    texts: Sequence[str],
    placements: Sequence[Placement | None],
    geometry: _Geometry,
    style: TimelineStyle,
) -> None:
    """Each label pinned to its event's date and shifted in pixels: a wider chart than the layout assumed
    spreads the events apart but keeps every label on its leader line, so nothing comes to overlap."""
    for anchor, text, placement in zip(anchors_px, texts, placements, strict=True):
        if placement is None:
            continue
        centre = geometry.label_base_px + (placement.row + 0.5) * style.label_row_px
        fig.add_annotation(
            x=x0 + pd.Timedelta(milliseconds=anchor * ms_per_px),
            xshift=placement.left - anchor + style.label_pad,
            y=geometry.lane_units(centre),
            xref="x",
            yref="y",
            text=html.escape(str(text)),
            showarrow=False,
            xanchor="left",
            yanchor="middle",
            font={"size": style.label_font_size, "color": theme.TEXT_COLOUR},
            borderpad=0,
        )


def _draw_lane_density(fig: Canvas, lane_pos: np.ndarray, bins: Bins, lane_names: Sequence[str]) -> None:
    """Counts per lane and period as a heat strip, for more events than markers can show."""
    n_bins, n_lanes = len(bins.starts), len(lane_names)
    flat = bins.code * n_lanes + lane_pos.astype(np.int64)
    counts = np.bincount(flat, minlength=n_bins * n_lanes).reshape(n_bins, n_lanes).T
    names = bins.names()
    text = [[f"{html.escape(lane_names[n_lanes - 1 - lane])}, {name}" for name in names] for lane in range(n_lanes)]
    fig.add_trace(
        dict(
            type="heatmap",
            x=bins.centres,
            y=np.arange(n_lanes, dtype=float),
            z=np.where(counts > 0, counts, np.nan),
            text=text,
            colorscale=theme.DENSITY_COLOURSCALE,
            zmin=0,
            showscale=False,
            name="Events",
            hovertemplate="%{text}: %{z:,} events<extra></extra>",
            xgap=1,
            ygap=4,
        ),
    )


def _draw_changes(
    fig: Canvas,
    events: pd.DataFrame,
    changes: pd.DataFrame,
    y: np.ndarray,
    lane_y: dict[str, float],
    lanes: str,
    sizes: np.ndarray,
    style: TimelineStyle,
) -> None:
    """Rings round events added or revised since a brief, and a cross where a removed event was."""
    position = pd.Series(np.arange(len(events)), index=events["event_id"].astype(str).to_numpy())
    for kind in ("added", "revised", "removed"):
        rows = changes[changes["change"] == kind]
        if rows.empty:
            continue
        details = rows["details"].astype("string").fillna("").map(html.escape)
        heading = f"<b>{CHANGE_WORDS[kind].capitalize()} since the brief</b><br>"
        if kind == "removed":
            xs = pd.to_datetime(rows["event_date"]).to_numpy()
            ys = lane_values(rows, lanes).map(lane_y).to_numpy(dtype=float)
            marker_size = np.full(len(rows), style.marker_min * 1.7)
            line_width = style.ring_line * 1.2
        else:
            found = rows["event_id"].astype(str).map(position).dropna().astype(int)
            # The ring sits over the event's marker and takes its hover: it shows the event's card too.
            cards = hover_cards(events.iloc[found.to_numpy()]).to_numpy(dtype=object)
            details = details.loc[found.index] + "<br><br>" + cards
            xs = events["event_date"].to_numpy()[found.to_numpy()]
            ys = y[found.to_numpy()]
            marker_size = sizes[found.to_numpy()] + style.ring_pad * 2.6
            line_width = style.ring_line * 1.2
        if not len(xs):
            continue
        fig.add_trace(
            dict(
                type="scatter",
                x=xs,
                y=ys,
                mode="markers",
                name=f"{CHANGE_WORDS[kind].capitalize()} since the brief",
                showlegend=False,
                marker={
                    "symbol": theme.CHANGE_SYMBOLS[kind],
                    "size": marker_size,
                    "color": theme.CHANGE_COLOURS[kind],
                    "line": {"width": line_width, "color": theme.CHANGE_COLOURS[kind]},
                },
                customdata=(heading + details).to_numpy(dtype=object),
                hovertemplate="%{customdata}<extra></extra>",
            ),
        )


def counts_panel(granularity: str, style: TimelineStyle = SCREEN) -> Panel:
    """Events per week or month, stacked by type in the house colours."""
    word = GRANULARITIES[granularity].lower()
    return Panel(name="counts", title=f"Events per {word}, by type", height_px=style.counts_px, draw=_draw_counts)


def fatalities_panel(granularity: str, style: TimelineStyle = SCREEN) -> Panel:
    """Reported deaths per week or month (events without a reported figure are counted apart)."""
    word = GRANULARITIES[granularity].lower()
    return Panel(
        name="fatalities",
        title=f"Reported deaths per {word} (events with no reported figure are not counted as zero)",
        height_px=style.fatalities_px,
        draw=_draw_fatalities,
    )


def _draw_counts(fig: Canvas, context: PanelContext) -> None:
    events, bins = context.events, context.bins
    n_bins, n_types = len(bins.starts), len(taxonomy.EVENT_TYPES)
    type_code = positions_in(events["event_type"], taxonomy.EVENT_TYPES)
    known = type_code >= 0
    counts = np.bincount(bins.code[known] * n_types + type_code[known], minlength=n_bins * n_types).reshape(
        n_bins, n_types
    )
    width_ms = (bins.ends - bins.starts).astype(np.int64) * 0.88
    names = np.array(bins.names(), dtype=object)
    for j, event_type in enumerate(taxonomy.EVENT_TYPES):
        chosen = np.flatnonzero(counts[:, j])
        if not len(chosen):
            continue
        fig.add_trace(
            dict(
                type="bar",
                x=bins.centres[chosen],
                y=counts[chosen, j],
                width=width_ms[chosen],
                name=html.escape(event_type),
                legendgroup=event_type,
                showlegend=False,
                marker={"color": theme.EVENT_TYPE_COLOURS[event_type], "line": {"width": 0}},
                customdata=names[chosen],
                hovertemplate=f"%{{customdata}}: %{{y}} × {html.escape(event_type)}<extra></extra>",
            ),
            row=context.row,
        )
    fig.update_yaxis(context.row, rangemode="tozero", tickformat=",d")


def _draw_fatalities(fig: Canvas, context: PanelContext) -> None:
    events, bins = context.events, context.bins
    n_bins = len(bins.starts)
    unknown = events["fatalities"].isna().to_numpy()
    reported = np.bincount(
        bins.code, weights=events["fatalities"].to_numpy(dtype=float, na_value=0.0), minlength=n_bins
    )
    without = np.bincount(bins.code[unknown], minlength=n_bins)
    with_figure = np.bincount(bins.code, minlength=n_bins) - without
    chosen = np.flatnonzero(reported > 0)
    names = np.array(bins.names(), dtype=object)
    fig.add_trace(
        dict(
            type="bar",
            x=bins.centres[chosen],
            y=reported[chosen],
            width=(bins.ends - bins.starts).astype(np.int64)[chosen] * 0.88,
            name="Reported deaths",
            showlegend=False,
            marker={"color": theme.FATALITIES_COLOUR, "line": {"width": 0}},
            customdata=np.column_stack(
                [
                    names[chosen],
                    with_figure[chosen].astype(int).astype(object),
                    without[chosen].astype(int).astype(object),
                ]
            ),
            hovertemplate=(
                "%{customdata[0]}: %{y:,} reported deaths<br>in %{customdata[1]} events with a figure;"
                " %{customdata[2]} events without one<extra></extra>"
            ),
        ),
        row=context.row,
    )
    fig.update_yaxis(context.row, rangemode="tozero", tickformat=",d")


def _style_axes(
    fig: Canvas,
    lane_names: Sequence[str],
    lane_y: dict[str, float],
    geometry: _Geometry,
    x0: pd.Timestamp,
    x1: pd.Timestamp,
    style: TimelineStyle,
    slider: bool,
    rows: int,
) -> None:
    """Every axis: rows stacked on one time axis (the bottom row's, which carries the tick labels); set
    before the panels draw, so a band may restyle its own y axis."""
    tick_font = {"size": style.tick_font_size, "color": theme.TEXT_COLOUR}
    axes: dict[str, dict] = {}
    for row, domain in enumerate(geometry.row_domains(), start=1):
        suffix = _axis_suffix(row)
        axes[f"xaxis{suffix}"] = {
            "anchor": f"y{suffix}",
            "domain": [0.0, 1.0],
            "type": "date",
            "range": [x0, x1],
            "showgrid": True,
            "gridcolor": theme.GRID_COLOUR,
            "tickfont": tick_font,
            "ticks": "outside" if row > 1 else "",
            "ticklen": style.tick_font_size * 0.3,
            "tickcolor": theme.BORDER_COLOUR,
            "nticks": max(4, int(geometry.plot_w / (style.tick_font_size * 7))),
            "showline": False,
            "zeroline": False,
            "tickformatstops": DATE_FORMATS,
            **({} if row == rows else {"matches": f"x{rows}", "showticklabels": False}),
        }
        axes[f"yaxis{suffix}"] = {
            "anchor": f"x{suffix}",
            "domain": list(domain),
            "tickfont": {"size": style.tick_font_size * 0.9, "color": theme.MUTED_TEXT_COLOUR},
            "nticks": 4,
            "gridcolor": theme.GRID_COLOUR,
            "zeroline": True,
            "zerolinecolor": theme.BORDER_COLOUR,
            "fixedrange": True,
        }
    if slider:
        axes[f"xaxis{rows}"]["rangeslider"] = {"visible": True, "thickness": style.range_slider_px / geometry.plot_h}
    axes["yaxis"] |= {
        "range": [-0.5, geometry.lane_units(geometry.panel_px[0])],
        "tickvals": [lane_y[name] for name in lane_names],
        "ticktext": [html.escape(name) for name in lane_names],
        "tickfont": tick_font,
        "showgrid": False,
        "zeroline": False,
        "fixedrange": True,
    }
    fig.layout.update(axes)


def _add_panel_titles(fig: Canvas, panels: Sequence[Panel | None], geometry: _Geometry, style: TimelineStyle) -> None:
    for panel, domain in zip(panels, geometry.row_domains(), strict=True):
        if panel is None:
            continue
        fig.add_annotation(
            x=0,
            y=domain[1] + style.panel_title_size * 0.25 / geometry.plot_h,
            xref="paper",
            yref="paper",
            xanchor="left",
            yanchor="bottom",
            text=html.escape(panel.title),
            showarrow=False,
            font={"size": style.panel_title_size, "color": theme.MUTED_TEXT_COLOUR},
        )


@dataclass(frozen=True)
class _KeyItem:
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


def _key_items(
    has_imprecise: bool, has_key_events: bool, changes: pd.DataFrame | None, style: TimelineStyle
) -> list[list[_KeyItem]]:
    """The key's entries in groups that stay on one line: sizes, hollow, imprecise, key event, changes."""
    ink = theme.MUTED_TEXT_COLOUR
    sizes = [
        _KeyItem(f"{deaths:,}", "circle", float(marker_sizes(pd.Series([deaths], dtype="Int64"), style)[0]), ink,
                 filled=True, gap_after=0.7 if deaths != SIZE_KEY_DEATHS[-1] else 1.4)
        for deaths in SIZE_KEY_DEATHS
    ]  # fmt: skip
    groups = [[_KeyItem("Reported deaths:", gap_after=0.6), *sizes]]
    groups.append(
        [_KeyItem("none reported", "circle", style.marker_min, ink, filled=False, line=style.marker_line * 1.3)]
    )
    if has_imprecise:
        groups.append([_KeyItem("date known to the week or month", "bar", style.marker_min * 2.6, ink, filled=True)])
    if has_key_events:
        ring = style.marker_min + style.ring_pad
        groups.append([_KeyItem("key event", "circle", ring, theme.KEY_EVENT_COLOUR, line=style.ring_line)])
    if changes is not None:
        for kind in ("added", "revised", "removed"):
            if (changes["change"] == kind).any():
                shape = {"added": "circle", "revised": "square", "removed": "cross"}[kind]
                groups.append(
                    [_KeyItem(f"{CHANGE_WORDS[kind]} since brief", shape, style.marker_min * 1.5,
                              theme.CHANGE_COLOURS[kind], line=style.ring_line * 1.2, gap_after=1.0)]
                )  # fmt: skip
    return groups


def _key_lines(groups: list[list[_KeyItem]], font: float, plot_w: float) -> list[list[_KeyItem]]:
    """The key's groups wrapped into lines no wider than the plot."""
    lines: list[list[_KeyItem]] = [[]]
    used = 0.0
    for group in groups:
        width = sum(item.width(font) for item in group)
        if lines[-1] and used + width > plot_w:
            lines.append([])
            used = 0.0
        lines[-1].extend(group)
        used += width
    return lines


def _add_key(
    fig: Canvas,
    key_items: list[list[_KeyItem]],
    legend_h: float,
    geometry: _Geometry,
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
    lines = _key_lines(key_items, font, geometry.plot_w)
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
                text=html.escape(item.words), showarrow=False, font={"size": font, "color": theme.TEXT_COLOUR},
            )  # fmt: skip
            x += text_width(item.words, font) + font * item.gap_after


def _key_glyph(fig: Canvas, item: _KeyItem, x: float, y: float, style: TimelineStyle) -> None:
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
