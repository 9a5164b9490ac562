"""Viewers cannot change anything: every page, driven widget by widget by a session that is not signed in
(every button clicked, every field typed into, every list, toggle and slider set, every form submitted, a
file offered to every uploader), leaves every file of the data folder as it was, git-ignored ones included.
The folder holds an import, a saved brief and an analyst's judgement, so removing, overwriting and
withdrawing each have something to act on."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import ui
from tensions.analysis import briefs, overrides
from tensions.analysis.filters import FilterState
from tensions.curation import access, places
from tensions.curation.history import AUDIT_LOG
from tensions.curation.throttle import SIGNIN_FOLDER
from tensions.data.guard import Grant
from tensions.data.load import load_dataset
from tensions.ingest import imported
from tests.conftest import APP_ROOT, CURATOR_PASSWORD, curator_grant
from tests.ingest.importers.conftest import EXTERNAL
from tests.pages.tabs import open_tab, page_tabs

PAGES = ["app.py", *(f"pages/{p.name}" for p in sorted((APP_ROOT / "pages").glob("*.py")))]
HOSTILE = '**Mallory** <img src="http://198.51.100.1/x.png"> =HYPERLINK("http://198.51.100.1")'
UPLOAD = ("ucdp_ged_hdx_iraq.csv", (EXTERNAL / "ucdp_ged_hdx_iraq.csv").read_bytes(), "text/csv")


def everything_in(folder: Path) -> dict[str, str]:
    """Every file and folder under `folder`, hidden and git-ignored ones too, with a digest of each file."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
        for p in sorted(folder.rglob("*"))
    }


@pytest.fixture
def data(data_copy, monkeypatch) -> Path:
    """The fixture data with something of each kind a viewer might try to change, put there by a curator."""
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(data_copy))
    monkeypatch.delenv(access.PASSWORD_ENV, raising=False)
    monkeypatch.delenv(places.ONLINE_ENV, raising=False)
    grant = curator_grant()
    imported.import_and_save(EXTERNAL / "ucdp_ged_hdx_iraq.csv", "ucdp", data_copy, grant=grant)
    events = load_dataset(data_copy).events
    brief = briefs.brief_from_view("Weekly brief", events, FilterState())
    briefs.save_brief(brief, briefs.briefs_dir(data_copy), grant=grant)
    month = f"{events['event_date'].max():%Y-%m}"
    judgement = overrides.TrendOverride("Iraq", month, "deteriorated", "Because.", "Ann", dt.date(2025, 4, 8))
    overrides.save_override(data_copy, judgement, grant=grant)
    return data_copy


def enabled(widgets) -> list:
    """The widgets a browser user could use (a disabled one cannot be set or clicked)."""
    return [w for w in widgets if not getattr(w.proto, "disabled", False)]


def drive_every_widget(page: str, *, secrets: dict | None = None, session: dict | None = None) -> None:
    """Open `page` and drive every widget on it (`drive_widgets`); a page with tabs is opened afresh for each tab
    (only the open tab runs), so the sidebar set while driving one tab does not empty the next."""
    first = open_page(page, secrets=secrets, session=session)
    tabs = page_tabs(first)
    if not tabs:
        drive_widgets(first)
    for key, labels in tabs.items():
        for label in labels:
            drive_widgets(open_tab(open_page(page, secrets=secrets, session=session), key, label))


def drive_widgets(at: AppTest, rounds: int = 2) -> AppTest:
    """Set every widget shown, then press every button, form submit and download, each in its own run."""
    for _ in range(rounds):
        for widget in enabled([*at.text_input, *at.text_area]):
            widget.input(HOSTILE)
        for widget in enabled([*at.selectbox, *at.radio]):
            if widget.options:
                widget.set_value(widget.options[-1])
        for widget in enabled(at.multiselect):
            if widget.options:
                widget.select(widget.options[0])
        for widget in enabled([*at.segmented_control, *at.pills]):
            chosen = [label for label in widget.options if _shows_as_itself(widget, label)]
            if chosen:
                widget.set_value(chosen[0] if widget._is_single_select else chosen[:1])
        for widget in enabled([*at.toggle, *at.checkbox]):
            widget.set_value(not widget.value)
        for widget in enabled([*at.number_input, *at.slider, *at.select_slider, *at.date_input]):
            widget.set_value(widget.value)
        for widget in enabled(at.file_uploader):
            widget.set_value(UPLOAD)
        at.run()
        assert not at.exception, at.exception
        for kind in ("button", "form_submit_button", "download_button"):
            for index in range(len(at.get(kind))):
                if index < len(at.get(kind)) and enabled([at.get(kind)[index]]):  # a click may redraw the page
                    at.get(kind)[index].click()
                    at.run()
                    assert not at.exception, at.exception
    return at


def _shows_as_itself(widget, label: str) -> bool:
    """Whether a segmented control's option is its own value (those with labels for codes are left as set)."""
    try:
        return widget.format_func(label) == label
    except (KeyError, TypeError, ValueError):
        return False


def open_page(page: str, *, secrets: dict | None = None, session: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(APP_ROOT / page), default_timeout=120)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    for key, value in (session or {}).items():
        at.session_state[key] = value
    return at.run()


def test_the_tabs_to_drive_are_found_on_each_page_with_tabs(data):
    assert page_tabs(open_page("pages/overview.py")) == {
        "overview_tab": ["Tension index", "Trends and drivers", "Activity", "Latest events"]
    }
    assert page_tabs(open_page("pages/actors.py")) == {
        "actors_tab": ["Who belongs to whom", "Profile", "Who acts on whom"]
    }


@pytest.mark.parametrize("page", PAGES)
def test_with_curation_off_no_widget_on_any_page_changes_any_file(page, data):
    before = everything_in(data)
    drive_every_widget(page)
    assert everything_in(data) == before


def assert_unchanged_but_failed_sign_ins(folder: Path, before: dict[str, str], page: str) -> None:
    """Nothing changed but, on the Curate page (the one sign-in form), the record of the wrong password typed."""
    after = everything_in(folder)
    records = {name for name in after if name == AUDIT_LOG or name.split("/")[0] == SIGNIN_FOLDER}
    assert {k: v for k, v in after.items() if k not in records} == before
    if page == "pages/curate.py":
        logged = (folder / AUDIT_LOG).read_text().splitlines()
        assert logged and all('"action": "sign-in failed"' in line for line in logged)
    else:
        assert records == set()


@pytest.mark.parametrize("page", PAGES)
def test_a_grant_written_into_the_session_by_hand_changes_no_file(page, data):
    forged = Grant("Mallory", "password", "2025-01-01T00:00:00+00:00", "0" * 64)
    before = everything_in(data)
    drive_every_widget(page, secrets={"curation": {"password": CURATOR_PASSWORD}}, session={ui.GRANT_KEY: forged})
    assert_unchanged_but_failed_sign_ins(data, before, page)


@pytest.mark.parametrize("page", PAGES)
def test_with_a_password_set_a_viewer_leaves_only_the_record_of_failed_sign_ins(page, data):
    before = everything_in(data)
    drive_every_widget(page, secrets={"curation": {"password": CURATOR_PASSWORD}})
    assert_unchanged_but_failed_sign_ins(data, before, page)
