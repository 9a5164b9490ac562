"""Actors figures: the affiliation tree sized by events, an actor's activity and counterparts, who acts on whom."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from tensions.analysis.actor_profile import ACTED_ON, ACTING, OTHER_ACTORS, ROLES
from tensions.analysis.periods import Granularity
from tensions.data.literal import plotly_literal
from tensions.figures import theme
from tensions.figures.annotations import wrap_text

DAY_MS = 86_400_000


def _escaped(values) -> list[str]:
    return [plotly_literal(v) for v in values]


# Labels smaller than this are hidden rather than drawn microscopic (the hover card still names the box).
TREE_MIN_FONT = 11
TREE_FONT = 14
# A leaf's name is broken into lines this wide (px, bold at `TREE_FONT`), so a narrow box can show it at
# `TREE_MIN_FONT` or more instead of hiding a name that only fits on one long line.
TREE_LINE_PX = 100


def _lines(name: str) -> str:
    """A leaf's name broken at spaces into lines of at most `TREE_LINE_PX` (a longer word keeps its line), escaped."""
    return "<br>".join(plotly_literal(line) for line in wrap_text(name, TREE_FONT, TREE_LINE_PX, bold=True))


def affiliation_chart(
    tree: pd.DataFrame, *, style: Literal["treemap", "sunburst"] = "treemap", maxdepth: int = 3
) -> go.Figure:
    """The affiliation tree (`actor_profile.affiliation_tree`) as a treemap or sunburst, coloured by family.

    Each box is as large as the events of the actor itself plus its affiliates' boxes and shows the distinct
    events of the whole branch: a box with children carries them in its label (its header draws the label
    alone), a leaf on a second line. Families and two levels below them are drawn at once; click a box to
    open it.
    """
    trace_type = go.Treemap if style == "treemap" else go.Sunburst
    colours = [theme.ACTOR_FAMILY_COLOURS.get(f, theme.UNKNOWN_COLOUR) for f in tree["family"]]
    backed = [f"<br>backed by {plotly_literal(b)}" if b else "" for b in tree["backed_by"]]
    has_children = tree["id"].isin(set(tree["parent"])).tolist()
    names = _escaped(tree["label"])
    labels = [
        f"{n} · {t:,} events" if c else _lines(raw)
        for n, raw, t, c in zip(names, tree["label"], tree["total"], has_children, strict=True)
    ]
    templates = ["<b>%{label}</b>" if c else "<b>%{label}</b><br>%{customdata[2]} events" for c in has_children]
    custom = np.column_stack([_escaped(tree["kind"]), tree["own"], tree["total"], backed, names]) if len(tree) else None
    extra = {"tiling": {"pad": 3}, "pathbar": {"visible": True, "textfont": {"size": 13}}} if style == "treemap" else {}
    fig = go.Figure(
        trace_type(
            ids=_escaped(tree["id"]),
            labels=labels,
            parents=_escaped(tree["parent"]),
            values=tree["own"],
            branchvalues="remainder",
            maxdepth=maxdepth,
            marker={"colors": colours, "line": {"color": theme.BACKGROUND, "width": 1}},
            customdata=custom,
            texttemplate=templates,
            textfont={"size": TREE_FONT},
            hovertemplate=(
                "<b>%{customdata[4]}</b> (%{customdata[0]})<br>%{customdata[1]} events itself,"
                " %{customdata[2]} with its affiliates%{customdata[3]}<extra></extra>"
            ),
            sort=True,
            **extra,
        )
    )
    fig.update_layout(height=640, uniformtext={"minsize": TREE_MIN_FONT, "mode": "hide"})
    theme.style_figure(fig)
    fig.update_layout(margin={"l": 5, "r": 5, "t": 30, "b": 5})
    return fig


