"""The Curate page under AppTest: nothing is written without sign-in, and signed-in curators save safely."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tensions.curation import access, places, saving, snapshot
from tensions.curation.session import CurateSession, PlaceLookups
from tensions.curation.throttle import LOCAL_ADDRESS, SIGNIN_FOLDER, SignInThrottle
from tensions.data.literal import WORD_JOINER
from tests.conftest import APP_ROOT
from tests.curation.test_intake import STRIKE_REPORT
from tests.nominatim_stub import nominatim_stub

PASSWORD = "correct horse battery staple"
PAGE = str(APP_ROOT / "pages" / "curate.py")
HOSTILE = '<img src=x onerror="window.__pwned=1">'


def file_bytes(folder: Path) -> dict[str, bytes]:
    """Every file in the data folder and its bytes (a refused save must not add a backup or a log either)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def data(data_copy, monkeypatch) -> Path:
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(data_copy))
    monkeypatch.delenv(access.PASSWORD_ENV, raising=False)
    monkeypatch.delenv(places.ONLINE_ENV, raising=False)
    return data_copy


def page(**secrets) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in secrets.items():
        at.secrets[key] = value
    return at


def signed_in(name: str = "Ann", password: str = PASSWORD, **secrets) -> AppTest:
    at = page(**({"curation": {"password": PASSWORD}} | secrets)).run()
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(password)
    return at.button(key="signin_submit").click().run()


def drive_every_widget(at: AppTest, rounds: int = 2) -> AppTest:
    """Type hostile text into every field, pick an option in every list and press every button, twice over."""
    for _ in range(rounds):
        for widget in [*at.text_input, *at.text_area]:
            widget.input(HOSTILE)
        for widget in at.selectbox:
            if widget.options:
                widget.select(widget.options[-1])
        for widget in at.multiselect:
            if widget.options:
                widget.select(widget.options[0])
        for widget in [*at.toggle, *at.checkbox]:
            widget.set_value(True)
        for widget in at.number_input:
            widget.set_value(1)
        at.run()
        for index in range(len(at.button)):
            at.button[index].click()
            at.run()
    return at


def table_with(at: AppTest, column: str):
    """The first table on the page with `column` (tables are found by what they show, not where)."""
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def editor_key(at: AppTest, prefix: str) -> str:
    return next(e.key for e in at.data_editor if e.key and e.key.startswith(prefix))


def edit_cell(at: AppTest, row: int, column: str, value) -> AppTest:
    key = editor_key(at, "curation_editor_")
    at.session_state[key] = {"edited_rows": {row: {column: value}}, "added_rows": [], "deleted_rows": []}
    return at.run()


# --------------------------------------------------------------------------- without configuration


def test_without_configuration_the_page_says_how_to_enable_curation(data):
    at = page().run()
    assert not at.exception
    text = at.info[0].value
    assert "Curation is off" in text
    assert "TENSIONS_CURATOR_PASSWORD" in text and "[curation]" in text and "allowed_emails" in text
    assert not at.tabs and not at.data_editor


def test_without_configuration_no_widget_writes_anything(data):
    before = file_bytes(data)
    at = drive_every_widget(page().run())
    assert not at.exception
    assert file_bytes(data) == before


def test_without_configuration_a_forged_grant_in_the_session_writes_nothing(data):
    before = file_bytes(data)
    at = page()
    at.session_state["curator_grant"] = access.Grant("Mallory", "password", "2025-01-01T00:00:00+00:00", "0" * 64)
    at.run()
    assert "Curation is off" in at.info[0].value and not at.tabs
    drive_every_widget(at)
    assert file_bytes(data) == before


def test_a_password_too_short_keeps_curation_off_and_says_why(data, monkeypatch):
    monkeypatch.setenv(access.PASSWORD_ENV, "letmein")
    at = page().run()
    assert "shorter than 12 characters" in at.warning[0].value
    assert "Curation is off" in at.info[0].value


# --------------------------------------------------------------------------- signing in


def without_sign_in_records(files: dict[str, bytes]) -> dict[str, bytes]:
    """The files but the record of failed sign-ins (the audit log and the throttle's counts)."""
    return {name: content for name, content in files.items() if name != "audit.log" and not name.startswith(".signin")}


def test_a_wrong_password_cannot_save_by_any_path(data):
    before = file_bytes(data)
    at = signed_in(password="not the password at all")
    assert "Sign-in failed" in at.error[0].value
    assert not at.tabs
    drive_every_widget(at)
    assert not at.tabs
    assert without_sign_in_records(file_bytes(data)) == before
    logged = [json.loads(line) for line in (data / "audit.log").read_text().splitlines()]
    assert logged and {entry["action"] for entry in logged} == {"sign-in failed"}


