"""The briefing slide on a dense period: no marker clipped, every key event named, spikes not flattening deaths."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from tensions.analysis.filters import FilterState
from tensions.data import taxonomy
from tensions.data.load import load_dataset
from tensions.data.tags import is_key_event
from tensions.figures.annotations import text_width
from tensions.figures.briefing import LIST_READABLE_SIZE, briefing_figure
from tensions.figures.timeline.lanes import dodge_offsets
from tensions.figures.timeline.panels import deaths_ceiling
from tests.conftest import FIXTURE_DATA

AS_OF = dt.date(2026, 6, 23)
START, END = pd.Timestamp("2023-10-07"), pd.Timestamp("2026-06-17")


@pytest.fixture(scope="module")
def dense() -> pd.DataFrame:
    """About 600 events over 32 months in every theatre, 96 of them key events bunched in crises, the
    7 October 2023 spike (1,139 deaths) and a large key event in June 2025 in the bottom lane."""
    template = load_dataset(FIXTURE_DATA).events.iloc[[1]]
    rng = np.random.default_rng(18)
    n = 600
    days = rng.integers(0, (END - START).days + 1, n)
    days[:40] = rng.integers(610, 625, 40)  # a crowded fortnight in June 2025
    rows = template.loc[template.index.repeat(n)].reset_index(drop=True)
    rows["event_id"] = [f"E{i:04d}" for i in range(n)]
    rows["event_date"] = START + pd.to_timedelta(days, unit="D")
    rows["theatre"] = rng.choice(taxonomy.THEATRES[:6], n)
    rows["event_type"] = rng.choice(taxonomy.EVENT_TYPES, n)
    deaths = rng.choice([np.nan, 0, 1, 5, 20, 60], n)
    rows["fatalities"] = pd.array(deaths, dtype="Float64").round().astype("Int64")
    key = np.zeros(n, dtype=bool)
    key[:24] = True  # in the crowded fortnight
    key[100:172] = True
    rows["tags"] = np.where(key, "strikes;key", "strikes")
    rows["label"] = [f"Key event number {i} in words" if k else pd.NA for i, k in enumerate(key)]
    bottom = taxonomy.THEATRES[5]
    rows.loc[0, ["event_date", "theatre", "fatalities"]] = [START, bottom, 1139]
    rows.loc[1, ["event_date", "theatre", "fatalities"]] = [pd.Timestamp("2025-06-13"), bottom, 600]
    rows["time_precision"] = "day"
    for column in ("theatre", "event_type", "tags", "label", "time_precision"):
        rows[column] = rows[column].astype(template[column].dtype)
    return rows.sort_values("event_date", ignore_index=True)


def slide(events: pd.DataFrame, start: str | None = None, **filters: object) -> go.Figure:
    chosen = events if start is None else events[events["event_date"] >= start]
    state = FilterState(start=dt.date.fromisoformat(start) if start else None, **filters)
    return briefing_figure(chosen, state=state, data_as_of=AS_OF)


VIEWS = {
    "full period": {},
    "last 12 months": {"start": "2025-06-17"},
    "one theatre": {"theatre": taxonomy.THEATRES[5]},
    "two types": {"types": taxonomy.EVENT_TYPES[:2]},
    "a month": {"start": "2025-06-01", "end": "2025-06-30"},
}


def view(events: pd.DataFrame, name: str) -> go.Figure:
    options = dict(VIEWS[name])
    chosen = events
    if "theatre" in options:
        chosen = chosen[chosen["theatre"] == options.pop("theatre")]
    if "types" in options:
        chosen = chosen[chosen["event_type"].isin(options.pop("types"))]
    if "end" in options:
        chosen = chosen[chosen["event_date"] <= options.pop("end")]
    return slide(chosen, **options)


def lane_px_per_unit(fig: go.Figure) -> float:
    layout = fig.layout
    plot_h = layout.height - layout.margin.t - layout.margin.b
    low, high = layout.yaxis.range
    return (layout.yaxis.domain[1] - layout.yaxis.domain[0]) * plot_h / (high - low)


@pytest.mark.parametrize("name", list(VIEWS))
def test_every_marker_and_ring_lies_inside_the_lanes_axis(dense, name):
    fig = view(dense, name)
    low, high = fig.layout.yaxis.range
    per_unit = lane_px_per_unit(fig)
    checked = 0
    for trace in fig.data:
        if trace.type != "scatter" or trace.mode != "markers" or trace.yaxis not in (None, "y") or trace.y[0] is None:
            continue
        y = np.asarray(trace.y, dtype=float)
        reach = (np.broadcast_to(np.asarray(trace.marker.size, dtype=float), y.shape) + trace.marker.line.width) / 2
        assert (y - reach / per_unit >= low).all(), trace.name
        assert (y + reach / per_unit <= high).all(), trace.name
        checked += len(y)
    assert checked >= 2 * is_key_event(dense).sum() or name != "full period"


def test_the_bottom_lane_gets_room_for_its_largest_ringed_marker(dense):
    fig = slide(dense)
    assert fig.layout.yaxis.range[0] < -0.5


@pytest.mark.parametrize("name", list(VIEWS))
def test_every_key_event_in_view_has_a_label_or_a_number_in_the_list(dense, name):
    fig = view(dense, name)
    meta = fig.layout.meta
    drawn = {a.text for a in fig.layout.annotations if a.yref == "y"}
    listed = set(meta["key_list"])
    named = set()
    for group in meta["key_labels"]:
        assert group["placed"]
        assert group["text"] in drawn
        if meta["key_list"]:
            assert all(f"{group['text']} {name}" in listed for name in group["names"])
        named |= set(group["events"])
    assert named == set(meta["key_events"])
    assert len(named) == len(set(meta["key_events"])) > 0
    assert not meta["unlabelled_key_events"]


def list_entries(fig: go.Figure) -> list:
    return [a for a in fig.layout.annotations if a.xref == "paper" and a.text in fig.layout.meta["key_list"]]


def px_from_top(fig: go.Figure, paper_y: float) -> float:
    margin = fig.layout.margin
    return margin.t + (1 - paper_y) * (fig.layout.height - margin.t - margin.b)


def test_a_crowded_slide_numbers_key_events_and_lists_them_under_the_chart_in_readable_type(dense):
    fig = slide(dense)  # 96 key events over 32 months
    meta = fig.layout.meta
    assert meta["key_labels"][0]["text"] == "1" and "numbered and listed" in meta["subtitle"]
    entries = list_entries(fig)
    assert len(entries) == len(meta["key_list"]) == is_key_event(dense).sum()
    # 19 px on the 1920 px slide: 11 px on the page's 1120 px preview.
    assert min(a.font.size for a in entries) >= LIST_READABLE_SIZE
    assert len({round(a.x, 4) for a in entries}) >= 4  # in columns across the slide
    # Under the plot's dates and above the caption, all on the slide, which grew by the list.
    margin, plot_w = fig.layout.margin, fig.layout.width - fig.layout.margin.l - fig.layout.margin.r
    tops = [px_from_top(fig, a.y) for a in entries]
    caption_top = min(px_from_top(fig, a.y) for a in fig.layout.annotations if a.text.startswith("Filters:"))
    assert min(tops) > fig.layout.height - margin.b and max(tops) + 19 * 1.3 <= caption_top
    assert all(margin.l + a.x * plot_w + text_width(a.text, a.font.size) <= fig.layout.width for a in entries)
    assert fig.layout.height > 1080


def test_the_chart_keeps_its_size_when_the_list_goes_under_it(dense):
    grown, fixed = slide(dense), briefing_figure(dense, state=FilterState(), data_as_of=AS_OF, grow=False)
    grown_h, fixed_h = (f.layout.height - f.layout.margin.t - f.layout.margin.b for f in (grown, fixed))
    assert grown_h >= fixed_h  # the list takes nothing from the chart (the list beside it made it narrower)
    # The legend stays under the title, placed as a share of the taller height.
    assert (1 - grown.layout.legend.y) * grown.layout.height == pytest.approx(
        (1 - fixed.layout.legend.y) * fixed.layout.height
    )


def test_a_slide_of_fixed_size_keeps_the_list_beside_the_figure(dense):
    fig = briefing_figure(dense, state=FilterState(), data_as_of=AS_OF, grow=False)
    assert fig.layout.height == 1080
    list_x = [a.x for a in list_entries(fig)]
    assert list_x and min(list_x) > 1  # right of the plot, on the slide
    plot_w = fig.layout.width - fig.layout.margin.l - fig.layout.margin.r
    assert fig.layout.margin.l + max(list_x) * plot_w < fig.layout.width


def test_a_list_that_fits_beside_the_figure_in_readable_type_stays_there(dense):
    key = is_key_event(dense)
    fig = slide(dense[~key | key.cumsum().le(30)])
    entries = list_entries(fig)
    assert entries and fig.layout.height == 1080
    assert min(a.x for a in entries) > 1 and min(a.font.size for a in entries) >= LIST_READABLE_SIZE


def test_a_quiet_slide_labels_key_events_in_words(dense):
    key = is_key_event(dense)
    fig = slide(dense[~key | key.cumsum().le(3)])
    meta = fig.layout.meta
    assert not meta["key_list"]
    assert meta["key_labels"][0]["text"].startswith("Key event number")


def fatalities_axis(fig: go.Figure) -> tuple[str, go.layout.YAxis]:
    rows = len([k for k in fig.layout.to_plotly_json() if k.startswith("yaxis")])
    return f"y{rows}", fig.layout[f"yaxis{rows}"]


def test_the_deaths_axis_is_cut_above_ordinary_weeks_and_the_spike_carries_its_total(dense):
    fig = slide(dense)
    ref, axis = fatalities_axis(fig)
    assert axis.range is not None and axis.range[1] < 1139 / 2
    first_week = dense.loc[dense["event_date"] < "2023-10-09", "fatalities"].sum()  # the week of 2 Oct 2023
    assert first_week >= 1139
    notes = [a.text for a in fig.layout.annotations if a.yref == ref]
    assert any(f"{first_week:,}" in text for text in notes)


def test_deaths_axis_shows_everything_without_a_spike(dense):
    even = dense.assign(fatalities=pd.array([5] * len(dense), dtype="Int64"))
    fig = slide(even[~even["event_date"].between("2025-06-01", "2025-06-30")])  # without the crowded fortnight
    ref, axis = fatalities_axis(fig)
    assert axis.range is None and axis.rangemode == "tozero"
    assert not [a for a in fig.layout.annotations if a.yref == ref]


@pytest.mark.parametrize(
    ("totals", "ceiling"),
    [
        ([1139, 40, 30, 20, 10, 5, 5, 5, 5, 5], 40 * 1.15),
        ([50, 40, 30, 20, 10, 5], None),
        ([2571, 1431, 1139, 510, 120, 90, 60, 40, 30, 20, *[10] * 30], 120 * 1.15),
        ([1000, 5], None),
    ],
)
def test_deaths_ceiling_sets_spikes_aside(totals, ceiling):
    assert deaths_ceiling(np.array(totals, dtype=float)) == pytest.approx(ceiling)


def test_same_day_markers_in_a_lane_spread_over_the_lane_and_the_edge_lanes_stay_inside():
    lane = np.array([0, 0, 0, 2, 2, 2, 2, 2, 4, 4, 4], dtype=float)
    x = np.array([0, 0, 0, 50, 50, 50, 50, 50, 9, 9, 9], dtype=float)
    offsets = dodge_offsets(lane, x, top_lane=4.0, threshold=7.0)
    assert len(set(offsets[lane == 2])) == 5 and (np.abs(offsets) < 0.5).all()
    assert (offsets[lane == 0] >= 0).all() and len(set(offsets[lane == 0])) == 3  # the bottom lane: upwards
    assert (offsets[lane == 4] <= 0).all() and len(set(offsets[lane == 4])) == 3  # the top lane: downwards


def test_large_markers_are_spread_when_closer_than_most_of_their_size():
    lane, x = np.array([1.0, 1.0]), np.array([0.0, 20.0])
    assert (dodge_offsets(lane, x, top_lane=3.0, threshold=7.0) == 0).all()
    assert dodge_offsets(lane, x, top_lane=3.0, threshold=7.0, sizes=np.array([40.0, 40.0]))[1] != 0


def test_rings_of_changes_since_a_brief_stay_inside_the_lanes_axis(dense):
    bottom = dense[dense["theatre"] == taxonomy.THEATRES[5]].nlargest(3, "fatalities")
    changes = bottom[["event_id", "event_date", "theatre", "actor1_family"]].assign(change="revised", details="d")
    fig = briefing_figure(dense, state=FilterState(), data_as_of=AS_OF, changes=changes)
    ring = next(t for t in fig.data if t.name == "Revised since the brief")
    low, high = fig.layout.yaxis.range
    reach = (np.asarray(ring.marker.size, dtype=float) + ring.marker.line.width) / 2 / lane_px_per_unit(fig)
    y = np.asarray(ring.y, dtype=float)
    assert (y - reach >= low).all() and (y + reach <= high).all()
