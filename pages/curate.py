"""Curate: add and edit events, turn a news article into draft events, add places; for signed-in curators only.

Every save goes through `tensions.curation.saving.save_changes`, which checks the curator's grant, validates,
refuses stale writes, backs up, writes atomically and logs who changed what. Without a configured
password or login the page explains how to enable curation and offers nothing that writes.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

import ui
from tensions.curation import access, editor, history, new_rows, places, review_queue, saving, snapshot
from tensions.curation.intake.drafts import guess_headline, read_article
from tensions.curation.intake.records import Article
from tensions.curation.intake.review import highlight_html, review_frame, rows_from_review
from tensions.curation.session import WIDGET_PREFIXES, CurateSession
from tensions.curation.throttle import SignInThrottle
from tensions.data import taxonomy
from tensions.data.csv_safety import safe_csv_bytes
from tensions.data.gazetteer import Gazetteer, Place
from tensions.data.literal import markdown_literal
from tensions.data.paths import data_dir
from tensions.data.rows import LocatedProblem
from tensions.data.schema import EVENT_LABELS, EVENTS, PLACES, to_typed
from tensions.errors import (
    ConcurrentEdit,
    DatabaseUnavailable,
    DataNotWritable,
    InvalidDataError,
    NotAuthorised,
    NothingToSave,
    SignInThrottled,
    TensionsError,
    ValidationFailed,
)
from tensions.figures import theme

HOW_TO_ENABLE = """
**Curation is off.** Viewing needs no sign-in; changing the data does, and nothing on this page can
write until curation is configured. Either:

- set a curator password (at least {min_length} characters) in `.streamlit/secrets.toml`

  ```toml
  [curation]
  password = "a long passphrase"
  ```

  or in the environment variable `TENSIONS_CURATOR_PASSWORD`, then restart the app; or
- configure an identity provider for `st.login` (an `[auth]` section in `.streamlit/secrets.toml`) and
  list who may curate: `[curation]` `allowed_emails = ["you@example.org"]`.

{where_saves_go}
"""
EDITOR_COLUMNS_DISABLED = ["event_id"]
SESSION_KEY = "curate"  # the page's one session key: a `CurateSession`
BLOCKED_MESSAGE = "Save or discard the edits in the **Edit events** tab first, so one save does not hide another."


@st.cache_resource(show_spinner=False)
def online_lookup(section: tuple, environ: tuple) -> places.OnlineGeocoding:
    """One online geocoder per configuration, so its rate limiter spaces every request of this server."""
    return places.online_geocoding({access.SECRETS_SECTION: dict(section)}, dict(environ))


def geocoding_settings(secrets: dict) -> tuple[tuple, tuple]:
    """The secrets and environment variables that configure online geocoding, hashable for the cache."""
    section = secrets.get(access.SECRETS_SECTION) or {}
    keys = ("online_geocoding", "geocoder_user_agent", "geocoder_domain", "geocoder_scheme", "geocoder_timeout")
    env_keys = (
        places.ONLINE_ENV,
        places.USER_AGENT_ENV,
        places.DOMAIN_ENV,
        places.SCHEME_ENV,
        places.TIMEOUT_ENV,
    )
    return (
        tuple((k, str(section[k])) for k in keys if k in section),
        tuple((k, os.environ[k]) for k in env_keys if k in os.environ),
    )


def curate_session() -> CurateSession:
    """This browser session's Curate state, kept under one session key."""
    return st.session_state.setdefault(SESSION_KEY, CurateSession())


def show_flash(session: CurateSession) -> None:
    kind, message = session.take_flash() or (None, None)
    if kind == "success":
        st.success(message)
    elif kind == "warning":
        st.warning(message)


def show_problems(problems: list[LocatedProblem]) -> None:
    st.dataframe(
        pd.DataFrame(
            [{"file": p.file, "row": p.key, "column": p.column, "problem": p.message} for p in problems],
            columns=["file", "row", "column", "problem"],
        ),
        hide_index=True,
    )


# --------------------------------------------------------------------------- who is curating