def activity_chart(activity: pd.DataFrame, *, granularity: Granularity = "month") -> go.Figure:
    """Events per period stacked by role (acting / acted on), with reported fatalities as a line above them."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.35, 0.65], vertical_spacing=0.06)
    width = (7 if granularity == "week" else 30) * DAY_MS * 0.8
    offset = pd.Timedelta(days=3.5 if granularity == "week" else 15)
    for role in ROLES:
        part = activity[activity["role"] == role]
        fig.add_trace(
            go.Bar(
                x=part["period"] + offset,
                y=part["events"],
                width=width,
                name=plotly_literal(role),
                marker={"color": theme.ROLE_COLOURS[role]},
                customdata=np.column_stack(
                    [part["period"].dt.strftime("%b %Y" if granularity == "month" else "%d %b %Y")]
                )
                if len(part)
                else None,
                hovertemplate="%{customdata[0]}: %{y} events " + plotly_literal(role) + "<extra></extra>",
            ),
            row=2,
            col=1,
        )
    totals = (
        activity.groupby("period", observed=True)[["fatalities", "unknown_fatalities", "events"]].sum().reset_index()
    )
    fig.add_trace(
        go.Scatter(
            x=totals["period"] + offset,
            y=totals["fatalities"],
            mode="lines+markers",
            line={"color": theme.FATALITIES_COLOUR, "width": 1.5},
            marker={"size": 6},
            name="Reported fatalities",
            customdata=np.column_stack([totals["unknown_fatalities"], totals["events"]]) if len(totals) else None,
            hovertemplate="%{y} reported deaths<br>%{customdata[0]} of %{customdata[1]} events with no figure"
            "<extra></extra>",
            showlegend=False,
        ),
        row=1,
        col=1,
    )
    fig.update_layout(barmode="stack", height=400, bargap=0.1)
    fig.update_yaxes(rangemode="tozero", nticks=4)
    fig.update_yaxes(title_text="Reported deaths", row=1, col=1)
    fig.update_yaxes(title_text="Events", row=2, col=1)
    return theme.style_figure(fig)


def counterparts_chart(counterparts: pd.DataFrame) -> go.Figure:
    """Horizontal bars of its most frequent counterparts, split by who acted on whom."""
    ordered = counterparts.iloc[::-1]
    labels = _escaped(ordered["counterpart"])
    fig = go.Figure(
        [
            go.Bar(
                x=ordered[role],
                y=labels,
                orientation="h",
                name="it acted on them" if role == ACTING else "they acted on / with it",
                marker={"color": theme.ROLE_COLOURS[role]},
                hovertemplate="%{y}: %{x} events<extra>%{fullData.name}</extra>",
            )
            for role in (ACTING, ACTED_ON)
        ]
    )
    fig.update_layout(barmode="stack", height=max(200, 28 * len(ordered) + 90))
    fig.update_xaxes(title_text="Events", rangemode="tozero")
    return theme.style_figure(fig)


def interaction_matrix(counts: pd.DataFrame) -> go.Figure:
    """A heatmap of events from each actor1 (rows) to each actor2 (columns), busiest first and the grouped
    "other actors" last (it is the largest, but the named actors are what a reader looks for)."""

    def ordered(column: str) -> list[str]:
        names = counts.groupby(column)["events"].sum().sort_values(ascending=False, kind="stable").index.tolist()
        return [n for n in names if n != OTHER_ACTORS] + [n for n in names if n == OTHER_ACTORS]

    rows, columns = ordered("actor1"), ordered("actor2")
    grid = counts.pivot(index="actor1", columns="actor2", values="events").reindex(index=rows, columns=columns)
    values = grid.to_numpy(dtype=float)
    text = [["" if np.isnan(v) else f"{int(v)}" for v in row] for row in values]
    fig = go.Figure(
        go.Heatmap(
            z=values,
            x=_escaped(columns),
            y=_escaped(rows),
            text=text,
            texttemplate="%{text}",
            colorscale=theme.COUNT_COLOURSCALE,
            zmin=0,
            hoverongaps=False,
            xgap=1,
            ygap=1,
            colorbar={"title": {"text": "Events"}, "thickness": 12},
            hovertemplate="%{y} → %{x}: %{z} events<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", title_text="acting (actor1)")
    fig.update_xaxes(side="top", tickangle=-40, title_text="acted on / with (actor2)")
    fig.update_layout(height=max(320, 30 * len(rows) + 220), plot_bgcolor=theme.GRID_COLOUR)
    theme.style_figure(fig)
    fig.update_layout(plot_bgcolor=theme.BACKGROUND)
    return fig
