"""Timeline: events in swimlanes over time with key events labelled; a briefing mode that is a slide.

Every control is bound to the URL like the sidebar, so a copied link reopens the same timeline, slide
title included. Exports (PNG, SVG, PowerPoint) are made on the server from the same briefing figure.
"""

import datetime as dt

import pandas as pd
import streamlit as st

import ui
from tensions.analysis import briefs, stored, weighted
from tensions.analysis.filters import FilterState
from tensions.data.csv_safety import events_csv_bytes
from tensions.data.literal import markdown_literal
from tensions.data.paths import data_dir
from tensions.data.schema import EVENT_LABELS
from tensions.data.tags import is_key_event
from tensions.errors import TensionsError
from tensions.export.briefing import FORMATS, export_briefing, export_file_name
from tensions.export.deck import key_event_rows
from tensions.export.render import renderer_available
from tensions.figures import briefing
from tensions.figures.stored import EXPORT_LIMIT, capped_csv_note, listed_events, timeline_rows
from tensions.figures.tension import tension_panel
from tensions.figures.timeline import builder, style

# The on-screen slide preview: the 1920x1080 slide drawn at 7/12 scale so it fits beside the sidebar;
# the camera button scales it back up, so what it downloads is the preview, pixel for pixel larger.
PREVIEW_WIDTH, PREVIEW_HEIGHT = 1120, 630
# The interactive chart stretches to the page; labels and legend are laid out for at least this width.
SCREEN_LAYOUT_WIDTH = 960
FORMAT_LABELS = {"png": "PNG image", "svg": "SVG (vector)", "pptx": "PowerPoint"}
CHANGE_LABELS = {"added": "Added", "revised": "Revised", "removed": "Removed"}


@st.cache_data(show_spinner=False, max_entries=16)
def _export(events: pd.DataFrame, fmt: str, options: dict, changes: pd.DataFrame | None) -> bytes:
    """Exports are cached per view: a second click on the same download costs nothing."""
    return export_briefing(events, fmt=fmt, changes=changes, **options)


@st.cache_data(show_spinner=False, max_entries=16)
def _stored_rows(
    url: str,
    version: tuple,
    state: FilterState,
    lanes: str,
    granularity: str,
    actors: pd.DataFrame,
    curated: pd.DataFrame,
) -> pd.DataFrame:
    """The timeline's rows with the database's imported events (`timeline_rows`: their sums from SQL, or the
    events when few enough), beside the curated events passing the filters; cached per imported-store
    `version` and view, so a rerun of the same view costs one version query."""
    return timeline_rows(url, state, lanes=lanes, granularity=granularity, actors=actors, also=curated)


@st.cache_data(show_spinner=False, max_entries=16)
def _stored_index_rows(
    url: str, version: tuple, state: FilterState, granularity: str, actors: pd.DataFrame, curated: pd.DataFrame
) -> pd.DataFrame:
    """The tension band's inputs per week or month: the database's imported events passing `state` summed in
    SQL, with the curated ones; cached as `_stored_rows`."""
    return stored.index_rows(url, state, actors, also=curated, granularity=granularity)


# The chart of a view, shared between reruns and sessions (read-only once built): laying out its key events' labels
# and building it take 0.2-0.7 s before the page can send its first chart, so a view already drawn (a rerun for
# another widget, another visitor) skips them; `cache_resource`, since `cache_data` would rebuild the whole Figure
# when unpickling it.
@st.cache_resource(show_spinner=False, max_entries=16)
def _timeline_figure(
    rows: pd.DataFrame,
    actors: pd.DataFrame,
    lanes: str,
    granularity: str,
    period: tuple,
    changes: pd.DataFrame | None,
    band: bool,
    band_rows: pd.DataFrame | None,
):
    return builder.event_timeline(
        rows,
        lanes=lanes,
        granularity=granularity,
        period=period,
        changes=changes,
        width=SCREEN_LAYOUT_WIDTH,
        bands=[tension_panel(actors, granularity=granularity, index_rows=band_rows)] if band else (),
    )


def _saved_briefs() -> dict[str, briefs.Brief]:
    return {brief.slug: brief for brief in briefs.saved_briefs(data_dir())}


