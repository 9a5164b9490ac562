"""UCDP GED: HDX per-country files (HXL row, BOM, CRLF, quoted line breaks) and full-release CSVs."""

from __future__ import annotations

import pandas as pd
import pytest

from tensions.errors import ImportFailed, UnknownFormatError
from tensions.ingest.importers import detect_format, import_file
from tests.ingest.importers.conftest import edited, fixture_bytes

HDX = "ucdp_ged_hdx_iraq.csv"
RELEASE = "ucdp_ged_release_reordered.csv"


@pytest.fixture(scope="module")
def result(actors):
    return import_file(fixture_bytes(HDX), "ucdp", file_name=HDX, actors=actors)


def event(result, original_id: str) -> pd.Series:
    return result.events.set_index("original_id").loc[original_id]


def test_the_hdx_file_is_recognised_as_ucdp():
    assert detect_format(fixture_bytes(HDX)) == "ucdp"
    assert detect_format(fixture_bytes(RELEASE)) == "ucdp"


def test_every_row_of_the_hdx_file_imports_and_the_hxl_row_is_skipped(result):
    assert (result.rows_read, result.rows_imported, result.rows_rejected) == (6, 6, 0)
    assert "skipped the HXL hashtag row (line 2)" in result.notes
    assert result.format_name == "UCDP GED CSV (HDX file with HXL row)"


def test_each_event_keeps_its_dataset_and_original_id(result):
    assert list(result.events["dataset"].unique()) == ["ucdp"]
    assert sorted(result.events["original_id"]) == [f"90000{i}" for i in range(1, 7)]
    assert event(result, "900001")["event_id"] == "ucdp:900001"


def test_non_ascii_place_names_survive_the_bom_and_crlf(result):
    first = event(result, "900001")
    assert first["location"] == "Al Fallūjah town"
    assert first["admin1"] == "Al Anbār"  # " province" dropped
    assert event(result, "900002")["admin1"] == "Şalāḩ ad Dīn"
    assert result.events.columns[0] == "event_id"  # the BOM did not stick to the first header


def test_a_quoted_headline_with_doubled_quotes_is_read_whole(result):
    assert event(result, "900001")["source_title"] == 'Clashes near Fallujah kill eight, "security sources" say'


@pytest.mark.parametrize(
    ("original_id", "date", "precision"),
    [
        ("900002", "2013-07-05", "day"),  # date_prec 1
        ("900001", "2014-01-24", "week"),  # date_prec 2: 24-25 January, the middle kept
        ("900004", "1995-05-04", "week"),  # date_prec 3: 1-7 May
        ("900003", "2016-10-16", "month"),  # date_prec 4: October, coded to its middle
        ("900006", "2017-07-02", "month"),  # date_prec 5: the whole year, month is our coarsest
    ],
)
def test_date_prec_becomes_the_middle_of_the_period_and_its_precision(result, original_id, date, precision):
    row = event(result, original_id)
    assert (f"{row['event_date']:%Y-%m-%d}", row["time_precision"]) == (date, precision)


@pytest.mark.parametrize(
    ("original_id", "geo_precision"),
    [("900001", 1), ("900004", 2), ("900003", 3), ("900006", 3)],  # where_prec 1, 2, 4 (province), 6 (country)
)
def test_where_prec_becomes_geo_precision(result, original_id, geo_precision):
    assert event(result, original_id)["geo_precision"] == geo_precision


@pytest.mark.parametrize(
    ("original_id", "event_type", "sub_event_type"),
    [
        ("900001", "Battles", "Armed clash"),  # type_of_violence 1, state-based
        ("900004", "Battles", "Armed clash"),  # 2, non-state
        ("900002", "Violence against civilians", "Attack"),  # 3, one-sided
    ],
)
def test_type_of_violence_becomes_an_acled_like_type(result, original_id, event_type, sub_event_type):
    row = event(result, original_id)
    assert (row["event_type"], row["sub_event_type"], row["escalation"]) == (event_type, sub_event_type, 1)


def test_fatalities_are_the_best_estimate_and_zero_stays_zero(result):
    assert event(result, "900003")["fatalities"] == 25
    assert event(result, "900006")["fatalities"] == 0
    assert "low 20, high 40" in event(result, "900003")["notes"]


def test_sides_become_actors_matched_to_curated_names(result):
    row = event(result, "900001")
    assert (row["actor1"], row["actor2"]) == ("Iraq", "IS")  # "Government of Iraq" is an alias of Iraq
    assert row["actor1_family"] == "Iraqi state"
    assert event(result, "900005")["actor1"] == "Israel"  # "Government of X" is the state X
    assert event(result, "900002")["actor2_family"] == "Civilians and shipping"


def test_source_office_headline_and_first_source_date_become_the_source(result):
    row = event(result, "900003")
    assert row["source"] == "Reuters News;Agence France Presse"
    assert f"{row['source_date']:%Y-%m-%d}" == "2016-11-02"


