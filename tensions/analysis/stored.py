"""The sums the Overview, the Actors page and the Timeline's index band read when imported events live in
PostgreSQL: the database's SQL sums (`tensions.analysis.queries`) beside the same sums of the events held in
memory (the curated ones), in one table the pandas functions read as they read events
(`tensions.analysis.weighted`). As for the figures' rows (`tensions.figures.stored`), an app server reads
thousands of rows, never the millions the database holds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import pandas as pd

from tensions.analysis import queries, tension, weighted
from tensions.analysis.filters import FilterState
from tensions.analysis.periods import Granularity
from tensions.data.actors import with_descendants


def _beside(
    held: pd.DataFrame | None, summed: Callable[[pd.DataFrame], pd.DataFrame], stored: pd.DataFrame
) -> pd.DataFrame:
    """The database's sums `stored` after the same sums of the events `held` in memory (when there are any)."""
    if held is None or not len(held):
        return stored
    return pd.concat([summed(held), stored], ignore_index=True)


def activity_rows(
    url: str, state: FilterState, *, actors: pd.DataFrame | None = None, also: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per month, country and event type, the events passing `state` (`weighted.activity_summary`): the
    database's and those of `also` (events held in memory that pass `state`). What the Overview's headline
    (`summary.headline`) and its events per month count."""
    return _beside(also, weighted.activity_summary, queries.activity_summary(url, state, actors))


def pair_rows(
    url: str, state: FilterState, *, actors: pd.DataFrame | None = None, also: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per pair of actors and their families, the events passing `state` (`weighted.pair_summary`): the
    database's and those of `also`. What the actors are counted from: the Overview's most active, the
    Actors page's tree and who acts on whom."""
    return _beside(also, weighted.pair_summary, queries.pair_summary(url, state, actors))


def index_rows(
    url: str,
    state: FilterState,
    actors: pd.DataFrame,
    *,
    also: pd.DataFrame | None = None,
    granularity: Granularity | Literal["day"] = "day",
) -> pd.DataFrame:
    """The tension index's inputs per day, week or month (`tension.index_inputs`: scored and summed per country
    and theatre) of the events passing `state`: the database's and those of `also`. The index per week or month
    reads them as the events (per day: the index at either, its trends and their baselines too)."""
    return _beside(
        also,
        lambda held: tension.index_inputs(held, actors, granularity),
        queries.index_summary(url, state, actors, granularity),
    )


def role_rows(
    url: str,
    state: FilterState,
    actor: str,
    actors: pd.DataFrame,
    *,
    include_affiliates: bool = True,
    also: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The events passing `state` that `actor` (and by default its affiliates) took part in, with their role, per
    month: the database's summed (`queries.role_summary`) and those of `also` (`actor_profile.involving` of the
    events held in memory), for `actor_profile.activity_over_time`."""
    names = with_descendants([actor], actors) if include_affiliates else {actor}
    return _beside(also, weighted.one_each, queries.role_summary(url, state, names, actors))