def _save_brief(
    events: pd.DataFrame, state: FilterState, first: dt.date | None, last: dt.date | None, as_of: dt.date | None
) -> None:
    """Save the view as a brief (a form callback: it runs before the rerun, which then lists the brief)."""
    try:
        brief = briefs.brief_from_view(
            st.session_state.get("brief_name", ""),
            events,
            briefs.open_ended(state, first, last),
            data_as_of=as_of,
            lanes=st.session_state.get("lanes") or "theatre",
            granularity=st.session_state.get("counts_per") or "week",
            title=st.session_state.get("slide_title") or "",
            subtitle=st.session_state.get("slide_subtitle") or "",
        )
        replaced = briefs.store_brief(brief, data_dir(), grant=ui.curator_grant())
        st.session_state["brief_saved"] = (
            f"{'Replaced' if replaced else 'Saved'} “{markdown_literal(brief.name)}” ({len(events)} events). "
            "Pick it under “Compare with a saved brief” later to see what changed."
        )
    except TensionsError as error:
        st.session_state["brief_saved"] = f"error: {markdown_literal(error)}"


def _csv_bytes() -> bytes:
    """The events shown as CSV: those in memory, or with the database's newest `EXPORT_LIMIT` beside them (the
    Map's bounded listing)."""
    shown = (
        events
        if stored_url is None
        else listed_events(stored_url, state, limit=EXPORT_LIMIT, actors=dataset.actors, also=events)
    )
    return events_csv_bytes(shown)


def _brief_option(slug: str | None, saved: dict[str, briefs.Brief]) -> str:
    """The brief's name alone: it is also what the URL holds, so a link survives a re-save."""
    return saved[slug].name if slug in saved else "None"


dataset, state, events = ui.current_view()

st.title("Timeline")
st.caption(ui.view_caption(dataset, state))

c_lanes, c_counts, c_brief, c_tension = st.columns([3, 2, 2, 2], vertical_alignment="bottom")
lanes = c_lanes.segmented_control(
    "Lanes",
    list(style.LANES),
    format_func=style.LANES.get,
    default="theatre",
    required=True,
    key="lanes",
    bind="query-params",
    help="One swimlane per theatre, or per family of the actor who acted (actor 1).",
)
granularity = c_counts.segmented_control(
    "Counts per",
    list(style.GRANULARITY_LABELS),
    format_func=style.GRANULARITY_LABELS.get,
    default="week",
    required=True,
    key="counts_per",
    bind="query-params",
)
briefing_mode = c_brief.toggle(
    "Briefing mode",
    key="briefing",
    bind="query-params",
    help="Turn the chart into a 16:9 slide with a title, caption and source line, ready to export.",
)

tension_band = c_tension.toggle(
    "Tension index band",
    key="tension_band",
    bind="query-params",
    help="Add the region's tension index per week or month under the events (how it is computed: Overview).",
)

# With the database as the store the imported datasets chosen stay there: the chart, the slide and its exports and
# the key events come from their SQL sums (`timeline_rows`) with the curated events; the CSV holds the newest
# `EXPORT_LIMIT` of them; a saved brief holds events one by one, so it covers the curated events, and says so.
stored_url = ui.imports_in_database()
version = ui.imported_version() if stored_url is not None else ()  # one query per run
rows = (
    events
    if stored_url is None
    else _stored_rows(stored_url, version, state, lanes, granularity, dataset.actors, events)
)
shown_total = weighted.total_events(rows)
if shown_total == 0:
    ui.no_events_message()
    st.stop()
curated_only = (
    None
    if stored_url is None
    else f"The curated events only ({len(events):,} of the {shown_total:,} in this view): the imported datasets' "
    "events stay in the database, summed for the chart and the slide, and are not in a"
)

