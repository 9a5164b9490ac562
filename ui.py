"""Streamlit glue shared by the pages: the app's settings and navigation, cached loading, the error panel and
the shared sidebar.

Everything here reads widgets or renders; the logic it calls lives in the `tensions` package.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.pages_manager import PagesManager

from tensions.analysis import queries, summary
from tensions.analysis.filters import (
    ACTOR_PARAM,
    COUNTRY_PARAM,
    DATASET_PARAM,
    PERIOD_PARAM,
    PRECISE_PARAM,
    TYPE_PARAM,
    FilterState,
    apply_filters,
    carried_filters,
    filter_mask,
    names_a_filter,
)
from tensions.curation import access
from tensions.data import taxonomy, words
from tensions.data.categorical import present_values
from tensions.data.guard import Grant
from tensions.data.literal import markdown_literal
from tensions.data.load import CURATED_DATASET, Dataset
from tensions.data.paths import data_dir, shown_path
from tensions.errors import InvalidDataError, NotAuthorised, StoreError
from tensions.figures import tables
from tensions.figures.map.basemap import static_url
from tensions.figures.map.labels import LABELS_WITHOUT_FADE_CLASS, LABELS_WITHOUT_FADE_SCRIPT
from tensions.ingest import imported
from tensions.store import select
from tensions.store.config import database_url
from tensions.store.select import curated_fingerprint, load_curated

# Where the Curate page keeps the session's curator grant; every page asks `curator_grant()` for it.
GRANT_KEY = "curator_grant"
# The URL path of the page this run shows, and the filters the sidebar last showed with the page it showed them
# on: the next page the session moves to opens with them (`_carry_filters`).
PAGE_KEY = "_page"
SHOWN_KEY = "_filters_shown"
REOPENED_KEY = "_filters_reopened"  # the page just opened again with its filters in the URL (once, never in a loop)
BOUNDS_KEY = "_dates_bounds"  # the data's first and last day, the period the sidebar shows by default


def app_page() -> st.Page:
    """Set the app's page settings (title, icon, wide layout) and its navigation (titles and icons; the Overview
    at the root); return the page the session asked for, which `app.py` runs, its filters carried from the page
    the session comes from."""
    st.set_page_config(
        page_title="Regional Tensions Dashboard",
        page_icon=str(Path(__file__).parent / "assets" / "icon.png"),
        layout="wide",
    )
    # The default page is served at the root but still reserves a path, its file's name unless given one: the
    # first version served the Overview at /overview, which now opens it at the root (bookmarks, shared links).
    overview = st.Page(
        "pages/overview.py", title="Overview", icon=":material/dashboard:", default=True, url_path="overview-page"
    )
    page = st.navigation(
        [
            overview,
            st.Page("pages/map.py", title="Map", icon=":material/map:"),
            st.Page("pages/timeline.py", title="Timeline", icon=":material/timeline:"),
            st.Page("pages/actors.py", title="Actors", icon=":material/groups:"),
            st.Page("pages/curate.py", title="Curate", icon=":material/edit_note:"),
            st.Page("pages/data.py", title="Data", icon=":material/database:"),
            st.Page(
                lambda: st.switch_page(overview, query_params=_query()),
                title="Overview",
                url_path="overview",
                visibility="hidden",
            ),
        ]
    )
    _carry_filters(page)
    return page


def _carry_filters(page: st.Page) -> None:
    """Open `page` with the filters the session showed on the page it comes from (`carried_filters`).

    Each page draws its own sidebar, Streamlit ties each widget to its page (keeping, or not, a value from an
    earlier visit) and moving to a page clears the URL's query. So when the URL lacks the carried filters, the
    page is opened again with them in its query (`st.switch_page`, once), as a link opens it, so the address
    shows the view and can be shared; then the filter widgets are set, before the page draws them, to the
    state carried, cleared filters included.
    """
    shown = st.session_state.get(SHOWN_KEY)
    reopened = st.session_state.pop(REOPENED_KEY, None) == page.url_path
    st.session_state[PAGE_KEY] = page.url_path
    if shown is None or shown[0] == page.url_path:
        return
    query = _query()
    state = carried_filters(query, shown[1])
    if state is None:
        return
    if not names_a_filter(query) and state.to_query_params() and not reopened:
        st.session_state[REOPENED_KEY] = page.url_path
        # A parameter still bound to the previous page's widget cannot be set (the browser unbinds them when it
        # changes page, AppTest does not): the page then opens with the widgets set and the URL as it is.
        with contextlib.suppress(StreamlitAPIException):
            st.switch_page(page, query_params=query | state.to_query_params())
    _set_filter_widgets(state)


def _query() -> dict[str, list[str]]:
    """The URL's query, every value of each parameter."""
    return {name: st.query_params.get_all(name) for name in st.query_params}


