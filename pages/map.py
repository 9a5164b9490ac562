"""Map: where events happen, on a basemap that ships with the project; click a marker for the full record."""

import datetime as dt

import streamlit as st

import ui
from tensions.analysis import weighted
from tensions.analysis.filters import FilterState
from tensions.data.csv_safety import events_csv_bytes
from tensions.data.literal import markdown_literal
from tensions.data.schema import EVENT_LABELS
from tensions.data.words import data_as_of_words
from tensions.errors import TensionsError
from tensions.export.render import figure_image
from tensions.figures.details import event_detail_html, event_list
from tensions.figures.map import builder, encoding, provinces, regions, selection
from tensions.figures.map.flat import flat_map
from tensions.figures.stored import (
    EXPORT_LIMIT,
    MapCounts,
    MapRows,
    capped_csv_note,
    counts_of_events,
    linked_event,
    listed_count,
    listed_events,
    map_counts,
    map_rows,
    view_bounds,
)

PNG_SIZE = {"width": 1600, "height": 1000}
LIST_LIMIT = 2_000
PLOTLY_CONFIG = {
    "displaylogo": False,
    "scrollZoom": True,
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    # The camera button exports what the browser drew, at slide size, without the server.
    "toImageButtonOptions": {"format": "png", "filename": "tensions-map", **PNG_SIZE},
}
dataset, state, events = ui.current_view()

st.title("Map")
st.caption(ui.view_caption(dataset, state))

# Every control is bound to the URL like the sidebar, so a copied link opens this same view.
c_mode, c_colour, c_region, c_heat = st.columns([3, 3, 2, 3], vertical_alignment="bottom")
mode = c_mode.segmented_control(
    "Show",
    encoding.MODES,
    format_func=encoding.MODE_LABELS.get,
    default="points",
    required=True,
    key="map_mode",
    bind="query-params",
    help="Events one by one, a density heat map, or totals per province (admin 1).",
)
colour_by = c_colour.segmented_control(
    "Colour by",
    encoding.COLOUR_BY,
    format_func=encoding.COLOUR_BY_LABELS.get,
    default="event_type",
    required=True,
    key="map_colour",
    bind="query-params",
    disabled=mode == "density",
    help="Actor family: the family of the actor who acted (actor 1).",
)
region = c_region.selectbox(
    "View",
    regions.VIEW_CHOICES,
    key="map_region",
    bind="query-params",
    help="Where the map opens: fitted to the filtered events, or a region. Zoom and pan freely from there.",
)
heat = "events"
if mode == "density":
    heat = c_heat.segmented_control(
        "Heat by",
        encoding.DENSITY_WEIGHTS,
        format_func=encoding.DENSITY_WEIGHT_LABELS.get,
        default="events",
        required=True,
        key="map_heat",
        bind="query-params",
    )


# With the database as the store its imported events stay there: the map draws their sums (or the events, when
# few enough) from SQL, with the curated events passing the filters. Each answer is cached on the imported
# store's version, so a rerun of the same view costs one version query.
@st.cache_data(show_spinner=False, max_entries=32)
def _stored_rows(url: str, version: tuple, state: FilterState, mode: str, colour_by: str, actors, curated) -> MapRows:
    return map_rows(url, state, mode=mode, colour_by=colour_by, actors=actors, also=curated)


@st.cache_data(show_spinner=False, max_entries=32)
def _stored_counts(url: str, version: tuple, state: FilterState, bounds: tuple, actors, curated) -> MapCounts:
    return map_counts(url, state, bounds, actors=actors, also=curated)


@st.cache_data(show_spinner=False, max_entries=32)
def _stored_list(url: str, version: tuple, state: FilterState, target: selection.Target, actors, curated):
    listed = listed_events(url, state, limit=LIST_LIMIT, target=target, actors=actors, also=curated)
    return listed, listed_count(url, state, target=target, actors=actors, also=curated)


@st.cache_data(show_spinner=False, max_entries=16)
def _linked_event(url: str, version: tuple, state: FilterState, event_id: str, actors, curated):
    return linked_event(url, state, event_id, limit=LIST_LIMIT, actors=actors, also=curated)