def test_an_event_without_source_fields_cites_ucdp_in_brackets(result):
    row = event(result, "900002")
    assert row["source"] == "UCDP GED"
    assert row["source_title"] == "[UCDP GED event 900002: IS - Civilians]"


def test_gaza_coded_under_israel_is_placed_in_palestine(result):
    row = event(result, "900005")
    assert (row["country"], row["theatre"]) == ("Palestine", "Gaza and West Bank")


def test_event_clarity_sets_confidence(result):
    assert event(result, "900001")["confidence"] == "high"
    assert event(result, "900003")["confidence"] == "medium"


def test_reordered_and_extra_columns_give_the_same_events(result, actors):
    release = import_file(fixture_bytes(RELEASE), "ucdp", file_name=RELEASE, actors=actors)
    assert release.format_name == "UCDP GED CSV"
    columns = ["event_id", "event_date", "time_precision", "country", "location", "latitude", "fatalities", "actor1"]
    pd.testing.assert_frame_equal(release.events[columns], result.events[columns])


# --- bad input -----------------------------------------------------------------------------------


def test_an_unparseable_date_rejects_that_row_naming_file_line_and_column(actors):
    data = edited(HDX, "2013-07-05,2013-07-05", "2013-07-5x,2013-07-05")
    result = import_file(data, "ucdp", file_name="bad.csv", actors=actors)
    assert (result.rows_read, result.rows_imported, result.rows_rejected) == (6, 5, 1)
    # Line 5: header (1), HXL row (2), the first event spans lines 3-4 (a line break inside quotes).
    assert [str(p) for p in result.problems()] == ["bad.csv:5:date_start: '2013-07-5x' is not a date (YYYY-MM-DD)"]
    assert "900002" not in set(result.events["original_id"])


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("34.196632,43.873899", "34.19.6632,43.873899", "bad.csv:5:latitude: '34.19.6632' is not a number"),
        ("34.196632,43.873899", "134.196632,43.873899", "bad.csv:5:latitude: '134.196632' is outside [-90, 90]"),
        ("34.196632,43.873899", ",43.873899", "bad.csv:5:latitude: is empty but required"),
    ],
)
def test_unparseable_or_impossible_coordinates_reject_the_row(actors, old, new, expected):
    result = import_file(edited(HDX, old, new), "ucdp", file_name="bad.csv", actors=actors)
    assert [str(p) for p in result.problems()] == [expected]
    assert result.rows_imported == 5


def test_every_problem_of_a_row_is_listed(actors):
    data = edited(HDX, "Al Fallūjah town,Al Anbār province,Qaḑā’ al Fallūjah,33.355813", "x,y,z,north")
    data = data.replace(b"2016-10-01,2016-10-31", b"2016-10-31,2016-10-01")
    result = import_file(data, "ucdp", file_name="bad.csv", actors=actors)
    rejected = result.rejected[["line", "original_id", "column", "reason"]].to_dict("records")
    assert rejected == [
        {"line": 3, "original_id": "900001", "column": "latitude", "reason": "'north' is not a number"},
        {"line": 6, "original_id": "900003", "column": "date_end", "reason": "'2016-10-01' is before date_start"},
    ]
    assert result.rows_imported == 4


def test_a_repeated_id_keeps_the_first_row(actors):
    result = import_file(edited(HDX, "\r\n900004,", "\r\n900002,"), "ucdp", file_name="bad.csv", actors=actors)
    assert [str(p) for p in result.problems()] == ["bad.csv:7:id: id '900002' repeats the row on line 5, which is kept"]


def test_a_missing_required_column_fails_the_file_naming_the_column():
    data = edited(HDX, ",latitude,", ",lat,")
    with pytest.raises(ImportFailed) as failure:
        import_file(data, "ucdp", file_name="bad.csv")
    assert [str(p) for p in failure.value.problems] == ["bad.csv:1:latitude: required column is missing"]


def test_a_file_of_another_source_is_refused_with_the_right_command():
    with pytest.raises(UnknownFormatError, match="looks like a ACLED file, not UCDP GED: import it as acled"):
        import_file(fixture_bytes("acled_export.csv"), "ucdp", file_name="acled_export.csv")


def test_a_file_of_no_known_format_is_refused():
    with pytest.raises(UnknownFormatError, match="not a UCDP GED, ACLED or GDELT file"):
        import_file(b"name,value\nx,1\n", file_name="mystery.csv")
    with pytest.raises(UnknownFormatError, match="not a UCDP GED file"):
        import_file(b"name,value\nx,1\n", "ucdp", file_name="mystery.csv")


def test_an_empty_file_is_refused():
    with pytest.raises(UnknownFormatError):
        import_file(b"", file_name="empty.csv")
