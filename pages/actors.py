"""Actors: the affiliation tree sized by events, one actor's profile, and who acts on whom."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import ui
from tensions.analysis import actor_profile, stored, tension, weighted
from tensions.analysis.filters import FilterState
from tensions.data.literal import markdown_literal
from tensions.figures import actors as actor_figures
from tensions.figures import tension as tension_figures
from tensions.figures.map.builder import event_map
from tensions.figures.stored import MapRows, listed_events, map_rows

LATEST = 10  # events in an actor's latest events' table


@st.cache_data(show_spinner=False, max_entries=16)
def _stored_pairs(
    url: str, version: tuple, state: FilterState, actors: pd.DataFrame, curated: pd.DataFrame
) -> pd.DataFrame:
    """Per pair of actors, the database's imported events passing `state` (SQL group-bys) with the curated ones;
    cached per imported-store `version` and view."""
    return stored.pair_rows(url, state, actors=actors, also=curated)


@st.cache_data(show_spinner=False, max_entries=16)
def _stored_places(
    url: str, version: tuple, state: FilterState, actors: pd.DataFrame, curated: pd.DataFrame
) -> MapRows:
    """Where the events passing `state` (one actor's) happen: the database's sums or events, with the curated ones."""
    return map_rows(url, state, actors=actors, also=curated)


@st.cache_data(show_spinner=False, max_entries=16)
def _stored_index_rows(
    url: str, version: tuple, state: FilterState, actors: pd.DataFrame, curated: pd.DataFrame
) -> pd.DataFrame:
    """The index's inputs per month of the events passing `state` (one actor's): the database's, with the curated
    ones."""
    return stored.index_rows(url, state, actors, also=curated, granularity="month")


@st.cache_data(show_spinner=False, max_entries=16)
def _stored_roles(
    url: str,
    version: tuple,
    state: FilterState,
    actor: str,
    affiliates: bool,
    actors: pd.DataFrame,
    curated: pd.DataFrame,
) -> pd.DataFrame:
    """The events `actor` took part in, with their role, per month: the database's (SQL sums), with the curated
    ones."""
    return stored.role_rows(url, state, actor, actors, include_affiliates=affiliates, also=curated)


@st.cache_data(show_spinner=False, max_entries=16)
def _stored_latest(
    url: str, version: tuple, state: FilterState, actors: pd.DataFrame, curated: pd.DataFrame
) -> pd.DataFrame:
    """The newest events passing `state` (one actor's): the database's newest few (never all of them) with the curated ones."""
    return listed_events(url, state, limit=LATEST, actors=actors, also=curated)


# The charts of a view, shared between reruns and sessions (read-only once built; `cache_resource`, since `cache_data`
# would rebuild each Figure when unpickling it): building them all takes 0.5-1 s, which delayed the first chart and,
# run after it, slowed the browser's loading of the chart code from this same server. A view already drawn (a
# rerun for another widget, another visitor) skips them.
@st.cache_resource(show_spinner=False, max_entries=32)
def _tree_chart(counted: pd.DataFrame, actors: pd.DataFrame, style: str) -> go.Figure:
    return actor_figures.affiliation_chart(actor_profile.affiliation_tree(counted, actors), style=style)


@st.cache_resource(show_spinner=False, max_entries=32)
def _activity_chart(involved: pd.DataFrame) -> go.Figure:
    activity = actor_profile.activity_over_time(involved, granularity="month")
    return actor_figures.activity_chart(activity, granularity="month")


@st.cache_resource(show_spinner=False, max_entries=32)
def _places_map(rows: pd.DataFrame, options: dict) -> go.Figure:
    """Framed for a half-width column, then left to stretch to it; its keys go under it, so the map keeps the
    column's whole width."""
    return event_map(rows, height=640, width=560, served=ui.basemap_url(), key_below=True, **options).update_layout(
        width=None
    )


@st.cache_resource(show_spinner=False, max_entries=32)
def _counterparts_chart(involved_counted: pd.DataFrame) -> go.Figure | None:
    frequent = actor_profile.counterparts(involved_counted)
    return None if frequent.empty else actor_figures.counterparts_chart(frequent)


@st.cache_resource(show_spinner=False, max_entries=32)
def _index_chart(involved: pd.DataFrame, actors: pd.DataFrame, name: str) -> go.Figure:
    series = tension.tension_index(involved, actors, level="region", granularity="month")
    return tension_figures.tension_band(series, name=name)


@st.cache_resource(show_spinner=False, max_entries=32)
def _matrix_chart(counted: pd.DataFrame, actors: pd.DataFrame, level: str, top: int) -> go.Figure | None:
    pairs = actor_profile.interaction_counts(counted, actors, level="actor" if level == "actors" else "family", top=top)
    return None if pairs.empty else actor_figures.interaction_matrix(pairs)


dataset, state, events = ui.current_view()

st.title("Actors")
st.caption(ui.view_caption(dataset, state))

# With the database as the store the imported datasets chosen stay there: the counts per actor come from SQL
# group-bys per pair of actors (`stored.pair_rows`) with the curated events'; a profile's map, index, activity
# and latest events read the database too, except where no one filter state says "its events" (the caption says so).
stored_url = ui.imports_in_database()
version = ui.imported_version() if stored_url is not None else ()  # one query per run
counted = events if stored_url is None else _stored_pairs(stored_url, version, state, dataset.actors, events)
if weighted.total_events(counted) == 0:
    ui.no_events_message()
    st.stop()

# The three parts are tabs, and only the open one runs and is drawn: a first visit draws the tree alone, so its
# chart comes sooner (the browser drew every part before showing any chart). The open tab is in the URL.
if "profile" in st.query_params and "actors_tab" not in st.query_params:
    # A link naming an actor without a tab (as every link did before the tabs) opens on that actor's profile.
    st.session_state.setdefault("actors_tab", "Profile")
tree_tab, profile_tab, matrix_tab = st.tabs(
    ["Who belongs to whom", "Profile", "Who acts on whom"], key="actors_tab", bind="query-params"
)

if tree_tab.open:
    with tree_tab:
        style = st.segmented_control(
            "Draw the tree as",
            ["treemap", "sunburst"],
            default="treemap",
            required=True,
            key="tree",
            bind="query-params",
        )
        st.plotly_chart(_tree_chart(counted, dataset.actors, style), theme=None, key="affiliation_tree")
        st.caption(
            "Affiliation from `actors.csv` (each actor's parent), grouped by actor family. A box is as large as the "
            "events in the filter that the actor itself took part in, plus its affiliates' boxes; its label counts the "
            "distinct events of the whole branch. A group backed by a foreign state (the Islamic Resistance in Iraq, "
            "backed by the IRGC Quds Force) has its own branch, its backer named on hover. Two levels show at once, and "
            "labels too small to read are hidden: click a box to open its branch, the bar above it to go back."
        )

if profile_tab.open:
    with profile_tab:
        counts = actor_profile.events_by_actor(counted)
        names = sorted(dataset.actors["actor"].dropna())
        busiest = actor_profile.busiest_profiled_actor(counts, names)
        left, right = st.columns([3, 1])
        with left:
            chosen = st.selectbox(
                "Actor",
                names,
                index=names.index(busiest),
                key="profile",
                bind="query-params",  # plain names: the URL holds the label, so it must not change with the filter
                help="Opens on the actor with the most events in the filter; the link keeps your choice.",
            )
        with right:
            with_affiliates = st.toggle(
                "Include affiliated groups",
                value=True,
                key="affiliates",
                persist_state="page",  # kept while another tab is open
                help="Count the events of the groups below this actor too (e.g. an umbrella's factions).",
            )

        profile = actor_profile.actor_profile(chosen, dataset.actors)
        involved = actor_profile.involving(events, chosen, dataset.actors, include_affiliates=with_affiliates)
        involved_counted = (
            involved
            if stored_url is None
            else actor_profile.involving(counted, chosen, dataset.actors, include_affiliates=with_affiliates)
        )

        facts, numbers = st.columns([3, 2])
        with facts:
            # Names, aliases and descriptions are data: shown as written, never as Markdown.
            chain = " › ".join(markdown_literal(name) for name in [*reversed(profile.chain), profile.actor])
            kind, family = markdown_literal(profile.kind), markdown_literal(profile.family)
            st.markdown(f"**{markdown_literal(profile.actor)}** · {kind} · family: {family}")
            st.markdown(f"Affiliation: {chain if profile.chain else 'none recorded (top of its tree)'}")
            if profile.affiliates:
                st.markdown("Affiliates: " + ", ".join(map(markdown_literal, profile.affiliates)))
            aliases = "; ".join(map(markdown_literal, profile.aliases))
            st.markdown("Also known as: " + (aliases or "no other names recorded"))
            st.caption(markdown_literal(profile.description))
        with numbers:
            involved_total = weighted.total_events(involved_counted)
            acting_rows = (involved_counted["role"] == actor_profile.ACTING).to_numpy()
            acting = int(weighted.event_counts(involved_counted)[acting_rows].sum())
            no_toll = int(weighted.not_reported_counts(involved_counted).sum())
            n1, n2, n3 = st.columns(3)
            n1.metric("Events", f"{involved_total:,}")
            n2.metric("Acting in", f"{acting:,}", help="Events where it (or an affiliate) is actor1.")
            n3.metric(
                "Reported deaths",
                f"{int(weighted.reported_deaths(involved_counted).sum()):,}",
                help=f"In {involved_total - no_toll} events with a reported figure; {no_toll} events have none "
                "(not counted as zero).",
            )

        # The map and the index of its events sum the database's when one filter state says "its events in this view".
        narrowed = (
            actor_profile.involving_state(state, chosen, dataset.actors)
            if stored_url is not None and with_affiliates
            else None
        )
        if stored_url is not None:
            st.caption(
                "Its counts, activity over time, map, counterparts, index and latest events include the imported events "
                "in the database."
                if narrowed is not None
                else "Its counts, activity over time and counterparts include the imported events in the database; its map, "
                "index and latest events are the curated events' only (with its affiliates left out, or other actors chosen "
                "in the sidebar, no single filter picks its events from the database)."
            )

        if involved_total == 0:
            st.info(f"{markdown_literal(profile.actor)} takes part in no event that matches these filters.")
        else:
            over_time, places_column = st.columns(2)
            with over_time:
                st.markdown("**Events and reported deaths over time**")
                roles = (
                    involved
                    if stored_url is None
                    else _stored_roles(stored_url, version, state, chosen, with_affiliates, dataset.actors, involved)
                )
                st.plotly_chart(_activity_chart(roles), theme=None, key="activity")
            with places_column:
                st.markdown("**Where it acts**")
                places = (
                    MapRows(involved)
                    if narrowed is None
                    else _stored_places(stored_url, version, narrowed, dataset.actors, involved)
                )
                ui.map_chart(_places_map(places.rows, places.options), key="places_map")

            partners, index_column = st.columns(2)
            with partners:
                st.markdown("**Most frequent counterparts**")
                partners_chart = _counterparts_chart(involved_counted)
                if partners_chart is None:
                    st.caption("No second actor is recorded in its events.")
                else:
                    st.plotly_chart(partners_chart, theme=None, key="counterparts")
            with index_column:
                st.markdown("**Tension index of its events, per month**")
                scored = (
                    involved
                    if narrowed is None
                    else _stored_index_rows(stored_url, version, narrowed, dataset.actors, involved)
                )
                st.plotly_chart(_index_chart(scored, dataset.actors, profile.actor), theme=None, key="actor_index")
                st.caption(
                    "The Overview's index computed over this actor's events only, wherever they happen "
                    "(see “How the index is computed” on the Overview’s Tension index tab)."
                )

            st.markdown("**Latest events**")
            latest = (
                involved
                if narrowed is None
                else _stored_latest(stored_url, version, narrowed, dataset.actors, involved)
            )
            ui.latest_events_table(latest, count=LATEST, key="latest_events")

if matrix_tab.open:
    with matrix_tab:
        level_column, top_column = st.columns([1, 2])
        with level_column:
            level = st.segmented_control(
                "Between", ["actors", "families"], default="actors", required=True, key="matrix", bind="query-params"
            )
        with top_column:
            top = st.slider(
                "Busiest actors named on each side",
                5,
                25,
                12,
                key="matrix_top",
                disabled=level == "families",
                persist_state="page",
            )
        matrix = _matrix_chart(counted, dataset.actors, level, top)
        if matrix is None:
            st.caption("No event in the filter records a second actor.")
        else:
            st.plotly_chart(matrix, theme=None, key="interaction_matrix")
            missing = actor_profile.without_second_actor(counted)
            st.caption(
                f"Rows act on columns (actor1 → actor2), counting events in the filter. {missing} events with no second "
                "actor are not shown. A state's forces count as the state (the IDF as Israel, US forces as the United "
                "States); the rest of the actors are grouped as “other actors”, last."
            )
