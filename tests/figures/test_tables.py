"""Events as a display table: the schema's headings, deaths in words, blanks instead of "None"."""

from __future__ import annotations

import pandas as pd
import pytest

from tensions.data.load import load_dataset
from tensions.data.schema import ACTORS, EVENT_LABELS, EVENTS, PLACES, TABLES, TREND_OVERRIDES
from tensions.figures.tables import event_table, headings


@pytest.fixture
def events(data_copy):
    return load_dataset(data_copy).events


def test_every_column_of_every_table_has_a_heading():
    for table in (*TABLES, TREND_OVERRIDES):
        assert all(spec.label.strip() for spec in table.columns), table.file_name


def test_a_column_that_means_the_same_in_two_tables_has_one_heading():
    # (An actor's `country` is its home country: a different thing, so a different heading.)
    for table in (PLACES, TREND_OVERRIDES):
        for column, label in table.labels.items():
            if column in EVENTS.labels:
                assert label == EVENTS.labels[column], column
    assert ACTORS.labels["country"] != EVENTS.labels["country"]


def test_the_table_keeps_the_columns_asked_for_in_that_order(events):
    table = event_table(events, ["notes", "event_id", "event_date"])
    assert list(table.columns) == ["notes", "event_id", "event_date"]
    assert pd.api.types.is_datetime64_any_dtype(table["event_date"])  # the page formats dates


def test_unknown_deaths_read_not_reported_and_known_ones_as_numbers(events):
    table = event_table(events.set_index("event_id"), ["fatalities"])
    assert table.loc["JOR-20240128-1", "fatalities"] == "3"
    assert table.loc["IRQ-20240104-1", "fatalities"] == "not reported"


def test_deaths_already_in_words_are_kept():
    words = pd.DataFrame({"fatalities": pd.Series(["1,204", "not reported"], dtype="string")})
    assert event_table(words, ["fatalities"])["fatalities"].tolist() == ["1,204", "not reported"]


def test_missing_text_is_blank_not_none(events):
    table = event_table(events.set_index("event_id"), ["actor2", "label"])
    assert table.loc["IRQ-20250115-1", "actor2"] == ""  # the withdrawal has no second actor
    assert table.notna().all().all()


def test_headings_name_the_event_columns_and_leave_the_rest_to_the_page():
    assert headings(["fatalities", "event_date", "score"]) == {"fatalities": "Reported deaths", "event_date": "Date"}
    assert headings(EVENT_LABELS) == EVENT_LABELS