def sign_in(config: access.AccessConfig) -> access.Grant | None:
    """The session's grant: kept while valid, else a sign-in form (password) or button (login)."""
    grant = st.session_state.get(ui.GRANT_KEY)
    if grant is not None:
        try:
            return access.verify(grant, config)
        except NotAuthorised as error:
            st.session_state.pop(ui.GRANT_KEY, None)
            st.warning(str(error))
    user = st.user.to_dict()
    if config.login_enabled and user.get("is_logged_in") is True:
        grant = access.grant_for_identity(user, config)
        if grant is not None:
            st.session_state[ui.GRANT_KEY] = grant
            return grant
        st.error(
            f"You are signed in as {markdown_literal(user.get('email') or 'an unknown user')}, "
            "who is not on the curators' list (`allowed_emails`)."
        )
        st.button("Sign out", key="logout_unlisted", on_click=st.logout)
    st.subheader("Sign in to curate")
    if config.login_enabled and user.get("is_logged_in") is not True:
        st.button("Sign in with your organisation's account", key="login", on_click=st.login)
    if config.password_enabled:
        # Counted on the server per client address and overall, so a reload or a new tab changes nothing.
        throttle, address = SignInThrottle(data_dir()), st.context.ip_address
        wait = throttle.wait(address)
        if wait > 0:
            st.warning(f"Too many failed sign-ins lately: the next attempt is possible in {wait:.0f} s.")
        with st.form("sign_in"):
            name = st.text_input("Your name (written in the audit log)", key="signin_name", max_chars=80)
            password = st.text_input("Curator password", type="password", key="signin_password")
            submitted = st.form_submit_button("Sign in", key="signin_submit")
        if submitted:
            try:
                grant = throttle.sign_in(password or "", config, who=name or "", address=address)
            except (SignInThrottled, DataNotWritable, DatabaseUnavailable) as error:
                st.error(f"Not signed in: {markdown_literal(error)}")
                return None
            if grant is None:
                st.error(
                    "Sign-in failed: the password is wrong or your name is empty. Failed attempts are logged, "
                    "and after a few, each further attempt must wait longer."
                )
                return None
            st.session_state[ui.GRANT_KEY] = grant
            st.rerun()
    return None


def sign_out() -> None:
    grant = st.session_state.pop(ui.GRANT_KEY, None)
    st.session_state.pop(SESSION_KEY, None)
    for key in [k for k in st.session_state if str(k).startswith(WIDGET_PREFIXES)]:
        del st.session_state[key]
    if isinstance(grant, access.Grant) and grant.method == "login":
        st.logout()


# --------------------------------------------------------------------------- what the page works from


def current_base(session: CurateSession, folder: Path) -> snapshot.Snapshot:
    """The snapshot this session edits; reloaded when the stored data changed and nothing is pending."""
    base = session.base
    if base is not None and base.data_dir == folder:
        if snapshot.is_current(base, folder) or session.has_pending_edits(st.session_state.get(session.editor_key())):
            return base
        st.toast("The data changed since this page loaded it; the page reloaded it.")
    session.adopt(snapshot.load_current(folder))
    return session.base


@dataclass(frozen=True)
class Desk:
    """What every tab works from in this run: the session, the tables, who is curating, the data folder."""

    session: CurateSession
    base: snapshot.Snapshot
    grant: access.Grant
    config: access.AccessConfig
    folder: Path

    def save(self, **tables) -> saving.SaveResult | TensionsError:
        """Call the one save function; on success work from the new snapshot. Returns the result or the error."""
        try:
            with st.spinner("Validating and saving…"):
                result = saving.save_changes(self.base, grant=self.grant, access_config=self.config, **tables)
        except (NotAuthorised, NothingToSave, ConcurrentEdit, InvalidDataError, DataNotWritable) as error:
            if isinstance(error, NotAuthorised):
                st.session_state.pop(ui.GRANT_KEY, None)
            return error
        self.session.adopt(result.snapshot)
        return result

    def saved(self, result: saving.SaveResult) -> None:
        """Say after the rerun what was saved and where the previous file went."""
        self.session.flash = ("success", saved_message(result))
        st.rerun()


def saved_message(result: saving.SaveResult) -> str:
    if result.snapshot.database_url is not None:
        return f"Saved {len(result.changes)} change(s) to the database, each logged in its audit log."
    backups = ", ".join(f"`{p.name}`" for p in result.backups)
    return (
        f"Saved {len(result.changes)} change(s); the previous file is backed up as {backups} in "
        f"`{history.BACKUP_DIR}/`, and the change is logged in `{history.AUDIT_LOG}`."
    )


