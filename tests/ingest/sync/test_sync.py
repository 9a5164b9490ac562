"""`python -m tensions sync`, the sync of all sources, and what the pages read back: last syncs and changes."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest

from tensions.cli import main
from tensions.errors import NotAuthorised
from tensions.ingest.imported import list_imports, load_imported, remove_import
from tensions.ingest.sync import (
    SyncSettings,
    changed_since,
    events_changed_since,
    last_syncs,
    parse_interval,
    run_every,
    sync_source,
    sync_sources,
)
from tests.conftest import APP_ROOT
from tests.ingest.sync.conftest import stub_settings
from tests.ingest.sync.stubs import AcledStub, UcdpStub, acled_row, gdelt_row, ucdp_row


@pytest.fixture
def live(acled, ucdp, gdelt, monkeypatch):
    """All three stubs with some data, and the environment pointing the command line at them."""
    acled.put(acled_row("IRQ1", "2024-02-07", 1_707_955_200, fatalities=3))
    acled.put(acled_row("SYR2", "2024-03-15", 1_711_000_000, country="Syria", location="Damascus"))
    yy = dt.date.today().year % 100  # the command line syncs UCDP as of today
    ucdp.versions[f"{yy}.1"] = [ucdp_row(1, f"20{yy - 1}-06-01")]
    ucdp.versions[f"{yy}.0.1"] = [ucdp_row(2, f"20{yy}-01-10")]
    gdelt.publish("20250314120000", [gdelt_row(101, "20250314")])
    gdelt.publish("20250314121500", [gdelt_row(102, "20250314", country="LE")])
    environment = {
        "TENSIONS_ACLED_URL": acled.url,
        "TENSIONS_ACLED_EMAIL": AcledStub.EMAIL,
        "TENSIONS_ACLED_PASSWORD": AcledStub.PASSWORD,
        "TENSIONS_UCDP_URL": f"{ucdp.url}/api",
        "TENSIONS_UCDP_TOKEN": UcdpStub.TOKEN,
        "TENSIONS_GDELT_URL": gdelt.url,
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return acled, ucdp, gdelt


def test_sync_all_fills_every_dataset_and_a_second_run_fetches_only_what_changed(live, data_dir, capsys):
    acled, _, gdelt = live

    assert main(["--data-dir", str(data_dir), "sync", "all"]) == 0

    out = capsys.readouterr().out
    assert "acled: 2 rows fetched in 2 requests; 2 added, 0 revised, 0 deleted, 0 rejected" in out
    assert "ucdp: 2 rows fetched" in out and "gdelt: 2 rows fetched" in out
    events = load_imported(data_dir, ["acled", "ucdp", "gdelt"])
    assert sorted(events["event_id"]) == ["acled:IRQ1", "acled:SYR2", "gdelt:101", "gdelt:102", "ucdp:1", "ucdp:2"]
    assert {r.key for r in list_imports(data_dir)} == {"acled--live-sync", "ucdp--live-sync", "gdelt--live-sync"}

    for stub in live:
        stub.requests.clear()
    acled.put(acled_row("SYR2", "2024-03-15", 1_711_000_100, country="Syria", location="Damascus", fatalities=2))
    assert main(["--data-dir", str(data_dir), "sync", "all"]) == 0

    out = capsys.readouterr().out
    assert "acled: 1 rows fetched in 2 requests; 0 added, 1 revised, 0 deleted" in out
    assert "ucdp: 0 rows fetched" in out and "gdelt: 0 rows fetched in 1 requests" in out
    assert [r.query.get("timestamp") for r in acled.seen("/api/acled/read")] == ["1711000000"]
    assert [r.path for r in gdelt.requests] == ["/lastupdate.txt"]


def test_one_source_failing_does_not_stop_the_others_and_the_command_says_so(live, data_dir, capsys, monkeypatch):
    monkeypatch.setenv("TENSIONS_ACLED_PASSWORD", "wrong")

    assert main(["--data-dir", str(data_dir), "sync", "all"]) == 2

    out = capsys.readouterr().out
    assert "acled: stopped after" in out and "(AuthenticationFailed)" in out and "is unchanged" in out
    assert "ucdp: 2 rows fetched" in out and "gdelt: 2 rows fetched" in out


def test_sync_sources_reports_a_failed_source_with_its_error(grant, acled, gdelt, data_dir, waits):
    gdelt.publish("20250314120000", [gdelt_row(101, "20250314")])
    acled.fail("/oauth/token", "cut", times=5)
    settings = stub_settings(waits, acled=acled, gdelt=gdelt)

    reports = sync_sources(grant, ["acled", "gdelt"], data_dir, settings)

    assert [(r.source, r.ok, r.error_type) for r in reports] == [
        ("acled", False, "ConnectionLost"),
        ("gdelt", True, None),
    ]


def test_syncing_without_a_grant_is_refused_before_any_request(acled, data_dir, waits):
    with pytest.raises(NotAuthorised):
        sync_source(None, "acled", data_dir, stub_settings(waits, acled=acled))
    assert acled.requests == []
    assert not (data_dir / "imported").exists()


def test_last_syncs_and_the_changes_a_sync_brought(grant, acled, data_dir, waits):
    settings = stub_settings(waits, acled=acled)
    acled.put(acled_row("IRQ1", "2024-02-07", 1_707_955_200, fatalities=3))
    acled.put(acled_row("IRQ2", "2024-02-08", 1_707_955_300))
    before = dt.datetime.now(dt.UTC)
    sync_source(grant, "acled", data_dir, settings)
    acled.put(acled_row("IRQ1", "2024-02-07", 1_707_955_400, fatalities=4))
    acled.put(acled_row("IRQ3", "2024-02-09", 1_707_955_500))
    acled.delete("IRQ2", 1_707_955_600)
    sync_source(grant, "acled", data_dir, settings)

    state = last_syncs(data_dir)
    assert list(state) == ["acled", "ucdp", "gdelt"] and state["ucdp"].runs == []
    last = state["acled"].last_run
    assert (last.added, last.revised, last.deleted, len(state["acled"].runs)) == (1, 1, 1, 2)
    latest = changed_since(data_dir)
    assert sorted(zip(latest["event_id"], latest["change"], strict=True)) == [
        ("acled:IRQ1", "revised"),
        ("acled:IRQ2", "deleted"),
        ("acled:IRQ3", "added"),
    ]
    assert len(changed_since(data_dir, before)) == 5
    events = events_changed_since(data_dir).set_index("event_id")
    assert events.loc["acled:IRQ1", ["change", "fatalities"]].tolist() == ["revised", 4]
    assert sorted(events.index) == ["acled:IRQ1", "acled:IRQ3"]


def test_after_the_synced_dataset_is_removed_the_next_sync_fetches_everything_again(grant, acled, data_dir, waits):
    settings = stub_settings(waits, acled=acled)
    acled.put(acled_row("IRQ1", "2024-02-07", 1_707_955_200))
    sync_source(grant, "acled", data_dir, settings)
    remove_import(data_dir, "acled--live-sync", grant=grant)
    acled.requests.clear()

    report = sync_source(grant, "acled", data_dir, settings)

    assert "timestamp" not in acled.seen("/api/acled/read")[0].query
    assert (report.added, report.stored) == (1, 1)


def test_nothing_changed_before_any_sync(data_dir):
    assert changed_since(data_dir).empty
    assert events_changed_since(data_dir) is None


def test_synced_rows_and_the_token_stay_in_the_git_ignored_data_folder():
    for path in ("data/imported/acled--live-sync.parquet", "data/imported/sync/acled-token.json"):
        ignored = subprocess.run(["git", "check-ignore", "-q", path], cwd=APP_ROOT, check=False)
        assert ignored.returncode == 0, f"{path} is not git-ignored"


@pytest.mark.parametrize(("text", "seconds"), [("15m", 900), ("90s", 90), ("2h", 7200), ("1d", 86400), ("30", 1800)])
def test_intervals_are_read_with_their_unit(text, seconds):
    assert parse_interval(text) == seconds


@pytest.mark.parametrize("text", ["", "0m", "fifteen minutes", "-5m"])
def test_a_meaningless_interval_is_refused(text):
    with pytest.raises(ValueError, match="not an interval"):
        parse_interval(text)


def test_run_every_waits_out_the_rest_of_each_interval():
    clock = iter([0.0, 40.0, 900.0, 1900.0, 1800.0, 1810.0])
    waits, runs = [], []

    run_every(900, lambda: runs.append(1), times=3, sleep=waits.append, clock=lambda: next(clock))

    assert len(runs) == 3
    assert waits == [860.0, 0.0]  # the second run overran its interval: the third starts at once


def test_settings_come_from_the_environment():
    settings = SyncSettings.from_env(
        {"TENSIONS_ACLED_URL": "http://127.0.0.1:1", "TENSIONS_UCDP_TOKEN": " t ", "TENSIONS_ACLED_EMAIL": ""},
        since=dt.date(2024, 1, 1),
    )

    assert (settings.acled_url, settings.ucdp_token, settings.acled_email) == ("http://127.0.0.1:1", "t", "")
    assert settings.gdelt_url == "http://data.gdeltproject.org/gdeltv2" and settings.since == dt.date(2024, 1, 1)
    assert "ucdp_token" not in repr(settings) and "acled_password" not in repr(settings)
