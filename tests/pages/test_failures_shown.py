"""What a failure looks like on a page: a message that names files as the app sees them (`data/…`), never a
traceback and never where on the server the files are kept. The data folder here is a copy under pytest's
temporary folder, so its absolute path would give itself away."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tensions.curation import access, places
from tensions.data import atomic
from tensions.data.literal import markdown_literal
from tests.conftest import APP_ROOT, CURATOR_PASSWORD, FIXTURE_DATA, as_curator
from tests.ingest.importers.conftest import EXTERNAL
from tests.pages.tabs import open_tab


@pytest.fixture
def data(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    for table in FIXTURE_DATA.glob("*.csv"):
        (folder / table.name).write_bytes(table.read_bytes())
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(folder))
    monkeypatch.delenv(access.PASSWORD_ENV, raising=False)
    monkeypatch.delenv(places.ONLINE_ENV, raising=False)
    return folder


@pytest.fixture
def unwritable(data, monkeypatch) -> Path:
    """The data folder as the server's user finds it when it may not write there (root ignores chmod, so the
    operating system's refusal is played: every write the package makes goes through `atomic`)."""

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(data / ".events.csv.tmp"))

    monkeypatch.setattr(atomic.tempfile, "mkstemp", refuse)
    monkeypatch.setattr(atomic, "open", refuse, raising=False)
    return data


def curator_page(page: str) -> AppTest:
    return as_curator(AppTest.from_file(str(APP_ROOT / page), default_timeout=120)).run()


def shown_text(at: AppTest) -> str:
    return "\n".join(e.value for kind in ("error", "warning", "code", "caption", "markdown") for e in at.get(kind))


def assert_no_server_path(at: AppTest, folder: Path) -> None:
    assert not at.exception
    assert str(folder.parent) not in shown_text(at)


def test_the_invalid_data_panel_names_the_folder_without_the_servers_path(data):
    path = data / "events.csv"
    path.write_text(path.read_text().replace("2024-01-28,day", "2024-01-32,day"))
    at = AppTest.from_file(str(APP_ROOT / "pages/overview.py"), default_timeout=60).run()
    assert "The data in `data` is invalid" in at.error[0].value
    assert_no_server_path(at, data)


def test_recording_a_judgement_in_an_unwritable_folder_says_so(unwritable):
    at = curator_page("pages/overview.py")
    at.date_input(key="dates").set_value((dt.date(2024, 1, 4), dt.date(2024, 1, 31)))
    open_tab(at, "overview_tab", "Trends and drivers")
    at.selectbox(key="override_country").set_value("Iraq")
    at.segmented_control(key="override_trend").set_value("deteriorated")
    at.text_input(key="override_rationale").input("Militia attacks resumed.")
    at.button[0].click().run()
    shown = markdown_literal("cannot write data/trend_overrides.csv: Permission denied")  # as Markdown shows it
    assert f"Not recorded: {shown}" in at.error[0].value
    assert_no_server_path(at, unwritable)


def test_saving_a_brief_in_an_unwritable_folder_says_so(unwritable):
    at = curator_page("pages/timeline.py")
    at.text_input(key="brief_name").input("Weekly brief")
    at.form_submit_button[0].click().run()
    shown = markdown_literal("cannot write data/briefs/weekly-brief.json: Permission denied")
    assert any(shown in e.value for e in at.error)
    assert_no_server_path(at, unwritable)


def test_importing_into_an_unwritable_folder_says_so(unwritable):
    at = curator_page("pages/data.py")
    name = "ucdp_ged_hdx_iraq.csv"
    at.file_uploader(key="data_upload").set_value((name, (EXTERNAL / name).read_bytes(), "text/csv")).run()
    at.button(key="data_import").click().run()
    assert "could not be imported" in at.error[0].value
    assert "Permission denied" in at.code[0].value
    assert_no_server_path(at, unwritable)


def test_saving_curated_changes_in_an_unwritable_folder_says_so(unwritable):
    at = curator_page("pages/curate.py")
    key = next(e.key for e in at.data_editor if e.key and e.key.startswith("curation_editor_"))
    at.session_state[key] = {"edited_rows": {0: {"notes": "Edited."}}, "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key="curation_save_edits").click().run()
    assert any("Not saved" in e.value and "Permission denied" in e.value for e in at.error)
    assert_no_server_path(at, unwritable)


def test_signing_in_when_attempts_cannot_be_recorded_says_so(unwritable):
    at = AppTest.from_file(str(APP_ROOT / "pages/curate.py"), default_timeout=60)
    at.secrets["curation"] = {"password": CURATOR_PASSWORD}
    at.run()
    at.text_input(key="signin_name").input("Ann")
    at.text_input(key="signin_password").input(CURATOR_PASSWORD)
    at.button(key="signin_submit").click().run()
    assert at.error[0].value.startswith("Not signed in: cannot write data/")  # Markdown-escaped after that
    assert "signin" in at.error[0].value and "Permission denied" in at.error[0].value
    assert not at.tabs
    assert_no_server_path(at, unwritable)


def test_an_uncaught_error_shows_the_browser_no_traceback_and_no_path():
    config = tomllib.loads((APP_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] in {"type", "none"}
