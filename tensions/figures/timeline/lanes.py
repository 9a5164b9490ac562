"""Drawing the swimlanes: shading, markers dodged apart, imprecise-date bars, key-event rings, labels and leaders, counts above `max_markers`, changes since a brief."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tensions.analysis.periods import period_bounds
from tensions.data import taxonomy
from tensions.data.categorical import positions_in
from tensions.data.literal import plotly_literal
from tensions.figures import theme
from tensions.figures.annotations import Placement
from tensions.figures.hover import hover_cards
from tensions.figures.timeline.canvas import Canvas
from tensions.figures.timeline.events import lane_values, types_present
from tensions.figures.timeline.geometry import Geometry
from tensions.figures.timeline.panels import Bins
from tensions.figures.timeline.style import BOTTOM_LANE_DODGE, CHANGE_WORDS, DODGE, TOP_LANE_DODGE, TimelineStyle


def dodge_offsets(
    lane_pos: np.ndarray, x_px: np.ndarray, top_lane: float, threshold: float, sizes: np.ndarray | None = None
) -> np.ndarray:
    """Small vertical offsets (in lanes) for markers closer than `threshold` px (or than most of their own
    diameter, `sizes`) to the first of a run in a lane, so that they spread over the lane's height."""
    offsets = np.zeros(len(lane_pos))
    order = np.lexsort((x_px, lane_pos))
    near = np.maximum(threshold, 0.6 * sizes) if sizes is not None else np.full(len(lane_pos), threshold)
    previous_lane, previous_x, run = None, -np.inf, 0
    for i in order:
        if lane_pos[i] == previous_lane and x_px[i] - previous_x < near[i]:
            run += 1
        else:
            run = 0
        pattern = TOP_LANE_DODGE if lane_pos[i] == top_lane else BOTTOM_LANE_DODGE if lane_pos[i] == 0 else DODGE
        offsets[i] = pattern[run % len(pattern)]
        if run == 0:
            previous_x = x_px[i]
        previous_lane = lane_pos[i]
    return offsets


def draw_lane_shading(fig: Canvas, lane_names: Sequence[str]) -> None:
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


def draw_type_legend(fig: Canvas, types: Sequence[str], style: TimelineStyle) -> None:
    """One legend entry per event type present; clicking it hides that type's markers and bars together."""
    for event_type in types:
        fig.add_trace(
            dict(
                type="scatter",
                x=[None],
                y=[None],
                mode="markers",
                name=plotly_literal(event_type),
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


def draw_imprecise_bars(
    fig: Canvas, events: pd.DataFrame, imprecise: np.ndarray, y: np.ndarray, style: TimelineStyle
) -> None:
    """A translucent bar over the week or month of each event dated only to that period (`imprecise`)."""
    if not imprecise.any():
        return
    dates = events["event_date"]
    is_month = (events["time_precision"].astype("string") == "month").to_numpy()
    month_starts, next_months = period_bounds(dates, "month")
    # A month-precision event spans its calendar month; a week-precision one the 7 days centred on its date.
    starts = month_starts.where(is_month, dates - pd.Timedelta(days=3.5))
    ends = next_months.where(is_month, dates + pd.Timedelta(days=3.5))
    for event_type in types_present(events[imprecise]):
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
                name=plotly_literal(event_type),
            ),
        )


def draw_markers(
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
                    name=plotly_literal(event_type),
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


def draw_key_rings(
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


def draw_leaders(
    fig: Canvas,
    events: pd.DataFrame,
    groups: Sequence[np.ndarray],
    placements: Sequence[Placement | None],
    y: np.ndarray,
    sizes: np.ndarray,
    geometry: Geometry,
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


def draw_labels(
    fig: Canvas,
    x0: pd.Timestamp,
    ms_per_px: float,
    anchors_px: Sequence[float],
    texts: Sequence[str],
    placements: Sequence[Placement | None],
    geometry: Geometry,
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
            text=plotly_literal(text),
            showarrow=False,
            xanchor="left",
            yanchor="middle",
            font={"size": style.label_font_size, "color": theme.TEXT_COLOUR},
            borderpad=0,
        )


def draw_lane_density(
    fig: Canvas, lane_pos: np.ndarray, bins: Bins, lane_names: Sequence[str], counts: np.ndarray
) -> None:
    """Counts per lane and period as a heat strip, for more events than markers can show (`counts`: how
    many events each row stands for)."""
    n_bins, n_lanes = len(bins.starts), len(lane_names)
    flat = bins.code * n_lanes + lane_pos.astype(np.int64)
    counts = np.bincount(flat, weights=counts, minlength=n_bins * n_lanes).astype(np.int64)
    counts = counts.reshape(n_bins, n_lanes).T
    names = bins.names()
    text = [[f"{plotly_literal(lane_names[n_lanes - 1 - lane])}, {name}" for name in names] for lane in range(n_lanes)]
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


def draw_changes(
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
        details = rows["details"].astype("string").fillna("").map(plotly_literal)
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
