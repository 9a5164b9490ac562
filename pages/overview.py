"""Overview: headline figures, the tension index and its trends, activity over time, the most active actors
and the latest events."""

import dataclasses
import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import sync_view
import ui
from tensions.analysis import overrides, stored, summary, tension
from tensions.analysis.filters import FilterState
from tensions.data.literal import markdown_literal
from tensions.data.paths import data_dir
from tensions.errors import InvalidDataError, TensionsError
from tensions.figures import overview
from tensions.figures import tension as tension_figures
from tensions.figures.stored import listed_events

LATEST = 10  # events in the latest events' table
LEVELS = {"countries": "country", "theatres": "theatre", "whole region": "region"}  # the index's levels, by label


# Cached per view (Streamlit hashes the frames): the index, its trends and the charts are most of a run, and a
# rerun for another widget, or another visitor's same view, would otherwise compute them again. The figures are
# shared resources (read-only once built): `cache_data` rebuilt each Figure when unpickling it (about 0.15 s of a
# run under load, most of it before the first chart).
@st.cache_data(show_spinner=False, max_entries=32)
def _trends(
    index_events: pd.DataFrame, actors: pd.DataFrame, recorded: pd.DataFrame, as_of: dt.date, since: dt.date
) -> pd.DataFrame:
    return overrides.judged_trends(index_events, actors, recorded, as_of=as_of, since=since)


@st.cache_resource(show_spinner=False, max_entries=32)
def _index_panels(
    index_events: pd.DataFrame,
    actors: pd.DataFrame,
    trends: pd.DataFrame | None,
    *,
    level: str,
    granularity: str,
    start: dt.date | None,
    as_of: dt.date,
    same_scale: bool,
) -> tuple[list[str], go.Figure]:
    """The busiest areas, and their index as small multiples titled with their trends."""
    index = tension.tension_index(index_events, actors, level=level, granularity=granularity, start=start, end=as_of)
    areas = tension.busiest_areas(index, top=12)
    shown = trends[trends["area"].isin(areas)] if trends is not None else None
    return areas, tension_figures.index_small_multiples(
        index[index["area"].isin(areas)], trends=shown, shared_y=same_scale, columns=4
    )


@st.cache_resource(show_spinner=False, max_entries=32)
def _activity_charts(events: pd.DataFrame, pairs: pd.DataFrame | None = None) -> tuple[go.Figure, go.Figure]:
    """Events per month, and the most active actors (from `pairs` when `events` are summed rows)."""
    actors = summary.most_active_actors(events if pairs is None else pairs)
    return overview.events_per_month(events), overview.most_active_actors_chart(actors)


@st.cache_data(show_spinner=False, max_entries=16)
def _stored_sums(
    url: str, version: tuple, state: FilterState, actors: pd.DataFrame, curated: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per month, country and type, and per pair of actors, the database's imported events passing `state` (SQL
    sums) with the curated ones; cached per imported-store `version` and view."""
    return (
        stored.activity_rows(url, state, actors=actors, also=curated),
        stored.pair_rows(url, state, actors=actors, also=curated),
    )


@st.cache_data(show_spinner=False, max_entries=16)
def _stored_index_rows(
    url: str, version: tuple, state: FilterState, actors: pd.DataFrame, curated: pd.DataFrame
) -> pd.DataFrame:
    """The tension index's inputs per day of the database's imported events passing `state` and the curated ones."""
    return stored.index_rows(url, state, actors, also=curated)


@st.cache_data(show_spinner=False, max_entries=16)
def _stored_latest(
    url: str, version: tuple, state: FilterState, actors: pd.DataFrame, curated: pd.DataFrame
) -> pd.DataFrame:
    """The newest events passing `state`: the database's newest few (never all of them) with the curated ones."""
    return listed_events(url, state, limit=LATEST, actors=actors, also=curated)


dataset, state, events = ui.current_view()

st.title("Regional tensions")
st.caption(ui.view_caption(dataset, state))
if notice := summary.stale_data_notice(dataset.data_as_of, dt.date.today()):
    st.warning(notice)
sync_view.new_since_last_sync(dataset)

# With the database as the store the imported datasets chosen stay there: the counts, the index and its trends
# and the charts read their SQL sums beside the curated events'; the tables of single events list curated ones.
stored_url = ui.imports_in_database()
version = ui.imported_version() if stored_url is not None else ()  # one query per run
rows, pairs = (events, None) if stored_url is None else _stored_sums(stored_url, version, state, dataset.actors, events)
figures = summary.headline(rows, pairs)
if figures.events == 0:
    ui.no_events_message()
    st.stop()