def _set_filter_widgets(state: FilterState) -> None:
    """Set the sidebar's filter widgets to `state` before they are drawn (no period: the data's whole range)."""
    whole = st.session_state.get(BOUNDS_KEY)
    period = (state.start, state.end) if state.start is not None and state.end is not None else whole
    if period is not None:
        st.session_state[PERIOD_PARAM] = period
    st.session_state[DATASET_PARAM] = list(state.datasets) or [CURATED_DATASET]
    for values, key in ((state.countries, COUNTRY_PARAM), (state.actors, ACTOR_PARAM), (state.event_types, TYPE_PARAM)):
        st.session_state[key] = list(values)
    st.session_state[PRECISE_PARAM] = state.precise_only


def _remember_shown(state: FilterState) -> None:
    """Note the filters the sidebar shows on this page, the period left out when it is the data's whole range
    (`_keep_full_period` keeps that range), for the next page the session moves to."""
    first, last = st.session_state[BOUNDS_KEY]
    st.session_state[SHOWN_KEY] = (st.session_state.get(PAGE_KEY), state.without_whole_period(first, last))


def _run_inside_app() -> None:
    """Rerun through `app.py` a page that Streamlit started without it, as an old-style `pages/` page.

    With a folder named `pages/` beside `app.py`, Streamlit routes the sessions of a freshly started server
    the old way until some session has called `st.navigation`: a first link to `/map?country=Iraq` runs
    `pages/map.py` alone, under a navigation of bare file names, without `app.py`'s wide layout. No setting
    turns that routing off and nothing of the app runs before that first session, so the page itself puts it
    right: `st.navigation` switches the whole server to the app's navigation (Streamlit documents that once
    any session calls it, the `pages/` folder is ignored in every session) and selects the linked page, and
    the rerun runs `app.py` around that page with the link's query string, so its filters apply.
    `PagesManager.uses_pages_directory` is Streamlit's own record of that routing (true only until
    `st.navigation` first runs; false when a page runs alone, as under AppTest); it is only read here.
    """
    if PagesManager.uses_pages_directory:
        app_page()
        st.rerun()


@st.cache_data(show_spinner="Loading events…")
def _load(folder: str, fingerprint: tuple) -> Dataset:
    """The curated dataset from the store in use, read again whenever `fingerprint` (`curated_fingerprint`) changes."""
    return load_curated(Path(folder))


def load_curated_or_stop() -> Dataset:
    """The validated dataset; on invalid data (or a database that cannot be read), an error panel, then stop."""
    folder = data_dir()
    try:
        return _load(str(folder), curated_fingerprint(folder))
    except InvalidDataError as error:
        st.error(
            f"The data in `{shown_path(folder)}` is invalid, so nothing is shown. Fix these problems (file:row:column) and reload."
        )
        st.code("\n".join(str(p) for p in error.problems[:200]), language=None)
        if len(error.problems) > 200:
            st.caption(f"…and {len(error.problems) - 200} more. Run `python -m tensions validate` for the full list.")
        st.stop()
        raise  # unreachable: st.stop() ends the run
    except StoreError as error:  # the database store is misconfigured or cannot be reached
        st.error(f"The curated data cannot be read from the database, so nothing is shown: {error}")
        st.stop()
        raise  # unreachable: st.stop() ends the run


@dataclasses.dataclass(frozen=True)
class SidebarOptions:
    """What the sidebar offers for a set of events: the period and the values that occur."""

    first: dt.date
    last: dt.date
    countries: list[str]
    actors: list[str]
    event_types: list[str]


