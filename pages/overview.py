"""Overview: headline figures, activity over time, the most active actors and the latest events."""

import streamlit as st

import ui
from tensions import summary
from tensions.figures import overview

dataset, state, events = ui.current_view()

st.title("Regional tensions")
st.caption(f"{state.describe().capitalize()} · {ui.data_as_of_caption(dataset)}")

if events.empty:
    ui.no_events_message()
    st.stop()

figures = summary.headline(events)
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

left, right = st.columns([3, 2])
with left:
    st.subheader("Events per month")
    st.plotly_chart(overview.events_per_month(events), theme=None, key="events_per_month")
with right:
    st.subheader("Most active actors")
    st.plotly_chart(
        overview.most_active_actors_chart(summary.most_active_actors(events)), theme=None, key="active_actors"
    )

st.subheader("Latest events")
st.dataframe(
    summary.latest_events(events),
    hide_index=True,
    column_config={
        "event_date": st.column_config.DateColumn("Date", format="YYYY-MM-DD"),
        "time_precision": "Known to the",
        "country": "Country",
        "location": "Place",
        "event_type": "Type",
        "actor1": "Actor",
        "actor2": "Acted on / with",
        "fatalities": "Fatalities",
        "notes": st.column_config.TextColumn("Summary", width="large"),
        "source": "Source",
    },
)
