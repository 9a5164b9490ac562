"""Rows that stand for several events: the shape in which a store too large to load hands events to figures.

The PostgreSQL store sums events in SQL (per place for the map, per period and lane for the timeline) and
hands the figure builders those sums rather than ten million rows. Such a row carries how many events it
stands for (`EVENTS`), how many of them have no reported death toll (`NOT_REPORTED`), have a reported
toll above zero (`WITH_DEATHS`) or are known only to their province or month (`IMPRECISE`), the first and
last of their dates (`event_date`, `LAST_DATE`), and in `fatalities` the sum of their reported deaths. A
plain event table is the case where every row stands for one event: the accessors below answer for both,
so a builder reads either and the rows of two sources (curated events summed in pandas, imported ones in
SQL) combine by concatenation. `place_summary` and `period_summary` are the pandas forms of the sums the
store computes in SQL (`tensions.store.queries`), and the reference its tests compare against.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tensions.analysis.filters import imprecise_mask
from tensions.analysis.periods import Granularity, period_starts

EVENTS = "n_events"
NOT_REPORTED = "n_not_reported"
WITH_DEATHS = "n_with_deaths"
IMPRECISE = "n_imprecise"
LAST_DATE = "last_date"
COUNT_COLUMNS: tuple[str, ...] = (EVENTS, NOT_REPORTED, WITH_DEATHS, IMPRECISE)
# What a place row of the map is grouped by, besides the colour column.
PLACE_KEYS: tuple[str, ...] = ("country", "admin1", "latitude", "longitude")
# What the Overview's activity rows are grouped by, besides the month; the Actors page's rows, per pair of actors.
ACTIVITY_KEYS: tuple[str, ...] = ("country", "event_type")
PAIR_KEYS: tuple[str, ...] = ("actor1", "actor2", "actor1_family", "actor2_family")


def is_summary(events: pd.DataFrame) -> bool:
    """True when the rows stand for several events each (they carry `EVENTS`)."""
    return EVENTS in events


def event_counts(events: pd.DataFrame) -> np.ndarray:
    """How many events each row stands for (1 for a plain event table)."""
    return events[EVENTS].to_numpy(dtype=np.int64) if is_summary(events) else np.ones(len(events), dtype=np.int64)


def total_events(events: pd.DataFrame) -> int:
    """How many events the rows stand for."""
    return int(events[EVENTS].sum()) if is_summary(events) else len(events)


def not_reported_counts(events: pd.DataFrame) -> np.ndarray:
    """Per row, its events without a reported death toll."""
    if is_summary(events):
        return events[NOT_REPORTED].to_numpy(dtype=np.int64)
    return events["fatalities"].isna().to_numpy().astype(np.int64)


def with_deaths_counts(events: pd.DataFrame) -> np.ndarray:
    """Per row, its events with a reported toll above zero."""
    if is_summary(events):
        return events[WITH_DEATHS].to_numpy(dtype=np.int64)
    return (events["fatalities"].fillna(0) > 0).to_numpy(dtype=np.int64)


def imprecise_counts(events: pd.DataFrame) -> np.ndarray:
    """Per row, its events known only to their province or month."""
    if is_summary(events):
        return events[IMPRECISE].to_numpy(dtype=np.int64)
    return imprecise_mask(events).to_numpy().astype(np.int64)


def reported_deaths(events: pd.DataFrame) -> np.ndarray:
    """Per row, the sum of its reported deaths (0 where none was reported), as floats."""
    return events["fatalities"].astype("Float64").to_numpy(dtype=float, na_value=0.0)


def last_dates(events: pd.DataFrame) -> pd.Series:
    """Per row, the last date of its events (a plain event's own date)."""
    return events[LAST_DATE] if LAST_DATE in events else events["event_date"]


def _counted(events: pd.DataFrame) -> pd.DataFrame:
    """The columns a summary sums, for a plain event table (one event per row)."""
    return pd.DataFrame(
        {
            EVENTS: np.ones(len(events), dtype=np.int64),
            NOT_REPORTED: not_reported_counts(events),
            WITH_DEATHS: with_deaths_counts(events),
            IMPRECISE: imprecise_counts(events),
            "fatalities": reported_deaths(events).astype(np.int64),
            "event_date": events["event_date"].to_numpy(),
            LAST_DATE: events["event_date"].to_numpy(),
        },
        index=events.index,
    )


def one_each(events: pd.DataFrame) -> pd.DataFrame:
    """Plain events with the summary's count columns (each row standing for itself), to sit among summed rows."""
    counted = _counted(events)
    return events.assign(**{c: counted[c] for c in (*COUNT_COLUMNS, LAST_DATE)})


def _summed(keys: pd.DataFrame, counted: pd.DataFrame) -> pd.DataFrame:
    """`counted` summed per distinct row of `keys` (missing keys kept as a group of their own)."""
    frame = pd.concat([keys, counted], axis=1)
    grouped = frame.groupby(list(keys.columns), observed=True, dropna=False, sort=True)
    sums = grouped[[*COUNT_COLUMNS, "fatalities"]].sum()
    sums["event_date"] = grouped["event_date"].min()
    sums[LAST_DATE] = grouped[LAST_DATE].max()
    return sums.reset_index()


def place_summary(events: pd.DataFrame, colour_by: str | None) -> pd.DataFrame:
    """The map's sums: per place (country, province, coordinates) and colour category (None: per place
    alone, for the heat map), the events there. Events without coordinates are left out, as the map
    leaves them out."""
    placed = events[(events["latitude"].notna() & events["longitude"].notna()).to_numpy()]
    keys = placed[[*PLACE_KEYS, *([colour_by] if colour_by else [])]]
    return _summed(keys, _counted(placed))


def period_summary(events: pd.DataFrame, lanes: str, granularity: Granularity) -> pd.DataFrame:
    """The timeline's sums: per week or month, lane, event type and date precision, the events in it."""
    keys = events[[lanes, "event_type", "time_precision"]].assign(
        period=period_starts(events["event_date"], granularity)
    )
    return _summed(keys, _counted(events)).drop(columns="period")


def activity_summary(events: pd.DataFrame) -> pd.DataFrame:
    """The Overview's sums: per month, country and event type, the events in it (headline counts, events per
    month)."""
    keys = events[list(ACTIVITY_KEYS)].assign(period=period_starts(events["event_date"], "month"))
    return _summed(keys, _counted(events)).drop(columns="period")


def pair_summary(events: pd.DataFrame) -> pd.DataFrame:
    """The Actors page's sums: per first and second actor and their families, the events between them (the
    affiliation tree, who acts on whom, the most active actors). Events without a second actor are a pair
    of their own."""
    return _summed(events[list(PAIR_KEYS)], _counted(events))