curated_listed = (
    None
    if stored_url is None
    else "Listed from the curated events only: the imported events in the database count in the index but are "
    "not listed one by one here."
)

c1, c2, c3, c4 = st.columns(4)
c1.metric("Events", f"{figures.events:,}")
c2.metric(
    "Reported fatalities",
    f"{figures.fatalities_known:,}",
    help=f"Sum over events with a reported figure; {figures.events_with_unknown_fatalities} events have no reported figure and are not counted as zero.",
)
c3.metric("Countries and seas", figures.countries)
c4.metric("Actors involved", figures.actors)
st.caption(f"Events from {figures.first_date:%d %b %Y} to {figures.last_date:%d %b %Y}.")

# The sections are tabs, and only the open one runs and is drawn: a first visit draws the index alone, so its
# chart comes sooner (the browser drew every section before showing any chart). The open tab is in the URL.
index_tab, trends_tab, activity_tab, latest_tab = st.tabs(
    ["Tension index", "Trends and drivers", "Activity", "Latest events"],
    key="overview_tab",
    bind="query-params",
)

# --- tension index (issue 8): small multiples, trend arrows (computed or judgement), biggest movers ---------
# Only the index's two tabs need it; a warning about the judgements goes in the open one.
if index_tab.open or trends_tab.open:
    with index_tab if index_tab.open else trends_tab:
        # The index follows every sidebar filter except the period, whose end is the reference date: the baseline
        # needs the 52 weeks before it even when the period is shorter.
        index_state = dataclasses.replace(state, start=None, end=None)
        index_events = ui.filtered_events(dataset, index_state)
        index_rows = (
            index_events
            if stored_url is None
            else _stored_index_rows(stored_url, version, index_state, dataset.actors, index_events)
        )
        as_of = state.end or figures.last_date.date()
        try:
            recorded = overrides.read_overrides(data_dir())
        except InvalidDataError as error:
            recorded = overrides.empty_overrides()
            st.warning(
                "Analyst judgements are ignored until `trend_overrides.csv` is fixed: "
                + "; ".join(map(str, error.problems))
            )
        # The first day the data covers: the database's imported events may start before the curated ones.
        since = pd.Series([dataset.events["event_date"].min(), index_rows["event_date"].min()]).min().date()
        trends = _trends(index_rows, dataset.actors, recorded, as_of, since)
        month_label = tension.last_full_month(as_of).strftime("%B %Y")

if index_tab.open:
    with index_tab:
        # The controls sit in a row above the chart: in a narrow side column the level's third option was cut off.
        level_column, per_column, scale_column, _ = st.columns([3, 2, 2, 3], vertical_alignment="bottom")
        with level_column:
            level_name = st.segmented_control(
                "Index for", list(LEVELS), default="countries", required=True, key="index_level", bind="query-params"
            )
        with per_column:
            granularity = st.segmented_control(
                "Per", ["month", "week"], default="month", required=True, key="index_per", bind="query-params"
            )
        with scale_column:
            same_scale = st.toggle(
                "Same scale",
                value=True,
                key="index_same_scale",
                help="One y axis for every panel.",
                persist_state="page",  # kept while another tab is open
            )
        level = LEVELS[level_name]
        areas, small_multiples = _index_panels(
            index_rows,
            dataset.actors,
            trends if level == "country" else None,
            level=level,
            granularity=granularity,
            start=state.start,
            as_of=as_of,
            same_scale=same_scale,
        )
        st.plotly_chart(
            small_multiples,
            theme=None,
            key="index_small_multiples",
        )
        st.caption(
            tension_figures.small_multiples_caption(
                areas, level=level, granularity=granularity, month_label=month_label
            )
        )
        with st.expander("How the index is computed, and its limits"):
            st.markdown(tension.method_markdown())

