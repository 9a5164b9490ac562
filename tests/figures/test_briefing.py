"""The briefing slide: its size, words, footer and caption, built from the timeline's own parts."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tensions.analysis import weighted
from tensions.analysis.filters import FilterState
from tensions.bench.synthetic import synthetic_events
from tensions.data.tags import is_key_event
from tensions.figures import theme
from tensions.figures.annotations import text_width
from tensions.figures.briefing import (
    FOOTER_SIZE,
    briefing_figure,
    caption_text,
    default_subtitle,
    default_title,
    period_of,
    publishers,
    source_line,
)
from tensions.figures.timeline.events import imprecise_dates
from tests.conftest import FIXTURE_DATA

AS_OF = dt.date(2025, 4, 7)


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    from tensions.data.load import load_dataset

    return load_dataset(FIXTURE_DATA).events


def paper_texts(fig) -> list[str]:
    return [a.text for a in fig.layout.annotations if a.xref == "paper"]


def test_the_slide_is_1920_by_1080_on_white_with_no_range_slider(events):
    fig = briefing_figure(events, state=FilterState(), data_as_of=AS_OF)
    assert (fig.layout.width, fig.layout.height) == (1920, 1080)
    assert fig.layout.paper_bgcolor == fig.layout.plot_bgcolor == theme.BACKGROUND
    assert not fig.layout.xaxis3.rangeslider.visible


def test_the_slide_has_the_briefers_title_and_subtitle_escaped(events):
    fig = briefing_figure(
        events, state=FilterState(), data_as_of=AS_OF, title="Iraq <b>militias</b>", subtitle="Since Tower 22"
    )
    texts = paper_texts(fig)
    assert "<b>Iraq &lt;b&gt;militias&lt;/b&gt;</b>" in texts
    assert "Since Tower 22" in texts


def test_an_empty_title_is_made_from_the_period(events):
    state = FilterState(start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30))
    assert default_title(events, state) == "Regional tensions, Jan–Jun 2025"
    assert default_title(events, FilterState()) == "Regional tensions, Jan 2024 – Mar 2025"
    fig = briefing_figure(events, state=state, data_as_of=AS_OF)
    assert "<b>Regional tensions, Jan–Jun 2025</b>" in paper_texts(fig)


def test_the_footer_names_the_sources_and_the_data_date(events):
    fig = briefing_figure(events, state=FilterState(), data_as_of=AS_OF)
    assert (
        "Source: Reuters, Associated Press, US Central Command, US Department of Defense · Data as of 7 April 2025"
        in paper_texts(fig)
    )
    assert publishers(events)[0] == "Reuters"  # the most cited first


def test_a_long_source_list_is_shortened_to_fit_the_slide(events):
    many = pd.concat([events.assign(source=f"Publisher number {i}") for i in range(40)])
    line = source_line(many, AS_OF, max_width=1840)
    assert line.startswith("Source: Publisher number")
    assert " others · Data as of 7 April 2025" in line
    assert text_width(line, FOOTER_SIZE) <= 1840


def test_the_caption_states_filters_period_data_date_datasets_and_imprecise_dates(events):
    state = FilterState(start=dt.date(2024, 1, 1), end=dt.date(2025, 3, 31), countries=("Iraq",))
    caption = caption_text(events, state, AS_OF)
    assert "Filters: countries: Iraq" in caption
    assert "period: 1 Jan 2024 – 31 Mar 2025" in caption
    assert "Data as of 7 April 2025" in caption
    assert "Regional Tensions Dashboard curated events" in caption
    assert "1 event is dated only to the week or month" in caption
    assert "hollow markers: no reported death toll (not zero)" in caption


def test_the_caption_is_on_the_slide(events):
    fig = briefing_figure(events, state=FilterState(), data_as_of=AS_OF)
    on_slide = " ".join(paper_texts(fig))
    assert "Filters: all events" in on_slide
    assert fig.layout.meta["caption"].startswith("Filters: all events")


def test_a_smaller_slide_is_the_same_slide_scaled(events):
    large = briefing_figure(events, state=FilterState(), data_as_of=AS_OF)
    small = briefing_figure(events, state=FilterState(), data_as_of=AS_OF, width=1280, height=720)
    assert (small.layout.width, small.layout.height) == (1280, 720)
    assert small.layout.margin.l == pytest.approx(large.layout.margin.l * 2 / 3)
    assert small.layout.xaxis.tickfont.size == pytest.approx(large.layout.xaxis.tickfont.size * 2 / 3)


def test_a_title_too_long_for_the_slide_is_made_smaller_then_cut(events):
    fig = briefing_figure(events, state=FilterState(), data_as_of=AS_OF, title="Escalation " * 30)
    title = next(a for a in fig.layout.annotations if a.text.startswith("<b>"))
    assert title.text.endswith("…</b>")
    assert text_width(title.text[3:-4], title.font.size, bold=True) <= 1920 - 80


def test_the_slide_uses_the_theme_colours_for_types(events):
    fig = briefing_figure(events, state=FilterState(), data_as_of=AS_OF)
    legend = {t.name: t.marker.color for t in fig.data if t.showlegend is not False and t.name}
    assert legend["Agreements"] == theme.EVENT_TYPE_COLOURS["Agreements"]


def test_the_words_of_a_slide_drawn_from_sums_count_the_events_the_rows_stand_for(events):
    imported = synthetic_events(300, seed=5).assign(dataset=pd.Categorical(["acled"] * 300))
    key = is_key_event(imported).to_numpy()
    rows = pd.concat(
        [
            weighted.period_summary(imported[~key], "theatre", "month"),
            weighted.one_each(imported[key]),
            weighted.one_each(events),
        ],
        ignore_index=True,
    )
    state = FilterState(datasets=("curated", "acled"))
    both = pd.concat([imported, events], ignore_index=True)
    assert default_subtitle(rows, "theatre").startswith(f"{len(both):,} events by theatre")
    caption = caption_text(rows, state, AS_OF)
    assert f"{int(imprecise_dates(both).sum())} events are dated only to the week or month" in caption
    assert "ACLED" in caption  # its summed events carry no dataset: the chosen datasets are credited
    assert period_of(rows, FilterState()) == (both["event_date"].min().date(), both["event_date"].max().date())