def sidebar_options(events: pd.DataFrame) -> SidebarOptions:
    first, last = (
        (events["event_date"].min().date(), events["event_date"].max().date())
        if len(events)
        else (dt.date(2023, 10, 7), dt.date.today())
    )
    countries = _present(events["country"], taxonomy.COUNTRY_NAMES)
    # Imported events outside the taxonomy's countries keep their own country name: offered after ours.
    countries += sorted(set(present_values(events["country"])) - set(taxonomy.COUNTRY_NAMES))
    return SidebarOptions(
        first=first,
        last=last,
        countries=countries,
        actors=sorted(set(present_values(events["actor1"])) | set(present_values(events["actor2"]))),
        event_types=_present(events["event_type"], taxonomy.EVENT_TYPES),
    )


def dataset_filter(choices: list[str]) -> list[str]:
    """The datasets to show (curated by default; empty means every dataset), bound to the URL."""
    return st.sidebar.multiselect(
        "Datasets",
        choices,
        default=[CURATED_DATASET],
        format_func=imported.dataset_title,
        key=DATASET_PARAM,
        bind="query-params",
        help="The curated events, and any UCDP GED, ACLED or GDELT data imported on the Data page. "
        "Leave empty to show every dataset.",
    )


def _keep_full_period(options: SidebarOptions) -> None:
    """When the datasets change, a period left at the whole range follows the new range, and a period
    outside the new range is clamped to it, so adding a dataset never hides its events by surprise."""
    bounds = (options.first, options.last)
    previous = st.session_state.get(BOUNDS_KEY)
    st.session_state[BOUNDS_KEY] = bounds
    current = st.session_state.get(PERIOD_PARAM)
    if previous is None or previous == bounds or not isinstance(current, tuple | list) or not current:
        return
    if tuple(current) == tuple(previous):
        st.session_state[PERIOD_PARAM] = bounds
    else:
        start = min(max(current[0], options.first), options.last)
        end = min(max(current[-1], start), options.last)
        if (start, end) != tuple(current):
            st.session_state[PERIOD_PARAM] = (start, end)


