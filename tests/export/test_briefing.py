"""Static exports: images at exactly the asked size, and a deck python-pptx reads back."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation

from tensions.analysis.filters import FilterState
from tensions.data.load import load_dataset
from tensions.errors import TensionsError
from tensions.export.briefing import check_choices, export_briefing, export_file_name
from tensions.export.deck import KEY_EVENTS_PER_SLIDE, Deck, briefing_pptx, key_event_rows
from tensions.export.render import image_size, renderer_available
from tests.conftest import FIXTURE_DATA

needs_chromium = pytest.mark.skipif(not renderer_available(), reason="static export needs Chromium")
AS_OF = dt.date(2025, 4, 7)


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return load_dataset(FIXTURE_DATA).events


def tiny_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (192, 87), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@needs_chromium
@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720)])
def test_a_png_export_has_exactly_the_slide_size(events, size):
    png = export_briefing(events, fmt="png", state=FilterState(), data_as_of=AS_OF, width=size[0], height=size[1])
    image = Image.open(io.BytesIO(png))
    assert image.size == image_size(png, "png") == size
    assert len(image.convert("L").getcolors(maxcolors=4096) or []) > 50, "the image is (nearly) blank"


@needs_chromium
def test_a_png_export_grows_taller_for_a_key_event_list_under_the_chart(events):
    key = events[events["event_id"] == "JOR-20240128-1"]
    crowded = pd.concat(
        [
            key.assign(
                event_id=f"K{i}", event_date=pd.Timestamp("2024-01-01") + pd.Timedelta(days=4 * i),
                label=f"Key event {i} with a longer name",
            )
            for i in range(90)
        ],
        ignore_index=True,
    ).astype(key.dtypes.to_dict())  # fmt: skip
    png = export_briefing(crowded, fmt="png", state=FilterState(), data_as_of=AS_OF)
    width, height = Image.open(io.BytesIO(png)).size
    assert width == 1920 and height > 1080


@needs_chromium
def test_an_svg_export_is_vector_text_at_the_slide_size(events):
    payload = export_briefing(events, fmt="svg", state=FilterState(), data_as_of=AS_OF, title="Tower 22 & after")
    assert image_size(payload, "svg") == (1920, 1080)
    svg = payload.decode()
    assert svg.lstrip().startswith("<svg")
    assert 'width="1920"' in svg and 'height="1080"' in svg
    assert "Tower 22 &amp; after" in svg  # the title is text, escaped, not pixels


@needs_chromium
def test_the_deck_has_the_figure_slide_then_the_key_events(events):
    pptx = export_briefing(events, fmt="pptx", state=FilterState(), data_as_of=AS_OF, title="Iraq and the US")
    deck = Presentation(io.BytesIO(pptx))
    first, second = deck.slides
    assert first.shapes.title.text_frame.text == "Iraq and the US"
    assert any(shape.shape_type == 13 for shape in first.shapes)  # a picture
    notes = first.notes_slide.notes_text_frame.text
    assert notes.startswith("Source: Reuters")
    assert "Data as of 7 April 2025" in notes
    table = next(shape for shape in second.shapes if shape.has_table).table
    cells = [[cell.text for cell in row.cells] for row in table.rows]
    assert cells[0] == ["Date", "Event", "Where", "Deaths", "Source"]
    assert cells[1][:4] == ["28 Jan 2024", "Tower 22: 3 US troops killed", "Tower 22, Jordan", "3"]
    assert cells[1][4].startswith("US Department of Defense, 28 Jan 2024")
    assert cells[2][1:4] == ["Israel-Hezbollah ceasefire", "Beirut, Lebanon", "not reported"]


def test_many_key_events_continue_on_further_slides(events):
    key = events[events["event_id"] == "JOR-20240128-1"]
    many = pd.concat([key.assign(event_id=f"JOR-20240128-{i}") for i in range(KEY_EVENTS_PER_SLIDE + 3)])
    deck = Deck(title="T", subtitle="S", notes="Source: X", alt_text="A", key_events=many, period="2024")
    slides = list(Presentation(io.BytesIO(briefing_pptx(tiny_png(), deck))).slides)
    assert len(slides) == 3
    assert slides[1].shapes.title.text_frame.text == "Key events, 2024 (1 of 2)"
    assert slides[0].shapes[2].element.nvPicPr.cNvPr.get("descr") == "A"  # alt text for the picture


def test_a_period_without_key_events_says_so(events):
    deck = Deck(title="T", subtitle="", notes="", alt_text="", key_events=events.iloc[:0], period="2024")
    second = list(Presentation(io.BytesIO(briefing_pptx(tiny_png(), deck))).slides)[1]
    assert any("No key events" in shape.text_frame.text for shape in second.shapes if shape.has_text_frame)


def test_key_event_rows_give_date_precision_and_unknown_tolls_in_words(events):
    rows = key_event_rows(events[events["event_id"].isin(["IRQ-20250115-1", "LBN-20241127-1"])])
    assert [row[0] for row in rows] == ["27 Nov 2024", "Jan 2025 (month known)"]
    assert rows[0][3] == "not reported"
    assert rows[1][1] == "Withdrawal or relocation, Anbar"  # no curated label: sub-type and place


def test_file_names_come_from_the_title():
    assert export_file_name("Regional tensions, Jan–Jun 2025", "png") == "regional-tensions-jan-jun-2025.png"
    assert export_file_name("<script>", "pptx") == "script.pptx"
    assert export_file_name("", "svg") == "timeline.svg"


def test_an_unknown_filter_value_is_refused_with_the_nearest_spellings():
    with pytest.raises(TensionsError, match="unknown country 'Irak'; did you mean 'Iraq'"):
        check_choices("country", ["Irak"], ["Iraq", "Jordan"])
    check_choices("country", ["Iraq"], ["Iraq", "Jordan"])


def test_an_unknown_format_is_refused(events):
    with pytest.raises(ValueError, match="format must be one of"):
        export_briefing(events, fmt="gif", state=FilterState(), data_as_of=AS_OF)
