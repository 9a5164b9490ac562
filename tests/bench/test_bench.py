"""The benchmark at a tiny size: what it measures and how it reports it (never how fast anything is)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import numpy as np
import pandas as pd
import pytest

from tensions.analysis.filters import FilterState, filter_mask
from tensions.bench import measure
from tensions.bench.synthetic import synthetic_events
from tensions.ingest.importers.base import EVENT_COLUMNS
from tests.conftest import APP_ROOT


@pytest.fixture(scope="module")
def report():
    return measure.run_bench([400], isolate=False, figure_repeats=2, data_dir=APP_ROOT / "data", log=lambda _: None)


def test_synthetic_events_have_the_columns_and_types_of_imported_events():
    events = synthetic_events(500, seed=1)
    assert list(events.columns) == list(EVENT_COLUMNS)
    assert events["event_date"].is_monotonic_increasing
    assert isinstance(events["actor1"].dtype, pd.CategoricalDtype)
    assert events["fatalities"].isna().any() and (events["fatalities"] == 0).any()
    assert set(events["geo_precision"].dropna()) == {1, 2, 3}


def test_synthetic_events_are_reproducible_from_the_seed():
    pd.testing.assert_frame_equal(synthetic_events(200, seed=3), synthetic_events(200, seed=3))


def test_the_numpy_floor_selects_exactly_what_the_filters_select():
    events = synthetic_events(2_000, seed=2)
    floor = measure.NumpyFloor(events)
    for state in [FilterState(), *measure.filter_states(events, 10, seed=2)]:
        assert np.array_equal(floor.mask(state), filter_mask(events, state)), state


def test_twenty_different_filter_changes_are_measured():
    states = measure.filter_states(synthetic_events(1_000, seed=4), seed=4)
    assert len(states) == measure.FILTER_CHANGES == 20
    assert len(set(states)) == 20


def test_the_report_has_load_filter_floor_figures_and_memory(report):
    (size,) = report.sizes
    assert size.events == 400
    assert size.load_ms > 0 and size.parquet_bytes > 0 and size.peak_rss_bytes > 0
    assert size.filter_ms_median > 0 and size.numpy_floor_ms_median > 0
    assert size.floor_ratio == pytest.approx(size.filter_ms_median / size.numpy_floor_ms_median)
    assert size.masks_agree
    assert [f.name for f in size.figures] == ["map points", "map density", "map provinces", "timeline"]
    for figure in size.figures:
        assert figure.status == "ok", figure.status
        assert figure.payload_bytes > 0 and figure.builds >= 1 and figure.filter_plus_build_ms_median > 0


def test_a_builder_that_fails_is_reported_and_the_others_still_measured(monkeypatch):
    def broken(events, **options):
        raise RuntimeError("cannot draw")

    monkeypatch.setattr(measure, "FIGURES", (("broken map", broken, {}), *measure.FIGURES[-1:]))
    report = measure.run_bench([200], isolate=False, figure_repeats=1, log=lambda _: None)
    broken_result, timeline = report.sizes[0].figures
    assert broken_result.status == "error: RuntimeError: cannot draw"
    assert timeline.status == "ok"
    assert "broken map" in measure.format_report(report)


def test_the_slowest_filter_change_is_written_as_a_link_to_that_view(report):
    (size,) = report.sizes
    state = FilterState.from_query_params(parse_qs(size.slowest_filter, keep_blank_values=True))
    events = synthetic_events(400, seed=7, data_dir=APP_ROOT / "data")
    assert state in measure.filter_states(events, seed=7)
    assert f"Slowest filter change at 400 events: ?{size.slowest_filter}" in measure.format_report(report)


def test_the_table_names_every_measure_and_the_targets(report):
    table = measure.format_report(report)
    for label in ["load Parquet (ms)", "filter mask, median of 20 (ms)", "NumPy floor", "filter / floor", "peak RSS"]:
        assert label in table
    assert "<= 5x" in table


def test_the_json_holds_the_same_numbers_and_the_targets(report, tmp_path):
    path = tmp_path / "bench.json"
    measure.write_json(report, path)
    data = json.loads(path.read_text())
    assert data["sizes"][0]["events"] == 400
    assert data["targets"]["filter_plus_build_ms"] == 300
    assert {f["name"] for f in data["sizes"][0]["figures"]} >= {"map points", "timeline"}


def test_sizes_include_10k_and_100k_below_the_largest():
    assert measure.bench_sizes(1_000_000) == [10_000, 100_000, 1_000_000]
    assert measure.bench_sizes(50_000) == [10_000, 50_000]
    assert measure.bench_sizes(1_000_000, only=True) == [1_000_000]