# Laid out top to bottom: chart, key events, changes since a brief. The brief is picked first (its
# changes are drawn on the chart), into the container that sits lowest.
chart_box, key_box, changes_box = st.container(), st.container(), st.container()
saved = _saved_briefs()
with changes_box:
    st.subheader("What changed since the last brief")
    c_since, c_save = st.columns([3, 2])
    since = c_since.selectbox(
        "Compare with a saved brief",
        [None, *saved],
        format_func=lambda slug: _brief_option(slug, saved),
        key="since_brief",
        bind="query-params",
        help="Events added, revised or removed since the brief was saved, under the brief's own filters; "
        "they are ringed (or crossed out) on the chart above.",
    )
brief = saved.get(since) if since else None
changes = briefs.changes_since(brief, dataset.events, dataset.actors) if brief else None

with chart_box:
    if briefing_mode:
        c_title, c_subtitle, c_size = st.columns([4, 4, 2])
        title = c_title.text_input(
            "Slide title",
            key="slide_title",
            bind="query-params",
            max_chars=120,
            placeholder=briefing.default_title(rows, state),
            help="Leave empty for a title from the period.",
        )
        subtitle = c_subtitle.text_input(
            "Subtitle",
            key="slide_subtitle",
            bind="query-params",
            max_chars=160,
            placeholder=briefing.default_subtitle(rows, lanes),
        )
        size = c_size.selectbox(
            "Slide size",
            list(briefing.SLIDE_SIZES),
            format_func=lambda name: name.replace("x", " × "),
            help="Width × height at 16:9. When the key events' list does not fit beside the chart, it goes under it and "
            "the slide grows taller at this width; the download line gives the size.",
            key="slide_size",
            bind="query-params",
        )
        width, height = briefing.SLIDE_SIZES[size]
        options = {
            "state": state,
            "data_as_of": dataset.data_as_of,
            "title": title,
            "subtitle": subtitle,
            "lanes": lanes,
            "granularity": granularity,
            "brief_name": brief.name if brief else None,
        }
        fig = briefing.briefing_figure(rows, width=PREVIEW_WIDTH, height=PREVIEW_HEIGHT, changes=changes, **options)
        words = fig.layout.meta
        st.plotly_chart(
            fig,
            theme=None,
            key="briefing_chart",
            width="content",
            config={
                "displaylogo": False,
                "modeBarButtons": [["toImage"]],
                "toImageButtonOptions": {
                    "format": "png",
                    "width": PREVIEW_WIDTH,
                    "height": fig.layout.height,  # taller than 16:9 when the key events' list is under the chart
                    "scale": width / PREVIEW_WIDTH,
                    "filename": export_file_name(words["title"], "png")[:-4],
                },
            },
        )
        with st.expander("Caption and source line, as text to paste"):
            st.text(f"{words['caption']}\n{words['footer']}")
        if renderer_available():
            grown = fig.layout.height > PREVIEW_HEIGHT  # the key events' list went under the chart
            st.write(
                f"**Download the slide** at {width} × {height}"
                + (", taller by the key events' list under the chart" if grown else "")
                + ":"
            )
            columns = st.columns(len(FORMATS) + 2)
            for column, fmt in zip(columns, FORMATS, strict=False):
                column.download_button(
                    FORMAT_LABELS[fmt],
                    data=lambda fmt=fmt: _export(rows, fmt, {**options, "width": width, "height": height}, changes),
                    file_name=export_file_name(words["title"], fmt),
                    mime=FORMATS[fmt],
                    key=f"download_{fmt}",
                    on_click="ignore",
                    icon=":material/download:",
                    help="PowerPoint: the slide (title and subtitle editable, source line in the notes), then the key events."
                    if fmt == "pptx"
                    else None,
                )
        else:
            st.warning(
                "Image and PowerPoint export need Chromium on the server (Debian: `apt-get install chromium`, "
                "or set `BROWSER_PATH`). The chart's camera button still downloads the slide."
            )
    else:
        band_rows = (
            None
            if stored_url is None or not tension_band
            else _stored_index_rows(stored_url, version, state, granularity, dataset.actors, events)
        )
        fig = _timeline_figure(
            rows, dataset.actors, lanes, granularity, (state.start, state.end), changes, tension_band, band_rows
        )
        st.plotly_chart(
            fig,
            theme=None,
            key="timeline_chart",
            config={
                "displaylogo": False,
                "modeBarButtonsToRemove": ["lasso2d", "select2d"],
                "toImageButtonOptions": {"format": "png", "scale": 2, "filename": "timeline"},  # crisp, as on screen
            },
        )
        unlabelled = len(fig.layout.meta["unlabelled_key_events"])
        notes = ["Drag on the chart or the slider under it to zoom; double-click to zoom out."]
        if unlabelled:
            notes.append(f"{unlabelled} key events are ringed but not labelled for lack of room: narrow the period.")
        if not fig.layout.meta["detailed"]:
            notes.append(f"With {shown_total:,} events the lanes show weekly counts; key events are drawn one by one.")
        notes.append("Switch on briefing mode for a slide and exports.")
        st.caption(" ".join(notes))


