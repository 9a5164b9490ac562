"""Tension index figures: small multiples per area, a band to sit under the timeline, the biggest movers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from tensions.analysis import weighted
from tensions.analysis.overrides import COMPUTED, JUDGEMENT
from tensions.analysis.periods import Granularity
from tensions.analysis.tension import baseline_label, tension_index
from tensions.data.literal import plotly_literal
from tensions.data.words import fatalities_in_words
from tensions.figures import theme

DAY_MS = 86_400_000


def trend_label(trend: str, basis: str | None = None) -> str:
    """ "▲ deteriorated", with "(analyst judgement)" when an analyst set it."""
    label = f"{theme.TREND_SYMBOLS.get(trend, '')} {trend}".strip()
    return f"{label} (analyst judgement)" if basis == JUDGEMENT else label


def _bar_geometry(periods: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Bar centres and widths (ms) so each bar covers its week or month on a date axis."""
    starts = pd.to_datetime(periods)
    if len(starts) > 1 and (starts.diff().dropna() == pd.Timedelta(days=7)).all():
        ends = starts + pd.Timedelta(days=7)
    else:
        ends = starts + pd.offsets.MonthBegin(1)
    span = (ends - starts).dt.days.to_numpy(dtype=float)
    return starts + (ends - starts) / 2, span * DAY_MS * 0.85


def _index_colours(values: pd.Series) -> list[str]:
    return [theme.TENSION_UP_COLOUR if v >= 0 else theme.TENSION_DOWN_COLOUR for v in values]


def index_bars(series: pd.DataFrame, *, name: str = "Tension index", showlegend: bool = False) -> go.Bar:
    """One area's index as bars (escalatory red above zero, de-escalatory blue below), hover per period."""
    centres, widths = _bar_geometry(series["period"])
    return go.Bar(
        x=centres,
        y=series["index"].round(2),
        width=widths,
        marker={"color": _index_colours(series["index"]), "line": {"width": 0}},
        customdata=np.column_stack(
            [
                pd.to_datetime(series["period"]).dt.strftime("%d %b %Y"),
                series["events"],
                series["escalatory"].round(1),
                series["de_escalatory"].round(1),
            ]
        ),
        hovertemplate=(
            "Period from %{customdata[0]}<br>index %{y:.1f} (%{customdata[2]} up, %{customdata[3]} down)"
            "<br>%{customdata[1]} events<extra>" + plotly_literal(name) + "</extra>"
        ),
        name=plotly_literal(name),
        showlegend=showlegend,
    )


