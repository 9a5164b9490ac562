"""Colours, fonts and category orders: every chart takes them from here so they all agree.

The palette is Paul Tol's colour-blind-safe sets (muted and vibrant), one colour per event type
and per actor family, fixed so "Air/drone strike red" on the map is red on the timeline too.
"""

from __future__ import annotations

import plotly.graph_objects as go

from tensions.data import taxonomy

FONT_FAMILY = "Liberation Sans, Arial, Helvetica, sans-serif"
TEXT_COLOUR = "#222222"
MUTED_TEXT_COLOUR = "#555555"
GRID_COLOUR = "#E5E5E5"
BACKGROUND = "#FFFFFF"
LAND_COLOUR = "#F2EFE9"
BORDER_COLOUR = "#8C8C8C"
SEA_COLOUR = "#DCE9F2"
UNKNOWN_COLOUR = "#BBBBBB"
# Map: the key box over the map, and the density heat scale (transparent where nothing happens, then
# Tol's YlOrBr, colour-blind safe).
MAP_KEY_BACKGROUND = "rgba(255, 255, 255, 0.85)"
HEAT_COLOURSCALE: list[list] = [
    [0.0, "rgba(255, 247, 188, 0)"],
    [0.03, "#FEE391"],
    [0.2, "#FEC44F"],
    [0.4, "#FB9A29"],
    [0.6, "#EC7014"],
    [0.8, "#CC4C02"],
    [1.0, "#662506"],
]

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
# Tension index: escalatory points up in red, de-escalatory down in blue; trends use the same pair.
TENSION_UP_COLOUR = ESCALATION_COLOURS[1]
TENSION_DOWN_COLOUR = ESCALATION_COLOURS[-1]
TREND_COLOURS: dict[str, str] = {
    "deteriorated": ESCALATION_COLOURS[1],
    "improved": ESCALATION_COLOURS[-1],
    "unchanged": ESCALATION_COLOURS[0],
}
TREND_SYMBOLS: dict[str, str] = {"deteriorated": "▲", "improved": "▼", "unchanged": "►"}
# Actors page: an actor acting (actor1) or acted on / with (actor2); counts from white to Tol's wine.
ROLE_COLOURS: dict[str, str] = {"acting": "#EE7733", "acted on / with": "#0077BB"}
COUNT_COLOURSCALE: list[list] = [[0.0, "#FFFFFF"], [0.15, "#FDE0C5"], [0.5, "#EE7733"], [1.0, "#882255"]]

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


def house_layout(*, font_size: int = 13) -> dict:
    """The house look as layout properties: white background, house font, legend above the plot."""
    return {
        "template": "plotly_white",
        "font": {"family": FONT_FAMILY, "size": font_size, "color": TEXT_COLOUR},
        "paper_bgcolor": BACKGROUND,
        "plot_bgcolor": BACKGROUND,
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0, "title": None},
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
    }


def style_figure(fig: go.Figure, *, font_size: int = 13) -> go.Figure:
    """Apply the house look: `house_layout` and a light grid."""
    fig.update_layout(**house_layout(font_size=font_size))
    fig.update_xaxes(gridcolor=GRID_COLOUR)
    fig.update_yaxes(gridcolor=GRID_COLOUR)
    return fig


# Timeline and briefing slides (added with the Timeline page). A second, redundant channel for event type:
# each type has its own marker shape as well as its colour, so a grey-scale print or a colour-blind reader
# still tells a strike from a statement. The "-open" variant of each shape marks unreported fatalities.
EVENT_TYPE_SYMBOLS: dict[str, str] = {
    "Battles": "x",
    "Explosions/Remote violence": "star",
    "Violence against civilians": "triangle-down",
    "Protests": "square",
    "Riots": "hexagon",
    "Strategic developments": "diamond",
    "Threats and warnings": "triangle-up",
    "Diplomacy and talks": "circle",
    "Agreements": "pentagon",
    "Troop movements": "triangle-right",
    "Evacuations": "hourglass",
}
FATALITIES_COLOUR = "#4D4D4D"
KEY_EVENT_COLOUR = "#222222"
LEADER_COLOUR = "#9A9A9A"
LANE_SHADE_COLOUR = "#F6F6F6"
# What changed since a saved brief: Tol's high-contrast blue and yellow-brown, and grey for what is gone.
CHANGE_COLOURS: dict[str, str] = {"added": "#004488", "revised": "#BB5566", "removed": "#777777"}
CHANGE_SYMBOLS: dict[str, str] = {"added": "circle-open", "revised": "square-open", "removed": "x-thin-open"}
# Lanes drawn as weekly counts when there are too many events for markers: white to Tol's indigo.
DENSITY_COLOURSCALE: list[list] = [[0.0, "#FFFFFF"], [0.15, "#C9C3E6"], [1.0, "#332288"]]
# Article intake highlights (Paul Tol's light scheme): places, actors and dates on white, keywords underlined.
INTAKE_HIGHLIGHT_COLOURS: dict[str, str] = {
    "place": "#99DDFF",
    "country": "#BBCCEE",
    "actor": "#FFAABB",
    "date": "#EEDD88",
    "keyword": "#44BB99",
    "ignored": "#999999",
}
