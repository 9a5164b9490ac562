"""Loading gives typed tables, keeps unknown as unknown, and refuses invalid data."""

from __future__ import annotations

import pandas as pd
import pytest

from tensions.data.load import load_dataset
from tensions.errors import InvalidDataError


def test_loaded_events_have_working_dtypes(data_copy):
    events = load_dataset(data_copy).events
    assert events["event_date"].dtype.kind == "M"
    assert str(events["fatalities"].dtype) == "Int64"
    assert isinstance(events["event_type"].dtype, pd.CategoricalDtype)


def test_unknown_fatalities_stay_unknown_not_zero(data_copy):
    events = load_dataset(data_copy).events.set_index("event_id")
    assert pd.isna(events.loc["IRQ-20240104-1", "fatalities"])
    assert events.loc["JOR-20240128-1", "fatalities"] == 3


def test_derived_columns_follow_the_taxonomy_and_the_actor_tree(data_copy):
    events = load_dataset(data_copy).events.set_index("event_id")
    tower22 = events.loc["JOR-20240128-1"]
    assert tower22["theatre"] == "Syria and Jordan"
    assert tower22["escalation"] == 1
    assert tower22["actor1_family"] == "Iran and the axis"
    assert tower22["actor2_family"] == "US and partners"
    assert events.loc["LBN-20241127-1", "escalation"] == -1


def test_data_as_of_is_the_newest_report(data_copy):
    assert load_dataset(data_copy).data_as_of.isoformat() == "2025-04-07"


def test_invalid_data_raises_with_every_problem(data_copy):
    path = data_copy / "events.csv"
    path.write_text(path.read_text().replace("2024-01-28,day", "2024-01-32,day"))
    with pytest.raises(InvalidDataError) as raised:
        load_dataset(data_copy)
    assert [str(p) for p in raised.value.problems] == [
        "events.csv:3:event_date: '2024-01-32' not a valid ISO date (YYYY-MM-DD)"
    ]
