"""Overview figures: activity over time and the most active actors."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from tensions.analysis import weighted
from tensions.analysis.periods import period_starts
from tensions.data.literal import plotly_literal
from tensions.figures import theme


def events_per_month(events: pd.DataFrame) -> go.Figure:
    """Stacked bars of events per month by event type, in the house colours and order. `events` may be summed
    rows (`weighted.activity_summary`)."""
    monthly = (
        events.assign(month=period_starts(events["event_date"], "month"), events=weighted.event_counts(events))
        .groupby(["month", "event_type"], observed=True)["events"]
        .sum()
        .reset_index()
    )
    fig = px.bar(
        monthly,
        x="month",
        y="events",
        color="event_type",
        color_discrete_map=theme.EVENT_TYPE_COLOURS,
        category_orders=theme.CATEGORY_ORDERS,
        labels={"month": "", "events": "Events", "event_type": "Event type"},
    )
    fig.update_traces(hovertemplate="%{x|%B %Y}<br>%{y} events<extra>%{fullData.name}</extra>")
    return theme.style_figure(fig)


def most_active_actors_chart(actor_counts: pd.DataFrame) -> go.Figure:
    """Horizontal bars of the most active actors, largest at the top."""
    fig = px.bar(
        actor_counts.iloc[::-1].assign(actor=lambda t: t["actor"].map(plotly_literal)),
        x="events",
        y="actor",
        orientation="h",
        color="family",
        color_discrete_map=theme.ACTOR_FAMILY_COLOURS,
        category_orders={"family": theme.CATEGORY_ORDERS["actor1_family"]},
        labels={"events": "Events initiated", "actor": "", "family": "Actor family"},
    )
    fig.update_traces(hovertemplate="%{y}: %{x} events<extra>%{fullData.name}</extra>")
    fig.update_yaxes(categoryorder="total ascending")
    return theme.style_figure(fig)
