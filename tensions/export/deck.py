"""The PowerPoint deck: the slide's picture under its title and subtitle (editable text), the source line and
caption in the notes and alt text, then the key events on the slides after it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import PP_ALIGN
from pptx.util import Inches, Pt

from tensions.data.words import date_with_precision, fatalities_in_words

# A 16:9 PowerPoint slide is 13.333 x 7.5 inches; python-pptx measures in EMU (914,400 per inch).
SLIDE_WIDTH_IN = 13.333
SLIDE_HEIGHT_IN = 7.5
PICTURE_TOP_IN = 1.45
KEY_EVENTS_PER_SLIDE = 12


@dataclass(frozen=True)
class Deck:
    """What goes into the PowerPoint file besides the figure's picture."""

    title: str
    subtitle: str
    notes: str
    alt_text: str
    key_events: pd.DataFrame
    period: str


def key_event_rows(events: pd.DataFrame) -> list[tuple[str, str, str, str, str, str]]:
    """(date, label, place, deaths, source, url) per key event, in date order, for the deck's table."""
    if events.empty:
        return []
    ordered = events.sort_values(["event_date", "event_id"])
    dates = date_with_precision(ordered)
    deaths = fatalities_in_words(ordered)
    rows = []
    for (_, event), date, died in zip(ordered.iterrows(), dates, deaths, strict=True):
        label = event["label"] if pd.notna(event["label"]) else f"{event['sub_event_type']}, {event['location']}"
        place = f"{event['location']}, {event['country']}"
        source = f"{event['source']}, {event['source_date']:%d %b %Y}: {event['source_title']}"
        url = event["source_url"] if pd.notna(event["source_url"]) else ""
        rows.append((str(date), str(label), place, str(died), source, str(url)))
    return rows


def briefing_pptx(picture_png: bytes, deck: Deck) -> bytes:
    """A 16:9 deck: slide 1 the figure under its title (source line in the notes); then the key events."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_WIDTH_IN), Inches(SLIDE_HEIGHT_IN)
    title_only = prs.slide_layouts[5]
    muted = RGBColor(0x55, 0x55, 0x55)

    slide = prs.slides.add_slide(title_only)
    _set_title(slide, deck.title)
    subtitle = slide.shapes.add_textbox(Inches(0.4), Inches(0.95), Inches(SLIDE_WIDTH_IN - 0.8), Inches(0.45))
    _write(subtitle.text_frame, deck.subtitle, Pt(18), colour=muted)
    picture = slide.shapes.add_picture(io.BytesIO(picture_png), 0, Inches(PICTURE_TOP_IN), width=Inches(SLIDE_WIDTH_IN))
    picture._element.nvPicPr.cNvPr.set("descr", deck.alt_text)
    slide.notes_slide.notes_text_frame.text = deck.notes

    rows = key_event_rows(deck.key_events)
    pages = [rows[i : i + KEY_EVENTS_PER_SLIDE] for i in range(0, len(rows), KEY_EVENTS_PER_SLIDE)] or [[]]
    for number, page in enumerate(pages, start=1):
        slide = prs.slides.add_slide(title_only)
        suffix = f" ({number} of {len(pages)})" if len(pages) > 1 else ""
        _set_title(slide, f"Key events, {deck.period}{suffix}")
        _key_event_table(slide, page, muted)
        slide.notes_slide.notes_text_frame.text = deck.notes
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def _set_title(slide, text: str) -> None:
    title = slide.shapes.title
    title.left, title.top, title.width, title.height = (
        Inches(0.4),
        Inches(0.25),
        Inches(SLIDE_WIDTH_IN - 0.8),
        Inches(0.75),
    )
    _write(title.text_frame, text, Pt(30), bold=True)


def _key_event_table(slide, rows: Sequence[tuple[str, ...]], muted: RGBColor) -> None:
    if not rows:
        box = slide.shapes.add_textbox(Inches(0.4), Inches(1.3), Inches(12), Inches(1))
        _write(box.text_frame, "No key events in this period.", Pt(18))
        return
    columns = (("Date", 1.55), ("Event", 3.3), ("Where", 2.2), ("Deaths", 1.2), ("Source", 4.28))
    shape = slide.shapes.add_table(
        len(rows) + 1, len(columns), Inches(0.4), Inches(1.15), Inches(sum(w for _, w in columns)), Inches(0.4)
    )
    table = shape.table
    for j, (name, width) in enumerate(columns):
        table.columns[j].width = Inches(width)
        _cell(table.cell(0, j), name, Pt(12), bold=True)
    for i, (date, label, place, deaths, source, url) in enumerate(rows, start=1):
        for j, value in enumerate((date, label, place, deaths, source)):
            run = _cell(table.cell(i, j), value, Pt(11), bold=(j == 1))
            if j == 4:
                run.font.color.rgb = muted
                if url.startswith(("https://", "http://")):
                    run.hyperlink.address = url


def _cell(cell, text: str, size: Pt, *, bold: bool = False):
    cell.margin_top = cell.margin_bottom = Inches(0.04)
    return _write(cell.text_frame, text, size, bold=bold)


def _write(frame, text: str, size: Pt, *, bold: bool = False, colour: RGBColor | None = None):
    """Replace a text frame's text with one left-aligned run (which may be empty) and return the run."""
    frame.clear()
    paragraph = frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.LEFT
    run = paragraph.add_run()
    run.text = text
    run.font.size = size
    run.font.bold = bold
    if colour is not None:
        run.font.color.rgb = colour
    return run
