"""The Map page with PostgreSQL as the store: imported events chosen in the sidebar are drawn from the database's
SQL sums (`tensions.figures.stored.map_rows`) beside the curated events, never loaded whole into the app."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from tensions.analysis.filters import FilterState, apply_filters
from tensions.bench.synthetic import synthetic_events
from tensions.data.load import load_dataset
from tensions.figures.map.builder import event_map
from tensions.figures.map.provinces import province_totals
from tensions.figures.map.selection import Target, events_in_target, place_of
from tensions.figures.stored import map_rows
from tensions.ingest.importers.base import combine_events
from tests.conftest import plotly_array
from tests.pages.downloads import kept_downloads
from tests.pages.stored_imports import database_holding
from tests.pages.test_map import event_card, figure, map_page

IMPORTED = 5_000  # more than the map draws one by one (MAX_POINTS): the page gets grid cells summed in SQL
BOTH = FilterState(datasets=("curated", "acled"))
LIST_LIMIT = 2_000  # pages/map.py's


@pytest.fixture(scope="module")
def imported_events() -> pd.DataFrame:
    return synthetic_events(IMPORTED, seed=5).assign(dataset=pd.Categorical(["acled"] * IMPORTED))


@pytest.fixture
def database(postgres_url, data_copy, monkeypatch, imported_events) -> str:
    return database_holding(postgres_url, data_copy, monkeypatch, imported_events)


def test_the_map_draws_imported_events_from_the_databases_sums(database, data_copy, monkeypatch):
    at = map_page()
    at.multiselect(key="dataset").set_value(["curated", "acled"]).run()
    assert not at.exception
    curated_events = load_dataset(data_copy).events
    assert any(f"{len(curated_events) + IMPORTED:,} events" in c.value for c in at.caption)
    state = FilterState(datasets=("curated", "acled"))
    expected = map_rows(database, state, also=apply_filters(curated_events, state))
    assert "cell_sizes" in expected.options  # summed per cell, not drawn one by one
    drawn = [(t.get("name"), sorted(plotly_array(t["lat"]).round(6))) for t in figure(at)["data"] if "lat" in t]
    wanted = event_map(expected.rows, **expected.options)
    assert drawn == [
        (t.name, sorted(np.asarray(t.lat, dtype=float).round(6))) for t in wanted.data if t.lat is not None
    ]
    assert sum(len(lat) for _, lat in drawn) < IMPORTED  # cells, not events
    assert not (data_copy / "imported").exists()


def test_with_curated_events_only_the_database_is_not_summed(database, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("map_rows called for curated events only")

    monkeypatch.setattr("tensions.figures.stored.map_rows", refuse)
    at = map_page()
    assert not at.exception
    assert at.multiselect(key="dataset").value == ["curated"]
    assert any("6 events" in c.value for c in at.caption)


@pytest.fixture
def every_event(database, data_copy, imported_events) -> pd.DataFrame:
    return apply_filters(combine_events([load_dataset(data_copy).events, imported_events]), BOTH)


def _clicked(monkeypatch, target: Target) -> None:
    """As if `target` had been clicked on the map (AppTest cannot click a Plotly chart)."""
    monkeypatch.setattr("tensions.figures.map.selection.selection_target", lambda points: target)


def test_a_clicked_cell_lists_its_events_from_the_database_newest_first(every_event, monkeypatch):
    at = map_page()
    at.multiselect(key="dataset").set_value(["curated", "acled"]).run()
    keys = [tuple(c) for t in figure(at)["data"] for c in t.get("customdata") or [] if c[0] == "cell"]
    sizes = {key: len(events_in_target(every_event, Target(*key))) for key in keys}
    target = Target(*max(keys, key=sizes.get))
    expected = events_in_target(every_event, target).sort_values(
        ["event_date", "event_id"], ascending=[False, True], ignore_index=True
    )
    assert len(expected) > 1 and (expected["dataset"] == "acled").any()
    _clicked(monkeypatch, target)
    at.run()
    assert not at.exception
    assert at.subheader[0].value == f"{len(expected):,} events in this {target.key.split(':')[0]}° cell"
    listed = at.dataframe[0].value
    assert listed["event_id"].tolist() == expected["event_id"].head(LIST_LIMIT).tolist()
    newest = expected.iloc[0]
    at.session_state[f"list_cell_{target.key}"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()  # as if the newest had been picked in the list: its full record shows
    assert not at.exception
    card = event_card(at)
    assert f"id {newest['event_id']}<" in card and f"Synthetic event {newest['original_id']} for" in card


def test_the_province_totals_include_the_databases_events(every_event):
    at = map_page()
    at.multiselect(key="dataset").set_value(["curated", "acled"]).run()
    at.button_group(key="map_mode").set_value("provinces").run()
    assert not at.exception
    assert at.expander[0].label == "Totals per province"
    totals = at.expander[0].dataframe[0].value
    expected = province_totals(every_event)
    assert totals["events"].sum() == expected["events"].sum() > IMPORTED
    found = dict(zip(totals["province"], totals["events"], strict=True))
    assert found == dict(zip(expected["province"], expected["events"], strict=True))


def test_the_csv_holds_the_databases_events_too(every_event, monkeypatch):
    made = kept_downloads(monkeypatch)
    at = map_page()
    at.multiselect(key="dataset").set_value(["curated", "acled"]).run()
    button = next(b for b in at.get("download_button") if b.proto.label == "Events as CSV")
    assert f"The {len(every_event):,} events these filters keep" in button.proto.help
    written = pd.read_csv(io.BytesIO(made["text/csv"]()), encoding="utf-8-sig")
    assert sorted(written["event_id"]) == sorted(every_event["event_id"])
    assert written["event_date"].is_monotonic_decreasing


def test_a_csv_of_more_events_than_it_holds_says_so(every_event, monkeypatch):
    monkeypatch.setattr("tensions.figures.stored.EXPORT_LIMIT", 1_000)
    at = map_page()
    at.multiselect(key="dataset").set_value(["curated", "acled"]).run()
    button = next(b for b in at.get("download_button") if b.proto.label == "Events as CSV")
    assert f"The newest 1,000 of the {len(every_event):,} events these filters keep" in button.proto.help


def test_a_link_to_an_imported_event_opens_it_and_its_places_events_where_the_map_draws_cells(every_event):
    imported = every_event[(every_event["dataset"] == "acled").to_numpy()]
    shared = imported.groupby(["latitude", "longitude"])["event_id"].transform("size") > 1
    linked = imported[shared.to_numpy()].iloc[0]
    at = map_page(event=linked["event_id"])
    at.multiselect(key="dataset").set_value(["curated", "acled"]).run()
    assert not at.exception
    assert "cell" in {c[0] for t in figure(at)["data"] for c in t.get("customdata") or []}  # no event drawn alone
    assert not at.warning
    assert at.subheader[0].value == "Selected event"
    assert f"id {linked['event_id']}<" in event_card(at)
    there = events_in_target(every_event, place_of(linked)).sort_values(
        ["event_date", "event_id"], ascending=[False, True]
    )
    assert at.dataframe[0].value["event_id"].tolist() == there["event_id"].head(LIST_LIMIT).tolist()
    assert any(f"**{len(there):,} events at this place**" in m.value for m in at.markdown)