def index_small_multiples(
    index: pd.DataFrame,
    *,
    trends: pd.DataFrame | None = None,
    columns: int = 4,
    row_height: int = 150,
    shared_y: bool = True,
) -> go.Figure:
    """One small bar chart of the index per area, in the order given, titled with its trend when known.

    At most `columns` panels a row, and never more columns than panels: one area fills the width."""
    areas = list(dict.fromkeys(index["area"]))
    columns = max(1, min(columns, len(areas)))
    shown = {}
    if trends is not None and len(trends):
        trend_column = "shown_trend" if "shown_trend" in trends else "trend"
        for row in trends.itertuples(index=False):
            shown[row.area] = (getattr(row, trend_column), getattr(row, "basis", None))
    titles = []
    for area in areas:
        title = f"<b>{plotly_literal(area)}</b>"
        if area in shown:
            trend, basis = shown[area]
            colour = theme.TREND_COLOURS.get(trend, theme.MUTED_TEXT_COLOUR)
            title += f"  <span style='color:{colour}'>{plotly_literal(trend_label(trend, basis))}</span>"
        titles.append(title)
    rows = max(1, math.ceil(len(areas) / columns))
    # The grid (axes, domains, titles) comes from make_subplots; everything else is set on plain data and the
    # figure is validated once: adding and styling a dozen panels through Plotly's validated setters took a
    # second per build (and a second per rerun of the Overview).
    grid = make_subplots(
        rows=rows,
        cols=columns,
        shared_xaxes="all",
        shared_yaxes="all" if shared_y else False,
        subplot_titles=titles or None,
        vertical_spacing=min(0.35 / rows, 0.12) if rows > 1 else 0.1,
        horizontal_spacing=0.04,
    )
    layout = grid.layout.to_plotly_json()
    for annotation in layout.get("annotations", []):
        annotation["font"] = {"size": 12, "family": theme.FONT_FAMILY}
    for name, axis in layout.items():
        if name.startswith("xaxis"):
            axis.update(tickformat="%b\n%Y", nticks=6, gridcolor=theme.GRID_COLOUR)
        elif name.startswith("yaxis"):
            axis.update(zeroline=True, zerolinecolor=theme.BORDER_COLOUR, nticks=4, gridcolor=theme.GRID_COLOUR)
    layout.update(theme.house_layout(font_size=11), height=max(220, rows * row_height + 60), bargap=0, showlegend=False)
    traces = []
    for position, area in enumerate(areas):
        axes = grid.get_subplot(position // columns + 1, position % columns + 1)
        trace = index_bars(index[index["area"] == area], name=str(area)).to_plotly_json()
        trace.update(xaxis=axes.xaxis.plotly_name.replace("axis", ""), yaxis=axes.yaxis.plotly_name.replace("axis", ""))
        traces.append(trace)
    return go.Figure(data=traces, layout=layout)


def small_multiples_caption(areas: list[str], *, level: str, granularity: str, month_label: str) -> str:
    """What the small multiples show, in words that fit any number of panels."""
    if level == "country":
        shown = areas[0] if len(areas) == 1 else f"the {len(areas)} busiest countries and seas"
        described = f"{shown}; titles carry the trend of {month_label}"
    elif level == "theatre":
        described = "each theatre (its countries and seas together)"
    else:
        described = "the whole region"
    return (
        f"Escalation points per {granularity} (red up: escalatory, blue down: de-escalatory) for {described}. "
        "Events count where they happen, not by who acts."
    )


def tension_band_traces(series: pd.DataFrame, *, name: str = "Tension index") -> list[go.BaseTraceType]:
    """The traces of the index band: add them to a row under the timeline's events (same date axis)."""
    return [index_bars(series, name=name)]


def tension_band(series: pd.DataFrame, *, name: str = "Tension index", height: int = 180) -> go.Figure:
    """One area's index as a thin band of bars on a date axis, to read under a timeline."""
    fig = go.Figure(tension_band_traces(series, name=name))
    fig.update_layout(height=height, bargap=0, showlegend=False)
    fig.update_yaxes(title_text="Index", zeroline=True, zerolinecolor=theme.BORDER_COLOUR, nticks=4)
    return theme.style_figure(fig)


def tension_panel(
    actors: pd.DataFrame,
    *,
    granularity: Granularity = "week",
    height_px: float = 90,
    index_rows: pd.DataFrame | None = None,
):
    """A `tensions.figures.timeline.panels.Panel`: the region's index per week or month, drawn under the timeline's
    events on its time axis (`event_timeline(..., bands=[tension_panel(actors)])`). `index_rows`: the index's
    inputs (`tensions.analysis.stored.index_rows`) to score instead of the timeline's events, when those are
    summed rows (`tensions.analysis.weighted`), which no longer name their actors."""
    from tensions.figures.timeline.canvas import Canvas
    from tensions.figures.timeline.panels import Panel, PanelContext  # only the timeline needs this

    def draw(canvas: Canvas, context: PanelContext) -> None:
        events = context.events
        if events.empty:
            return
        series = tension_index(
            events if index_rows is None else index_rows,
            actors,
            level="region",
            granularity=context.bins.granularity,
            start=events["event_date"].min().date(),
            end=weighted.last_dates(events).max().date(),
        )
        for trace in tension_band_traces(series, name="Tension index"):
            canvas.add_trace(trace, row=context.row)
        canvas.update_yaxis(context.row, zeroline=True, zerolinecolor=theme.BORDER_COLOUR, nticks=3)

    return Panel(
        name="tension",
        title=f"Tension index per {granularity} (escalation points, red up, blue down; see the Overview for how)",
        height_px=height_px,
        draw=draw,
    )


def movers_chart(movers: pd.DataFrame) -> go.Figure:
    """Horizontal bars of the change in index points of the biggest movers, coloured by trend."""
    ordered = movers.iloc[::-1]
    trend_column = "shown_trend" if "shown_trend" in ordered else "trend"
    basis = ordered["basis"] if "basis" in ordered else pd.Series(None, index=ordered.index)
    labels = [trend_label(t, b) for t, b in zip(ordered[trend_column], basis, strict=True)]
    fig = go.Figure(
        go.Bar(
            x=ordered["change"].round(1),
            y=[plotly_literal(a) for a in ordered["area"]],
            orientation="h",
            marker={"color": [theme.TREND_COLOURS.get(t, theme.UNKNOWN_COLOUR) for t in ordered[trend_column]]},
            text=[f"{c:+.1f}" for c in ordered["change"]],
            textposition="outside",
            cliponaxis=False,
            customdata=np.column_stack(
                [ordered["previous"].round(1), ordered["index"].round(1), [plotly_literal(x) for x in labels]]
            ),
            hovertemplate="%{y}: %{customdata[0]} → %{customdata[1]} (%{x:+.1f})<br>%{customdata[2]}<extra></extra>",
        )
    )
    low, high = min(0.0, float(ordered["change"].min())), max(0.0, float(ordered["change"].max()))
    pad = 0.2 * (high - low or 1.0)  # room for the labels outside the bars
    fig.update_layout(height=max(180, 40 * len(ordered) + 80), showlegend=False)
    fig.update_xaxes(
        title_text="Change in index points, month on month",
        zeroline=True,
        zerolinecolor=theme.BORDER_COLOUR,
        range=[low - pad if low < 0 else 0, high + pad],
    )
    return theme.style_figure(fig)


def arrows_table(trends: pd.DataFrame) -> pd.DataFrame:
    """The trend table as a reader scans it: area, arrow, computed or judgement, change, baseline, why."""
    trend_column = "shown_trend" if "shown_trend" in trends else "trend"
    basis = trends["basis"] if "basis" in trends else pd.Series(COMPUTED, index=trends.index)
    # A computed trend has no rationale or analyst: blank, not the table's "None".
    missing = pd.Series("", index=trends.index, dtype="object")
    return pd.DataFrame(
        {
            "area": trends["area"],
            "trend": [trend_label(t) for t in trends[trend_column]],
            "basis": basis,
            "change": trends["change"].round(1),
            "change_pct": [
                baseline_label(p, recent=r, baseline=b)
                for p, r, b in zip(trends["change_pct"], trends["recent"], trends["baseline"], strict=True)
            ],
            "index": trends["index"].round(1),
            "previous": trends["previous"].round(1),
            "computed": [trend_label(t) for t in trends["trend"]],
            "rationale": trends.get("rationale", missing).fillna(""),
            "analyst": trends.get("analyst", missing).fillna(""),
        }
    ).reset_index(drop=True)


def trend_css(label: object) -> str:
    """CSS colouring a trend label ("▲ deteriorated") in its trend's colour, for a table cell."""
    for trend, colour in theme.TREND_COLOURS.items():
        if isinstance(label, str) and trend in label:
            return f"color: {colour}"
    return ""


def drivers_table(drivers: pd.DataFrame) -> pd.DataFrame:
    """The events behind a change as a reader scans them; unknown fatalities in words."""
    return drivers.drop(columns=["area"]).assign(fatalities=fatalities_in_words(drivers)).reset_index(drop=True)
