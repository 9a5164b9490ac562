"""Syncing GDELT 2.0's 15-minute event exports from a stub: listings, region filter, de-duplication, faults."""

from __future__ import annotations

import pytest

from tensions.errors import PayloadError
from tensions.ingest.sync import last_syncs, sync_source
from tensions.ingest.sync.gdelt import parse_listing_line
from tensions.ingest.sync.store import read_synced
from tests.ingest.sync.conftest import stub_settings
from tests.ingest.sync.stubs import gdelt_row


@pytest.fixture
def published(gdelt):
    gdelt.publish("20250314120000", [gdelt_row(101, "20250314"), gdelt_row(102, "20250314", country="US")])
    gdelt.publish("20250314121500", [gdelt_row(103, "20250314", country="SY", template=1)])
    gdelt.publish(
        "20250314123000", [gdelt_row(104, "20250314", country="YM"), gdelt_row(103, "20250314", country="SY")]
    )
    return gdelt


def stored(data_dir):
    events, _ = read_synced(data_dir, "gdelt")
    return events.set_index("event_id")


def test_listing_lines_name_export_files_only():
    line = "150383 297a16b493de7cf6ca809a7cc31d0b93 http://data.gdeltproject.org/gdeltv2/20150218230000.export.CSV.zip"
    export = parse_listing_line(line)
    assert (export.stamp, export.size, export.md5, export.name) == (
        "20150218230000",
        150383,
        "297a16b493de7cf6ca809a7cc31d0b93",
        "20150218230000.export.CSV.zip",
    )
    assert parse_listing_line(line.replace("export.CSV", "mentions.CSV")) is None
    assert parse_listing_line("") is None


def test_a_first_sync_takes_the_newest_files_keeps_the_region_and_one_row_per_event(grant, published, data_dir, waits):
    report = sync_source(grant, "gdelt", data_dir, stub_settings(waits, gdelt=published, gdelt_first_files=2))

    assert [r.path for r in published.requests] == [
        "/lastupdate.txt",
        "/masterfilelist.txt",
        "/20250314121500.export.CSV.zip",
        "/20250314123000.export.CSV.zip",
    ]
    events = stored(data_dir)
    assert sorted(events.index) == ["gdelt:103", "gdelt:104"]
    assert events.loc["gdelt:104", ["country", "theatre", "confidence"]].tolist() == [
        "Yemen",
        "Yemen and Red Sea",
        "low",
    ]
    assert events.loc["gdelt:103", "tags"].startswith("cameo:190")  # the later file's row
    assert report.rows_fetched == 3 and report.added == 2
    assert last_syncs(data_dir)["gdelt"].cursor == {"last_file": "20250314123000"}


def test_rows_outside_the_region_are_skipped_before_import(grant, published, data_dir, waits):
    report = sync_source(grant, "gdelt", data_dir, stub_settings(waits, gdelt=published, gdelt_first_files=3))

    assert "gdelt:102" not in stored(data_dir).index  # an event in the United States
    assert report.rejected == 0
    assert "1 rows outside the region skipped" in report.notes[0]


def test_the_next_file_alone_is_fetched_from_lastupdate(grant, published, data_dir, waits):
    settings = stub_settings(waits, gdelt=published, gdelt_first_files=1)
    sync_source(grant, "gdelt", data_dir, settings)
    published.publish("20250314124500", [gdelt_row(105, "20250314", country="LE")])
    published.requests.clear()

    report = sync_source(grant, "gdelt", data_dir, settings)

    assert [r.path for r in published.requests] == ["/lastupdate.txt", "/20250314124500.export.CSV.zip"]
    assert report.added == 1


def test_nothing_new_costs_one_request(grant, published, data_dir, waits):
    settings = stub_settings(waits, gdelt=published, gdelt_first_files=1)
    sync_source(grant, "gdelt", data_dir, settings)
    published.requests.clear()

    report = sync_source(grant, "gdelt", data_dir, settings)

    assert [r.path for r in published.requests] == ["/lastupdate.txt"]
    assert report.rows_fetched == 0 and report.stored == 2


def test_missed_files_are_found_in_the_master_list_and_fetched_oldest_first(grant, published, data_dir, waits):
    settings = stub_settings(waits, gdelt=published, gdelt_first_files=1, gdelt_max_files=2)
    sync_source(grant, "gdelt", data_dir, settings)
    for minute, event_id in (("4500", 105), ("0000", 106), ("1500", 107)):
        hour = "12" if minute == "4500" else "13"
        published.publish(f"20250314{hour}{minute[:2]}00", [gdelt_row(event_id, "20250314", country="IZ")])
    published.requests.clear()

    report = sync_source(grant, "gdelt", data_dir, settings)

    assert [r.path for r in published.requests] == [
        "/lastupdate.txt",
        "/masterfilelist.txt",
        "/20250314124500.export.CSV.zip",
        "/20250314130000.export.CSV.zip",
    ]
    assert report.added == 2 and "the next sync carries on" in report.notes[-1]
    sync_source(grant, "gdelt", data_dir, settings)
    assert "gdelt:107" in stored(data_dir).index


def test_a_file_that_does_not_match_its_checksum_is_refused_and_nothing_changes(grant, published, data_dir, waits):
    settings = stub_settings(waits, gdelt=published, gdelt_first_files=1)
    sync_source(grant, "gdelt", data_dir, settings)
    before = stored(data_dir)
    name = published.publish("20250314124500", [gdelt_row(105, "20250314", country="LE")])
    published.listed_md5[name] = "0" * 32

    with pytest.raises(PayloadError, match="MD5"):
        sync_source(grant, "gdelt", data_dir, settings)

    assert stored(data_dir).equals(before)
    assert last_syncs(data_dir)["gdelt"].cursor == {"last_file": "20250314123000"}


def test_an_export_with_another_number_of_columns_is_refused(grant, gdelt, data_dir, waits):
    gdelt.publish("20250314120000", ["\t".join(gdelt_row(101, "20250314").split("\t")[:60])])

    with pytest.raises(PayloadError, match="60 tab-separated columns"):
        sync_source(grant, "gdelt", data_dir, stub_settings(waits, gdelt=gdelt, gdelt_first_files=1))
    assert read_synced(data_dir, "gdelt")[0] is None