def show_refusal(error: object) -> None:
    """Say why nothing was saved; data values only ever appear in tables, never in Markdown."""
    if isinstance(error, ConcurrentEdit):
        st.error(
            "Not saved: another curator saved since this page loaded the data. "
            "Here is what they changed; your edits are kept below."
        )
        st.dataframe(snapshot.changes_frame(error.changes), hide_index=True)
    elif isinstance(error, ValidationFailed):
        st.error("Not saved: the changes break these rules (the same as `python -m tensions validate`).")
        show_problems(error.located)
    elif isinstance(error, InvalidDataError):
        st.error("Not saved: the data could not be read.")
        st.code("\n".join(str(p) for p in error.problems), language=None)
    elif isinstance(error, NothingToSave):
        st.info("Nothing to save: the tables are unchanged.")
    elif isinstance(error, NotAuthorised | DataNotWritable):
        st.error(f"Not saved: {markdown_literal(error)}")


def event_columns(base: snapshot.Snapshot) -> dict:
    """The event editors' columns: the schema's headings, with the choices and limits the data allows."""
    label = EVENT_LABELS
    sub_types = [s.name for s in taxonomy.SUB_EVENT_TYPES]
    place_names = sorted(base.places["place"].dropna())
    actor_names = sorted(base.actors["actor"].dropna())
    column = st.column_config
    return {name: label[name] for name in EVENTS.column_names} | {
        "event_id": column.TextColumn(label["event_id"], disabled=True, pinned=True),
        "event_date": column.DateColumn(label["event_date"], format="YYYY-MM-DD", required=True),
        "time_precision": column.SelectboxColumn(label["time_precision"], options=list(taxonomy.TIME_PRECISIONS)),
        "country": column.SelectboxColumn(label["country"], options=list(taxonomy.COUNTRY_NAMES)),
        "theatre": column.SelectboxColumn(
            label["theatre"], options=list(taxonomy.THEATRES), help="Only for events held outside their theatre."
        ),
        "location": column.SelectboxColumn(label["location"], options=place_names),
        "latitude": column.NumberColumn(label["latitude"], min_value=-90, max_value=90, format="%.5f"),
        "longitude": column.NumberColumn(label["longitude"], min_value=-180, max_value=180, format="%.5f"),
        "geo_precision": column.NumberColumn(label["geo_precision"], min_value=1, max_value=3, step=1),
        "event_type": column.SelectboxColumn(label["event_type"], options=list(taxonomy.EVENT_TYPES)),
        "sub_event_type": column.SelectboxColumn(label["sub_event_type"], options=sub_types),
        "actor1": column.SelectboxColumn(label["actor1"], options=actor_names),
        "actor2": column.SelectboxColumn(label["actor2"], options=actor_names),
        "fatalities": column.NumberColumn(
            label["fatalities"], min_value=0, step=1, help="Empty means not reported, never 0 by default."
        ),
        "notes": column.TextColumn(label["notes"], width="large"),
        "source_date": column.DateColumn(label["source_date"], format="YYYY-MM-DD"),
        "confidence": column.SelectboxColumn(label["confidence"], options=list(taxonomy.CONFIDENCES)),
    }


# --------------------------------------------------------------------------- the tabs


def edit_tab(desk: Desk, events: pd.DataFrame, columns: dict) -> bool:
    """The events in the sidebar's view as an editable table, saved together. True while edits are unsaved."""
    session, base = desk.session, desk.base
    working = session.working if session.working is not None else base.events
    in_view = set(events["event_id"].astype(str))
    shown = [label for label, event_id in working["event_id"].items() if event_id in in_view]
    st.caption(
        f"{len(shown)} of {len(working)} events, as filtered in the sidebar. Edit cells, or select rows and "
        "delete them; nothing is written until you save. Ids are fixed: add a corrected event instead."
    )
    if not working.equals(base.events):
        st.info("Your earlier edits were re-applied on top of the latest data. Review them, then save.")
    edited = st.data_editor(
        editor.editor_frame(working.loc[shown]),
        key=session.editor_key(),
        num_rows="delete",
        hide_index=True,
        column_config=columns,
        disabled=EDITOR_COLUMNS_DISABLED,
        height=420,
    )
    new_events = editor.raw_from_editor(edited, working, shown)
    pending = snapshot.diff_tables(base.events, new_events, EVENTS.file_name)
    if pending:
        st.subheader(f"{len(pending)} unsaved change(s)")
        st.dataframe(snapshot.changes_frame(pending), hide_index=True)
        save_col, discard_col, _ = st.columns([1, 1, 4])
        if save_col.button("Save changes", key="curation_save_edits", type="primary"):
            outcome = desk.save(events=new_events)
            if isinstance(outcome, saving.SaveResult):
                desk.saved(outcome)
            session.refusal = outcome
        if discard_col.button("Discard", key="curation_discard"):
            session.adopt(base)
            st.rerun()
        if session.refusal is not None:
            show_refusal(session.refusal)
            if isinstance(session.refusal, ConcurrentEdit) and st.button(
                "Load the latest data and re-apply my edits", key="curation_rebase"
            ):
                latest = snapshot.load_current(desk.folder)
                merged, conflicts = editor.rebase(base.events, new_events, latest.events)
                session.adopt(latest, merged)
                if conflicts:
                    session.flash = (
                        "warning",
                        "Some edits could not be re-applied: " + " · ".join(map(markdown_literal, conflicts)),
                    )
                st.rerun()
    st.download_button(
        "Download these events (CSV, safe for spreadsheets)",
        data=safe_csv_bytes(events[[c for c in EVENTS.column_names if c in events]]),
        file_name="events-curated.csv",
        mime="text/csv",
        key="curation_download",
        on_click="ignore",
    )
    return bool(pending) or not working.equals(base.events)