# The figure of a view, shared between reruns and sessions (read-only: nothing changes it after it is built), so a
# rerun of a view already drawn (a click on the map, a mode switched back, another visitor) skips the 0.1-0.3 s of
# building it; `cache_resource`, since `cache_data` would rebuild the whole Figure when unpickling it.
@st.cache_resource(show_spinner=False, max_entries=32)
def _figure(rows, places, mode: str, colour_by: str, region: str, heat: str, options: dict):
    return builder.event_map(
        rows, mode=mode, colour_by=colour_by, region=region, places=places, density_weight=heat, served=ui.basemap_url(),
        **options,
    )  # fmt: skip


stored_url = ui.imports_in_database()
version = ui.imported_version() if stored_url is not None else ()  # one query per run
try:
    drawn = (
        MapRows(events)
        if stored_url is None
        else _stored_rows(stored_url, version, state, mode, colour_by, dataset.actors, events)
    )
    if weighted.total_events(drawn.rows) == 0:
        ui.no_events_message()
        st.stop()
    fig = _figure(drawn.rows, dataset.places, mode, colour_by, region, heat, drawn.options)
except TensionsError as error:
    st.error(f"The map cannot be drawn: {markdown_literal(error)}")
    st.stop()

if fig.layout.meta["note"]:
    st.info(fig.layout.meta["note"], icon=":material/info:")
chart = ui.map_chart(fig, key="event_map", on_select="rerun", selection_mode="points", config=PLOTLY_CONFIG)

counts = (
    counts_of_events(events, region)
    if stored_url is None
    else _stored_counts(stored_url, version, state, view_bounds(region, drawn), dataset.actors, events)
)
notes = [f"{counts.events:,} events"]
if counts.outside:
    notes.append(f"{counts.outside:,} lie outside this view (zoom out to see them, e.g. talks held abroad)")
if counts.imprecise and mode == "points":
    notes.append(
        f"{counts.imprecise:,} known only to their province or month are drawn hollow "
        "('Precise events only' hides them)"
    )
st.caption(" · ".join(notes) + (". Click a marker for details." if mode != "density" else "."))

if mode == "provinces":
    with st.expander("Totals per province"):
        totals = provinces.province_totals(drawn.rows, places=dataset.places, colour_by=colour_by)
        st.dataframe(
            totals[
                ["province", "events", "deaths", "not_reported", "imprecise", "first_date", "last_date", "breakdown"]
            ],
            hide_index=True,
            column_config={
                "province": EVENT_LABELS["admin1"],
                "events": "Events",
                "deaths": st.column_config.NumberColumn(
                    EVENT_LABELS["fatalities"], help="Sum over events with a figure."
                ),
                "not_reported": "Events without a death figure",
                "imprecise": "Known only to province or month",
                "first_date": st.column_config.DateColumn("First", format="YYYY-MM-DD"),
                "last_date": st.column_config.DateColumn("Last", format="YYYY-MM-DD"),
                "breakdown": st.column_config.TextColumn("Most frequent", width="large"),
            },
        )

# --- the clicked event, cell or province ----------------------------------------------------------
# A clicked event is also written to the URL (`event=`), so a copied link opens it; clearing the
# selection on the map (double-click) removes it again.
points = chart.selection.points if chart is not None else []
had_selection = st.session_state.get("map_had_selection", False)
st.session_state["map_had_selection"] = bool(points)
target = selection.selection_target(points)
if target is None and had_selection:
    st.query_params.pop("event", None)
elif target is None and st.query_params.get("event"):
    target = selection.Target("event", st.query_params["event"])
if target is not None and target.kind == "event":
    st.query_params["event"] = target.key
elif target is not None:
    st.query_params.pop("event", None)


def show_list(rows, key: str, total: int | None = None):
    """A list of events (`total`: how many there are, when `rows` holds only the newest); picking a row returns
    that event."""
    shown = event_list(rows).head(LIST_LIMIT)
    total = len(rows) if total is None else total
    if total > len(shown):
        st.caption(f"The newest {len(shown):,} of {total:,} are listed; narrow the filters to see the rest.")
    picked = ui.events_dataframe(
        shown,
        list(shown.columns),
        column_config={"event_id": None},  # kept to find the picked event, not shown
        on_select="rerun",
        selection_mode="single-row",
        key=key,
    )
    chosen = picked.selection.rows if picked is not None else []
    return rows[rows["event_id"] == shown.loc[chosen[0], "event_id"]].iloc[0] if chosen else None


