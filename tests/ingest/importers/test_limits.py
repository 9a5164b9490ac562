"""Every limit of an import refuses with the file's name and a reason (the line where it applies), and the
records are read in chunks that change nothing about the result."""

from __future__ import annotations

import dataclasses
import io
import struct
import zipfile

import pandas as pd
import pytest

from tensions.errors import ImportFailed, UnknownFormatError
from tensions.ingest.importers import DEFAULT_LIMITS, ImportLimits, import_file, reading
from tests.conftest import APP_ROOT
from tests.ingest.importers.conftest import fixture_bytes

ACLED = "acled_export.csv"
UCDP = "ucdp_ged_hdx_iraq.csv"


def zipped(*members: tuple[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def limits(**changes) -> ImportLimits:
    return dataclasses.replace(DEFAULT_LIMITS, **changes)


def refusal(data: bytes, name: str, **changes) -> str:
    """The one problem an import of `data` is refused with, as `file:line:column: message`."""
    with pytest.raises(ImportFailed) as failure:
        import_file(data, file_name=name, limits=limits(**changes))
    [problem] = failure.value.problems
    return str(problem)


def acled_rows(count: int) -> bytes:
    """The ACLED fixture's header and first event, repeated `count` times with ids of their own."""
    header, first = fixture_bytes(ACLED).decode("utf-8").split("\n")[:2]
    return "\n".join([header, *(first.replace("IRQ90001", f"IRQ{n}", 1) for n in range(count))]).encode() + b"\n"


# --- the file and the archive ------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(acled_rows(50))
    with pytest.raises(ImportFailed) as failure:
        import_file(path, limits=limits(max_file_bytes=1000))
    assert [str(p) for p in failure.value.problems] == [
        f"big.csv:0:: the file is {len(path.read_bytes()):,} bytes; at most 1,000 bytes can be imported"
    ]


def test_the_upload_limit_is_streamlits_too():
    config = (APP_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert f"maxUploadSize = {DEFAULT_LIMITS.max_file_bytes // (1024 * 1024)}\n" in config


def test_a_zip_bomb_is_refused_from_its_directory_before_anything_is_unpacked():
    bomb = zipped(("acled.csv", acled_rows(1) + b"A" * 5_000_000))
    assert refusal(bomb, "bomb.zip").startswith("bomb.zip:0:: the ZIP archive's 'acled.csv' expands ")
    assert refusal(bomb, "bomb.zip").endswith("a table of events expands at most 100 times: this looks like a ZIP bomb")


def test_an_archive_that_unpacks_over_the_limit_is_refused():
    archive = zipped(("acled.csv", acled_rows(400)))
    message = refusal(archive, "big.zip", max_unpacked_bytes=10_000, max_ratio=10_000)
    assert message.startswith("big.zip:0:: the ZIP archive's 'acled.csv' unpacks to ")
    assert message.endswith("; at most 10,000 bytes can be imported")


def test_an_archive_of_many_entries_is_refused_without_reading_them():
    archive = zipped(*((f"part{n}.csv", b"") for n in range(40)))
    assert refusal(archive, "parts.zip") == "parts.zip:0:: the ZIP archive has 40 entries; it must hold one file"


def test_an_archive_of_two_files_is_refused():
    archive = zipped(("a.csv", acled_rows(1)), ("b.csv", acled_rows(1)))
    with pytest.raises(UnknownFormatError, match="a ZIP archive must hold exactly one file; it holds 2"):
        import_file(archive, file_name="two.zip")


def test_a_member_larger_than_it_says_fails_its_check_and_nothing_is_imported():
    archive = bytearray(zipped(("acled.csv", acled_rows(2000))))
    central = archive.rfind(b"PK\x01\x02")
    struct.pack_into("<L", archive, central + 24, 5000)  # the size the directory declares
    struct.pack_into("<L", archive, 22, 5000)
    assert refusal(bytes(archive), "lying.zip").startswith("lying.zip:0:: the ZIP archive is damaged (Bad CRC-32")


def test_a_member_compressed_other_than_with_deflate_is_refused():
    archive = zipped(("acled.csv", acled_rows(3)), compression=zipfile.ZIP_BZIP2)
    assert refusal(archive, "b.zip") == (
        "b.zip:0:: the ZIP archive's 'acled.csv' is compressed with method 12; only Deflate or stored are read"
    )


def test_damaged_bytes_that_start_like_a_zip_are_refused():
    assert refusal(b"PK\x03\x04" + b"\0" * 100, "fake.zip") == (
        "fake.zip:0:: not a readable ZIP archive (no end of its directory)"
    )


# --- lines, columns, rows, time ------------------------------------------------------------------------


def test_a_line_longer_than_the_limit_is_refused_naming_it():
    data = acled_rows(3) + b"x" * 5000 + b"\n" + acled_rows(1)
    assert refusal(data, "long.csv", max_line_chars=4000) == (
        "long.csv:5:: line 5 is longer than 4,000 characters: not a table of events (or its quotes do not match)"
    )


def test_a_line_with_no_end_is_refused_while_it_is_read(monkeypatch):
    monkeypatch.setattr(reading, "CHUNK_BYTES", 1000)
    data = acled_rows(2) + b"y" * 100_000
    assert refusal(data, "endless.csv", max_line_chars=4000).startswith("endless.csv:4:: line 4 is longer than")


def test_a_header_with_too_many_columns_is_refused():
    header = fixture_bytes(ACLED).split(b"\n")[0].rstrip(b"\r") + b"".join(b",c%d" % n for n in range(30))
    assert refusal(header + b"\n", "wide.csv", max_columns=50) == (
        "wide.csv:1:: the header has 61 columns: not a table of events"
    )


def test_a_file_over_the_row_limit_is_refused_at_the_first_row_too_many():
    assert refusal(acled_rows(12), "rows.csv", max_rows=10) == (
        "rows.csv:12:: the file has more than 10 rows; import it in parts (nothing was imported)"
    )


def test_an_import_that_takes_too_long_stops_after_its_chunk(monkeypatch):
    monkeypatch.setattr(reading, "CHUNK_ROWS", 4)
    assert refusal(acled_rows(10), "slow.csv", max_seconds=0) == (
        "slow.csv:5:: reading took over 0 s; import it in parts (nothing was imported)"
    )


# --- rejected rows -------------------------------------------------------------------------------------


def test_only_the_first_rejected_rows_are_kept_and_all_are_counted():
    data = acled_rows(8).replace(b",2024-02-07,", b",7 Feb,")
    result = import_file(data, file_name="bad.csv", limits=limits(max_rejected_rows=3))
    assert (result.rows_read, result.rows_imported, result.rows_rejected) == (8, 0, 8)
    assert result.rows_rejected_listed == 3
    assert list(result.rejected["line"]) == [2, 3, 4]
    assert (
        result.rejected["reason"].iloc[0]
        == "'7 Feb' is not a date (YYYY-MM-DD or DD Month YYYY or DD-Month-YYYY or DD Mon YYYY)"
    )


def test_a_long_rejected_value_is_cut_where_it_is_shown():
    data = acled_rows(1).replace(b",2024-02-07,", b"," + b"9" * 1000 + b",")
    [reason] = import_file(data, file_name="bad.csv").rejected["reason"]
    assert len(reason) < 300 and "…'" in reason


def test_rows_replaced_by_a_later_revision_are_listed_first_when_they_come_first(monkeypatch):
    """Revisions are found once every chunk is read: their rows still take their place in line order."""
    monkeypatch.setattr(reading, "CHUNK_ROWS", 2)
    lines = acled_rows(6).decode().split("\n")
    lines[2] = lines[2].replace("IRQ1,", "IRQ0,", 1)  # line 3 repeats the id of line 2
    lines[6] = lines[6].replace(",2024-02-07,", ",someday,")  # line 7 cannot be read
    result = import_file("\n".join(lines).encode(), file_name="rev.csv", limits=limits(max_rejected_rows=1))
    assert result.rows_rejected == 2
    assert [str(p) for p in result.problems()] == [
        "rev.csv:3:event_id_cnty: id 'IRQ0' repeats the row on line 2, the newest revision by timestamp, which is kept"
    ]


@pytest.mark.parametrize("name", [ACLED, UCDP, "gdelt_v2_raw.export.CSV", "ucdp_ged_release_reordered.csv"])
def test_reading_in_chunks_of_any_size_gives_the_same_import(monkeypatch, actors, name):
    whole = import_file(fixture_bytes(name), file_name=name, actors=actors)
    monkeypatch.setattr(reading, "CHUNK_ROWS", 2)
    monkeypatch.setattr(reading, "CHUNK_BYTES", 7)
    chunked = import_file(fixture_bytes(name), file_name=name, actors=actors)
    pd.testing.assert_frame_equal(
        chunked.events.sort_values("event_id", ignore_index=True),
        whole.events.sort_values("event_id", ignore_index=True),
        check_categorical=False,  # the categories of text columns come in the order they were met
    )
    pd.testing.assert_frame_equal(chunked.rejected, whole.rejected)
    assert (chunked.rows_read, chunked.rows_rejected, chunked.notes) == (
        whole.rows_read,
        whole.rows_rejected,
        whole.notes,
    )
