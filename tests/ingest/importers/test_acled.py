"""ACLED: the 31-column export, its precision codes, revisions, and rows that cannot be read."""

from __future__ import annotations

import pandas as pd
import pytest

from tensions.errors import ImportFailed
from tensions.ingest.importers import detect_format, import_file
from tests.ingest.importers.conftest import edited, fixture_bytes

EXPORT = "acled_export.csv"


@pytest.fixture(scope="module")
def result(actors):
    return import_file(fixture_bytes(EXPORT), "acled", file_name=EXPORT, actors=actors)


def event(result, original_id: str) -> pd.Series:
    return result.events.set_index("original_id").loc[original_id]


def test_the_export_is_recognised_as_acled():
    assert detect_format(fixture_bytes(EXPORT)) == "acled"


def test_the_31_column_export_imports_every_event_once(result):
    assert (result.rows_read, result.rows_imported, result.rows_rejected) == (7, 6, 1)
    assert result.events["original_id"].is_unique
    assert list(result.events["dataset"].unique()) == ["acled"]
    assert event(result, "IRQ90001")["event_id"] == "acled:IRQ90001"


def test_a_revised_event_keeps_the_row_with_the_newest_timestamp(result):
    # IRQ90002 appears on lines 3 (timestamp 1706500000) and 6 (1705800000): line 3 is the revision.
    assert event(result, "IRQ90002")["notes"].startswith("Revised:")
    assert [str(p) for p in result.problems()] == [
        "acled_export.csv:6:event_id_cnty: id 'IRQ90002' repeats the row on line 3, "
        "the newest revision by timestamp, which is kept"
    ]


@pytest.mark.parametrize(
    ("original_id", "time_precision"), [("IRQ90001", "day"), ("YEM90003", "week"), ("SYR90004", "month")]
)
def test_time_precision_1_2_3_becomes_day_week_month(result, original_id, time_precision):
    assert event(result, original_id)["time_precision"] == time_precision


def test_geo_precision_is_kept_as_acled_codes_it(result):
    assert [event(result, i)["geo_precision"] for i in ("IRQ90001", "SYR90004", "YEM90003")] == [1, 2, 3]


def test_event_types_map_one_to_one(result):
    row = event(result, "IRQ90001")
    assert (row["event_type"], row["sub_event_type"]) == ("Explosions/Remote violence", "Air/drone strike")
    assert event(result, "LBN90006")["escalation"] == -1  # Agreement de-escalates


def test_dates_in_acled_words_are_read(result):
    assert f"{event(result, 'YEM90003')['event_date']:%Y-%m-%d}" == "2024-01-12"  # "12 January 2024"


def test_fatalities_keep_reported_zero_apart_from_unknown(result):
    assert event(result, "IRQ90001")["fatalities"] == 3
    assert event(result, "SYR90004")["fatalities"] == 0
    assert pd.isna(event(result, "YEM90003")["fatalities"])


def test_notes_with_commas_and_doubled_quotes_are_read_whole(result):
    assert 'in which "three US soldiers" were killed.' in event(result, "IRQ90001")["notes"]


def test_actors_are_matched_to_curated_names_and_families(result):
    row = event(result, "IRQ90001")
    assert row["actor1_family"] == "US and partners"  # Military Forces of the United States (2021-)
    assert (row["actor2"], row["actor2_family"]) == ("Kataib Hezbollah", "Iran and the axis")
    assert event(result, "SYR90004")["actor1_family"] == "Civilians and shipping"  # inter1 6, protesters
    assert event(result, "LBN90006")["actor2"] == "Israel"  # "Government of Israel (2022-)"


def test_a_key_tag_from_acled_is_dropped_but_other_tags_are_kept(result):
    assert event(result, "YEM90003")["tags"] == "crowd size=no report;civilian targeting"


def test_events_outside_our_countries_are_kept_in_elsewhere_and_said_so(result):
    row = event(result, "LBY90007")
    assert (row["country"], row["theatre"]) == ("Libya", "Elsewhere")
    assert any("Libya (1)" in note for note in result.notes)


def test_acled_sources_are_cited(result):
    row = event(result, "IRQ90001")
    assert (row["source"], row["source_title"]) == ("Reuters; Shafaq News", "[ACLED event IRQ90001]")


# --- bad input -----------------------------------------------------------------------------------


def test_an_unknown_event_type_and_a_mismatched_sub_type_are_rejected_with_reasons(actors):
    data = edited(EXPORT, "Demonstrations,Protests,Peaceful protest", "Demonstrations,Protest,Peaceful protest")
    data = data.replace(
        b"Strategic developments,Strategic developments,Agreement", b"Strategic developments,Battles,Agreement"
    )
    result = import_file(data, "acled", file_name="bad.csv", actors=actors)
    assert [str(p) for p in result.problems() if "repeats" not in p.message] == [
        "bad.csv:5:event_type: 'Protest' is not an ACLED event type",
        "bad.csv:7:sub_event_type: 'Agreement' does not belong to the event type 'Battles'",
    ]
    assert result.rows_imported == 4


def test_an_unparseable_date_and_precision_code_are_rejected(actors):
    data = edited(EXPORT, "IRQ90001,2024-02-07,2024,1,", "IRQ90001,7 Febuary 2024,2024,4,")
    result = import_file(data, "acled", file_name="bad.csv", actors=actors)
    problems = [str(p) for p in result.problems() if p.row == 2]
    assert problems == [
        "bad.csv:2:event_date: '7 Febuary 2024' is not a date (YYYY-MM-DD or DD Month YYYY or DD-Month-YYYY "
        "or DD Mon YYYY)",
        "bad.csv:2:time_precision: '4' is not one of the codes 1, 2, 3",
    ]


def test_a_missing_required_column_fails_the_file():
    data = edited(EXPORT, ",geo_precision,", ",precision,")
    with pytest.raises(ImportFailed) as failure:
        import_file(data, "acled", file_name="bad.csv")
    assert [str(p) for p in failure.value.problems] == ["bad.csv:1:geo_precision: required column is missing"]
