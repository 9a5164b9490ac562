"""The timeline figure: lanes, encodings, labels that clear the markers, and panels on one time axis."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from tensions.data.load import load_dataset
from tensions.data.tags import is_key_event
from tensions.figures import theme
from tensions.figures.hover import hover_cards
from tensions.figures.timeline.builder import event_timeline
from tensions.figures.timeline.events import key_event_labels, marker_sizes
from tensions.figures.timeline.panels import Panel, period_bins
from tensions.figures.timeline.style import SCREEN
from tests.conftest import FIXTURE_DATA, plotly_array


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return load_dataset(FIXTURE_DATA).events


def marker_traces(fig: go.Figure) -> list[go.Scatter]:
    """The traces drawing one marker per event (they carry hover cards)."""
    return [t for t in fig.data if t.type == "scatter" and t.mode == "markers" and t.customdata is not None]


def trace_for(fig: go.Figure, event_type: str, *, hollow: bool) -> go.Scatter:
    symbol = theme.EVENT_TYPE_SYMBOLS[event_type] + ("-open" if hollow else "")
    matches = [t for t in marker_traces(fig) if t.legendgroup == event_type and t.marker.symbol == symbol]
    assert len(matches) == 1
    return matches[0]


def label_annotations(fig: go.Figure) -> list:
    return [a for a in fig.layout.annotations if a.xref == "x" and a.yref == "y"]


def test_lanes_by_theatre_are_the_theatres_present_in_taxonomy_order(events):
    fig = event_timeline(events)
    assert list(fig.layout.yaxis.ticktext) == ["Iraq", "Syria and Jordan", "Lebanon and Israel"]
    assert fig.layout.meta["lanes"] == ["Iraq", "Syria and Jordan", "Lebanon and Israel"]


def test_lanes_by_actor_family_follow_the_family_of_the_actor_who_acted(events):
    fig = event_timeline(events, lanes="actor1_family")
    assert list(fig.layout.yaxis.ticktext) == ["Iran and the axis", "US and partners", "Israel"]


def test_an_unknown_lane_choice_is_refused(events):
    with pytest.raises(ValueError, match="lanes must be one of"):
        event_timeline(events, lanes="country")


def test_each_type_has_its_theme_colour_and_shape(events):
    fig = event_timeline(events)
    strikes = trace_for(fig, "Explosions/Remote violence", hollow=False)
    assert strikes.marker.color == theme.EVENT_TYPE_COLOURS["Explosions/Remote violence"]
    assert strikes.marker.symbol == "star"
    legend = [t.name for t in fig.data if t.showlegend is not False and t.name]
    assert legend == ["Explosions/Remote violence", "Threats and warnings", "Agreements", "Troop movements"]


def test_unknown_fatalities_are_hollow_and_never_drawn_as_zero(events):
    fig = event_timeline(events)
    reported = trace_for(fig, "Explosions/Remote violence", hollow=False)
    unreported = trace_for(fig, "Explosions/Remote violence", hollow=True)
    assert len(plotly_array(reported.y)) == 1  # Tower 22, 3 killed
    assert len(plotly_array(unreported.y)) == 2  # two strikes with no reported toll
    sizes = marker_sizes(pd.Series([pd.NA, 0, 3, 100], dtype="Int64"))
    assert sizes[0] == sizes[1] == SCREEN.marker_min  # same size, told apart by the hollow shape
    assert sizes[1] < sizes[2] < sizes[3]


def test_hover_cards_are_the_shared_cards(events):
    fig = event_timeline(events)
    reported = trace_for(fig, "Explosions/Remote violence", hollow=False)
    tower22 = events[events["event_id"] == "JOR-20240128-1"]
    assert list(reported.customdata) == list(hover_cards(tower22))
    assert reported.hovertemplate == "%{customdata}<extra></extra>"


def test_an_event_dated_only_to_its_month_gets_a_bar_over_the_month(events):
    fig = event_timeline(events)
    bars = [t for t in fig.data if t.type == "scatter" and t.mode == "lines" and t.legendgroup == "Troop movements"]
    assert len(bars) == 1
    start, end = pd.Timestamp(bars[0].x[0]), pd.Timestamp(bars[0].x[1])
    assert (start, end) == (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-02-01"))
    assert bars[0].opacity < 1


def test_key_events_are_labelled_with_their_curated_labels(events):
    fig = event_timeline(events)
    assert sorted(a.text for a in label_annotations(fig)) == [
        "Israel-Hezbollah ceasefire",
        "Tower 22: 3 US troops killed",
    ]
    assert fig.layout.meta["unlabelled_key_events"] == []
    leaders = [t for t in fig.data if t.name == "Key event label"]
    assert len(leaders) == 1 and leaders[0].line.dash == "dot"


def test_markup_in_a_label_is_escaped(events):
    hostile = events.assign(label=events["label"].str.replace("Tower 22", "<img src=x onerror=alert(1)>"))
    texts = [a.text for a in label_annotations(event_timeline(hostile))]
    assert "&lt;img src=x onerror=alert(1)&gt;: 3 US troops killed" in texts
    assert not any("<img" in text for text in texts)


def test_quotes_in_a_label_are_drawn_as_quotes(events):
    """Plotly shows `&quot;` as written: a label's quotes stay quotes, and hover cards' too."""
    quoted = events.assign(
        label=events["label"].str.replace("Tower 22", '"Tower 22"'),
        notes=events["notes"].str.replace("drone", '"drone"', n=1),
    )
    fig = event_timeline(quoted)
    assert '"Tower 22": 3 US troops killed' in [a.text for a in label_annotations(fig)]
    cards = [card for t in marker_traces(fig) for card in t.customdata.ravel() if isinstance(card, str)]
    assert any('"drone"' in card for card in cards)
    assert not any("&quot;" in card for card in cards)


def test_labels_sit_above_every_marker_of_the_top_lane(events):
    crowded = events.assign(tags="key", fatalities=pd.array([1000, 3, 50, None, None, 400], dtype="Int64"))
    fig = event_timeline(crowded)
    lane_px = fig.layout.meta["lane_px"]
    top_lane = len(fig.layout.meta["lanes"]) - 1
    marker_top = max(
        y + (size / 2 + SCREEN.ring_pad / 2 + SCREEN.ring_line) / lane_px
        for trace in marker_traces(fig)
        for y, size in zip(
            plotly_array(trace.y),
            np.broadcast_to(plotly_array(trace.marker.size), len(plotly_array(trace.y))),
            strict=True,
        )
        if round(y) == top_lane
    )
    label_bottoms = [a.y - SCREEN.label_row_px / 2 / lane_px for a in label_annotations(fig)]
    assert label_bottoms and min(label_bottoms) > marker_top


def test_key_event_tags_are_read_as_a_semicolon_list(events):
    tagged = pd.DataFrame({"tags": ["key", "us-forces;key", "keys;monkey", None, " key ;x"]})
    assert is_key_event(tagged).tolist() == [True, True, False, False, True]
    assert key_event_labels(events[is_key_event(events)]).tolist() == [
        "Tower 22: 3 US troops killed",
        "Israel-Hezbollah ceasefire",
    ]


def test_weeks_start_on_monday_and_run_without_gaps():
    bins = period_bins(pd.Series(pd.to_datetime(["2024-01-28", "2024-02-02", "2024-02-20"])), "week")
    starts = pd.DatetimeIndex(bins.starts)
    assert list(starts.strftime("%Y-%m-%d")) == ["2024-01-22", "2024-01-29", "2024-02-05", "2024-02-12", "2024-02-19"]
    assert (starts.day_of_week == 0).all()
    assert list(bins.code) == [0, 1, 4]
    months = period_bins(pd.Series(pd.to_datetime(["2024-01-28", "2024-03-02"])), "month")
    assert list(pd.DatetimeIndex(months.starts).strftime("%Y-%m")) == ["2024-01", "2024-02", "2024-03"]


def test_counts_per_week_are_stacked_by_type_and_add_up_to_the_events(events):
    fig = event_timeline(events, granularity="week")
    bars = [t for t in fig.data if t.type == "bar" and t.name != "Reported deaths"]
    assert fig.layout.barmode == "stack"
    assert sum(plotly_array(t.y).sum() for t in bars) == len(events)
    assert {t.marker.color for t in bars} <= set(theme.EVENT_TYPE_COLOURS.values())
    assert any(a.text == "Events per week, by type" for a in fig.layout.annotations)


def test_deaths_per_month_add_only_reported_figures(events):
    fig = event_timeline(events, granularity="month")
    deaths = next(t for t in fig.data if t.name == "Reported deaths")
    assert plotly_array(deaths.y).tolist() == [3.0]  # Tower 22; the other five events have no figure
    # January 2024: Tower 22 with its figure, and the Baghdad strike of 4 January without one.
    assert list(deaths.customdata[0]) == ["January 2024", 1, 1]


def test_every_panel_shares_the_time_axis_and_the_screen_has_a_range_slider(events):
    fig = event_timeline(events)
    assert fig.layout.xaxis.matches == fig.layout.xaxis2.matches == "x3"
    assert fig.layout.xaxis3.rangeslider.visible is True
    assert fig.layout.yaxis.fixedrange is True  # zoom is along time only


def test_panels_stack_top_down_with_their_heights_and_gaps_in_pixels(events):
    fig = event_timeline(events, height=900, style=SCREEN)
    margin = fig.layout.margin
    plot_h = 900 - margin.t - margin.b
    domains = [fig.layout[f"yaxis{suffix}"].domain for suffix in ("", "2", "3")]
    assert domains[0][1] == pytest.approx(1.0) and domains[-1][0] == pytest.approx(0.0)
    gaps_px = [(upper[0] - lower[1]) * plot_h for upper, lower in itertools.pairwise(domains)]
    assert gaps_px == pytest.approx([SCREEN.panel_gap_px] * 2)
    assert {t.xaxis for t in fig.data if t.type == "bar"} == {"x2", "x3"}  # counts, then deaths, under the lanes
    assert fig.layout.xaxis3.showticklabels is not False and fig.layout.xaxis.showticklabels is False


def test_a_band_is_added_as_a_row_under_the_lanes(events):
    def draw(canvas, context) -> None:
        canvas.add_trace(go.Scatter(x=context.bins.centres, y=np.ones(len(context.bins.starts)), name="index"),
                         row=context.row)  # fmt: skip

    fig = event_timeline(events, bands=[Panel(name="tension", title="Tension index", height_px=80, draw=draw)])
    index = next(t for t in fig.data if t.name == "index")
    assert (index.xaxis, index.yaxis) == ("x2", "y2")
    assert fig.layout.xaxis4.rangeslider.visible is True  # the slider stays on the bottom row
    assert any(a.text == "Tension index" for a in fig.layout.annotations)


def test_changes_since_a_brief_are_ringed_or_crossed(events):
    changes = pd.DataFrame(
        {
            "event_id": ["JOR-20240128-1", "IRQ-20250316-1", "IRQ-20240301-9"],
            "change": ["revised", "added", "removed"],
            "event_date": pd.to_datetime(["2024-01-28", "2025-03-16", "2024-03-01"]),
            "theatre": ["Syria and Jordan", "Iraq", "Iraq"],
            "actor1_family": ["Iran and the axis", "US and partners", "US and partners"],
            "details": ["fatalities 1 → 3", "new since the brief", "no longer in the data"],
        }
    )
    fig = event_timeline(events, changes=changes)
    by_name = {t.name: t for t in fig.data}
    revised = by_name["Revised since the brief"]
    assert revised.marker.color == theme.CHANGE_COLOURS["revised"]
    assert "fatalities 1 → 3" in revised.customdata[0]
    assert "Tower 22" in revised.customdata[0]  # the event's own card follows
    assert by_name["Removed since the brief"].marker.symbol == theme.CHANGE_SYMBOLS["removed"]
    assert len(plotly_array(by_name["Added since the brief"].x)) == 1


def test_beyond_the_marker_limit_lanes_show_counts_and_key_events_stay_markers(events):
    fig = event_timeline(events, max_markers=3)
    assert any(t.type == "heatmap" for t in fig.data)
    drawn = sum(len(plotly_array(t.y)) for t in marker_traces(fig))
    assert drawn == int(is_key_event(events).sum())
    assert fig.layout.meta["detailed"] is False


def test_no_events_still_makes_a_figure():
    empty = load_dataset(FIXTURE_DATA).events.iloc[:0]
    fig = event_timeline(empty)
    assert isinstance(fig, go.Figure)
    assert fig.layout.meta["key_events"] == []
