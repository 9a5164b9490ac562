"""The hostile-file benchmark at tiny sizes: each file is what it says, and each outcome is reported (never
how fast or how small anything is)."""

from __future__ import annotations

import functools
import zipfile

import pytest

from tensions.bench import hostile
from tensions.ingest import imported


@pytest.mark.parametrize(
    ("build", "outcome"),
    [
        (functools.partial(hostile.zip_bomb, megabytes=4), "this looks like a ZIP bomb"),
        (functools.partial(hostile.zip_bomb_with_header, megabytes=4), "this looks like a ZIP bomb"),
        (functools.partial(hostile.many_entries_zip, entries=40), "the ZIP archive has 40 entries"),
        (hostile.lying_zip, "the ZIP archive is damaged (Bad CRC-32"),
        (functools.partial(hostile.endless_line, megabytes=2), "line 2 is longer than 1,048,576 characters"),
        (functools.partial(hostile.wide_header, columns=2_000), "the header has 2,021 columns"),
        (functools.partial(hostile.garbage_zip, rows=300), "300 rows read, 0 imported, 300 rejected"),
    ],
)
def test_each_hostile_file_is_imported_or_refused_as_described(tmp_path, data_copy, build, outcome):
    path = tmp_path / "hostile.zip"
    build(path)
    message, seconds, peak, baseline = hostile.measure_import(str(path), str(data_copy))
    assert outcome in message
    assert seconds > 0 and peak >= baseline > 0


def test_the_garbage_zip_holds_acleds_header_and_rows_of_garbage(tmp_path):
    hostile.garbage_zip(tmp_path / "g.zip", rows=3)
    [member] = zipfile.ZipFile(tmp_path / "g.zip").namelist()
    lines = zipfile.ZipFile(tmp_path / "g.zip").read(member).decode().splitlines()
    assert lines[0].startswith("event_id_cnty,event_date,time_precision") and len(lines) == 4
    assert lines[3].startswith("G2,??,??")


def test_an_old_import_with_millions_of_reasons_is_read_a_page_at_a_time(data_copy):
    key = hostile.legacy_rejected_import(data_copy, rows=20_000, reasons_per_row=3)
    message, *_ = hostile.measure_rejected_reads(str(data_copy), key)
    assert message.startswith("20,000 rows rejected, 60,000 reasons stored; page 1 shows 100;")
    [record] = imported.list_imports(data_copy)
    assert imported.read_rejected(record)["line"].nunique() == 10_000


def test_the_report_gives_each_file_its_memory_time_and_outcome():
    results = [
        hostile.CaseResult("bomb.zip", "a bomb", 1_048_576, "refused: bomb.zip:0:: …", 0.5, 200 * 2**20, 170 * 2**20)
    ]
    report = hostile.format_results(results)
    assert "bomb.zip (1.0 MiB, a bomb)" in report
    assert "peak 200 MiB (process at start 170), 0.5 s" in report
    assert "refused: bomb.zip:0:: …" in report