def test_a_forged_grant_is_refused_when_a_password_is_set(data):
    before = file_bytes(data)
    at = page(curation={"password": PASSWORD})
    at.session_state["curator_grant"] = access.Grant("Mallory", "password", "2025-01-01T00:00:00+00:00", "0" * 64)
    at.run()
    assert "sign in again" in at.warning[0].value
    assert not at.tabs
    assert file_bytes(data) == before


def test_failed_sign_ins_are_counted_on_the_server_across_reloads_and_logged(data):
    for _ in range(2):  # each a new session, as a reload or a new tab is
        at = signed_in(name="Mallory", password="guess")
        assert "Sign-in failed" in at.error[0].value
    counts = json.loads((data / SIGNIN_FOLDER / "throttle.json").read_text())
    assert counts["addresses"][LOCAL_ADDRESS]["failures"] == 2
    logged = [json.loads(line) for line in (data / "audit.log").read_text().splitlines()]
    assert [(e["who"], e["action"], e["address"]) for e in logged] == [("Mallory", "sign-in failed", "local")] * 2
    assert "guess" not in (data / "audit.log").read_text()


def test_after_repeated_failures_a_new_session_must_wait_even_with_the_right_password(data):
    clock = [time.time() - 62]
    earlier = SignInThrottle(data, clock=lambda: clock[0])
    for wait in (0, 0, 0, 2, 4, 8, 16, 32):  # eight failures, each as soon as allowed, the last one now
        clock[0] += wait
        assert earlier.sign_in("guess", access.AccessConfig(password=PASSWORD), who="Mallory", address=None) is None
    at = page(curation={"password": PASSWORD}).run()
    assert "Too many failed sign-ins lately" in at.warning[0].value
    at.text_input(key="signin_name").input("Ann")
    at.text_input(key="signin_password").input(PASSWORD)
    at.button(key="signin_submit").click().run()
    assert at.error[0].value.startswith("Not signed in: too many failed sign")
    assert "try again in" in at.error[0].value
    assert not at.tabs


def test_the_right_password_from_the_environment_signs_in(data, monkeypatch):
    monkeypatch.setenv(access.PASSWORD_ENV, PASSWORD)
    at = page().run()
    at.text_input(key="signin_name").input("Ann")
    at.text_input(key="signin_password").input(PASSWORD)
    at.button(key="signin_submit").click().run()
    assert [t.label for t in at.tabs] == [
        "Add an event",
        "Edit events",
        "From an article",
        "Review queue",
        "Places",
        "History",
    ]
    assert "Curating as Ann (password)" in at.sidebar.caption[-1].value


def test_a_listed_identity_signed_in_with_the_provider_may_curate(data):
    at = page(auth={"client_id": "x"}, curation={"allowed_emails": ["cur@example.org"]})
    at.user = {"is_logged_in": True, "email": "Cur@Example.org"}
    at.run()
    assert at.tabs
    assert "cur@example.org (login)" in at.sidebar.caption[-1].value.replace("\\", "").replace(WORD_JOINER, "")


def test_an_unlisted_identity_may_not_curate(data):
    before = file_bytes(data)
    at = page(auth={"client_id": "x"}, curation={"allowed_emails": ["cur@example.org"]})
    at.user = {"is_logged_in": True, "email": "mallory@example.org"}
    at.run()
    assert "not on the curators' list" in at.error[0].value
    assert not at.tabs
    assert file_bytes(data) == before


def test_signing_out_ends_curation(data):
    at = signed_in()
    at.button(key="signout").click().run()
    assert not at.tabs and at.text_input(key="signin_password")


# --------------------------------------------------------------------------- saving


def test_an_edit_in_the_table_is_saved_with_a_backup_and_an_audit_line(data):
    at = edit_cell(signed_in(), 0, "notes", "Edited on the Curate page.")
    assert "1 unsaved change(s)" in at.subheader[0].value
    at.button(key="curation_save_edits").click().run()
    assert not at.exception
    assert "Saved 1 change(s)" in at.success[0].value
    assert "Edited on the Curate page." in (data / "events.csv").read_text()
    assert len(list((data / "backups").glob("events-*.csv"))) == 1
    entry = json.loads((data / "audit.log").read_text())
    assert (entry["who"], entry["key"], entry["changes"]["notes"]["new"]) == (
        "Ann",
        "IRQ-20240104-1",
        "Edited on the Curate page.",
    )


