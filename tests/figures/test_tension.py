"""Tension figures: one panel per area titled with its trend, the band for the timeline, the movers."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from tensions.analysis.overrides import COMPUTED, JUDGEMENT
from tensions.figures import tension as figures
from tensions.figures import theme

HOSTILE = "<img src=x onerror=alert(1)>"


def index_table(areas: dict[str, list[float]], *, start: str = "2024-09-01", freq: str = "MS") -> pd.DataFrame:
    frames = []
    for area, values in areas.items():
        periods = pd.date_range(start, periods=len(values), freq=freq)
        frames.append(
            pd.DataFrame(
                {
                    "area": area,
                    "period": periods,
                    "index": values,
                    "escalatory": [max(v, 0.0) for v in values],
                    "de_escalatory": [min(v, 0.0) for v in values],
                    "events": [1] * len(values),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def trends_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area": ["Lebanon", "Iraq"],
            "month": ["2024-10", "2024-10"],
            "index": [47.2, 4.5],
            "previous": [122.7, -3.5],
            "change": [-75.5, 8.0],
            "trend": ["improved", "deteriorated"],
            "shown_trend": ["deteriorated", "deteriorated"],
            "basis": [JUDGEMENT, COMPUTED],
            "change_pct": [39.0, float("nan")],
            "recent": [47.2, 9.0],
            "baseline": [34.0, 0.5],
            "rationale": ["Ground incursion under way.", None],
            "analyst": ["A. Analyst", None],
        }
    )


def test_small_multiples_draw_one_panel_per_area_titled_with_its_trend():
    fig = figures.index_small_multiples(index_table({"Lebanon": [122.7, 47.2], "Iraq": [-3.5, 4.5]}),
                                        trends=trends_table(), columns=2)  # fmt: skip
    assert len(fig.data) == 2
    titles = [a.text for a in fig.layout.annotations]
    assert "Lebanon" in titles[0] and "▲ deteriorated (analyst judgement)" in titles[0]
    assert "Iraq" in titles[1] and "▲ deteriorated" in titles[1] and "judgement" not in titles[1]
    assert theme.TREND_COLOURS["deteriorated"] in titles[1]


def test_index_bars_are_red_above_zero_and_blue_below():
    fig = figures.index_small_multiples(index_table({"Iraq": [-3.5, 4.5]}))
    assert list(fig.data[0].marker.color) == [theme.TENSION_DOWN_COLOUR, theme.TENSION_UP_COLOUR]
    assert list(fig.data[0].y) == [-3.5, 4.5]


def test_area_names_are_escaped_in_titles():
    fig = figures.index_small_multiples(index_table({HOSTILE: [1.0]}))
    assert HOSTILE not in fig.layout.annotations[0].text
    assert "&lt;img" in fig.layout.annotations[0].text


def test_the_band_centres_each_bar_on_its_week():
    weekly = index_table({"Whole region": [10.0, -4.5, 0.0]}, start="2024-11-18", freq="7D")
    traces = figures.tension_band_traces(weekly)
    assert len(traces) == 1 and isinstance(traces[0], go.Bar)
    centres = pd.to_datetime(pd.Series(traces[0].x)).dt.strftime("%Y-%m-%d %H:%M").tolist()
    assert centres == ["2024-11-21 12:00", "2024-11-28 12:00", "2024-12-05 12:00"]  # Monday + 3.5 days
    assert traces[0].width[0] == 7 * 86_400_000 * 0.85
    band = figures.tension_band(weekly)
    assert band.layout.height == 180 and len(band.data) == 1


def test_the_band_spans_each_calendar_month():
    monthly = index_table({"Whole region": [1.0, 2.0]}, start="2024-02-01")
    trace = figures.tension_band_traces(monthly)[0]
    assert list(trace.width) == [29 * 86_400_000 * 0.85, 31 * 86_400_000 * 0.85]  # February 2024 (leap), March


def test_movers_chart_puts_the_biggest_mover_at_the_top_in_its_trend_colour():
    fig = figures.movers_chart(trends_table())
    bar = fig.data[0]
    assert list(bar.y) == ["Iraq", "Lebanon"]  # plotted bottom-up: Lebanon, the biggest, on top
    assert list(bar.marker.color) == [theme.TREND_COLOURS["deteriorated"]] * 2  # the shown (judged) trend
    assert list(bar.text) == ["+8.0", "-75.5"]


def test_the_arrows_table_shows_the_shown_trend_its_basis_and_the_computed_one():
    table = figures.arrows_table(trends_table())
    assert table.loc[0, ["area", "trend", "basis", "computed"]].tolist() == [
        "Lebanon",
        "▲ deteriorated",
        JUDGEMENT,
        "▼ improved",
    ]
    # Iraq's baseline (0.5 points per 4 weeks) is near zero: its 9 recent points are new activity, not +1,700%.
    assert table["change_pct"].tolist() == ["+39%", "new activity"]
    # The computed trend has no rationale or analyst: blank cells, which the table would otherwise show as "None".
    assert table.loc[1, ["rationale", "analyst"]].tolist() == ["", ""]
    assert figures.trend_css("▼ improved") == f"color: {theme.TREND_COLOURS['improved']}"


def test_the_tension_panel_adds_the_regions_index_as_a_row_under_the_timeline(data_copy):
    from tensions.data.load import load_dataset
    from tensions.figures.timeline.builder import event_timeline

    dataset = load_dataset(data_copy)
    fig = event_timeline(dataset.events, granularity="month", bands=[figures.tension_panel(dataset.actors,
                                                                                          granularity="month")])  # fmt: skip
    band = [t for t in fig.data if t.name == "Tension index"]
    assert len(band) == 1 and band[0].yaxis == "y2"  # the first row under the swimlanes
    # January 2024: US strike on Nujaba in Baghdad 3 × 1.5 = 4.5, plus Tower 22 3 × 1.5 × (1 + ln 4) = 10.7383:
    # 15.2383. February: US strike on the Quds Force at Al-Qaim, state on state: 3 × 2 = 6.
    assert list(band[0].y[:2]) == [15.24, 6.0]


def test_one_area_fills_the_width_instead_of_a_quarter_of_it():
    fig = figures.index_small_multiples(index_table({"Iraq": [-3.5, 4.5]}), columns=4)
    assert fig.layout.xaxis.domain == (0.0, 1.0)
    two = figures.index_small_multiples(index_table({"Iraq": [1.0, 2.0], "Iran": [3.0, 4.0]}), columns=4)
    assert two.layout.xaxis2.domain[1] == 1.0  # two panels share the whole width


@pytest.mark.parametrize(
    ("areas", "expected"),
    [
        (["Iraq"], "for Iraq; titles carry the trend of May 2026."),
        (["Iraq", "Iran"], "for the 2 busiest countries and seas; titles carry the trend of May 2026."),
    ],
)
def test_the_small_multiples_caption_names_a_single_country_instead_of_the_1_busiest(areas, expected):
    caption = figures.small_multiples_caption(areas, level="country", granularity="month", month_label="May 2026")
    assert expected in caption
    assert "the 1 busiest" not in caption