def field_errors(session: CurateSession, column: str) -> None:
    """The validation messages of the event being added, under the field they concern."""
    for problem in session.add_problems:
        if problem.column == column:
            st.markdown(f":red[{markdown_literal(problem.message)}]")


def new_place_fields(location: str) -> Place | None:
    """The details of a place the gazetteer lacks, typed in; None until they are complete."""
    st.markdown(
        f"**New place**: {markdown_literal(location)} is not in the gazetteer. Give its details (or look it up in the **Places** tab)."
    )
    country = st.selectbox("Country of the new place", taxonomy.COUNTRY_NAMES, index=None, key="add_place_country")
    c1, c2 = st.columns(2)
    lat = c1.number_input("Latitude", min_value=-90.0, max_value=90.0, value=None, format="%.5f", key="add_place_lat")
    lon = c2.number_input(
        "Longitude", min_value=-180.0, max_value=180.0, value=None, format="%.5f", key="add_place_lon"
    )
    precision = st.selectbox(
        "Place precision",
        taxonomy.GEO_PRECISIONS,
        format_func=taxonomy.GEO_PRECISION_MEANING.get,
        key="add_place_precision",
    )
    admin1 = st.text_input("Province (admin1)", key="add_place_admin1")
    st.text_input("Aliases (semicolon-separated)", key="add_place_aliases")
    if country and lat is not None and lon is not None:
        return Place(location, lat, lon, precision, admin1 or None, country)
    return None


