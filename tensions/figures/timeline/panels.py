"""Period bins and the panels under the lanes on the same time axis: events and reported deaths per period."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tensions.analysis import weighted
from tensions.analysis.periods import Granularity, period_numbers, period_start_days
from tensions.data import taxonomy
from tensions.data.categorical import positions_in
from tensions.data.literal import plotly_literal
from tensions.figures import theme
from tensions.figures.timeline.canvas import Canvas, axis_suffix
from tensions.figures.timeline.style import SCREEN, TimelineStyle


@dataclass(frozen=True)
class Bins:
    """Events grouped by week (starting Monday) or calendar month."""

    granularity: Granularity
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


def period_bins(dates: pd.Series, granularity: Granularity) -> Bins:
    """Assign each date to its week (Monday start) or month; bins run without gaps from first to last."""
    number = period_numbers(dates, granularity)
    first, last = (int(number.min()), int(number.max())) if len(number) else (0, -1)
    bins = np.arange(first, last + 1)
    return Bins(
        granularity=granularity,
        code=(number - first).astype(np.int64),
        starts=period_start_days(bins, granularity).astype("datetime64[ms]"),
        ends=period_start_days(bins + 1, granularity).astype("datetime64[ms]"),
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


def counts_panel(granularity: Granularity, style: TimelineStyle = SCREEN) -> Panel:
    """Events per week or month, stacked by type in the house colours."""
    return Panel(
        name="counts", title=f"Events per {granularity}, by type", height_px=style.counts_px, draw=_draw_counts
    )


def fatalities_panel(granularity: Granularity, style: TimelineStyle = SCREEN) -> Panel:
    """Reported deaths per week or month (events without a reported figure are counted apart)."""
    return Panel(
        name="fatalities",
        title=f"Reported deaths per {granularity} (events with no reported figure are not counted as zero)",
        height_px=style.fatalities_px,
        draw=_draw_fatalities,
    )


def _draw_counts(fig: Canvas, context: PanelContext) -> None:
    events, bins = context.events, context.bins
    n_bins, n_types = len(bins.starts), len(taxonomy.EVENT_TYPES)
    type_code = positions_in(events["event_type"], taxonomy.EVENT_TYPES)
    known = type_code >= 0
    flat = bins.code[known] * n_types + type_code[known]
    counts = np.bincount(flat, weights=weighted.event_counts(events)[known], minlength=n_bins * n_types)
    counts = counts.astype(np.int64).reshape(n_bins, n_types)
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
                name=plotly_literal(event_type),
                legendgroup=event_type,
                showlegend=False,
                marker={"color": theme.EVENT_TYPE_COLOURS[event_type], "line": {"width": 0}},
                customdata=names[chosen],
                hovertemplate=f"%{{customdata}}: %{{y}} × {plotly_literal(event_type)}<extra></extra>",
            ),
            row=context.row,
        )
    fig.update_yaxis(context.row, rangemode="tozero", tickformat=",d")


def _draw_fatalities(fig: Canvas, context: PanelContext) -> None:
    events, bins = context.events, context.bins
    n_bins = len(bins.starts)
    reported = np.bincount(bins.code, weights=weighted.reported_deaths(events), minlength=n_bins)
    without = np.bincount(bins.code, weights=weighted.not_reported_counts(events), minlength=n_bins)
    with_figure = np.bincount(bins.code, weights=weighted.event_counts(events), minlength=n_bins) - without
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
    ceiling = deaths_ceiling(reported[chosen])
    if ceiling is None:
        fig.update_yaxis(context.row, rangemode="tozero", tickformat=",d")
        return
    # A spike would flatten every other period: the axis stops above the others, and each bar it cuts
    # carries its total at the top of the panel.
    fig.update_yaxis(context.row, range=[0, ceiling], tickformat=",d")
    suffix = axis_suffix(context.row)
    cut = chosen[reported[chosen] > ceiling]
    # Cut bars a few periods apart share one note, so that their totals never overlap.
    runs = np.split(cut, np.flatnonzero(np.diff(cut) > 3) + 1) if len(cut) else []
    for run in runs:
        fig.add_annotation(
            x=bins.centres[run[0]],
            y=ceiling,
            xref=f"x{suffix}",
            yref=f"y{suffix}",
            text="▲ " + " · ".join(f"{reported[i]:,.0f}" for i in run),
            showarrow=False,
            xanchor="left",
            yanchor="top",
            xshift=context.style.bar_width,
            font={"size": context.style.panel_title_size, "color": theme.TEXT_COLOUR},
            bgcolor=theme.BACKGROUND,
            borderpad=1,
        )


def deaths_ceiling(totals: np.ndarray, *, spike: float = 3.0) -> float | None:
    """Where the deaths axis stops when a few periods tower over the rest, else None (the axis shows all).

    A period is a spike when its total is more than `spike` times the 90th percentile of the periods with
    deaths; the axis then ends 15% above the largest of the others. Fewer than five periods: no cut.
    """
    positive = np.asarray(totals, dtype=float)
    positive = positive[positive > 0]
    if len(positive) < 5:
        return None
    spikes = positive > spike * np.quantile(positive, 0.9)
    if not spikes.any() or spikes.all():
        return None
    return float(positive[~spikes].max()) * 1.15
