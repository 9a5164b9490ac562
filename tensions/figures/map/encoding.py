"""The map's modes and options, its size limits, and how events become colours and marker sizes."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from tensions.data.categorical import lookup
from tensions.figures import theme
from tensions.figures.map import regions

MODES: tuple[str, ...] = ("points", "density", "provinces")
MODE_LABELS: dict[str, str] = {"points": "Events", "density": "Density", "provinces": "Provinces"}
COLOUR_BY: tuple[str, ...] = ("event_type", "actor1_family")
COLOUR_BY_LABELS: dict[str, str] = {"event_type": "Event type", "actor1_family": "Actor family"}
DENSITY_WEIGHTS: tuple[str, ...] = ("events", "fatalities")
DENSITY_WEIGHT_LABELS: dict[str, str] = {"events": "Events", "fatalities": "Reported deaths"}
UNKNOWN = "Unknown"

# Above this many events the points mode groups them into cells: each single event carries a hover card
# of ~0.6 kB, so 3,000 cards keep the figure near 2 MB.
MAX_POINTS = 3_000
MAX_CELLS = 3_000
CELL_SIZES = (0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
MAX_DENSITY_POINTS = 20_000
MAX_DENSITY_CELLS = 40_000
DENSITY_CELL_SIZES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0)
DENSITY_RADIUS = 18
DENSITY_SCALE_CELL = 0.25
DENSE_IDS = 4_000_000  # group ids up to this are counted in an array (32 MB); beyond, through a hash table
DENSITY_SCALE_SHARE = 0.25  # MapLibre's kernel peaks well below the summed weight
MAP_HEIGHT = regions.MAP_HEIGHT
LEGEND_PIXELS = 240  # the legend's width to the right of the map
KEY_FONT_SIZE = 13  # the key and attribution under the map: readable on screen and on a slide
KEY_PIXELS = 64  # their height: three lines at KEY_FONT_SIZE
# The size key in the column right of the map, under the legend: circles at the markers' own pixel sizes.
SIZE_KEY_FONT_SIZE = 13
SIZE_KEY_GAP = 12  # from the map's edge to the circles, and from the circles to their labels
SIZE_KEY_ROW_GAP = 6
SIZE_KEY_TITLES: dict[str, str] = {
    "points": "Reported deaths",
    "cells": "Events per cell",
    "provinces": "Events per province",
    "density": "",
}
# A narrow map's keys under it (`event_map(key_below=True)`): the legend in columns, one row per this many px.
BELOW_LEGEND_COLUMNS = 2
BELOW_ROW_PIXELS = 30  # a legend row at 13 px type, as Plotly draws it
BELOW_GAP = 8  # from the map's bottom edge to the legend
BELOW_KEY_LINES = 6  # the most lines the key and attribution wrap to on a narrow map
PNG_PAD = 28  # the PNG export's blank border, so the title and legend do not touch its edges

# Marker sizes in pixels: a reported death toll grows the marker with its square root (area ~ deaths).
BASE_SIZE = 6.0
SIZE_PER_ROOT_DEATH = 1.6
MAX_SIZE = 22.0
RIM_PIXELS = 3.0
HOLE_SHARE = 0.5
MARKER_OPACITY = 0.9
# Events at one place are fanned out on a sunflower spiral, `JITTER_PIXELS` apart at the opening zoom: about
# a small marker's width, so at the region-wide view the Levant's and Baghdad's dozens of events at one
# place read as a cloud of markers rather than one blob (at most `JITTER_DEGREES[1]` apart when zoomed in).
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
JITTER_PIXELS = 8.0
JITTER_DEGREES = (0.01, 0.3)
MAX_FAN_DEGREES = 0.8  # the widest a place's spiral may grow (about 90 km)


def category_order(colour_by: str, values: pd.Series) -> list[str]:
    """The house order of the colour column's categories, then any unexpected ones, then Unknown."""
    order = list(theme.CATEGORY_ORDERS[colour_by])
    present = values.cat.categories if isinstance(values.dtype, pd.CategoricalDtype) else values.dropna().unique()
    extra = sorted(str(v) for v in present if str(v) not in order)
    return [*order, *extra, UNKNOWN]


def category_codes(values: pd.Series, order: list[str]) -> np.ndarray:
    """Each value's position in `order` (missing or unexpected values: Unknown), without a Python loop per row."""
    return lookup(values, {name: i for i, name in enumerate(order)}, len(order) - 1, dtype=np.int64)


def category_colour(colour_by: str, name: str) -> str:
    return theme.COLOURS_BY_COLUMN[colour_by].get(name, theme.UNKNOWN_COLOUR)
