"""Map views: region presets, and the view that fits a set of events.

A view is a centre and a MapLibre zoom, worked out from bounds and the map's size in pixels, so the
same bounds frame the same area on screen and in a PNG export.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tensions.data import taxonomy

Bounds = tuple[float, float, float, float]  # (min_lon, min_lat, max_lon, max_lat)

TILE_PIXELS = 512  # MapLibre's world is 512 px wide at zoom 0
MAX_FIT_ZOOM = 7.0  # fitting a single place must not zoom to street level
MIN_ZOOM = 1.0
MAP_WIDTH = 1100  # the map's width in the wide layout, in pixels; height is the figure's
MAP_HEIGHT = 640

FIT = "Fit to events"


@dataclass(frozen=True)
class View:
    """Where the map opens: centre and zoom."""

    lat: float
    lon: float
    zoom: float


@dataclass(frozen=True)
class Region:
    """A named preset: the bounds it frames."""

    name: str
    bounds: Bounds

    def view(self, *, width: int = MAP_WIDTH, height: int = MAP_HEIGHT) -> View:
        return view_for_bounds(self.bounds, width=width, height=height)

    def contains(self, events: pd.DataFrame) -> pd.Series:
        """Which events fall inside the preset's bounds."""
        return within(events, self.bounds)


def _union(*country_names: str) -> Bounds:
    boxes = [taxonomy.COUNTRY_BY_NAME[name].bbox for name in country_names]
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


# Bounds come from the taxonomy's country boxes, so a preset and the validation agree on where a
# country is.
REGIONS: tuple[Region, ...] = (
    Region("Middle East", taxonomy.REGION_BOUNDS),
    Region("Iraq", _union("Iraq")),
    Region("Levant", _union("Syria", "Jordan", "Lebanon", "Israel", "Palestine")),
    Region("Gulf", _union("Persian Gulf", "Kuwait", "Bahrain", "Qatar", "United Arab Emirates")),
    Region("Yemen and Red Sea", _union("Yemen", "Red Sea", "Gulf of Aden")),
)
REGION_BY_NAME: dict[str, Region] = {r.name: r for r in REGIONS}
VIEW_CHOICES: tuple[str, ...] = (FIT, *REGION_BY_NAME)


def _mercator_y(lat: float) -> float:
    lat = max(min(lat, 85.0), -85.0)
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def view_for_bounds(bounds: Bounds, *, width: int = MAP_WIDTH, height: int = MAP_HEIGHT, padding: float = 0.06) -> View:
    """The centre and zoom at which `bounds` fill a `width` x `height` map, with a margin on every side."""
    min_lon, min_lat, max_lon, max_lat = bounds
    usable_w, usable_h = width * (1 - 2 * padding), height * (1 - 2 * padding)
    lon_span = max(max_lon - min_lon, 1e-6)
    y_span = max(_mercator_y(max_lat) - _mercator_y(min_lat), 1e-6)
    zoom_x = math.log2(usable_w * 360 / (TILE_PIXELS * lon_span))
    zoom_y = math.log2(usable_h * 2 * math.pi / (TILE_PIXELS * y_span))
    centre_y = (_mercator_y(max_lat) + _mercator_y(min_lat)) / 2
    centre_lat = math.degrees(2 * math.atan(math.exp(centre_y)) - math.pi / 2)
    zoom = max(min(zoom_x, zoom_y, MAX_FIT_ZOOM), MIN_ZOOM)
    return View(lat=round(centre_lat, 4), lon=round((min_lon + max_lon) / 2, 4), zoom=round(zoom, 2))


def within(events: pd.DataFrame, bounds: Bounds) -> pd.Series:
    """Which events have coordinates inside `bounds`."""
    min_lon, min_lat, max_lon, max_lat = bounds
    lat, lon = events["latitude"], events["longitude"]
    return ((lon >= min_lon) & (lon <= max_lon) & (lat >= min_lat) & (lat <= max_lat)).fillna(False)


def fit_bounds(events: pd.DataFrame) -> Bounds:
    """The box around the events in the region; events held abroad (talks in Washington) widen it only
    when nothing else is left. With no placed event, the whole region."""
    placed = events[events["latitude"].notna() & events["longitude"].notna()]
    inside = placed[within(placed, taxonomy.REGION_BOUNDS).to_numpy()]
    chosen = inside if len(inside) else placed
    if chosen.empty:
        return taxonomy.REGION_BOUNDS
    lon = chosen["longitude"].to_numpy(dtype=float)
    lat = chosen["latitude"].to_numpy(dtype=float)
    return (float(np.min(lon)), float(np.min(lat)), float(np.max(lon)), float(np.max(lat)))


def fit_view(events: pd.DataFrame, *, width: int = MAP_WIDTH, height: int = MAP_HEIGHT) -> View:
    """The view that frames the filtered events (see `fit_bounds`)."""
    return view_for_bounds(fit_bounds(events), width=width, height=height)


def resolve_region(region: str | Region | None) -> Region | None:
    """A preset by name (or the preset itself); None or "Fit to events" means fit to the events."""
    if region is None or isinstance(region, Region):
        return region
    if region == FIT:
        return None
    try:
        return REGION_BY_NAME[region]
    except KeyError:
        raise ValueError(f"unknown region {region!r}; choose one of {', '.join(VIEW_CHOICES)}") from None


def view_for(
    events: pd.DataFrame, region: str | Region | None, *, width: int = MAP_WIDTH, height: int = MAP_HEIGHT
) -> View:
    """The view of a preset, or the one fitting `events` when no preset is chosen."""
    preset = resolve_region(region)
    if preset is not None:
        return preset.view(width=width, height=height)
    return fit_view(events, width=width, height=height)


def outside_view(events: pd.DataFrame, region: str | Region | None) -> int:
    """How many placed events lie outside what the view was chosen to show (the preset, or the region)."""
    preset = resolve_region(region)
    return outside(events, preset.bounds if preset is not None else fit_bounds(events))


def outside(events: pd.DataFrame, bounds: Bounds) -> int:
    """How many placed events lie outside `bounds`."""
    placed = events["latitude"].notna() & events["longitude"].notna()
    return int((placed & ~within(events, bounds)).sum())
