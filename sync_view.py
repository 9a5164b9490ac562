"""The Overview's "new since the last sync": each source's last sync, watch-list alerts, the events the syncs
added or revised, and how the 4-week tension index moved with them. Widgets only; the package computes."""

from __future__ import annotations

import datetime as dt

import streamlit as st

import ui
from tensions.analysis import digest
from tensions.data.literal import markdown_literal
from tensions.data.load import Dataset
from tensions.data.paths import data_dir
from tensions.errors import InvalidDataError
from tensions.ingest.sync import events_changed_since, last_syncs
from tensions.store.select import sync_store

SHOWN_NEW_EVENTS = 200


def new_since_last_sync(dataset: Dataset) -> None:
    """Draw the section when any source ever synced; nothing otherwise."""
    folder = data_dir()
    store = sync_store(folder)
    states = last_syncs(folder, store=store)
    if not any(state.runs for state in states.values()):
        return
    st.subheader("New since the last sync")
    st.dataframe(digest.last_sync_table(states), hide_index=True, key="overview_syncs")
    try:
        watch = digest.read_watchlist(folder)
    except InvalidDataError as error:
        watch = None
        st.warning(
            "The watch list is ignored until it is fixed: " + markdown_literal("; ".join(map(str, error.problems)))
        )
    new = events_changed_since(folder, store=store)
    events = dataset.events
    latest = [frame["event_date"].max() for frame in (events, new) if frame is not None and len(frame)]
    as_of = max(latest).date() if latest else dt.date.today()
    runs = [state.last_run for state in states.values() if state.last_run is not None]
    result = digest.build_digest(runs, events, new, dataset.actors, watch, as_of=as_of)
    for alert in result.alerts:
        st.warning(f"Watch list: {markdown_literal(alert)}")
    if new is None:
        st.caption("Each source's last sync added or revised no event.")
        return
    st.caption(
        f"{len(new):,} events added or revised by each source's last successful sync"
        + (f"; the {SHOWN_NEW_EVENTS:,} most recent are listed." if len(new) > SHOWN_NEW_EVENTS else ".")
    )
    newest = new.sort_values("event_date", ascending=False, kind="stable").head(SHOWN_NEW_EVENTS)
    ui.events_dataframe(newest, [c for c in digest.SYNCED_EVENT_COLUMNS if c in newest], key="overview_new_events")
    st.markdown(
        f"**How the index moved**: each country's index over the 4 weeks to {as_of:%d %b %Y}, without and with them"
    )
    st.dataframe(
        result.movement,
        hide_index=True,
        column_config={
            "country": "Country",
            "new_events": st.column_config.NumberColumn("New events", format="%d"),
            "without": st.column_config.NumberColumn("Without them", format="%.1f"),
            "with": st.column_config.NumberColumn("With them", format="%.1f"),
            "change": st.column_config.NumberColumn("Change", format="%+.1f"),
        },
        key="overview_index_moved",
    )