def test_an_invalid_edit_is_refused_with_the_problem_named(data):
    before = file_bytes(data)
    at = edit_cell(signed_in(), 1, "label", "x" * 40)
    at.button(key="curation_save_edits").click().run()
    assert "Not saved" in at.error[0].value
    problems = table_with(at, "problem")
    assert problems.iloc[0].tolist() == ["events.csv", "JOR-20240128-1", "label", "longer than 32 characters (40)"]
    assert without_sign_in_records(file_bytes(data)) == before


def test_a_save_after_another_curators_save_is_refused_with_their_change_and_mine_can_be_reapplied(data):
    at = edit_cell(signed_in(), 0, "notes", "Mine.")
    other = access.grant_for_password(PASSWORD, access.AccessConfig(password=PASSWORD), who="Bob")
    base = snapshot.load_snapshot(data)
    theirs = base.events.copy()
    theirs.loc[theirs["event_id"] == "JOR-20240128-1", "notes"] = "Theirs."
    saving.save_changes(base, grant=other, access_config=access.AccessConfig(password=PASSWORD), events=theirs)
    saved_by_bob = (data / "events.csv").read_bytes()

    at.button(key="curation_save_edits").click().run()
    assert "another curator saved" in at.error[0].value
    pending, difference = (frame.value for frame in at.dataframe if "after" in frame.value.columns)
    assert pending["after"].tolist() == ["Mine."]
    assert difference[["row", "column", "after"]].values.tolist() == [["JOR-20240128-1", "notes", "Theirs."]]
    assert (data / "events.csv").read_bytes() == saved_by_bob

    at.button(key="curation_rebase").click().run()
    assert "re-applied on top of the latest data" in at.info[0].value
    at.button(key="curation_save_edits").click().run()
    notes = (data / "events.csv").read_text()
    assert "Mine." in notes and "Theirs." in notes


def test_the_add_form_shows_each_problem_under_its_field_and_writes_nothing(data):
    before = file_bytes(data)
    at = signed_in()
    at.button(key="add_save").click().run()
    red = [m.value for m in at.markdown if m.value.startswith(":red[")]
    assert ":red[is empty but required]" in red
    assert len(red) >= 6  # date, place, type, sub-type, actor, summary, source, …
    assert without_sign_in_records(file_bytes(data)) == before


def test_the_add_form_saves_a_valid_event(data):
    at = signed_in()
    at.date_input(key="add_event_date").set_value(dt.date(2025, 3, 20))
    at.selectbox(key="add_location").select("Baghdad")
    at.selectbox(key="add_event_type").select("Diplomacy and talks").run()
    at.selectbox(key="add_sub_event_type").select("Talks or negotiations")
    at.selectbox(key="add_actor1").select("Mohammed Shia al-Sudani")
    at.selectbox(key="add_actor2").select("Kataib Hezbollah")
    at.text_area(key="add_notes").input("Prime Minister al-Sudani met faction leaders in Baghdad.")
    at.text_input(key="add_source").input("Reuters")
    at.text_input(key="add_source_title").input("[Report on disarmament talks]")
    at.date_input(key="add_source_date").set_value(dt.date(2025, 4, 7))
    at.selectbox(key="add_confidence").select("medium")
    at.run()
    at.button(key="add_save").click().run()
    assert not at.exception
    assert "Saved 1 change(s)" in at.success[0].value
    added = snapshot.load_snapshot(data).events.set_index("event_id").loc["IRQ-20250320-1"]
    assert added[["location", "latitude", "admin1", "sub_event_type", "source_date"]].tolist() == [
        "Baghdad",
        "33.34058",
        "Baghdad",
        "Talks or negotiations",
        "2025-04-07",
    ]
    assert at.date_input(key="add_event_date").value is None  # the form starts afresh


def test_pending_table_edits_block_the_other_saves(data):
    at = edit_cell(signed_in(), 0, "notes", "Unsaved.")
    assert at.button(key="add_save").disabled
    assert any("Save or discard the edits" in w.value for w in at.warning)


def test_an_article_becomes_kept_draft_events(data):
    at = signed_in()
    at.text_input(key="intake_publisher").input("Reuters")
    at.date_input(key="intake_published").set_value(dt.date(2024, 2, 8))
    at.text_area(key="intake_text").input(STRIKE_REPORT)
    at.run()
    at.button(key="intake_run").click().run()
    highlighted = at.get("html")[-1].proto.body
    assert "<mark" in highlighted and "Kataib Hezbollah</mark>" in highlighted
    assert "5 draft event(s)" in at.subheader[-1].value
    key = editor_key(at, "intake_editor_")
    at.session_state[key] = {
        "edited_rows": {0: {"accept": True, "confidence": "high", "fatalities": 1}},  # the headline reports a death
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key="intake_save").click().run()
    assert not at.exception
    added = snapshot.load_snapshot(data).events.set_index("event_id").loc["IRQ-20240207-1"]
    assert added[["location", "actor1", "actor2", "source_title", "confidence"]].tolist() == [
        "Baghdad",
        "United States",
        "Kataib Hezbollah",
        "US strike in Baghdad kills Kataib Hezbollah commander",
        "high",
    ]


