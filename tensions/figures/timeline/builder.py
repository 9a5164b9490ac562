"""The timeline: events in swimlanes over time with key events labelled, and counts and deaths below.

The figure is a stack of panels sharing one time axis (subplot rows): the swimlanes first, then
any `bands` a caller adds (e.g. a tension index), then events per week or month stacked by type, then
reported deaths. Sizes are laid out in pixels from a `TimelineStyle`, so the same builder draws the
on-screen chart and, through `tensions.figures.briefing`, a 1920x1080 slide with large type.

The figure is assembled as plain data (`canvas.Canvas`) and validated once at the end: Plotly's incremental
`add_trace`/`update_layout` re-validate the whole figure on each call, which cost half a second per build
whatever the number of events.

Encodings: colour and marker shape by event type (from `tensions.figures.theme`); marker area by reported deaths
(log scale), hollow when no figure was reported (never drawn as zero); a translucent bar over the week
or month when the date is known only to that period; a dark ring and a label for key events.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tensions.analysis import weighted
from tensions.analysis.periods import Granularity
from tensions.data.categorical import positions_in
from tensions.data.literal import plotly_literal
from tensions.data.tags import is_key_event
from tensions.figures import theme
from tensions.figures.annotations import group_close, layout_labels, text_width
from tensions.figures.hover import hover_cards
from tensions.figures.timeline.canvas import Canvas, axis_suffix
from tensions.figures.timeline.events import (
    codes_present,
    imprecise_dates,
    key_event_labels,
    lane_values,
    present_lanes,
    sizes_for,
    types_present,
)
from tensions.figures.timeline.geometry import Geometry
from tensions.figures.timeline.key import (
    KeyItem,
    add_key,
    key_item_groups,
    legend_row_height,
    legend_rows,
    wrap_key_lines,
)
from tensions.figures.timeline.lanes import (
    dodge_offsets,
    draw_changes,
    draw_imprecise_bars,
    draw_key_rings,
    draw_labels,
    draw_lane_density,
    draw_lane_shading,
    draw_leaders,
    draw_markers,
    draw_type_legend,
)
from tensions.figures.timeline.panels import Panel, PanelContext, counts_panel, fatalities_panel, period_bins
from tensions.figures.timeline.style import (
    DATE_FORMATS,
    LANE_ORDERS,
    LANES,
    MAX_MARKERS,
    SCREEN,
    UNASSIGNED_LANE,
    TimelineStyle,
)


def event_timeline(
    events: pd.DataFrame,
    *,
    lanes: str = "theatre",
    granularity: Granularity = "week",
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
    reserve_right: float = 0.0,
    numbered: bool = False,
) -> go.Figure:
    """Events in swimlanes (by theatre or actor family) over time, with counts and deaths per period below.

    `width`/`height` are the figure's size in px (height None: as tall as its content needs);
    `layout_width` is the width the key-event labels are laid out for (default `width`: a page whose
    chart may be squeezed passes less). `changes` (event_id, change, event_date, the lane columns,
    details) marks what changed since a saved brief. `reserve_top`/`reserve_bottom` keep room for a
    slide's title and footer, `reserve_right` a list beside the plot. `numbered` labels key events with
    numbers (1, 2, … by date) instead of words, for a list beside the figure that names them. Facts about
    the result (lanes, key-event labels, unlabelled key events) are in `layout.meta`. `events` may be a
    period summary (`tensions.analysis.weighted`) of more than `max_markers` events plus the key events
    themselves, one per row: the lanes' heat strip and the panels count its sums.
    """
    if lanes not in LANES:
        raise ValueError(f"lanes must be one of {sorted(LANES)}, not {lanes!r}")
    changed = changes if changes is not None and len(changes) else None
    order = [*LANE_ORDERS[lanes], UNASSIGNED_LANE]
    lane_code = positions_in(events[lanes], order) if lanes in events else np.full(len(events), -1)
    lane_code[lane_code < 0] = len(order) - 1  # unknown family: the Unassigned lane
    extra = lane_values(changed, lanes) if changed is not None else pd.Series(dtype="string")
    present = set(codes_present(lane_code, len(order))) | {order.index(lane) for lane in present_lanes(extra, lanes)}
    lane_names = [order[code] for code in sorted(present)] or [UNASSIGNED_LANE]
    lane_y = {name: float(len(lane_names) - 1 - i) for i, name in enumerate(lane_names)}
    top_lane = float(len(lane_names) - 1)
    x0, x1 = _x_range(events, period, changed)
    bins = period_bins(events["event_date"], granularity)
    detailed = weighted.total_events(events) <= max_markers
    screen = height is None
    slider = range_slider and style.range_slider_px > 0

    # Per-event facts are computed once: on a million rows each pass costs milliseconds.
    types = types_present(events)
    imprecise = imprecise_dates(events).to_numpy()
    deaths = events["fatalities"].to_numpy(dtype=float, na_value=0.0)
    is_key = is_key_event(events).to_numpy()
    key_idx = np.flatnonzero(is_key)
    key_items = key_item_groups(bool(imprecise.any()), bool(len(key_idx)), changed, style)
    margins = _margins(types, key_items, lane_names, style, width, reserve_top, reserve_bottom, reserve_right, slider)
    plot_w = width - margins["l"] - margins["r"]
    label_w = (layout_width or width) - margins["l"] - margins["r"]
    span_ms = (x1 - x0).total_seconds() * 1000
    x_ms = _ms_since(events["event_date"], x0)

    # Above `max_markers` the lanes are a heat strip and only key events get a marker: only they need a size.
    drawn = slice(None) if detailed else key_idx
    sizes = np.full(len(events), float(style.marker_min))
    sizes[drawn] = sizes_for(deaths[drawn], style)
    lane_pos = np.array([lane_y.get(name, 0.0) for name in order])[lane_code]
    x_px = x_ms * plot_w / span_ms
    offsets = dodge_offsets(lane_pos, x_px, top_lane, style.dodge_px, sizes) if detailed else 0 * lane_pos
    y = lane_pos + offsets

    # Key-event labels are laid out in px along the axis, in rows above the top lane's markers.
    key_order = key_idx[np.argsort(x_ms[key_idx], kind="stable")]
    key_px = x_ms[key_order] * label_w / span_ms
    in_top = lane_pos == top_lane
    # How far markers (and their key-event rings) reach above the top lane and below the bottom one.
    reach = sizes / 2 + np.where(is_key, style.ring_pad / 2 + style.ring_line, 0.0) + style.marker_line
    if changed is not None:
        # A ring round an event changed since a brief is wider still (see `draw_changes`).
        marked = events["event_id"].astype(str).isin(changed["event_id"].astype(str)).to_numpy()
        reach[marked] = sizes[marked] / 2 + style.ring_pad * 1.3 + style.ring_line * 0.6 + style.marker_line
    clearance = float(reach[in_top].max(initial=style.marker_min / 2)) + style.label_pad * 2
    # A dodged marker sits off its lane's centre: counted at the tallest lane, to be sure.
    floor = float((reach - np.minimum(offsets, 0) * style.max_lane_px)[lane_pos == 0].max(initial=0.0))
    panels: list[Panel | None] = [None, *bands, counts_panel(granularity, style), fatalities_panel(granularity, style)]
    others = [panel.height_px for panel in panels[1:]]
    rows_allowed = style.max_label_rows
    if not screen:
        budget = _events_budget(height, margins, others, style)
        spare = (
            budget
            - len(lane_names) * style.min_lane_px
            - max(0.0, clearance - style.min_lane_px / 2)
            - max(0.0, floor - style.min_lane_px / 2)
        )
        rows_allowed = int(max(0, min(style.max_label_rows, (spare - style.label_pad) // style.label_row_px)))
    labels = pd.Series(key_event_labels(events.iloc[key_order]).to_numpy(dtype=object), index=key_order)
    # Key events closer than a label's inset share one label (same-day events, typically). Numbered, those
    # closer than a digit share one number, and, when the numbers do not all fit, those closer than two.
    digit = text_width("8", style.label_font_size)
    for near in (digit + style.label_pad, 2 * digit + 2 * style.label_pad) if numbered else (2 * style.label_inset,):
        groups = [key_order[g] for g in group_close(key_px, near)]
        names = [list(dict.fromkeys(str(t) for t in labels[g])) for g in groups]
        texts = [str(n) for n in range(1, len(groups) + 1)] if numbered else [" · ".join(n) for n in names]
        anchors_px = [float(np.mean(x_ms[g])) * label_w / span_ms for g in groups]
        placements = layout_labels(
            anchors_px,
            [text_width(t, style.label_font_size) + 2 * style.label_pad for t in texts],
            rows=rows_allowed,
            gap=style.label_gap,
            clearance=style.label_clearance,
            inset=style.label_inset,
            right=label_w,
            weights=[(1 + np.log10(1 + deaths[g].max())) ** 2 for g in groups],
        )
        if all(p is not None for p in placements):
            break
    used_rows = max((p.row + 1 for p in placements if p is not None), default=0)
    geometry = _geometry(style, width, height, margins, others, len(lane_names), clearance, floor, used_rows)

    canvas = Canvas()
    canvas.layout.update(theme.house_layout(font_size=round(style.font_size)))
    _style_axes(canvas, lane_names, lane_y, geometry, x0, x1, style, slider, len(panels))
    draw_lane_shading(canvas, lane_names)
    draw_type_legend(canvas, types, style)
    if detailed:
        cards = hover_cards(events).to_numpy(dtype=object)
        draw_imprecise_bars(canvas, events, imprecise, y, style)
        draw_leaders(canvas, events, groups, placements, y, sizes, geometry, style)
        draw_markers(canvas, events, y, sizes, cards, style)
        draw_key_rings(canvas, events, key_order, y, sizes, style)
    else:
        draw_lane_density(canvas, lane_pos, bins, lane_names, weighted.event_counts(events))
        draw_leaders(canvas, events, groups, placements, y, sizes, geometry, style)
        key_events = events.iloc[key_order]
        key_cards = hover_cards(key_events).to_numpy(dtype=object)
        draw_markers(canvas, key_events, y[key_order], sizes[key_order], key_cards, style)
        draw_key_rings(canvas, events, key_order, y, sizes, style)
    if changed is not None:
        draw_changes(canvas, events, changed, y, lane_y, lanes, sizes, style)
    draw_labels(canvas, x0, span_ms / label_w, anchors_px, texts, placements, geometry, style)
    _add_panel_titles(canvas, panels, geometry, style)
    add_key(canvas, key_items, margins["legend_h"], geometry, style, reserve_top)
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
            "key_labels": [
                {
                    "text": text,
                    "names": name,
                    "events": [str(events["event_id"].iloc[i]) for i in group],
                    "placed": p is not None,
                }
                for text, name, group, p in zip(texts, names, groups, placements, strict=True)
            ],
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


def _x_range(
    events: pd.DataFrame, period: tuple[object, object] | None, changes: pd.DataFrame | None
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The axis range: the period asked for (else the data's span), padded so edge markers show whole."""
    dates = events["event_date"]
    if weighted.is_summary(events):  # a summed row's dates run from its `event_date` to its last date
        dates = pd.concat([dates, weighted.last_dates(events)])
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
    key_items: list[list[KeyItem]],
    lane_names: Sequence[str],
    style: TimelineStyle,
    width: float,
    reserve_top: float,
    reserve_bottom: float,
    reserve_right: float,
    slider: bool,
) -> dict[str, float]:
    left = max(text_width(name, style.tick_font_size) for name in lane_names) + style.tick_font_size * 1.2
    right = style.margin_right + reserve_right
    plot_w = width - left - right
    row = legend_row_height(style)
    legend_h = legend_rows(types, style, plot_w) * row
    key_lines = wrap_key_lines(key_items, style.legend_font_size, plot_w)
    key_h = row * (len(key_lines) + 0.3)
    ticks = style.tick_font_size * 2.0  # one line of dates (see DATE_FORMATS)
    slider_h = style.range_slider_px + style.tick_font_size * 1.2 if slider else 0
    return {
        "l": left,
        "r": right,
        "t": reserve_top + legend_h + key_h + row * 0.4,
        "b": reserve_bottom + ticks + slider_h + style.margin_bottom,
        "legend_h": legend_h,
    }


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
    floor: float,
    used_rows: int,
) -> Geometry:
    """Sizes in px: lanes as tall as the budget allows (within the style's limits), and room above the top
    lane (`clearance`) and below the bottom one (`floor`) for the markers that reach beyond their lane."""
    band = used_rows * style.label_row_px + (style.label_pad if used_rows else 0)
    others = list(others)
    if height is None:
        lane_px = style.lane_px
    else:
        budget = _events_budget(height, margins, others, style)
        lane_px = (budget - band) / lanes
        # The top lane's markers and the bottom lane's reach half a lane beyond its centre (and more when
        # larger): each such overhang takes half a lane less from the lanes' share.
        for _ in range(2):
            over = [reach for reach in (clearance, floor) if reach > lane_px / 2]
            lane_px = (budget - band - sum(over)) / max(lanes - 0.5 * len(over), 0.5)
        # Lanes shrink below their minimum only when the figure is too short for anything else.
        lane_px = max(min(style.min_lane_px, lane_px), min(style.max_lane_px, lane_px), 4.0)
    floor_px = max(0.0, floor - lane_px / 2)
    label_base = max(lanes * lane_px, (lanes - 0.5) * lane_px + clearance) + floor_px
    events_px = label_base + band
    if height is not None:
        # Lanes have a maximum height: what they cannot use goes to the panels below.
        spare = max(0.0, _events_budget(height, margins, others, style) - events_px)
        others = [h + spare * h / sum(others) for h in others]
    panel_px = (events_px, *others)
    plot_h = sum(panel_px) + style.panel_gap_px * (len(panel_px) - 1)
    total = height if height is not None else margins["t"] + plot_h + margins["b"]
    return Geometry(
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
        floor_px=floor_px,
    )


def _style_axes(
    fig: Canvas,
    lane_names: Sequence[str],
    lane_y: dict[str, float],
    geometry: Geometry,
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
        suffix = axis_suffix(row)
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
        "range": [geometry.lane_units(0.0), geometry.lane_units(geometry.panel_px[0])],
        "tickvals": [lane_y[name] for name in lane_names],
        "ticktext": [plotly_literal(name) for name in lane_names],
        "tickfont": tick_font,
        "showgrid": False,
        "zeroline": False,
        "fixedrange": True,
    }
    fig.layout.update(axes)


def _add_panel_titles(fig: Canvas, panels: Sequence[Panel | None], geometry: Geometry, style: TimelineStyle) -> None:
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
            text=plotly_literal(panel.title),
            showarrow=False,
            font={"size": style.panel_title_size, "color": theme.MUTED_TEXT_COLOUR},
        )
