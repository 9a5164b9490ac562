"""What a sync brought: the index's movement with and without the new events, the watch list and its alerts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from tensions.analysis.digest import (
    WatchList,
    build_digest,
    digest_of_last_syncs,
    index_movement,
    read_watchlist,
    watch_alerts,
)
from tensions.data.guard import local_grant
from tensions.data.load import load_dataset
from tensions.errors import InvalidDataError
from tensions.ingest.sync import events_changed_since, sync_source
from tests.ingest.sync.conftest import stub_settings
from tests.ingest.sync.stubs import AcledStub, acled_row


@pytest.fixture
def acled() -> Iterator[AcledStub]:
    with AcledStub() as stub:
        yield stub


@pytest.fixture
def data_dir(data_copy: Path) -> Path:
    return data_copy


@pytest.fixture
def synced(acled, data_dir):
    """Two ACLED strikes in Iraq and one in Syria, synced into the test's data folder."""
    acled.put(acled_row("IRQ1", "2025-03-10", 1_741_600_000, fatalities=3))
    acled.put(acled_row("IRQ2", "2025-03-11", 1_741_700_000))
    acled.put(acled_row("SYR1", "2025-03-12", 1_741_800_000, country="Syria", location="Damascus"))
    report = sync_source(local_grant(), "acled", data_dir, stub_settings([], acled=acled))
    return report


def test_index_movement_counts_new_events_per_country_and_scores_the_window_with_and_without_them(synced, data_dir):
    digest = digest_of_last_syncs(data_dir, [synced])
    movement = digest.movement.set_index("country")
    assert digest.new_events == 3
    assert movement.loc["Iraq", "new_events"] == 2 and movement.loc["Syria", "new_events"] == 1
    assert movement.loc["Iraq", "with"] > movement.loc["Iraq", "without"]  # air strikes are escalatory
    assert movement.loc["Iraq", "change"] == movement.loc["Iraq", "with"] - movement.loc["Iraq", "without"]


def test_events_outside_the_4_week_window_do_not_move_the_index(synced, data_dir):
    dataset = load_dataset(data_dir)
    new = events_changed_since(data_dir)
    movement = index_movement(dataset.events, new, dataset.actors, as_of=dt.date(2025, 6, 1))
    assert set(movement["change"]) == {0.0}


def test_no_new_events_means_no_movement_and_no_alerts():
    movement = index_movement(pd.DataFrame(), None, pd.DataFrame(), as_of=dt.date(2025, 1, 1))
    assert movement.empty
    assert watch_alerts(WatchList(countries=("Iraq",)), None, movement) == []


def test_a_watched_country_or_actor_crossing_a_threshold_raises_an_alert(synced, data_dir):
    digest = digest_of_last_syncs(data_dir, [synced])
    new = pd.DataFrame(
        {"country": ["Iraq", "Iraq", "Syria"], "actor1": ["Kataib Hezbollah", "x", "y"], "actor2": [None, None, None]}
    )
    watch = WatchList(countries=("Iraq", "Syria"), actors=("Kataib Hezbollah",), new_events=2, index_change=0.1)
    alerts = watch_alerts(watch, new, digest.movement)
    assert "2 new event(s) in Iraq (threshold 2)" in alerts
    assert not any("new event(s) in Syria" in a for a in alerts)  # one event, under the threshold of 2
    assert any(a.startswith("the 4-week index of Iraq moved +") for a in alerts)
    assert not any("name Kataib Hezbollah" in a for a in alerts)  # named once only


def test_the_watch_list_is_read_from_the_data_folder_and_wrong_values_are_named(data_dir):
    assert read_watchlist(data_dir) is None
    (data_dir / "watchlist.toml").write_text('countries = ["Iraq"]\nactors = ["Hamas"]\nnew_events = 3\n')
    assert read_watchlist(data_dir) == WatchList(("Iraq",), ("Hamas",), 3, 5.0)
    (data_dir / "watchlist.toml").write_text('countries = "Iraq"\nindex_change = -1\n')
    with pytest.raises(InvalidDataError) as error:
        read_watchlist(data_dir)
    assert [str(p) for p in error.value.problems] == [
        "watchlist.toml: countries must be a list of names",
        "watchlist.toml: index_change must be a positive number",
    ]


def test_the_digest_reads_as_json_and_as_text(synced, data_dir):
    (data_dir / "watchlist.toml").write_text('countries = ["Iraq"]\n')
    digest = digest_of_last_syncs(data_dir, [synced])
    payload = digest.to_json()
    assert payload["alerts"][0] == "2 new event(s) in Iraq (threshold 1)"
    assert payload["alerts"][1].startswith("the 4-week index of Iraq moved +")
    assert payload["new_events"] == 3
    assert payload["runs"][0].startswith("acled: 3 rows fetched")
    assert {row["country"] for row in payload["index_movement"]} == {"Iraq", "Syria"}
    assert "- 2 new event(s) in Iraq (threshold 1)" in digest.to_text()
    assert build_digest([], pd.DataFrame(), None, pd.DataFrame(), None, as_of=dt.date(2025, 1, 1)).alerts == []