def test_hostile_article_text_is_escaped_in_the_highlight(data):
    at = signed_in()
    at.date_input(key="intake_published").set_value(dt.date(2024, 2, 8))
    at.text_area(key="intake_text").input(f"Strike in Baghdad {HOSTILE} <script>window.__pwned=1</script>")
    at.run()
    at.button(key="intake_run").click().run()
    body = at.get("html")[-1].proto.body
    assert "<img" not in body and "<script" not in body and "&lt;img src=x" in body


def test_places_offline_are_found_in_the_gazetteer_or_left_to_type_in(data):
    at = signed_in()
    assert "Online geocoding is off" in at.info[-1].value
    at.text_area(key="places_queries").input("Jurf al-Sakhar, Iraq\nAl Qaim").run()
    at.button(key="places_lookup").click().run()
    review = at.data_editor(key=editor_key(at, "places_editor_")).value
    assert review[["place", "status"]].values.tolist() == [["Jurf al-Sakhar", "offline"], ["Al-Qaim", "in gazetteer"]]


def test_a_typed_in_place_is_added_to_the_gazetteer(data):
    at = signed_in()
    at.text_area(key="places_queries").input("Jurf al-Sakhar, Iraq").run()
    at.button(key="places_lookup").click().run()
    key = editor_key(at, "places_editor_")
    at.session_state[key] = {
        "edited_rows": {
            0: {"add": True, "latitude": 32.8667, "longitude": 44.1167, "geo_precision": 1, "admin1": "Babil"}
        },
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key="places_save").click().run()
    assert not at.exception
    place = snapshot.load_snapshot(data).places.set_index("place").loc["Jurf al-Sakhar"]
    assert place[["latitude", "longitude", "geocoder", "country"]].tolist() == [
        "32.86670",
        "44.11670",
        "manual",
        "Iraq",
    ]


def test_an_online_geocoder_failure_is_explained_and_the_row_stays_editable(data, monkeypatch):
    with nominatim_stub() as (domain, _):
        monkeypatch.setenv(places.ONLINE_ENV, "1")
        monkeypatch.setenv(places.USER_AGENT_ENV, "tensions-tests/1.0 test@example.org")
        monkeypatch.setenv(places.DOMAIN_ENV, domain)
        monkeypatch.setenv(places.SCHEME_ENV, "http")
        at = signed_in()
        at.text_area(key="places_queries").input("Jurf al-Sakhar, Iraq\nBusytown, Iraq").run()
        at.button(key="places_lookup").click().run()
    assert "failed for 1 place(s)" in at.error[0].value
    review = at.data_editor(key=editor_key(at, "places_editor_")).value
    assert review["status"].tolist() == ["proposed", "failed"]
    assert review.loc[0, "latitude"] == pytest.approx(32.8125)
    assert "rate limit" in review.loc[1, "message"]


def test_an_interrupted_lookup_says_it_was_cancelled(data):
    at = signed_in()
    at.session_state["curate"] = CurateSession(lookups=PlaceLookups(total=3, running=True))
    at.run()
    assert "cancelled after 0 of 3" in at.warning[0].value


def test_the_history_tab_lists_changes_newest_first(data):
    at = edit_cell(signed_in(), 0, "notes", "First edit.")
    at.button(key="curation_save_edits").click().run()
    history = table_with(at, "changed columns")
    assert history[["who", "action", "key", "changed columns"]].values.tolist() == [
        ["Ann", "edited", "IRQ-20240104-1", "notes"]
    ]


def test_the_page_writes_only_through_the_one_save_function():
    source = Path(PAGE).read_text(encoding="utf-8")
    for writer in ("write_bytes_atomically", "write_csv_atomically", "to_csv", "write_text", "write_bytes", "open("):
        assert writer not in source, writer
    assert source.count("saving.save_changes(") == 1


def test_no_choice_in_the_curation_forms_reads_none(data):
    at = signed_in()
    assert at.selectbox(key="add_theatre").options[0] == "none: the event is in the region"
    shown = [(box.key, option) for box in at.selectbox for option in box.options]
    assert [(key, option) for key, option in shown if option in {"None", "nan", "<NA>"}] == []