if trends_tab.open:
    with trends_tab:
        # The trends table takes the full width and the height of all its rows; the movers follow below it.
        st.markdown(f"**Trends, {month_label} against the month before**")
        st.dataframe(
            tension_figures.arrows_table(overrides.listed(trends)).style.map(
                tension_figures.trend_css, subset=["trend", "computed"]
            ),
            hide_index=True,
            column_config={
                "area": st.column_config.TextColumn("Country", width=150),  # "United Arab Emirates" whole
                "trend": "Trend",
                "basis": st.column_config.TextColumn(
                    "Basis", help="computed from the index, or an analyst's judgement"
                ),
                "computed": "Computed trend",
                "index": st.column_config.NumberColumn("Index", format="%.1f"),
                "previous": st.column_config.NumberColumn("Month before", format="%.1f"),
                "change": st.column_config.NumberColumn("Change", format="%+.1f"),
                "change_pct": st.column_config.TextColumn(
                    "Last 4 weeks vs baseline",
                    width=175,  # "-138% (now de-escalatory)" whole
                    help="Against the average 4 weeks of the 52 weeks before them.",
                ),
                "rationale": st.column_config.TextColumn("Analyst's rationale", width="medium"),
                "analyst": "Analyst",
            },
            height="content",
            key="trend_arrows",
        )
        st.caption(
            "▲ deteriorated, ▼ improved, ► unchanged. *computed*: derived from the index with the threshold in “How the "
            "index is computed” (on the Tension index tab); "
            "*analyst judgement*: set by the named analyst, with the computed trend beside it."
        )
        with st.columns([3, 2])[0]:  # bars of a few areas read better at half width
            st.markdown("**Biggest movers**")
            movers = tension.biggest_movers(trends, top=6)
            if movers.empty:
                st.caption(f"No country's index moved in {month_label}.")
            else:
                st.plotly_chart(tension_figures.movers_chart(movers), theme=None, key="index_movers")

        moved = trends.loc[trends["change"].abs().sort_values(ascending=False, kind="stable").index]
        moved = moved[moved["change"] != 0]
        if len(moved):
            driver_area = st.selectbox(
                "Events behind the change in",
                list(moved["area"]),
                format_func=lambda a: f"{a} ({moved.set_index('area').loc[a, 'change']:+.1f} points)",
                key="drivers",
                persist_state="page",  # kept while another tab is open
            )
            drivers = tension.trend_drivers(
                index_events, dataset.actors, area=driver_area, month=trends["month"].iloc[0]
            )
            table = tension_figures.drivers_table(drivers)
            ui.events_dataframe(
                table,
                list(table.columns),
                column_config={
                    "month": "Month",
                    "score": st.column_config.NumberColumn("Score", format="%+.1f"),
                    "contribution": st.column_config.NumberColumn("Contribution to the change", format="%+.1f"),
                },
                key="trend_drivers",
            )
            if curated_listed is not None:
                st.caption(curated_listed)

        grant = ui.curator_grant()
        with st.expander("Record an analyst judgement on a trend"):
            if grant is None:
                ui.curators_only("Recording or withdrawing an analyst's judgement")
            else:
                with st.form("override", clear_on_submit=True):
                    country = st.selectbox("Country", list(trends["area"]), key="override_country")
                    judged = st.segmented_control("Trend", list(tension.TRENDS), key="override_trend")
                    rationale = st.text_input(
                        "Rationale (one line)", max_chars=overrides.RATIONALE_MAX, key="override_rationale"
                    )
                    if st.form_submit_button(f"Record for {month_label} as {markdown_literal(grant.who)}"):
                        judgement = overrides.TrendOverride(
                            country=country,
                            month=trends["month"].iloc[0],
                            trend=judged or "",
                            rationale=rationale,
                            analyst=grant.who,
                            decided_at=dt.date.today(),
                        )
                        try:
                            overrides.save_override(data_dir(), judgement, grant=grant)
                        except (TensionsError, OSError) as error:
                            st.error(f"Not recorded: {markdown_literal(error)}")
                        else:
                            st.session_state["override_done"] = (
                                f"Recorded: {markdown_literal(country)} {judgement.trend} in {month_label}."
                            )
                            st.rerun()
                if "override_done" in st.session_state:
                    st.success(st.session_state.pop("override_done"))
                current = recorded[recorded["month"] == trends["month"].iloc[0]]
                if len(current):
                    withdrawn = st.selectbox(
                        "Withdraw the judgement on", list(current["country"]), key="override_withdraw"
                    )
                    if st.button("Withdraw", key="override_withdraw_button"):
                        try:
                            overrides.remove_override(data_dir(), withdrawn, trends["month"].iloc[0], grant=grant)
                        except TensionsError as error:
                            st.error(f"Not withdrawn: {markdown_literal(error)}")
                        else:
                            st.session_state["override_done"] = (
                                f"Withdrawn: the judgement on {markdown_literal(withdrawn)} in {month_label}."
                            )
                            st.rerun()

if activity_tab.open:
    with activity_tab:
        left, right = st.columns([3, 2])
        with left:
            st.subheader("Events per month")
            per_month, most_active = _activity_charts(rows, pairs)
            st.plotly_chart(per_month, theme=None, key="events_per_month")
        with right:
            st.subheader("Most active actors")
            st.plotly_chart(most_active, theme=None, key="active_actors")

if latest_tab.open:
    with latest_tab:
        ui.latest_events_table(
            events if stored_url is None else _stored_latest(stored_url, version, state, dataset.actors, events),
            count=LATEST,
        )