# Events drawn one by one are in `drawn.rows` (the database's too); a cell's or a province's are asked for.
summed = weighted.is_summary(drawn.rows)
drawn_events = events if summed else drawn.rows
in_database = stored_url is not None and summed  # cells or provinces: ask the database
if target is not None:
    if in_database and target.kind == "event":  # a linked event (the map draws no event alone)
        chosen, at_place, at_total = _linked_event(stored_url, version, state, target.key, dataset.actors, events)
    elif stored_url is not None and target.kind != "event":
        chosen, total = _stored_list(stored_url, version, state, target, dataset.actors, events)
    else:
        chosen = selection.events_in_target(drawn_events, target)
        total = len(chosen)
        if target.kind == "event" and not chosen.empty:
            at_place = selection.events_at_place(drawn_events, chosen.head(1))
            at_total = len(at_place)
    if chosen.empty:
        st.warning("The selected event is not among the events these filters keep. Widen the filters to see it.")
    elif target.kind == "event":
        event = chosen.iloc[0]
        st.subheader("Selected event")
        detail, others = st.columns([3, 2], gap="large")
        with others:
            if at_total > 1:
                st.markdown(f"**{at_total:,} events at this place** (with these filters); pick one to read it.")
            else:
                st.markdown("**The only event at this place** with these filters.")
            picked = show_list(at_place, key=f"at_place_{event['event_id']}", total=at_total)
        with detail:
            st.html(event_detail_html(picked if picked is not None else event))
    else:
        where = (
            provinces.province_label(*selection.province_of(target))
            if target.kind == "province"
            else f"this {selection.cell_of(target)[0]:g}° cell"
        )
        st.subheader(f"{total:,} events in {markdown_literal(where)}")
        picked = show_list(chosen, key=f"list_{target.kind}_{target.key}", total=total)
        if picked is not None:
            st.html(event_detail_html(picked))
        else:
            st.caption("Pick a row to read the event in full.")

# --- downloads ------------------------------------------------------------------------------------
today = dt.date.today().isoformat()


@st.cache_data(show_spinner=False, max_entries=16)
def _png(rows, places, mode: str, colour_by: str, region: str, heat: str, title: str, options: dict) -> bytes:
    """The map at slide size with `title`, drawn by kaleido in the process's shared Chromium from the rows the
    page drew (`options`: theirs), as flat SVG (`flat_map`: a WebGL map takes seconds there); cached per view,
    so downloading the same view again costs nothing."""
    export = builder.event_map(
        rows, mode=mode, colour_by=colour_by, region=region, places=places, density_weight=heat,
        title=title, pad=encoding.PNG_PAD, **PNG_SIZE, **options,
    )  # fmt: skip
    return figure_image(flat_map(export), fmt="png", **PNG_SIZE)


def png_bytes() -> bytes:
    """The map at slide size with the filters as its title."""
    title = f"Events: {state.describe()} · {data_as_of_words(dataset.data_as_of)}"
    return _png(drawn.rows, dataset.places, mode, colour_by, region, heat, title, drawn.options)


def csv_bytes() -> bytes:
    """The filtered events as CSV: those in memory, or with the database's newest `EXPORT_LIMIT` beside them."""
    if stored_url is None:
        return events_csv_bytes(events)
    return events_csv_bytes(listed_events(stored_url, state, limit=EXPORT_LIMIT, actors=dataset.actors, also=events))


d_csv, d_png, d_hint = st.columns([2, 2, 4], vertical_alignment="center")
d_csv.download_button(
    "Events as CSV",
    data=csv_bytes,
    file_name=f"tensions-events-{today}.csv",
    mime="text/csv",
    key="map_csv",
    on_click="ignore",
    icon=":material/download:",
    help=(None if stored_url is None else capped_csv_note(counts.events))
    or f"The {counts.events:,} events these filters keep, every column.",
)
d_png.download_button(
    "Map as PNG",
    data=png_bytes,
    file_name=f"tensions-map-{mode}-{today}.png",
    mime="image/png",
    key="map_png",
    on_click="ignore",
    icon=":material/image:",
    help="Rendered on the server at 1600 × 1000 with the filters as title.",
)
d_hint.caption("The camera button on the map saves the view exactly as you see it, zoom included.")
