"""Headline figures and tables for the Overview: pure functions of a filtered event table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from tensions.analysis import weighted
from tensions.data.words import age_in_words, fatalities_in_words

# Older than this, a reader could take the data for the current picture; the Overview says how old it is.
STALE_AFTER_DAYS = 14


@dataclass(frozen=True)
class Headline:
    events: int
    fatalities_known: int
    events_with_unknown_fatalities: int
    countries: int
    actors: int
    first_date: pd.Timestamp | None
    last_date: pd.Timestamp | None


def headline(events: pd.DataFrame, pairs: pd.DataFrame | None = None) -> Headline:
    """Counts for the top of the Overview; unknown fatalities are counted apart, never as zero. `events` may be
    summed rows (`weighted.activity_summary`), whose actors are then counted from `pairs`
    (`weighted.pair_summary` of the same events)."""
    named = events if pairs is None else pairs
    actor_names = pd.concat([named["actor1"].astype("object"), named["actor2"].astype("object")]).dropna()
    return Headline(
        events=weighted.total_events(events),
        fatalities_known=int(weighted.reported_deaths(events).sum()),
        events_with_unknown_fatalities=int(weighted.not_reported_counts(events).sum()),
        countries=int(events["country"].astype("object").nunique()),
        actors=int(actor_names.nunique()),
        first_date=events["event_date"].min() if len(events) else None,
        last_date=weighted.last_dates(events).max() if len(events) else None,
    )


def most_active_actors(events: pd.DataFrame, *, top: int = 10) -> pd.DataFrame:
    """Actors by number of events they initiated (actor1), with the fatalities of those events. `events` may
    be summed rows (`weighted.pair_summary`)."""
    counted = events.assign(
        _events=weighted.event_counts(events), _deaths=weighted.reported_deaths(events).astype("int64")
    )
    grouped = counted.groupby("actor1", observed=True).agg(
        events=("_events", "sum"), fatalities=("_deaths", "sum"), family=("actor1_family", "first")
    )
    return (
        grouped.sort_values(["events", "fatalities"], ascending=False)
        .head(top)
        .reset_index()
        .rename(columns={"actor1": "actor"})
    )


LATEST_COLUMNS = [
    "event_date",
    "time_precision",
    "country",
    "location",
    "event_type",
    "actor1",
    "actor2",
    "fatalities",
    "notes",
    "source",
]


def latest_events(events: pd.DataFrame, *, count: int = 10) -> pd.DataFrame:
    """The most recent events, newest first, with the columns a reader scans; unknown fatalities in words."""
    latest = events.sort_values("event_date", ascending=False).head(count)
    return latest.assign(fatalities=fatalities_in_words(latest))[LATEST_COLUMNS].reset_index(drop=True)


def stale_data_notice(data_as_of: dt.date | None, today: dt.date) -> str | None:
    """A warning that the data ends well before today, or None while it is recent."""
    if data_as_of is None or (today - data_as_of).days <= STALE_AFTER_DAYS:
        return None
    return (
        f"The newest report in this data is from {data_as_of:%-d %B %Y}, {age_in_words(data_as_of, today)}: "
        "anything that happened since is not shown."
    )