with key_box:
    st.subheader("Key events")
    key_events = rows[is_key_event(rows).to_numpy()]
    if key_events.empty:
        st.caption("No key events in this view.")
    else:
        labelled = set(fig.layout.meta["key_events"]) - set(fig.layout.meta["unlabelled_key_events"])
        date, deaths, source, link = (EVENT_LABELS[c] for c in ("event_date", "fatalities", "source", "source_url"))
        table = pd.DataFrame(key_event_rows(key_events), columns=[date, "Event", "Where", deaths, source, link])
        table["On the chart"] = ["labelled" if i in labelled else "ringed" for i in key_events["event_id"]]
        st.dataframe(
            table,
            hide_index=True,
            column_config={
                link: st.column_config.LinkColumn(link, display_text="open"),
                source: st.column_config.TextColumn(source, width="large"),
            },
        )
    st.download_button(
        "Events shown (CSV)",
        # Built only when clicked: at a million imported events the CSV takes far longer than the page.
        data=_csv_bytes,
        file_name="timeline-events.csv",
        mime="text/csv",
        key="download_csv",
        on_click="ignore",
        help=None if stored_url is None else capped_csv_note(shown_total),
    )

with changes_box:
    if brief is not None and changes is not None:
        counts = briefs.count_changes(changes)
        c_since.caption(
            f"Saved {brief.saved_at:%d %b %Y %H:%M} UTC with {len(brief.snapshot)} events"
            + (f" (data as of {brief.data_as_of:%d %b %Y})" if brief.data_as_of else "")
            + f"; its filters: {markdown_literal(brief.filters.describe())}."
            + ("" if stored_url is None else " Compared: the curated events (a brief keeps no imported events).")
        )
        m1, m2, m3 = c_since.columns(3)
        m1.metric("Added", counts["added"])
        m2.metric("Revised", counts["revised"])
        m3.metric("Removed", counts["removed"])
        if changes.empty:
            c_since.success("Nothing has changed in this brief's events since it was saved.")
        else:
            with c_since:
                ui.events_dataframe(
                    changes.assign(change=changes["change"].map(CHANGE_LABELS)),
                    ["event_date", "change", "what", "details"],
                    column_config={
                        "change": "Change",
                        "what": "Event",
                        "details": st.column_config.TextColumn("What changed", width="large"),
                    },
                )
    first_day = dataset.events["event_date"].min().date() if len(dataset.events) else None
    last_day = dataset.events["event_date"].max().date() if len(dataset.events) else None
    if ui.curator_grant() is None:
        with c_save:
            ui.curators_only("Saving this view as a brief")
    else:
        with c_save.form("save_brief", clear_on_submit=True):
            st.text_input(
                "Save this view as a brief", key="brief_name", max_chars=80, placeholder="e.g. Weekly brief, 30 June"
            )
            st.form_submit_button(
                "Save brief",
                icon=":material/bookmark_add:",
                on_click=_save_brief,
                args=(events, state, first_day, last_day, dataset.data_as_of),
                help="Remembers the filters and every event shown with its values (date, fatalities, summary…). "
                "A period running to the latest event stays open, so later events count as added."
                + ("" if curated_only is None else f" {curated_only} brief."),
            )
    message = st.session_state.pop("brief_saved", None)
    if message:
        (c_save.error if message.startswith("error: ") else c_save.success)(message.removeprefix("error: "))
