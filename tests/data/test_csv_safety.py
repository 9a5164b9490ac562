"""CSV downloads neutralise spreadsheet formulas and keep everything else as it was."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from tensions.data.csv_safety import events_csv_bytes, neutralise_cell, safe_csv_bytes


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Baghdad", "Baghdad"),
        (3, 3),
    ],
)
def test_formula_like_cells_are_prefixed_with_an_apostrophe(cell, expected):
    assert neutralise_cell(cell) == expected


def test_safe_csv_keeps_numbers_and_neutralises_text():
    frame = pd.DataFrame({"notes": ["=1+1", "fine"], "fatalities": pd.array([-1, None], dtype="Int64")})
    back = pd.read_csv(io.BytesIO(safe_csv_bytes(frame)), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(back["notes"]) == ["'=1+1", "fine"]
    assert list(back["fatalities"]) == ["-1", ""]


def test_an_events_csv_holds_the_schemas_columns_in_its_order_and_nothing_else():
    frame = pd.DataFrame(
        {
            "lane": ["Iraq"],
            "escalation": [1],
            "event_id": ["IRQ-1"],
            "dataset": ["curated"],
            "event_date": ["2024-01-28"],
        }
    )
    back = pd.read_csv(io.BytesIO(events_csv_bytes(frame)), encoding="utf-8-sig")
    assert list(back.columns) == ["event_id", "event_date", "escalation", "dataset"]