def sidebar_filters(dataset: Dataset, options: SidebarOptions | None = None, *, container=None) -> FilterState:
    """The filters every page shares; each is bound to the URL under `FilterState`'s query parameters, so a
    copied link reproduces the view."""
    options = options or sidebar_options(dataset.events)
    first, last = options.first, options.last
    _keep_full_period(options)
    with container if container is not None else st.sidebar:
        dates = st.date_input(
            "Period",
            value=(first, last),
            min_value=first,
            max_value=last,
            key=PERIOD_PARAM,
            bind="query-params",
            format="YYYY-MM-DD",
        )
        start, end = _date_range(dates, first, last)
        countries = st.multiselect("Countries", options.countries, key=COUNTRY_PARAM, bind="query-params")
        actors = st.multiselect(
            "Actors",
            options.actors,
            key=ACTOR_PARAM,
            bind="query-params",
            help="Choosing an umbrella group (e.g. Islamic Resistance in Iraq) includes its factions.",
        )
        event_types = st.multiselect("Event types", options.event_types, key=TYPE_PARAM, bind="query-params")
        precise_only = st.toggle(
            "Precise events only",
            key=PRECISE_PARAM,
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
    present = set(present_values(column))
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


@st.cache_resource(show_spinner="Loading imported events…", max_entries=4)
def _combined_view(
    folder: str, fingerprint: tuple, imported_fingerprint: tuple, datasets: tuple[str, ...]
) -> tuple[Dataset, SidebarOptions]:
    """Curated plus imported events, shared (not copied) between reruns and sessions: read-only.

    `st.cache_resource` rather than `st.cache_data` because `cache_data` would copy a million events
    on every rerun; nothing downstream modifies the frame (filters take rows, pandas copies on write).
    """
    curated = _load(folder, fingerprint)
    extra = select.imported_in_memory(Path(folder), datasets)
    frames = [curated.events] if CURATED_DATASET in datasets else []
    if extra is not None:
        frames.append(extra)
    events = imported.combine_events(frames) if frames else curated.events.iloc[:0]
    view = dataclasses.replace(curated, events=events)
    return view, _with_stored_imports(sidebar_options(events), Path(folder), datasets, bool(frames))


def _with_stored_imports(
    options: SidebarOptions, folder: Path, datasets: tuple[str, ...], in_memory: bool
) -> SidebarOptions:
    """The sidebar's choices widened to the imports of `datasets` the database holds (their events stay there):
    the period and countries from their records, the actors and event types from one DISTINCT query
    (`queries.present_names`; `_combined_view` caches it per imported-store version). `in_memory`: whether
    `options` come from any events at all."""
    url = database_url()
    if url is None:
        return options
    records = [r for r in select.list_imports(folder) if r.dataset in datasets and r.first_date and r.last_date]
    if not records:
        return options
    firsts = [dt.date.fromisoformat(r.first_date) for r in records] + ([options.first] if in_memory else [])
    lasts = [dt.date.fromisoformat(r.last_date) for r in records] + ([options.last] if in_memory else [])
    more = sorted({c for r in records for c in r.countries} - set(options.countries))
    actors, event_types = queries.present_names(url, sorted({r.dataset for r in records}))
    return dataclasses.replace(
        options,
        first=min(firsts),
        last=max(lasts),
        countries=[*options.countries, *more],
        actors=sorted({*options.actors, *actors}),
        event_types=[t for t in taxonomy.EVENT_TYPES if t in {*options.event_types, *event_types}],
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _filtered_rows(
    folder: str, fingerprint: tuple, imported_fingerprint: tuple, datasets: tuple[str, ...], state: FilterState
) -> np.ndarray | None:
    """The positions of the events passing `state` (None: all of them), cached per filter state."""
    view, _ = _combined_view(folder, fingerprint, imported_fingerprint, datasets)
    mask = filter_mask(view.events, state, view.actors)
    return None if mask.all() else np.flatnonzero(mask).astype(np.int64)


def current_view() -> tuple[Dataset, FilterState, pd.DataFrame]:
    """Load the data, draw the shared sidebar and return what the user filtered, for a page to render.

    Every page calls this itself (rather than `app.py` doing it once) so each page also runs alone, as AppTest
    runs it. The filters are bound to the URL, so a link opens them; moving to another page clears the URL and
    the page's widgets, so `app_page` carries them to the next page (`_carry_filters`). The returned dataset's
    events are the curated events plus the imported datasets chosen in the sidebar (curated only by
    default); each event's `dataset` column says where it comes from.
    """
    _run_inside_app()
    dataset = load_curated_or_stop()
    folder = data_dir()
    st.sidebar.header("Filters")
    period_box = st.sidebar.container()
    available = select.every_dataset(folder)
    chosen = dataset_filter(available)
    shown = tuple(chosen) or tuple(available)
    if shown == (CURATED_DATASET,):
        state = sidebar_filters(dataset, container=period_box)
        _remember_shown(state)
        st.sidebar.caption(data_as_of_caption(dataset))
        return dataset, state, filtered_events(dataset, state)
    key = (str(folder), curated_fingerprint(folder), select.imported_fingerprint(folder), tuple(sorted(shown)))
    view, options = _combined_view(*key)
    # An emptied Datasets filter means every dataset: the state names them, so the next page and a link show
    # them all too (an empty tuple is the default, the curated events).
    state = dataclasses.replace(sidebar_filters(view, options, container=period_box), datasets=shown)
    _remember_shown(state)
    st.sidebar.caption(data_as_of_caption(view))
    for name in shown:
        if name != CURATED_DATASET:
            st.sidebar.caption(f"{imported.dataset_title(name)}: {imported.short_attribution(name)}")
    rows = _filtered_rows(*key, state)
    events = view.events if rows is None else view.events.take(rows)
    return view, state, events


def imports_in_database() -> str | None:
    """The database's URL when it is the store and the sidebar shows imported datasets, whose events stay in it
    (a figure sums them in SQL: `tensions.figures.stored`), else None. Call after `current_view`."""
    if database_url() is None:
        return None
    return select.imports_in_database(st.session_state.get(DATASET_PARAM) or select.imported_datasets(data_dir()))


def imported_version() -> tuple:
    """The imported store's version (one indexed row in the database): the key a page caches its SQL sums of
    the database's imported events on, with the URL and the filter state, so a rerun of the same view costs one
    query."""
    return select.imported_fingerprint(data_dir())


def filtered_events(dataset: Dataset, state: FilterState) -> pd.DataFrame:
    return apply_filters(dataset.events, state, dataset.actors)


def no_events_message() -> None:
    st.info("No events match these filters. Widen the period or clear some filters in the sidebar.")


def view_caption(dataset: Dataset, state: FilterState) -> str:
    """The filters in words and the data's date, under each page's title (the first letter only raised), as
    Markdown that shows the countries and actors named (imported data's too, or a link's) as written."""
    described = state.describe()
    return markdown_literal(f"{described[:1].upper()}{described[1:]} · {data_as_of_caption(dataset)}")


def data_as_of_caption(dataset: Dataset) -> str:
    return words.data_as_of_with_age(dataset.data_as_of, dt.date.today())


def event_column_config(columns: Iterable[str]) -> dict:
    """Streamlit's settings for the event columns among `columns`: the schema's headings, dates as days, the
    summary wide, links clickable."""
    config: dict = {}
    for column, label in tables.headings(columns).items():
        if column in tables.DATE_COLUMNS:
            config[column] = st.column_config.DateColumn(label, format="YYYY-MM-DD")
        elif column == "notes":
            config[column] = st.column_config.TextColumn(label, width="large")
        elif column == "source_url":
            config[column] = st.column_config.LinkColumn(label)
        else:
            config[column] = label
    return config


def events_dataframe(events: pd.DataFrame, columns: Sequence[str], *, column_config: dict | None = None, **options):
    """`columns` of `events` as every page's tables show them (`tensions.figures.tables`); `column_config`
    adds the page's own columns. Returns what `st.dataframe` returns (the selection, when asked for)."""
    table = tables.event_table(events, columns)
    config = event_column_config(table.columns) | (column_config or {})
    return st.dataframe(table, hide_index=True, column_config=config, **options)


def latest_events_table(events: pd.DataFrame, *, count: int = 10, key: str | None = None) -> None:
    """The newest events as a readable table, the same on every page that lists them."""
    events_dataframe(summary.latest_events(events, count=count), summary.LATEST_COLUMNS, key=key)


def secrets_mapping() -> dict:
    """Streamlit's secrets as a plain dict; empty when there is no secrets file."""
    try:
        return st.secrets.to_dict()
    except Exception:  # no secrets.toml at all
        return {}


def curation_config() -> access.AccessConfig:
    """How curation is configured (secrets, then the environment for the password)."""
    return access.access_config(secrets_mapping(), os.environ)


def curator_grant() -> Grant | None:
    """The session's curator grant while it is valid (signed in on the Curate page); None for a viewer.

    Pages offer a control that writes only when this returns a grant, and pass that grant to the
    package, whose write guard refuses anything else.
    """
    grant = st.session_state.get(GRANT_KEY)
    if grant is None:
        return None
    try:
        return access.verify(grant, curation_config())
    except NotAuthorised:
        return None


def curators_only(what: str) -> None:
    """Say, where a writing control would be, that it needs a curator's sign-in."""
    st.caption(f"{what} needs a curator's sign-in (on the Curate page).")


def basemap_url() -> str:
    """Where this server serves the maps' basemap files: under its `server.baseUrlPath`, if any (at the host's root
    a server under `/tensions` would answer none of them)."""
    return static_url(st.get_option("server.baseUrlPath"))


def map_chart(fig: go.Figure, **options):
    """`st.plotly_chart` for a figure with a map, then the script that has the page's maps place their names
    without MapLibre's fade; returns what the chart returns."""
    chart = st.plotly_chart(fig, theme=None, **options)
    # The script's element shows nothing: hidden, it leaves no gap under the chart.
    st.html(
        f'<style>[data-testid="stElementContainer"]:has(script.{LABELS_WITHOUT_FADE_CLASS}) {{ display: none; }}</style>'
        f'<script class="{LABELS_WITHOUT_FADE_CLASS}">{LABELS_WITHOUT_FADE_SCRIPT}</script>',
        unsafe_allow_javascript=True,
    )
    return chart