def add_tab(desk: Desk, gazetteer: Gazetteer, *, blocked: bool) -> None:
    """One new event in a form, each problem shown under its field; a new place is added with it."""
    session, base = desk.session, desk.base
    if session.add_reset:
        session.add_reset, session.add_problems = False, []
        for key in [k for k in st.session_state if str(k).startswith("add_")]:
            del st.session_state[key]
    place_names = sorted(base.places["place"].dropna())
    actor_names = sorted(base.actors["actor"].dropna())
    left, right = st.columns(2)
    with left:
        event_date = st.date_input("Date of the event", value=None, key="add_event_date", format="YYYY-MM-DD")
        field_errors(session, "event_date")
        time_precision = st.selectbox(
            "Date known to the",
            taxonomy.TIME_PRECISIONS,
            key="add_time_precision",
            help="Imprecise dates: code the middle of the week or month.",
        )
        location = st.selectbox(
            "Place",
            place_names,
            index=None,
            key="add_location",
            accept_new_options=True,
            placeholder="Choose a place, or type a new one",
            help="Names and aliases from places.csv; a new name adds a place.",
        )
        field_errors(session, "location")
        known_place = gazetteer.lookup(location) if location else None
        new_place = None
        if location and known_place is None:
            new_place = new_place_fields(location)
        elif known_place is not None:
            st.caption(
                f"{markdown_literal(known_place.place)}, {markdown_literal(known_place.country)}: "
                f"({known_place.latitude:.4f}, {known_place.longitude:.4f}), "
                f"{taxonomy.GEO_PRECISION_MEANING[known_place.geo_precision]}"
            )
        geo_precision = st.selectbox(
            "How precisely the event is placed",
            [None, *taxonomy.GEO_PRECISIONS],
            format_func=lambda p: "as precise as the place" if p is None else taxonomy.GEO_PRECISION_MEANING[p],
            key="add_geo_precision",
        )
        theatre = st.selectbox(
            "Theatre (only for events held outside the region)",
            [None, *taxonomy.THEATRES],
            format_func=lambda t: "none: the event is in the region" if t is None else t,
            key="add_theatre",
        )
        field_errors(session, "theatre")
        field_errors(session, "latitude")
        event_type = st.selectbox("Event type", taxonomy.EVENT_TYPES, index=None, key="add_event_type")
        field_errors(session, "event_type")
        sub_event_type = st.selectbox(
            "Sub-type",
            [s.name for s in taxonomy.SUB_EVENT_TYPES if s.event_type == event_type],
            index=None,
            key="add_sub_event_type",
        )
        field_errors(session, "sub_event_type")
        actor1 = st.selectbox("Actor", actor_names, index=None, key="add_actor1", help="Who acted, as in actors.csv.")
        field_errors(session, "actor1")
        actor2 = st.selectbox("Acted on / with (optional)", actor_names, index=None, key="add_actor2")
        field_errors(session, "actor2")
        fatalities = st.number_input(
            "Reported fatalities (empty = unknown, never 0 by default)",
            min_value=0,
            value=None,
            step=1,
            key="add_fatalities",
        )
        field_errors(session, "fatalities")
    with right:
        attribution = st.text_input(
            "Attribution",
            key="add_attribution",
            placeholder="claimed by X · attributed by X to Y · unclaimed · disputed",
        )
        field_errors(session, "attribution")
        notes = st.text_area("Summary (neutral: who did what to whom, where, with what effect)", key="add_notes")
        field_errors(session, "notes")
        source = st.text_input("Source (publisher)", key="add_source")
        field_errors(session, "source")
        source_title = st.text_input("Headline ([in brackets] when describing, not quoting)", key="add_source_title")
        field_errors(session, "source_title")
        source_date = st.date_input("Report date", value=None, key="add_source_date", format="YYYY-MM-DD")
        field_errors(session, "source_date")
        source_url = st.text_input("Link (only when certain)", key="add_source_url")
        field_errors(session, "source_url")
        confidence = st.selectbox("Confidence", taxonomy.CONFIDENCES, index=None, key="add_confidence")
        field_errors(session, "confidence")
        tags = st.text_input("Tags (semicolon-separated; `key` marks briefing events)", key="add_tags")
        label = st.text_input("Label for key events (at most 32 characters)", key="add_label")
        field_errors(session, "label")
        country = known_place.country if known_place else (new_place.country if new_place else None)
        proposed_id = new_rows.propose_event_id(country, event_date, base.events["event_id"].dropna())
        event_id = st.text_input(
            "Event id",
            key="add_event_id",
            placeholder=proposed_id or "<ISO3>-<YYYYMMDD>-<n>",
            help="Leave empty to use the proposal.",
        )
        field_errors(session, "event_id")
    for problem in session.add_problems:
        if problem.column not in EVENTS.column_names or problem.file != EVENTS.file_name:
            st.markdown(
                f":red[{markdown_literal(problem.file)} · {markdown_literal(problem.column)}: {markdown_literal(problem.message)}]"
            )
    if blocked:
        st.warning(BLOCKED_MESSAGE)
    if st.button("Validate and save this event", key="add_save", type="primary", disabled=blocked):
        place_for_row = known_place or new_place
        values = {
            "event_id": event_id or proposed_id or None,
            "event_date": event_date,
            "time_precision": time_precision,
            "country": country,
            "theatre": theatre,
            "admin1": place_for_row.admin1 if place_for_row else None,
            "location": place_for_row.place if place_for_row else location,
            "latitude": place_for_row.latitude if place_for_row else None,
            "longitude": place_for_row.longitude if place_for_row else None,
            "geo_precision": geo_precision or (place_for_row.geo_precision if place_for_row else None),
            "event_type": event_type,
            "sub_event_type": sub_event_type,
            "actor1": actor1,
            "actor2": actor2,
            "fatalities": fatalities,
            "attribution": attribution,
            "notes": notes,
            "source": source,
            "source_title": source_title,
            "source_date": source_date,
            "source_url": source_url,
            "confidence": confidence,
            "tags": tags,
            "label": label,
        }
        places_table = None
        if new_place is not None:
            aliases = (st.session_state.get("add_place_aliases") or "").split(";")
            places_table = new_rows.append_rows(
                base.places, new_rows.place_row(new_place, geocoder="manual", today=dt.date.today(), aliases=aliases)
            )
        outcome = desk.save(
            events=new_rows.append_rows(base.events, new_rows.event_row(values)),
            places=places_table,
        )
        if isinstance(outcome, saving.SaveResult):
            session.add_reset = True
            desk.saved(outcome)
        if isinstance(outcome, ValidationFailed):
            own = [
                p
                for p in outcome.located
                if p.key in (values["event_id"], "") or p.key.startswith("line ") or p.file != EVENTS.file_name
            ]
            session.add_problems = own or outcome.located
            st.rerun()
        show_refusal(outcome)


