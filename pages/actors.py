"""Actors: the affiliation tree sized by events, one actor's profile, and who acts on whom."""

import streamlit as st

import ui
from tensions.analysis import actor_profile, tension
from tensions.data.literal import markdown_literal
from tensions.figures import actors as actor_figures
from tensions.figures import tension as tension_figures
from tensions.figures.map.builder import event_map

dataset, state, events = ui.current_view()

st.title("Actors")
st.caption(ui.view_caption(dataset, state))

if events.empty:
    ui.no_events_message()
    st.stop()

# --- the affiliation tree ---------------------------------------------------------------------------------
st.subheader("Who belongs to whom")
style = st.segmented_control(
    "Draw the tree as", ["treemap", "sunburst"], default="treemap", required=True, key="tree", bind="query-params"
)
tree = actor_profile.affiliation_tree(events, dataset.actors)
st.plotly_chart(actor_figures.affiliation_chart(tree, style=style), theme=None, key="affiliation_tree")
st.caption(
    "Affiliation from `actors.csv` (each actor's parent), grouped by actor family. A box is as large as the "
    "events in the filter that the actor itself took part in, plus its affiliates' boxes; its label counts the "
    "distinct events of the whole branch. A group backed by a foreign state (the Islamic Resistance in Iraq, "
    "backed by the IRGC Quds Force) has its own branch, its backer named on hover. Two levels show at once, and "
    "labels too small to read are hidden: click a box to open its branch, the bar above it to go back."
)

# --- one actor's profile -----------------------------------------------------------------------------------
st.subheader("Profile")
counts = actor_profile.events_by_actor(events)
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
        help="Count the events of the groups below this actor too (e.g. an umbrella's factions).",
    )

profile = actor_profile.actor_profile(chosen, dataset.actors)
involved = actor_profile.involving(events, chosen, dataset.actors, include_affiliates=with_affiliates)

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
    acting = int((involved["role"] == actor_profile.ACTING).sum())
    known = involved["fatalities"].dropna()
    n1, n2, n3 = st.columns(3)
    n1.metric("Events", f"{len(involved):,}")
    n2.metric("Acting in", f"{acting:,}", help="Events where it (or an affiliate) is actor1.")
    n3.metric(
        "Reported deaths",
        f"{int(known.sum()):,}",
        help=f"In {len(known)} events with a reported figure; {len(involved) - len(known)} events have none "
        "(not counted as zero).",
    )

if involved.empty:
    st.info(f"{markdown_literal(profile.actor)} takes part in no event that matches these filters.")
else:
    over_time, places_column = st.columns(2)
    with over_time:
        st.markdown("**Events and reported deaths over time**")
        activity = actor_profile.activity_over_time(involved, granularity="month")
        st.plotly_chart(actor_figures.activity_chart(activity, granularity="month"), theme=None, key="activity")
    with places_column:
        st.markdown("**Where it acts**")
        # Framed for a half-width column, then left to stretch to it.
        places_map = event_map(involved, height=480, width=600, served=True).update_layout(width=None)
        st.plotly_chart(places_map, theme=None, key="places_map")

    partners, index_column = st.columns(2)
    with partners:
        st.markdown("**Most frequent counterparts**")
        frequent = actor_profile.counterparts(involved)
        if frequent.empty:
            st.caption("No second actor is recorded in its events.")
        else:
            st.plotly_chart(actor_figures.counterparts_chart(frequent), theme=None, key="counterparts")
    with index_column:
        st.markdown("**Tension index of its events, per month**")
        series = tension.tension_index(involved, dataset.actors, level="region", granularity="month")
        st.plotly_chart(tension_figures.tension_band(series, name=profile.actor), theme=None, key="actor_index")
        st.caption(
            "The Overview's index computed over this actor's events only, wherever they happen "
            "(see “How the index is computed” on the Overview)."
        )

    st.markdown("**Latest events**")
    ui.latest_events_table(involved, key="latest_events")

# --- who acts on whom ---------------------------------------------------------------------------------------
st.subheader("Who acts on whom")
level_column, top_column = st.columns([1, 2])
with level_column:
    level = st.segmented_control(
        "Between", ["actors", "families"], default="actors", required=True, key="matrix", bind="query-params"
    )
with top_column:
    top = st.slider("Busiest actors named on each side", 5, 25, 12, key="matrix_top", disabled=level == "families")
pairs = actor_profile.interaction_counts(
    events, dataset.actors, level="actor" if level == "actors" else "family", top=top
)
if pairs.empty:
    st.caption("No event in the filter records a second actor.")
else:
    st.plotly_chart(actor_figures.interaction_matrix(pairs), theme=None, key="interaction_matrix")
    missing = int(events["actor2"].isna().sum())
    st.caption(
        f"Rows act on columns (actor1 → actor2), counting events in the filter. {missing} events with no second "
        "actor are not shown. A state's forces count as the state (the IDF as Israel, US forces as the United "
        "States); the rest of the actors are grouped as “other actors”, last."
    )
