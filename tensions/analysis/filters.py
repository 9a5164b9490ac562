"""The filter state shared by every page, the CLI and the cache key, how it is written down, and how it is applied.

A filter has one vocabulary, the sidebar's: its widgets are bound to the URL under the names below, so a
link reads `?dates=2025-01-01&dates=2025-06-30&country=Iraq&precise=true`; saved briefs store the same
parameters, `python -m tensions export timeline --view LINK` reads them and the bench reports them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from tensions.data.actors import with_descendants
from tensions.data.categorical import isin_mask
from tensions.errors import InvalidFilter
from tensions.ingest.imported import dataset_named, dataset_title

# The period: its first and last day (YYYY-MM-DD); one day means "to the latest event", and an empty first
# day "from the first event" (a saved brief's open-ended period).
PERIOD_PARAM = "dates"
COUNTRY_PARAM = "country"
ACTOR_PARAM = "actor"
TYPE_PARAM = "type"
DATASET_PARAM = "dataset"
PRECISE_PARAM = "precise"  # "true": precisely placed and dated events only
# The parameters holding a list (repeated in a URL: `country=Iraq&country=Yemen`), by FilterState field.
LIST_PARAMS: dict[str, str] = {
    "countries": COUNTRY_PARAM,
    "actors": ACTOR_PARAM,
    "event_types": TYPE_PARAM,
    "datasets": DATASET_PARAM,
}
# Every parameter of a filter; any other parameter belongs to a page (the map's mode, a clicked event).
FILTER_PARAMS = (PERIOD_PARAM, *LIST_PARAMS.values(), PRECISE_PARAM)


@dataclass(frozen=True)
class FilterState:
    """What the user asked to see. Empty tuples mean "no restriction"."""

    start: dt.date | None = None
    end: dt.date | None = None
    countries: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    precise_only: bool = False

    def describe(self) -> str:
        """A one-line plain-language account of the filters, for captions and slide footers."""
        parts = []
        if self.start or self.end:
            start = self.start.isoformat() if self.start else "start"
            end = self.end.isoformat() if self.end else "latest"
            parts.append(f"{start} to {end}")
        for label, values in (
            ("countries", self.countries),
            ("actors", self.actors),
            ("types", self.event_types),
            ("datasets", tuple(dataset_title(dataset) for dataset in self.datasets)),
        ):
            if values:
                parts.append(f"{label}: {', '.join(values)}")
        if self.precise_only:
            parts.append("precisely placed and dated events only")
        return "; ".join(parts) if parts else "all events"

    def to_query_params(self) -> dict[str, list[str]]:
        """The filters as URL query parameters, as the sidebar writes them (datasets by their titles, which the
        Datasets filter shows); a filter that keeps everything is left out, so `FilterState()` is `{}`."""
        params: dict[str, list[str]] = {}
        if self.start is not None or self.end is not None:
            first = self.start.isoformat() if self.start is not None else ""
            params[PERIOD_PARAM] = [first] if self.end is None else [first, self.end.isoformat()]
        for field, name in LIST_PARAMS.items():
            if values := getattr(self, field):
                params[name] = [dataset_title(value) for value in values] if field == "datasets" else list(values)
        if self.precise_only:
            params[PRECISE_PARAM] = ["true"]
        return params

    @classmethod
    def from_query_params(cls, params: Mapping[str, str | Sequence[str]]) -> FilterState:
        """The filters in `params` (a URL's query, as `parse_qs` or `st.query_params` give it, or a saved
        brief's); other keys belong to the pages and are ignored. A value that cannot be read raises
        `InvalidFilter` naming the parameter, rather than quietly showing another view."""
        start, end = _period(_values(params, PERIOD_PARAM, keep_empty=True))
        lists = {field: tuple(dict.fromkeys(_values(params, name))) for field, name in LIST_PARAMS.items()}
        lists["datasets"] = tuple(dict.fromkeys(dataset_named(name) for name in lists["datasets"]))
        return cls(start=start, end=end, precise_only=_flag(_values(params, PRECISE_PARAM)), **lists)

    def without_whole_period(self, first: dt.date, last: dt.date) -> FilterState:
        """The same filters with the period left out when it runs from `first` to `last` (the sidebar's
        default, the data's whole range), so a link names only what narrows the view."""
        whole = self.start is not None and self.end is not None and self.start <= first and self.end >= last
        return replace(self, start=None, end=None) if whole else self


def names_a_filter(params: Mapping[str, str | Sequence[str]]) -> bool:
    """Whether `params` (a URL's query) sets a filter: then it is a link, and the page opens with its filters."""
    return any(name in params for name in FILTER_PARAMS)


def carried_filters(params: Mapping[str, str | Sequence[str]], shown: FilterState | None) -> FilterState | None:
    """The filters a page opens with when the session moves to it from another page, where the sidebar last
    showed `shown` (None: this is the session's first page, which opens as its URL says).

    Each page draws its own sidebar and moving to another page clears the URL's query, so the filters are
    carried as the state last shown, cleared filters included: a stale value must not come back. A URL that
    names a filter is a link and wins; one that cannot be read gives None, and the page opens as its URL
    says, as on a first visit (the widgets leave out what they cannot read).
    """
    if shown is None:
        return None
    if not names_a_filter(params):
        return shown
    try:
        return FilterState.from_query_params(params)
    except InvalidFilter:
        return None


def _values(params: Mapping[str, str | Sequence[str]], name: str, *, keep_empty: bool = False) -> list[str]:
    """The values of one parameter as a list of text; empty values dropped (a cleared widget writes one)."""
    raw = params.get(name, [])
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, Sequence) or not all(isinstance(v, str) for v in values):
        raise InvalidFilter(f"{name}: expected text, got {raw!r}")
    return list(values) if keep_empty and any(values) else [v for v in values if v.strip()]


def _period(values: list[str]) -> tuple[dt.date | None, dt.date | None]:
    if len(values) > 2:
        raise InvalidFilter(f"{PERIOD_PARAM}: at most a first and a last day, got {len(values)} values")
    days = []
    for value in values:
        try:
            days.append(dt.date.fromisoformat(value.strip()) if value.strip() else None)
        except ValueError:
            raise InvalidFilter(f"{PERIOD_PARAM}: {value!r} is not a day (YYYY-MM-DD)") from None
    start, end = [*days, None, None][:2]
    if start is not None and end is not None and start > end:
        raise InvalidFilter(f"{PERIOD_PARAM}: the first day {start} is after the last day {end}")
    return start, end


def _flag(values: list[str]) -> bool:
    if not values:
        return False
    if values[-1].strip().lower() not in ("true", "false"):
        raise InvalidFilter(f"{PRECISE_PARAM}: {values[-1]!r} is neither true nor false")
    return values[-1].strip().lower() == "true"


def imprecise_mask(events: pd.DataFrame) -> pd.Series:
    """Events known only to their province or only to their month."""
    return pd.Series(_imprecise(events), index=events.index)


def _imprecise(events: pd.DataFrame) -> np.ndarray:
    province_only = events["geo_precision"].to_numpy(dtype="float64", na_value=np.nan) == 3
    return province_only | isin_mask(events["time_precision"], ("month",))


def filter_mask(events: pd.DataFrame, state: FilterState, actors: pd.DataFrame | None = None) -> np.ndarray:
    """A boolean mask of the events that pass `state`; selecting an umbrella actor keeps its factions.

    Nothing is copied: dates are compared as NumPy datetimes and categorical columns through their codes,
    so a filter change over a million events costs a few milliseconds.
    """
    mask = np.ones(len(events), dtype=bool)
    if state.start is not None or state.end is not None:
        dates = events["event_date"].to_numpy()
        if state.start is not None:
            mask &= dates >= np.datetime64(state.start)
        if state.end is not None:
            # Up to the end of the last day, whatever the column's time resolution.
            mask &= dates < np.datetime64(state.end) + np.timedelta64(1, "D")
    for column, values in (
        ("country", state.countries),
        ("event_type", state.event_types),
        ("dataset", state.datasets),
    ):
        if values:
            mask &= isin_mask(events[column], values)
    if state.actors:
        names = with_descendants(state.actors, actors) if actors is not None else set(state.actors)
        mask &= isin_mask(events["actor1"], names) | isin_mask(events["actor2"], names)
    if state.precise_only:
        mask &= ~_imprecise(events)
    return mask


def apply_filters(events: pd.DataFrame, state: FilterState, actors: pd.DataFrame | None = None) -> pd.DataFrame:
    """The events that pass `state` (a shallow copy-on-write view when nothing is filtered out)."""
    mask = filter_mask(events, state, actors)
    if mask.all():
        return events.copy(deep=False)
    return events.take(np.flatnonzero(mask))
