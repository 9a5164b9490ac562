"""One bubble per province (admin 1), at its gazetteer entry or the mean of its events, with its totals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tensions.analysis import weighted
from tensions.data.categorical import value_codes
from tensions.data.literal import plotly_literal
from tensions.figures.map.aggregate import aggregate_groups, bubble_sizes, bubble_traces, count_stops, deaths_line
from tensions.figures.map.encoding import category_order

PROVINCE_SIZES = (9.0, 48.0)  # the smallest and largest bubble, in pixels
PROVINCES_KEY = (
    "Bubble size: events per province (admin 1); colour: the most frequent {colour}.<br>"
    "Drawn at the province's gazetteer point, else at the mean of its events."
)


def province_totals(
    events: pd.DataFrame, *, places: pd.DataFrame | None = None, colour_by: str = "event_type"
) -> pd.DataFrame:
    """Per province (country, admin1): events, reported deaths, events without a figure, imprecise events,
    first and last date, and where to draw it (the gazetteer's province entry, else the events' mean).
    `events` may be a place summary (`tensions.analysis.weighted`)."""
    placed = events[(events["latitude"].notna() & events["longitude"].notna()).to_numpy()]
    country_codes, countries = _text_codes(placed["country"])
    admin_codes, admins = _text_codes(placed["admin1"])
    group = country_codes * len(admins) + admin_codes
    totals, codes, _ = aggregate_groups(placed, group, len(countries) * len(admins), colour_by)
    ids = totals["group"].to_numpy()
    totals["country"] = countries[ids // len(admins)]
    totals["admin1"] = admins[ids % len(admins)]
    totals["first_date"] = placed["event_date"].groupby(codes).min().to_numpy()
    totals["last_date"] = weighted.last_dates(placed).groupby(codes).max().to_numpy()
    gazetteer = _province_points(places)
    points = [gazetteer.get(key) for key in zip(totals["country"], totals["admin1"], strict=True)]
    found = np.array([p is not None for p in points], dtype=bool)
    totals["at"] = np.where(found, "gazetteer", "events")
    if found.any():
        totals.loc[found, "lat"] = [p[0] for p in points if p is not None]
        totals.loc[found, "lon"] = [p[1] for p in points if p is not None]
    totals["key"] = totals["country"] + "\t" + totals["admin1"]
    totals["province"] = [province_label(c, a) for c, a in zip(totals["country"], totals["admin1"], strict=True)]
    return totals.drop(columns="group").sort_values("events", ascending=False, ignore_index=True)


def _text_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and their labels for a text or categorical column, missing values labelled "".

    Categoricals use their own codes: converting a million categorical cells to text costs ~0.3 s.
    """
    codes, distinct = value_codes(values)
    labels = [str(value) for value in distinct]
    codes = np.where(codes < 0, len(labels), codes)
    return codes, np.array([*labels, ""], dtype=object)


def _province_points(places: pd.DataFrame | None) -> dict[tuple[str, str], tuple[float, float]]:
    """(country, admin1) -> the gazetteer's province-level point, preferring one named for the province."""
    if places is None or places.empty:
        return {}
    provinces = places[(places["geo_precision"] == 3).fillna(False) & places["admin1"].notna()]
    points: dict[tuple[str, str], tuple[float, float]] = {}
    named: set[tuple[str, str]] = set()
    for row in provinces.itertuples():
        key = (str(row.country), str(row.admin1))
        is_named = str(row.place).lower().startswith(str(row.admin1).lower())
        if key not in points or (is_named and key not in named):
            points[key] = (float(row.latitude), float(row.longitude))
            if is_named:
                named.add(key)
    return points


def province_label(country: str, admin1: str) -> str:
    """ "Anbar, Iraq", or "Red Sea (no province given)" for events with no admin1."""
    return f"{admin1}, {country}" if admin1 else f"{country} (no province given)"


def province_traces(
    events: pd.DataFrame, colour_by: str, places: pd.DataFrame | None
) -> tuple[list[go.Scattermap], list[tuple[str, float]]]:
    """One bubble per province, and the size key of its bubbles."""
    if events.empty:
        return [], []
    totals = province_totals(events, places=places, colour_by=colour_by)
    order = category_order(colour_by, events[colour_by])
    where = {"gazetteer": "Drawn at the province's gazetteer point", "events": "Drawn at the mean of its events"}
    totals["hover"] = [
        f"<b>{plotly_literal(row.province)}</b>"
        f"<br><b>{row.events:,} events</b>, {row.first_date:%d %b %Y} to {row.last_date:%d %b %Y}"
        f"<br>{plotly_literal(row.breakdown)}<br>{deaths_line(row.deaths, row.not_reported)}"
        + (f"<br>{row.imprecise:,} known only to the province or the month" if row.imprecise else "")
        + f"<br><i>{where[row.at]}. Click to list the events.</i>"
        for row in totals.itertuples()
    ]
    sizes = {"smallest": PROVINCE_SIZES[0], "largest": PROVINCE_SIZES[1]}
    traces = bubble_traces(totals, order, colour_by, "province", bubble_sizes(totals["events"], **sizes))
    return traces, count_stops(totals["events"], **sizes)
