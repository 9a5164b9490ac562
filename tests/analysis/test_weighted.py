"""Rows that stand for several events: a figure drawn from the sums is the figure drawn from the events."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tensions.analysis import weighted
from tensions.bench.synthetic import synthetic_events
from tensions.data.tags import is_key_event
from tensions.figures.map.builder import event_map
from tensions.figures.map.encoding import MAX_DENSITY_POINTS
from tensions.figures.timeline.builder import event_timeline


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    # More than the density heat's point limit even among the events with deaths (about a third), so heat is
    # binned from both the events and their sums.
    return synthetic_events(3 * MAX_DENSITY_POINTS, seed=5)


def test_a_place_summary_counts_every_placed_event_once(events):
    summary = weighted.place_summary(events, "event_type")
    placed = events["latitude"].notna() & events["longitude"].notna()
    assert weighted.total_events(summary) == int(placed.sum())
    assert int(summary["fatalities"].sum()) == int(events.loc[placed, "fatalities"].sum())
    assert int(summary[weighted.NOT_REPORTED].sum()) == int(events.loc[placed, "fatalities"].isna().sum())
    assert summary["event_date"].min() == events["event_date"].min()
    assert summary[weighted.LAST_DATE].max() == events["event_date"].max()


def test_plain_events_stand_for_one_event_each(events):
    head = events.head(10)
    assert weighted.event_counts(head).tolist() == [1] * 10
    assert weighted.total_events(head) == 10
    assert weighted.not_reported_counts(head).tolist() == head["fatalities"].isna().astype(int).tolist()


def _trace_arrays(fig) -> list[dict]:
    out = []
    for trace in fig.data:
        arrays = {}
        for name in ("lat", "lon", "z", "hovertext", "customdata", "name"):
            value = getattr(trace, name, None)
            if value is not None:
                arrays[name] = np.asarray(value)
        out.append(arrays)
    return out


def _assert_same_traces(left, right):
    assert len(left.data) == len(right.data)
    for a, b in zip(_trace_arrays(left), _trace_arrays(right), strict=True):
        assert a.keys() == b.keys()
        for name in a:
            if a[name].dtype.kind == "f":
                np.testing.assert_allclose(a[name], b[name], rtol=1e-9)  # sums taken in another order
            else:
                assert a[name].tolist() == b[name].tolist()


@pytest.mark.parametrize(
    ("mode", "colour_by", "heat"),
    [
        ("points", "event_type", "events"),
        ("points", "actor1_family", "events"),
        ("density", "event_type", "events"),
        ("density", "event_type", "fatalities"),
        ("density", None, "events"),
        ("density", None, "fatalities"),
        ("provinces", "event_type", "events"),
        ("provinces", "actor1_family", "events"),
    ],
)
def test_the_map_of_a_place_summary_is_the_map_of_its_events(events, mode, colour_by, heat):
    # Heat has no colours, so its sums may be per place alone (colour_by None).
    from_events = event_map(events, mode=mode, colour_by=colour_by or "event_type", density_weight=heat)
    summed = weighted.place_summary(events, colour_by)
    from_sums = event_map(summed, mode=mode, colour_by=colour_by or "event_type", density_weight=heat)
    _assert_same_traces(from_events, from_sums)
    assert from_sums.layout.meta["note"] == from_events.layout.meta["note"]


@pytest.mark.parametrize(("lanes", "granularity"), [("theatre", "week"), ("actor1_family", "month")])
def test_the_timeline_of_period_sums_and_key_events_is_the_timeline_of_the_events(events, lanes, granularity):
    key = is_key_event(events).to_numpy()
    rows = pd.concat(
        [weighted.period_summary(events[~key], lanes, granularity), weighted.one_each(events[key])], ignore_index=True
    )
    assert weighted.total_events(rows) == len(events)
    from_events = event_timeline(events, lanes=lanes, granularity=granularity)
    from_sums = event_timeline(rows, lanes=lanes, granularity=granularity)
    assert from_sums.to_json() == from_events.to_json()
