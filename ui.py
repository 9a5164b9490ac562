"""Streamlit glue shared by the pages: cached loading, the error panel and the shared sidebar.

Everything here reads widgets or renders; the logic it calls lives in the `tensions` package.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st

from tensions import taxonomy
from tensions.errors import InvalidDataError
from tensions.filters import FilterState, apply_filters
from tensions.load import Dataset, load_dataset
from tensions.paths import data_dir
from tensions.schema import TABLES


def _data_fingerprint(folder: Path) -> tuple:
    """Changes whenever a data file changes, so an edited CSV is reloaded without a restart."""
    stamps = []
    for table in TABLES:
        path = folder / table.file_name
        stamps.append((table.file_name, path.stat().st_mtime_ns if path.exists() else None))
    return tuple(stamps)


@st.cache_data(show_spinner="Loading events…")
def _load(folder: str, fingerprint: tuple) -> Dataset:
    return load_dataset(Path(folder))


def load_curated_or_stop() -> Dataset:
    """The validated dataset; on invalid data, an error panel naming every problem, then stop."""
    folder = data_dir()
    try:
        return _load(str(folder), _data_fingerprint(folder))
    except InvalidDataError as error:
        st.error(
            f"The data in `{folder}` is invalid, so nothing is shown. Fix these problems (file:row:column) and reload."
        )
        st.code("\n".join(str(p) for p in error.problems[:200]), language=None)
        if len(error.problems) > 200:
            st.caption(f"…and {len(error.problems) - 200} more. Run `python -m tensions validate` for the full list.")
        st.stop()
        raise  # unreachable: st.stop() ends the run


def sidebar_filters(dataset: Dataset) -> FilterState:
    """The filters every page shares; each is bound to the URL so a copied link reproduces the view."""
    events = dataset.events
    first, last = (
        (events["event_date"].min().date(), events["event_date"].max().date())
        if len(events)
        else (dt.date(2023, 10, 7), dt.date.today())
    )
    with st.sidebar:
        st.header("Filters")
        dates = st.date_input(
            "Period",
            value=(first, last),
            min_value=first,
            max_value=last,
            key="dates",
            bind="query-params",
            format="YYYY-MM-DD",
        )
        start, end = _date_range(dates, first, last)
        countries = st.multiselect(
            "Countries", _present(events["country"], taxonomy.COUNTRY_NAMES), key="country", bind="query-params"
        )
        actors = st.multiselect(
            "Actors",
            sorted(pd.concat([events["actor1"], events["actor2"]]).dropna().unique()),
            key="actor",
            bind="query-params",
            help="Choosing an umbrella group (e.g. Islamic Resistance in Iraq) includes its factions.",
        )
        event_types = st.multiselect(
            "Event types", _present(events["event_type"], taxonomy.EVENT_TYPES), key="type", bind="query-params"
        )
        precise_only = st.toggle(
            "Precise events only",
            key="precise",
            bind="query-params",
            help="Hide events known only to their province or only to their month.",
        )
    return FilterState(
        start=start,
        end=end,
        countries=tuple(countries),
        actors=tuple(actors),
        event_types=tuple(event_types),
        precise_only=precise_only,
    )


def _present(column: pd.Series, order: tuple[str, ...]) -> list[str]:
    """The values of `column` that occur, in the taxonomy's order."""
    present = set(column.dropna().astype(str))
    return [value for value in order if value in present]


def _date_range(value: object, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """A complete (start, end) even while the user has picked only the first day of a range."""
    if isinstance(value, tuple | list):
        if len(value) == 2:
            return value[0], value[1]
        if len(value) == 1:
            return value[0], last
    if isinstance(value, dt.date):
        return value, last
    return first, last


def current_view() -> tuple[Dataset, FilterState, pd.DataFrame]:
    """Load the data, draw the shared sidebar and return what the user filtered, for a page to render.

    Every page calls this itself (rather than `app.py` doing it once) so each page also runs alone,
    as AppTest runs it; the filters' URL binding carries them from page to page.
    """
    dataset = load_curated_or_stop()
    state = sidebar_filters(dataset)
    st.sidebar.caption(data_as_of_caption(dataset))
    return dataset, state, filtered_events(dataset, state)


def filtered_events(dataset: Dataset, state: FilterState) -> pd.DataFrame:
    return apply_filters(dataset.events, state, dataset.actors)


def no_events_message() -> None:
    st.info("No events match these filters. Widen the period or clear some filters in the sidebar.")


def data_as_of_caption(dataset: Dataset) -> str:
    as_of = dataset.data_as_of
    return f"Data as of {as_of:%d %B %Y}" if as_of else "No data"