def article_tab(desk: Desk, columns: dict, *, blocked: bool) -> None:
    """A pasted report read for places, actors and dates, its draft events reviewed and the kept ones saved."""
    session, base = desk.session, desk.base
    st.caption(
        "Paste a report and its publication date. Places, actors and dates are found and highlighted, and draft "
        "events proposed: tick the ones to keep, correct them, and save. Nothing is saved until you do."
    )
    a1, a2, a3 = st.columns([2, 3, 2])
    publisher = a1.text_input("Publisher", key="intake_publisher", placeholder="Reuters")
    headline_input = a2.text_input("Headline (empty: the first line, if it reads like one)", key="intake_headline")
    published = a3.date_input("Published", value=None, key="intake_published", format="YYYY-MM-DD")
    url = st.text_input("Link (optional, only when certain)", key="intake_url")
    text = st.text_area("Article text", height=220, key="intake_text")
    if st.button("Find places, actors and dates", key="intake_run", disabled=not (text and published)):
        article = Article(text, published, publisher or "", headline_input or guess_headline(text), url or "")
        result = read_article(article, base.actors, base.places)
        session.read_article(result, review_frame(result.drafts, actors=base.actors, places=base.places))
    result = session.intake
    if result is None:
        return
    colours = theme.INTAKE_HIGHLIGHT_COLOURS
    legend = " ".join(
        f'<mark style="background-color:{colours[kind]};border-radius:3px;padding:0 4px">{label}</mark>'
        for kind, label in (("place", "place"), ("country", "country"), ("actor", "actor"), ("date", "date"))
    )
    legend += f' <span style="text-decoration:underline 2px {colours["keyword"]}">event keyword</span>'
    st.html(f"<div style='margin-bottom:6px'>{legend}</div>")
    st.html(
        '<div style="max-height:420px;overflow-y:auto;border:1px solid #ddd;padding:10px;line-height:1.6">'
        + highlight_html(result.article.text, result.matches, colours=colours, end=result.analysed_chars)
        + "</div>"
    )
    if result.ignored_text.strip():
        st.caption(
            f"The text after character {result.analysed_chars} looks like page furniture (related stories, comments) and was not read."
        )
    found = pd.DataFrame(
        [{"kind": m.kind, "text": m.text, "means": m.value} for m in result.matches if m.kind != "keyword"],
        columns=["kind", "text", "means"],
    ).drop_duplicates()
    with st.expander(f"{len(found)} distinct matches"):
        st.dataframe(found, hide_index=True)
    review = session.intake_review
    st.subheader(f"{len(review)} draft event(s)")
    if review.empty:
        st.info("No sentence names an actor or place together with a date or an event keyword.")
        return
    reviewed = st.data_editor(
        review,
        key=session.intake_editor_key(),
        hide_index=True,
        column_config={
            **columns,
            "accept": st.column_config.CheckboxColumn("Keep", pinned=True),
            "check": st.column_config.TextColumn("Check", disabled=True, width="large"),
        },
        disabled=["check"],
    )
    if blocked:
        st.warning(BLOCKED_MESSAGE)
    accepted = int(reviewed["accept"].fillna(False).sum())
    if st.button(f"Save {accepted} kept draft(s)", key="intake_save", type="primary", disabled=blocked or not accepted):
        rows = rows_from_review(
            reviewed, result.article, places=base.places, taken_ids=base.events["event_id"].dropna()
        )
        outcome = desk.save(events=new_rows.append_rows(base.events, rows))
        if isinstance(outcome, saving.SaveResult):
            session.intake, session.intake_review = None, None
            desk.saved(outcome)
        show_refusal(outcome)


