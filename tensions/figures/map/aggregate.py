"""Aggregation shared by grid cells, density bins and provinces: counts, deaths and the most frequent colour per group."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tensions.analysis import weighted
from tensions.data.literal import plotly_literal
from tensions.figures.map.encoding import DENSE_IDS, category_codes, category_colour, category_order


@dataclass(frozen=True)
class _Grid:
    """Events binned into square cells of `size` degrees: each event's cell id, and how to undo it."""

    size: float
    cell: np.ndarray  # (column - x0) * rows + (row - y0), never negative
    cells: int  # how many ids the grid could use
    x0: int
    y0: int
    rows: int

    def column_row(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Column and row (floor of lon / size, lat / size) of cell ids."""
        return ids // self.rows + self.x0, ids % self.rows + self.y0


def finest_grid(lat: np.ndarray, lon: np.ndarray, sizes: tuple[float, ...], max_cells: int) -> _Grid:
    """The finest grid of `sizes` (degrees) with at most `max_cells` non-empty cells (else the coarsest)."""
    for size in sizes:
        ix = np.floor(lon / size).astype(np.int64)
        iy = np.floor(lat / size).astype(np.int64)
        x0, y0 = int(ix.min()), int(iy.min())
        rows = int(iy.max()) - y0 + 1
        grid = _Grid(size, (ix - x0) * rows + (iy - y0), (int(ix.max()) - x0 + 1) * rows, x0, y0, rows)
        if _occupied(grid.cell, grid.cells) <= max_cells or size == sizes[-1]:
            return grid
    raise AssertionError("unreachable: the last size is always accepted")


def _occupied(group: np.ndarray, ids: int) -> int:
    """How many distinct group ids in [0, ids) occur."""
    if ids <= DENSE_IDS:
        return int(np.count_nonzero(np.bincount(group, minlength=ids)))
    return len(pd.unique(group))


def group_codes(group: np.ndarray, ids: int) -> tuple[np.ndarray, np.ndarray]:
    """For group ids in [0, ids): each row's code (0…n-1) and the n ids that occur, in ascending order."""
    if ids <= DENSE_IDS:
        occupied = np.flatnonzero(np.bincount(group, minlength=ids))
        lookup = np.empty(ids, dtype=np.int64)
        lookup[occupied] = np.arange(len(occupied))
        return lookup[group], occupied
    codes, uniques = pd.factorize(group, sort=True)
    return codes, np.asarray(uniques)


def aggregate_groups(
    events: pd.DataFrame, group: np.ndarray, ids: int, colour_by: str | None
) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Per group: events, mean position, reported deaths, events with no figure, imprecise events and,
    when colouring, the dominant category and a breakdown of the top ones. Also each row's group code
    and the category order."""
    codes, occupied = group_codes(group, ids)
    n = len(occupied)
    weights = weighted.event_counts(events).astype(float)  # rows may stand for several events each
    counts = np.bincount(codes, weights=weights, minlength=n)
    frame = pd.DataFrame(
        {
            "group": occupied,
            "events": counts.astype(np.int64),
            "lat": np.bincount(codes, weights=events["latitude"].to_numpy(dtype=float) * weights, minlength=n) / counts,
            "lon": np.bincount(codes, weights=events["longitude"].to_numpy(dtype=float) * weights, minlength=n)
            / counts,
            "deaths": np.bincount(codes, weights=weighted.reported_deaths(events), minlength=n).astype(np.int64),
            "not_reported": _summed(codes, weighted.not_reported_counts(events), n),
            "imprecise": _summed(codes, weighted.imprecise_counts(events), n),
        }
    )
    order: list[str] = []
    if colour_by is not None:
        order = category_order(colour_by, events[colour_by])
        cats = category_codes(events[colour_by], order)
        table = np.bincount(codes * len(order) + cats, weights=weights, minlength=n * len(order))
        table = table.astype(np.int64).reshape(n, len(order))
        frame["dominant"] = np.array(order, dtype=object)[table.argmax(axis=1)]
        frame["breakdown"] = pd.Series(_breakdowns(table, order), dtype=object)
    return frame, codes, order


def _summed(codes: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(codes, weights=values.astype(float), minlength=n).astype(np.int64)


def _breakdowns(table: np.ndarray, order: list[str], top: int = 3) -> list[str]:
    """Per row of a (groups x categories) count table: "Battles: 12 · Protests: 3 · others: 2" (plain text)."""
    names = list(order)
    ranked = np.argsort(-table, axis=1, kind="stable")[:, :top]
    counts = np.take_along_axis(table, ranked, axis=1)
    rest = table.sum(axis=1) - counts.sum(axis=1)
    lines = []
    for idx, cnt, other in zip(ranked.tolist(), counts.tolist(), rest.tolist(), strict=True):
        parts = [f"{names[i]}: {c:,}" for i, c in zip(idx, cnt, strict=True) if c]
        lines.append(" · ".join(parts) + (f" · others: {other:,}" if other else ""))
    return lines


def deaths_line(deaths: int, not_reported: int) -> str:
    line = f"Reported deaths: {deaths:,}"
    return line + (f" ({not_reported:,} events without a reported figure)" if not_reported else "")


def bubble_sizes(counts: pd.Series, *, smallest: float, largest: float) -> np.ndarray:
    peak = max(int(counts.max()), 1) if len(counts) else 1
    return smallest + (largest - smallest) * np.sqrt(counts.to_numpy(dtype=float) / peak)


def count_stops(counts: pd.Series, *, smallest: float, largest: float) -> list[tuple[str, float]]:
    """The size key of bubbles sized by `bubble_sizes`: one event, a round number between, and the largest."""
    peak = max(int(counts.max()), 1) if len(counts) else 1
    middle = peak // 4
    if middle >= 10:
        middle = round(middle, 1 - len(str(middle)))  # one significant figure: 40, 300, 2,000
    values = sorted({1, middle, peak} - {0})
    sizes = smallest + (largest - smallest) * np.sqrt(np.array(values, dtype=float) / peak)
    return [(f"{n:,} event" + ("s" if n > 1 else ""), float(size)) for n, size in zip(values, sizes, strict=True)]


def bubble_traces(
    groups: pd.DataFrame, order: list[str], colour_by: str, kind: str, sizes: np.ndarray
) -> list[go.Scattermap]:
    """One trace per dominant category (so the legend matches the points mode), largest bubbles below."""
    traces = []
    groups = groups.assign(size=sizes).sort_values("size", ascending=False)
    for name in order:
        part = groups[groups["dominant"] == name]
        if part.empty:
            continue
        traces.append(
            go.Scattermap(
                lat=part["lat"].to_numpy(),
                lon=part["lon"].to_numpy(),
                mode="markers",
                name=plotly_literal(name),
                legendgroup=name,
                marker={"size": part["size"].to_numpy(), "color": category_colour(colour_by, name), "opacity": 0.75},
                customdata=np.column_stack(
                    [np.full(len(part), kind, dtype=object), part["key"].to_numpy(dtype=object)]
                ),
                hovertext=part["hover"].to_numpy(dtype=object),
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    return traces
