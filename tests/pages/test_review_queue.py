"""The Curate page's review queue: synced events no curated event covers, promoted into valid curated events or
dismissed, and remembered either way."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tensions.curation import access, places
from tensions.curation.review_queue import read_decisions
from tensions.data.guard import local_grant
from tensions.data.validate import validate_folder
from tensions.ingest.sync import SyncSettings, sync_source
from tests.conftest import APP_ROOT
from tests.ingest.sync.stubs import AcledStub, acled_row

PASSWORD = "correct horse battery staple"


@pytest.fixture
def data(data_copy: Path, monkeypatch) -> Path:
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(data_copy))
    monkeypatch.delenv(access.PASSWORD_ENV, raising=False)
    monkeypatch.delenv(places.ONLINE_ENV, raising=False)
    return data_copy


@pytest.fixture
def synced(data: Path) -> Iterator[Path]:
    """Two ACLED events synced from the stub: a strike in Baghdad and a protest far from any curated event."""
    with AcledStub() as stub:
        stub.put(acled_row("IRQ7", "2025-03-10", 1_741_600_000, fatalities=2, notes="A drone struck a depot."))
        stub.put(
            acled_row("IRQ8", "2025-03-11", 1_741_700_000, event_type="Protests", sub_event_type="Peaceful protest")
        )
        settings = SyncSettings(acled_url=stub.url, acled_email=AcledStub.EMAIL, acled_password=AcledStub.PASSWORD)
        sync_source(local_grant(), "acled", data, settings)
    yield data


def signed_in() -> AppTest:
    at = AppTest.from_file(str(APP_ROOT / "pages" / "curate.py"), default_timeout=60)
    at.secrets["curation"] = {"password": PASSWORD}
    at.run()
    at.text_input(key="signin_name").input("Ann")
    at.text_input(key="signin_password").input(PASSWORD)
    return at.button(key="signin_submit").click().run()


def queued(at: AppTest) -> list[str]:
    """The synced ids in the queue (each option reads "<date> <country>: <kind> (<id>)")."""
    if "review_pick" not in [s.key for s in at.selectbox]:
        return []
    return [option.rsplit("(", 1)[1].rstrip(")") for option in at.selectbox(key="review_pick").options]


def test_with_nothing_synced_the_queue_says_so(data):
    at = signed_in()
    assert not at.exception
    assert any("Nothing to review" in i.value for i in at.info)


def test_promoting_a_synced_event_saves_a_valid_curated_event_that_cites_it(synced):
    at = signed_in()
    assert len(queued(at)) == 2
    at.selectbox(key="review_pick").select("acled:IRQ7").run()
    before = (synced / "events.csv").read_bytes()
    at.button(key="review_promote").click().run()
    # ACLED's actor name is not a curated actor: the ordinary validation refuses the draft as it stands.
    assert any("Not saved: the changes break these rules" in e.value for e in at.error)
    assert (synced / "events.csv").read_bytes() == before
    key = next(e.key for e in at.data_editor if e.key and e.key.startswith("review_draft_"))
    at.session_state[key] = {"edited_rows": {0: {"actor1": "US forces"}}, "added_rows": [], "deleted_rows": []}
    at.button(key="review_promote").click().run()
    assert not at.exception
    assert any("Saved 1 change(s)" in s.value for s in at.success), [e.value for e in at.error]
    events = (synced / "events.csv").read_text()
    assert "[ACLED event IRQ7]" in events and "A drone struck a depot." in events
    assert validate_folder(synced) == []
    decisions = read_decisions(synced).set_index("event_id")
    assert decisions.loc["acled:IRQ7", "decision"] == "promoted"
    assert decisions.loc["acled:IRQ7", "curated_event_id"].startswith("IRQ-20250310-")
    assert [o for o in queued(at) if o == "acled:IRQ7"] == []  # covered now, and decided


def test_a_dismissed_event_leaves_the_queue_for_good_and_is_logged(synced):
    at = signed_in()
    at.selectbox(key="review_pick").select("acled:IRQ8").run()
    at.button(key="review_dismiss").click().run()
    assert not at.exception
    assert "acled:IRQ8" not in queued(at)
    again = signed_in()  # a new session reads the decision from disk
    assert "acled:IRQ8" not in queued(again) and "acled:IRQ7" in queued(again)
    entries = [json.loads(line) for line in (synced / "audit.log").read_text().splitlines()]
    assert ("review dismissed", "acled:IRQ8", "Ann") in [(e["action"], e["key"], e["who"]) for e in entries]