def places_tab(desk: Desk, gazetteer: Gazetteer, geocoding: places.OnlineGeocoding) -> None:
    """Places looked up (gazetteer, then Nominatim when allowed), reviewed, and the chosen ones added."""
    session = desk.session
    st.caption(
        "Look places up before using them: the gazetteer (places.csv) first"
        + ("; then OpenStreetMap's Nominatim, one request a second." if geocoding.lookup else ".")
    )
    if geocoding.lookup is None:
        st.info(
            f"{markdown_literal(geocoding.problem[:1].upper() + geocoding.problem[1:])}. You can still add a place by typing its coordinates."
        )
    queries_text = st.text_area(
        "Places to look up, one per line, optionally with a country: `Jurf al-Sakhar, Iraq`", key="places_queries"
    )
    if session.lookups is not None and session.lookups.running:
        # The previous run stopped inside the loop: the curator pressed Cancel (or left the page).
        session.lookups.running = False
        st.warning(f"Look-up cancelled after {len(session.lookups.results)} of {session.lookups.total} place(s).")
    if st.button("Look up", key="places_lookup", disabled=not (queries_text or "").strip()):
        queries = places.parse_place_queries(queries_text)
        lookups = session.start_lookups(len(queries))
        cancel = st.empty()
        cancel.button("Cancel", key="places_cancel", help="Stops after the place being looked up.")
        progress = st.progress(0.0, text=f"Looking up {len(queries)} place(s)…")
        for done, proposal in enumerate(
            places.look_up_places(queries, gazetteer=gazetteer, online=geocoding.lookup), start=1
        ):
            lookups.results.append(proposal)
            progress.progress(done / len(queries), text=f"{done} of {len(queries)} looked up")
        lookups.running = False
        progress.empty()
        cancel.empty()
    proposals = session.lookups.results if session.lookups is not None else []
    if not proposals:
        return
    failures = [p for p in proposals if p.status == "failed"]
    if failures:
        st.error(
            f"The online geocoder failed for {len(failures)} place(s) (timeout, rate limit or service down). "
            "Those rows stay editable: type the coordinates, or try again later."
        )
    label, column = PLACES.labels, st.column_config
    review = st.data_editor(
        places.place_review_frame(proposals),
        key=session.places_editor_key(),
        hide_index=True,
        column_config={
            "add": column.CheckboxColumn("Add", pinned=True),
            "place": column.TextColumn(label["place"], pinned=True),
            "country": column.SelectboxColumn(label["country"], options=list(taxonomy.COUNTRY_NAMES)),
            "admin1": column.TextColumn(label["admin1"]),
            "aliases": column.TextColumn(label["aliases"], help="Other spellings, separated by semicolons."),
            "latitude": column.NumberColumn(label["latitude"], min_value=-90, max_value=90, format="%.5f"),
            "longitude": column.NumberColumn(label["longitude"], min_value=-180, max_value=180, format="%.5f"),
            "geo_precision": column.NumberColumn(label["geo_precision"], min_value=1, max_value=3, step=1),
            "status": column.TextColumn("Status", disabled=True),
            "message": column.TextColumn("What to do", disabled=True, width="large"),
        },
        disabled=["status", "message"],
    )
    to_add = int(review["add"].fillna(False).sum())
    if st.button(f"Add {to_add} place(s) to places.csv", key="places_save", type="primary", disabled=not to_add):
        rows = places.place_rows_from_review(review, proposals, today=dt.date.today())
        outcome = desk.save(places=new_rows.append_rows(desk.base.places, rows))
        if isinstance(outcome, saving.SaveResult):
            session.lookups = None
            desk.saved(outcome)
        show_refusal(outcome)


def history_tab(folder: Path) -> None:
    """The audit log and the backups."""
    st.caption(f"Who changed what, newest first ({history.audit_log_place()}).")
    st.dataframe(history.read_audit_log(folder), hide_index=True)
    backups = history.list_backups(folder)
    st.caption(f"{len(backups)} backup(s) in `{history.BACKUP_DIR}/`; restore one by copying it over the file.")
    if backups:
        st.dataframe(pd.DataFrame({"backup": [p.name for p in backups[:50]]}), hide_index=True)


