"""GDELT 2.0: raw tab-separated export rows (61 columns, no header) and CSVs with a header row."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest

from tensions.ingest.importers import detect_format, import_file
from tests.ingest.importers.conftest import EXTERNAL, fixture_bytes

RAW = "gdelt_v2_raw.export.CSV"
WITH_HEADER = "gdelt_events_with_header.csv"


@pytest.fixture(scope="module")
def result(actors):
    return import_file(fixture_bytes(RAW), "gdelt", file_name=RAW, actors=actors)


def event(result, original_id: str) -> pd.Series:
    return result.events.set_index("original_id").loc[original_id]


def raw_lines() -> list[str]:
    return (EXTERNAL / RAW).read_text(encoding="utf-8").splitlines()


def raw_file(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_raw_rows_and_csv_with_header_are_both_recognised():
    assert detect_format(fixture_bytes(RAW)) == "gdelt"
    assert detect_format(fixture_bytes(WITH_HEADER)) == "gdelt"


def test_raw_61_column_rows_import(result):
    assert (result.rows_read, result.rows_imported, result.rows_rejected) == (5, 5, 0)
    assert result.format_name == "GDELT 2.0 events, raw tab-separated"
    assert event(result, "1150000001")["event_id"] == "gdelt:1150000001"


def test_a_csv_with_a_header_gives_the_same_events(result, actors):
    with_header = import_file(fixture_bytes(WITH_HEADER), "gdelt", file_name=WITH_HEADER, actors=actors)
    columns = ["event_id", "event_date", "country", "location", "geo_precision", "sub_event_type", "actor1"]
    pd.testing.assert_frame_equal(
        with_header.events[columns], result.events[columns].head(3), check_categorical=False, check_dtype=False
    )
    # The extra CAMEOCodeDescription column of such files is used for the summary.
    assert "Employ precision-guided aerial munitions" in with_header.events.loc[2, "notes"]


def test_a_zipped_export_is_unpacked():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("20240128151500.export.CSV", fixture_bytes(RAW))
    result = import_file(buffer.getvalue(), file_name="20240128151500.export.CSV.zip")
    assert result.dataset == "gdelt" and result.rows_imported == 5


@pytest.mark.parametrize(
    ("original_id", "event_type", "sub_event_type", "escalation"),
    [
        ("1150000001", "Battles", "Armed clash", 1),  # 190 Use conventional military force
        ("1150000002", "Diplomacy and talks", "Talks or negotiations", -1),  # 043 Host a visit (root 04, consult)
        ("1150000003", "Explosions/Remote violence", "Air/drone strike", 1),  # 1951 precision-guided aerial munitions
        ("1150000004", "Agreements", "Ceasefire or truce", -1),  # 0871 Declare truce, ceasefire
        ("1150000005", "Protests", "Peaceful protest", 0),  # 141 Demonstrate or rally
    ],
)
def test_cameo_codes_become_our_types_with_their_escalation(
    result, original_id, event_type, sub_event_type, escalation
):
    row = event(result, original_id)
    assert (row["event_type"], row["sub_event_type"], row["escalation"]) == (event_type, sub_event_type, escalation)


def test_the_event_code_is_kept_as_text_with_its_leading_zero(result):
    assert event(result, "1150000002")["tags"] == "cameo:043;quadclass:1;goldstein:2.8"
    assert "(CAMEO 0871)" in event(result, "1150000004")["notes"]


@pytest.mark.parametrize(
    ("original_id", "geo_precision"),
    [("1150000001", 1), ("1150000002", 3), ("1150000003", 3)],  # ActionGeo_Type 4 city, 1 country, 5 province
)
def test_country_and_province_centroids_are_marked_imprecise(result, original_id, geo_precision):
    assert event(result, original_id)["geo_precision"] == geo_precision


def test_fips_country_codes_become_our_countries_and_places_split_from_the_full_name(result):
    row = event(result, "1150000004")
    assert (row["country"], row["admin1"], row["location"]) == ("Lebanon", "Beyrouth", "Beirut")
    assert event(result, "1150000005")["location"] == "Ḩimş"


def test_gdelt_has_no_fatalities_so_they_are_unknown(result):
    assert result.events["fatalities"].isna().all()


def test_actor_names_in_capitals_are_matched_or_title_cased(result):
    row = event(result, "1150000001")
    assert (row["actor1"], row["actor1_family"]) == ("United States", "US and partners")
    assert row["actor2_family"] == "Other armed groups"  # IRAQ coded IRQREB: rebels, not the state
    assert event(result, "1150000003")["actor2"] == "Houthi"


def test_the_source_is_the_articles_address_and_site(result):
    row = event(result, "1150000001")
    assert row["source_url"] == "https://www.example.com/world/2024/01/28/baghdad-clashes"
    assert (row["source"], row["source_title"]) == ("example.com", "[GDELT event 1150000001]")
    assert f"{row['source_date']:%Y-%m-%d}" == "2024-01-28"
    assert row["confidence"] == "low"


# --- bad input -----------------------------------------------------------------------------------


def test_a_row_with_the_wrong_number_of_fields_is_rejected_and_the_rest_imported():
    lines = raw_lines()
    lines[1] = lines[1] + "\tstray"
    lines[3] = "\t".join(lines[3].split("\t")[:40])
    result = import_file(raw_file(lines), "gdelt", file_name="bad.CSV")
    assert [str(p) for p in result.problems()] == [
        "bad.CSV:2:: has 62 fields; the header has 61",
        "bad.CSV:4:: has 40 fields; the header has 61",
    ]
    assert result.rows_read == 5 and result.rows_imported == 3


def test_an_unparseable_date_or_missing_coordinates_reject_the_row():
    lines = raw_lines()
    lines[0] = lines[0].replace("\t20240128\t", "\t2024012\t", 1)
    fields = lines[2].split("\t")
    fields[56], fields[57] = "", ""  # ActionGeo_Lat, ActionGeo_Long
    lines[2] = "\t".join(fields)
    result = import_file(raw_file(lines), "gdelt", file_name="bad.CSV")
    assert [str(p) for p in result.problems()] == [
        "bad.CSV:1:SQLDATE: '2024012' is not a date (YYYYMMDD)",
        "bad.CSV:3:ActionGeo_Lat: is empty but required",
        "bad.CSV:3:ActionGeo_Long: is empty but required",
    ]
    assert result.rows_imported == 3
