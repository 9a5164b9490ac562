"""Pages with PostgreSQL as the store: a reader's page shows what a curator saved on another app server on
its next rerun, and an unreachable database is an error panel, not a traceback."""

from __future__ import annotations

from tensions.bench.browser import free_port
from tensions.curation import access, saving, snapshot
from tensions.data.guard import local_grant
from tensions.store import curated
from tests.conftest import CURATOR_PASSWORD, curator_grant
from tests.pages.test_pages import open_page


def test_a_reader_sees_another_servers_save_on_the_next_rerun(postgres_url, data_copy, monkeypatch):
    curated.load_folder(postgres_url, data_copy, grant=local_grant())
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(data_copy))
    monkeypatch.setenv("TENSIONS_DATABASE_URL", postgres_url)
    at = open_page("pages/overview.py")
    assert {m.label: m.value for m in at.metric}["Events"] == "6"
    base = snapshot.load_current(data_copy)
    kept = base.events[base.events["event_id"] != "LBN-20241127-1"]
    saving.save_changes(
        base, grant=curator_grant(), access_config=access.AccessConfig(password=CURATOR_PASSWORD), events=kept
    )
    at.run()
    assert {m.label: m.value for m in at.metric}["Events"] == "5"


def test_an_unreachable_database_shows_an_error_panel_not_a_traceback(data_copy, monkeypatch):
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(data_copy))
    monkeypatch.setenv("TENSIONS_DATABASE_URL", f"postgresql://nobody:secret@127.0.0.1:{free_port()}/tensions")
    at = open_page("pages/overview.py")
    assert not at.exception
    assert "cannot be read from the database" in at.error[0].value
    assert "secret" not in at.error[0].value