def review_tab(desk: Desk, columns: dict, *, blocked: bool) -> None:
    """Synced events that no curated event covers: promote one into a draft curated event, or dismiss it."""
    session, base = desk.session, desk.base
    st.caption(
        "Events synced from ACLED, UCDP or GDELT in the region that match no curated event (same kind of event, the "
        f"same or an adjacent day, within {review_queue.MATCH_KM:.0f} km). Promote one into a draft, correct it and "
        "save it, or dismiss it; either way it leaves the queue, and the decision is logged."
    )
    queue = review_queue.pending(desk.folder, base.events)
    if queue.empty:
        st.info("Nothing to review: every synced event is covered or decided (or nothing has been synced yet).")
        return
    st.markdown(f"**{len(queue):,} synced event(s) to review**, newest first")
    ui.events_dataframe(queue.head(500), [c for c in review_queue.QUEUE_COLUMNS if c in queue], key="review_table")
    by_id = queue.set_index("event_id", drop=False)
    picked = st.selectbox(
        "Event to review",
        list(by_id.index),
        format_func=lambda i: (
            f"{by_id.at[i, 'event_date']:%Y-%m-%d} {by_id.at[i, 'country']}: {by_id.at[i, 'event_type']} ({i})"
        ),
        key="review_pick",
    )
    draft = review_queue.draft_event(by_id.loc[picked], taken_ids=base.events["event_id"].dropna())
    st.caption("The draft, pre-filled from the synced event; correct it before saving (it is validated as any edit).")
    edited = st.data_editor(
        editor.editor_frame(draft),
        key=f"review_draft_{session.review_generation}_{picked}",
        hide_index=True,
        column_config=columns,
    )
    if blocked:
        st.warning(BLOCKED_MESSAGE)
    promote_column, dismiss_column = st.columns(2)
    if promote_column.button("Save as a curated event", key="review_promote", type="primary", disabled=blocked):
        row = editor.raw_from_editor(edited, draft, draft.index)
        outcome = desk.save(events=new_rows.append_rows(base.events, row))
        if isinstance(outcome, saving.SaveResult):
            decided(desk, picked, "promoted", curated_event_id=str(row["event_id"].iloc[0]))
            desk.saved(outcome)
        show_refusal(outcome)
    if dismiss_column.button("Dismiss", key="review_dismiss") and decided(desk, picked, "dismissed"):
        session.flash = ("success", "Dismissed: the event leaves the queue, and the decision is logged.")
        st.rerun()


def decided(desk: Desk, synced_id: str, decision: str, *, curated_event_id: str | None = None) -> bool:
    """Remember a review decision; say so and return False when it could not be written."""
    try:
        review_queue.record_decision(
            desk.folder, synced_id, decision, grant=desk.grant, curated_event_id=curated_event_id
        )
    except (NotAuthorised, DataNotWritable) as error:
        st.error(f"The decision was not recorded: {markdown_literal(error)}")
        return False
    desk.session.review_generation += 1
    return True


# --------------------------------------------------------------------------- the page

dataset, state, events = ui.current_view()
st.title("Curate events")
st.caption(ui.view_caption(dataset, state))
if events.empty:
    ui.no_events_message()

secrets = ui.secrets_mapping()
config = access.access_config(secrets, os.environ)
for problem in config.problems:
    st.warning(problem)
if not config.enabled:
    st.info(HOW_TO_ENABLE.format(min_length=access.MIN_PASSWORD_LENGTH, where_saves_go=history.where_saves_go()))
    st.stop()

grant = sign_in(config)
if grant is None:
    st.stop()

folder = data_dir()
curating = curate_session()
try:
    base = current_base(curating, folder)
except InvalidDataError as error:
    st.error("The data files cannot be read, so nothing can be curated.")
    st.code("\n".join(str(p) for p in error.problems), language=None)
    st.stop()

with st.sidebar:
    st.caption(f"Curating as {markdown_literal(grant.who)} ({grant.method})")
    st.button("Sign out", key="signout", on_click=sign_out)
show_flash(curating)

desk = Desk(curating, base, grant, config, folder)
gazetteer = Gazetteer(to_typed(base.places, PLACES))
columns = event_columns(base)
# Keyed and bound to the URL so a save's rerun (and its flash above) leaves the curator on the tab they work in.
tab_add, tab_edit, tab_article, tab_review, tab_places, tab_history = st.tabs(
    ["Add an event", "Edit events", "From an article", "Review queue", "Places", "History"],
    key="curate_tab",
    bind="query-params",
)
# The Edit tab is filled first: whether its table holds unsaved edits decides what the other tabs may save.
with tab_edit:
    blocked = edit_tab(desk, events, columns)
with tab_add:
    add_tab(desk, gazetteer, blocked=blocked)
with tab_article:
    article_tab(desk, columns, blocked=blocked)
with tab_review:
    review_tab(desk, columns, blocked=blocked)
with tab_places:
    places_tab(desk, gazetteer, online_lookup(*geocoding_settings(secrets)))
with tab_history:
    history_tab(folder)
