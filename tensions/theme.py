"""Colours, fonts and category orders: every chart takes them from here so they all agree.

The palette is Paul Tol's colour-blind-safe sets (muted and vibrant), one colour per event type
and per actor family, fixed so "Air/drone strike red" on the map is red on the timeline too.
"""

from __future__ import annotations

import plotly.graph_objects as go

from tensions import taxonomy

FONT_FAMILY = "Liberation Sans, Arial, Helvetica, sans-serif"
TEXT_COLOUR = "#222222"
MUTED_TEXT_COLOUR = "#555555"
GRID_COLOUR = "#E5E5E5"
BACKGROUND = "#FFFFFF"
LAND_COLOUR = "#F2EFE9"
BORDER_COLOUR = "#8C8C8C"
SEA_COLOUR = "#DCE9F2"
UNKNOWN_COLOUR = "#BBBBBB"

EVENT_TYPE_COLOURS: dict[str, str] = {
    "Battles": "#882255",
    "Explosions/Remote violence": "#CC3311",
    "Violence against civilians": "#AA4499",
    "Protests": "#DDCC77",
    "Riots": "#999933",
    "Strategic developments": "#777777",
    "Threats and warnings": "#EE7733",
    "Diplomacy and talks": "#33BBEE",
    "Agreements": "#117733",
    "Troop movements": "#332288",
    "Evacuations": "#009988",
}
ACTOR_FAMILY_COLOURS: dict[str, str] = {
    "Iran and the axis": "#CC3311",
    "US and partners": "#0077BB",
    "Israel": "#33BBEE",
    "Iraqi state": "#009988",
    "Other states": "#EE7733",
    "Other armed groups": "#882255",
    "International bodies": "#117733",
    "Civilians and shipping": "#999999",
}
ESCALATION_COLOURS: dict[int, str] = {1: "#CC3311", 0: "#999999", -1: "#0077BB"}

CATEGORY_ORDERS: dict[str, list[str]] = {
    "event_type": list(taxonomy.EVENT_TYPES),
    "actor1_family": list(taxonomy.ACTOR_FAMILIES),
    "theatre": list(taxonomy.THEATRES),
    "time_precision": list(taxonomy.TIME_PRECISIONS),
}
COLOURS_BY_COLUMN: dict[str, dict[str, str]] = {
    "event_type": EVENT_TYPE_COLOURS,
    "actor1_family": ACTOR_FAMILY_COLOURS,
}


def style_figure(fig: go.Figure, *, font_size: int = 13) -> go.Figure:
    """Apply the house look: white background, house font, light grid, legend above the plot."""
    fig.update_layout(
        template="plotly_white",
        font={"family": FONT_FAMILY, "size": font_size, "color": TEXT_COLOUR},
        paper_bgcolor=BACKGROUND,
        plot_bgcolor=BACKGROUND,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0, "title": None},
        hoverlabel={"font": {"family": FONT_FAMILY}},
    )
    fig.update_xaxes(gridcolor=GRID_COLOUR)
    fig.update_yaxes(gridcolor=GRID_COLOUR)
    return fig
