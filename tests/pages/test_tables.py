"""Every table on every page heads an event column with the schema's label and shows unknown deaths in words."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tensions.data.schema import DERIVED_EVENT_COLUMNS, EVENT_LABELS, EVENTS
from tests.conftest import APP_ROOT, FIXTURE_DATA
from tests.pages.downloads import kept_downloads


@pytest.fixture(autouse=True)
def fixture_data(monkeypatch):
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(FIXTURE_DATA))


def page(name: str, **query) -> AppTest:
    at = AppTest.from_file(str(APP_ROOT / "pages" / f"{name}.py"), default_timeout=60)
    at.query_params.update(query)
    at.run()
    assert not at.exception
    return at


def headings(table) -> dict[str, str]:
    """What the table shows above each visible column: its configured label, else the column's own name."""
    config = json.loads(table.proto.columns or "{}")
    shown = [c for c in table.value.columns if not (config.get(c) or {}).get("hidden")]
    return {column: (config.get(column) or {}).get("label", column) for column in shown}


def event_tables(at: AppTest) -> list:
    """The tables holding event columns (trend, province and audit tables have none)."""
    return [table for table in at.dataframe if set(table.value.columns) & set(EVENT_LABELS)]


def assert_schema_headings(table) -> None:
    shown = headings(table)
    assert {c: shown[c] for c in shown if c in EVENT_LABELS} == {c: EVENT_LABELS[c] for c in shown if c in EVENT_LABELS}


@pytest.mark.parametrize(("name", "query", "tables"), [
    ("overview", {"overview_tab": "Trends and drivers"}, 1),  # the events behind a trend
    ("overview", {"overview_tab": "Latest events"}, 1),
    ("actors", {"actors_tab": "Profile"}, 1),  # the profile's latest events
    ("map", {"event": "IRQ-20250316-1"}, 1),  # the events at the clicked place
    ("data", {}, 1),  # the events in view
])  # fmt: skip
def test_event_columns_carry_the_schemas_headings(name, query, tables):
    found = event_tables(page(name, **query))
    assert len(found) == tables
    for table in found:
        assert_schema_headings(table)


@pytest.mark.parametrize(("name", "query"), [
    ("overview", {"overview_tab": "Latest events"}),
    ("actors", {"actors_tab": "Profile"}),
    ("map", {"event": "IRQ-20250316-1"}),
])  # fmt: skip
def test_unknown_deaths_read_not_reported_never_none(name, query):
    with_deaths = [table for table in event_tables(page(name, **query)) if "fatalities" in table.value.columns]
    assert with_deaths
    for table in with_deaths:
        values = table.value["fatalities"].tolist()
        assert "not reported" in values and None not in values and "None" not in values


def test_the_timelines_key_events_are_headed_like_every_other_table():
    (table,) = page("timeline").dataframe
    assert [EVENT_LABELS[c] for c in ("event_date", "fatalities", "source", "source_url")] == [
        column for column in table.value.columns if column in EVENT_LABELS.values()
    ]


def test_the_curate_editor_heads_every_event_column_like_the_other_pages(monkeypatch, data_copy):
    from tests.pages.test_curate import signed_in

    monkeypatch.setenv("TENSIONS_DATA_DIR", str(data_copy))  # a copy: signing in writes the audit log
    at = signed_in()
    editor = next(e for e in at.data_editor if e.key.startswith("curation_editor_"))
    shown = headings(editor)
    assert shown == {column: EVENT_LABELS[column] for column in shown}


def test_the_map_and_the_timeline_download_the_events_shown_with_the_same_columns(monkeypatch):
    made = kept_downloads(monkeypatch)
    written = {}
    for name in ("map", "timeline"):
        page(name)
        written[name] = pd.read_csv(io.BytesIO(made["text/csv"]()), encoding="utf-8-sig")
    expected = [c for c in (*EVENTS.column_names, *(c.name for c in DERIVED_EVENT_COLUMNS)) if c in written["map"]]
    assert list(written["map"].columns) == list(written["timeline"].columns) == expected
    assert {*EVENTS.column_names, "escalation", "dataset"} <= set(expected)
    assert len(written["map"]) == len(written["timeline"]) > 0
