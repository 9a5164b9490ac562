"""Live sync on the pages: the Data page's sync state and "Sync now", and the Overview's "new since the last sync"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tensions.data.guard import local_grant
from tensions.data.literal import markdown_literal
from tensions.ingest.sync import SyncSettings, sync_source
from tensions.store import curated
from tests.conftest import APP_ROOT, as_curator
from tests.ingest.sync.stubs import AcledStub, acled_row

TIMEOUT = 60


@pytest.fixture
def data_dir(data_copy: Path, monkeypatch) -> Path:
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(data_copy))
    for name in SyncSettings.ENVIRONMENT.values():
        monkeypatch.delenv(name, raising=False)
    return data_copy


@pytest.fixture
def acled() -> Iterator[AcledStub]:
    with AcledStub() as stub:
        stub.put(acled_row("IRQ7", "2025-03-10", 1_741_600_000, fatalities=2))
        stub.put(acled_row("SYR7", "2025-03-11", 1_741_700_000, country="Syria", location="Damascus"))
        yield stub


def acled_settings(stub: AcledStub) -> dict:
    return {"acled_url": stub.url, "acled_email": AcledStub.EMAIL, "acled_password": AcledStub.PASSWORD}


def acled_secrets(stub: AcledStub) -> dict:
    return {"url": stub.url, "email": AcledStub.EMAIL, "password": AcledStub.PASSWORD}


def open_page(name: str, *, curator: bool = False, secrets: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(APP_ROOT / "pages" / name), default_timeout=TIMEOUT)
    if curator:
        as_curator(at)
    for section, values in (secrets or {}).items():
        at.secrets[section] = values
    return at.run()


def sync_table(at: AppTest) -> dict[str, dict]:
    frame = next(d.value for d in at.dataframe if "last synced" in d.value.columns)
    return {row["live source"]: row for row in frame.to_dict("records")}


def shown_text(at: AppTest) -> str:
    parts = [
        e.value for kind in ("markdown", "caption", "success", "error", "warning", "info") for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts)


def test_the_data_page_says_each_source_never_synced_and_a_viewer_cannot_sync(data_dir):
    at = open_page("data.py")
    assert not at.exception
    table = sync_table(at)
    assert [table[s]["last synced"] for s in ("ACLED", "UCDP GED", "GDELT")] == ["never"] * 3
    assert "data_sync" not in [b.key for b in at.button]
    assert any("Syncing from ACLED, UCDP or GDELT needs a curator's sign-in" in c.value for c in at.caption)


def test_a_curator_syncs_acled_now_with_credentials_from_the_secrets(data_dir, acled):
    at = open_page("data.py", curator=True, secrets={"acled": acled_secrets(acled)})
    at.selectbox(key="data_sync_source").set_value("acled")
    at.button(key="data_sync").click().run()
    assert not at.exception
    expected = "acled: 2 rows fetched in 2 requests; 2 added, 0 revised, 0 deleted"
    assert at.success[0].value.startswith(markdown_literal(expected))
    row = sync_table(at)["ACLED"]
    assert row["last synced"] != "never" and row["added"] == 2 and row["last run"] == "ok"
    assert AcledStub.PASSWORD not in shown_text(at)
    assert acled.seen("/oauth/token")  # it really went to the stub


def test_a_failed_sync_shows_its_error_and_the_page_keeps_what_was_stored(data_dir, acled):
    at = open_page("data.py", curator=True, secrets={"acled": acled_secrets(acled)})
    at.selectbox(key="data_sync_source").set_value("acled")
    at.button(key="data_sync").click().run()
    at.selectbox(key="data_sync_source").set_value("ucdp")
    at.button(key="data_sync").click().run()  # no UCDP token: it stops with a named error
    assert not at.exception
    assert any(markdown_literal("ucdp: stopped after") in e.value for e in at.error), [e.value for e in at.error]
    table = sync_table(at)
    assert table["ACLED"]["added"] == 2 and table["ACLED"]["last run"] == "ok"
    assert table["UCDP GED"]["last synced"] == "never"
    assert table["UCDP GED"]["last run"].startswith("failed ")
    assert "no UCDP access token" in table["UCDP GED"]["last run"]


def test_the_overview_shows_nothing_of_syncs_before_the_first(data_dir):
    at = open_page("overview.py")
    assert not at.exception
    assert "New since the last sync" not in [h.value for h in at.subheader]


def test_the_overview_lists_what_the_last_sync_brought_how_the_index_moved_and_watch_list_alerts(data_dir, acled):
    sync_source(local_grant(), "acled", data_dir, SyncSettings.from_env({}, **acled_settings(acled)))
    (data_dir / "watchlist.toml").write_text('countries = ["Iraq"]\nactors = ["Kataib Hezbollah"]\n')
    at = open_page("overview.py")
    assert not at.exception
    assert "New since the last sync" in [h.value for h in at.subheader]
    frames = [d.value for d in at.dataframe]
    syncs = next(f for f in frames if "last synced" in f.columns).set_index("live source")
    assert syncs.loc["ACLED", "added"] == 2
    new = next(f for f in frames if "original_id" in f.columns)
    assert sorted(new["original_id"]) == ["IRQ7", "SYR7"]
    moved = next(f for f in frames if "without" in f.columns).set_index("country")
    assert moved.loc["Iraq", "new_events"] == 1 and moved.loc["Iraq", "with"] > moved.loc["Iraq", "without"]
    warnings = [w.value for w in at.warning]
    assert "Watch list: " + markdown_literal("1 new event(s) in Iraq (threshold 1)") in warnings
    assert "Watch list: " + markdown_literal("2 new event(s) name Kataib Hezbollah (threshold 1)") in warnings


def test_with_a_database_sync_now_stores_there_and_the_overview_reads_it_back(
    data_dir, acled, postgres_url, monkeypatch
):
    curated.load_folder(postgres_url, data_dir, grant=local_grant())
    monkeypatch.setenv("TENSIONS_DATABASE_URL", postgres_url)
    at = open_page("data.py", curator=True, secrets={"acled": acled_secrets(acled)})
    at.selectbox(key="data_sync_source").set_value("acled")
    at.button(key="data_sync").click().run()
    assert not at.exception
    assert sync_table(at)["ACLED"]["added"] == 2
    assert any("synced into the database" in c.value for c in at.caption)
    assert not (data_dir / "imported" / "sync" / "acled.json").exists()  # the state is in the database

    at = open_page("overview.py")
    assert not at.exception
    new = next(f for f in (d.value for d in at.dataframe) if "original_id" in f.columns)
    assert sorted(new["original_id"]) == ["IRQ7", "SYR7"]
