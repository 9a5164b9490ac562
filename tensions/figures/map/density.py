"""Density heat, weighted by events or reported deaths, binned into cells above `MAX_DENSITY_POINTS`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tensions.analysis import weighted
from tensions.figures import theme
from tensions.figures.map.aggregate import finest_grid, group_codes
from tensions.figures.map.encoding import (
    DENSITY_CELL_SIZES,
    DENSITY_RADIUS,
    DENSITY_SCALE_CELL,
    DENSITY_SCALE_SHARE,
    DENSITY_WEIGHT_LABELS,
    MAX_DENSITY_CELLS,
    MAX_DENSITY_POINTS,
)

_DENSITY_KEY = "Heat: where events cluster, weighted by {weight}."


def density_traces(events: pd.DataFrame, weight: str) -> tuple[list[go.Densitymap], str, str]:
    key = _DENSITY_KEY.format(weight="reported deaths" if weight == "fatalities" else "number of events")
    note = ""
    # Rows may stand for several events (a place summary): `count` is how many each row's position counts for.
    count = weighted.event_counts(events)
    if weight == "fatalities":
        missing = int(weighted.not_reported_counts(events).sum())
        count = weighted.with_deaths_counts(events)
        events, count = events[count > 0], count[count > 0]
        if missing:
            note = f"Heat by reported deaths leaves out {missing:,} events with no reported figure."
    if events.empty:
        return [], key, note
    lat = events["latitude"].to_numpy(dtype=float)
    lon = events["longitude"].to_numpy(dtype=float)
    z = weighted.reported_deaths(events) if weight == "fatalities" else None
    if z is None and weighted.is_summary(events):
        z = count.astype(float)
    weights = z if z is not None else count.astype(float)
    # The busiest quarter-degree cell sets the top of the scale, so one hotspot reads darkest and the
    # rest in proportion (with Plotly's default, a handful of events saturates the colour).
    zmax = _busiest_cell(lat, lon, weights, DENSITY_SCALE_CELL)
    total = int(count.sum())
    if total > MAX_DENSITY_POINTS:
        grid = finest_grid(lat, lon, DENSITY_CELL_SIZES, MAX_DENSITY_CELLS)
        size, codes = grid.size, group_codes(grid.cell, grid.cells)[0]
        counts = np.bincount(codes, weights=count)
        lat = np.bincount(codes, weights=lat * count) / counts
        lon = np.bincount(codes, weights=lon * count) / counts
        z = np.bincount(codes, weights=z) if z is not None else counts
        binned = f"{total:,} events are summed into {len(counts):,} cells of {size}° for the heat map."
        note = f"{note} {binned}".strip()
    trace = go.Densitymap(
        lat=lat,
        lon=lon,
        z=z,
        radius=DENSITY_RADIUS,
        zmin=0,
        zmax=zmax,
        colorscale=theme.HEAT_COLOURSCALE,
        showscale=True,
        colorbar={
            "title": {"text": f"{DENSITY_WEIGHT_LABELS[weight]} (relative)", "side": "right"},
            "thickness": 12,
            "len": 0.5,
            "x": 1,
            "xanchor": "right",
            "y": 0.98,
            "yanchor": "top",
            "bgcolor": theme.MAP_KEY_BACKGROUND,
            "showticklabels": False,
        },
        hoverinfo="skip",
        name="density",
    )
    return [trace], key, note


def _busiest_cell(lat: np.ndarray, lon: np.ndarray, weights: np.ndarray, size: float) -> float:
    """The largest sum of `weights` in any `size`-degree cell."""
    cell = np.floor(lon / size).astype(np.int64) * 1_000_003 + np.floor(lat / size).astype(np.int64)
    codes = pd.factorize(cell, sort=False)[0]
    return max(float(np.bincount(codes, weights=weights).max()) * DENSITY_SCALE_SHARE, 1.0)
