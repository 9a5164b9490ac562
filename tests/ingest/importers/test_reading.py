"""Reading a file's text whatever its encoding: UTF-8 (with or without a BOM), UTF-16, Windows-1252."""

from __future__ import annotations

import codecs

import pandas as pd
import pytest

from tensions.ingest.importers import detect_format, import_file
from tests.ingest.importers.conftest import fixture_bytes

ACLED = "acled_export.csv"


@pytest.fixture(scope="module")
def utf8(actors):
    return import_file(fixture_bytes(ACLED), file_name=ACLED, actors=actors)


@pytest.mark.parametrize(
    ("encoded", "note"),
    [
        (codecs.BOM_UTF16_LE + fixture_bytes(ACLED).decode("utf-8").encode("utf-16-le"), "LE, with a byte-order mark"),
        (codecs.BOM_UTF16_BE + fixture_bytes(ACLED).decode("utf-8").encode("utf-16-be"), "BE, with a byte-order mark"),
        (fixture_bytes(ACLED).decode("utf-8").encode("utf-16-le"), "LE, without a byte-order mark"),
    ],
)
def test_a_utf16_file_is_read_like_its_utf8_original(utf8, actors, encoded, note):
    assert detect_format(encoded) == "acled"
    result = import_file(encoded, file_name="excel.csv", actors=actors)
    pd.testing.assert_frame_equal(result.events, utf8.events)
    assert (result.rows_read, result.rows_rejected) == (utf8.rows_read, utf8.rows_rejected)
    assert f"read as UTF-16 ({note})" in result.notes


def test_a_utf16_file_cut_in_the_middle_of_a_character_is_refused_naming_utf16():
    encoded = codecs.BOM_UTF16_LE + fixture_bytes(ACLED).decode("utf-8").encode("utf-16-le") + b"\x00"
    with pytest.raises(Exception, match=r"excel.csv:\d+:: is not valid UTF-16-LE"):
        import_file(encoded, file_name="excel.csv")


def test_windows_1252_bytes_are_read_as_such_and_said_in_a_note(actors):
    text = fixture_bytes(ACLED).decode("utf-8").replace("eastern Baghdad", "eastern Baghdad’s café")
    result = import_file(text.encode("cp1252"), file_name="win.csv", actors=actors)
    assert "Baghdad’s café" in result.events.set_index("original_id").loc["IRQ90001", "notes"]
    assert any(n.startswith("not UTF-8 (first bad byte on line 2)") for n in result.notes)


def test_a_utf8_bom_does_not_stick_to_the_first_column(utf8, actors):
    result = import_file(codecs.BOM_UTF8 + fixture_bytes(ACLED), file_name=ACLED, actors=actors)
    pd.testing.assert_frame_equal(result.events, utf8.events)
    assert result.notes == utf8.notes
