"""The Map page with PostgreSQL as the store: imported events chosen in the sidebar are drawn from the database's
SQL sums (`tensions.figures.stored.map_rows`) beside the curated events, never loaded whole into the app."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tensions.analysis.filters import FilterState, apply_filters
from tensions.bench.synthetic import synthetic_events
from tensions.data.guard import local_grant
from tensions.data.load import load_dataset
from tensions.figures.map.builder import event_map
from tensions.figures.stored import map_rows
from tensions.ingest.importers import ImportResult
from tensions.ingest.importers.reading import empty_rejected
from tensions.store import curated, imported
from tests.conftest import plotly_array
from tests.pages.test_map import figure, map_page

IMPORTED = 5_000  # more than the map draws one by one (MAX_POINTS): the page gets grid cells summed in SQL


@pytest.fixture
def database(postgres_url, data_copy, monkeypatch) -> str:
    curated.load_folder(postgres_url, data_copy, grant=local_grant())
    events = synthetic_events(IMPORTED, seed=5).assign(dataset=pd.Categorical(["acled"] * IMPORTED))
    result = ImportResult("acled", "ACLED", "acled.csv", "synthetic", len(events), events, empty_rejected())
    imported.save_import(postgres_url, result, grant=local_grant())
    monkeypatch.setenv("TENSIONS_DATA_DIR", str(data_copy))
    monkeypatch.setenv("TENSIONS_DATABASE_URL", postgres_url)
    return postgres_url


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
