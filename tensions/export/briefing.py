"""Static exports of the briefing figure: PNG and SVG through kaleido, and a PowerPoint deck.

Kaleido renders with a headless Chromium. Version 1.5 finds Debian's `/usr/bin/chromium` by itself;
the `BROWSER_PATH` environment variable points it at another Chrome or Chromium. One kaleido server is
started per process, the first time something is exported (about 2-3 s), and later exports reuse it
(well under a second each). MathJax is switched off, so an export never asks the internet for it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import io
import logging
import os
import shutil
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import PP_ALIGN
from pptx.util import Inches, Pt

from tensions.analysis.briefs import briefs_dir, changes_since, load_brief, slugify
from tensions.analysis.filters import FilterState, apply_filters
from tensions.data import taxonomy
from tensions.data.atomic import write_bytes_atomically
from tensions.data.load import CURATED_DATASET, Dataset, load_dataset
from tensions.data.words import date_with_precision, fatalities_in_words
from tensions.errors import ExportError, TensionsError
from tensions.figures.briefing import briefing_figure, period_of, period_words, slide_text
from tensions.figures.timeline.events import is_key_event

FORMATS: dict[str, str] = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
# A 16:9 PowerPoint slide is 13.333 x 7.5 inches; python-pptx measures in EMU (914,400 per inch).
SLIDE_WIDTH_IN = 13.333
SLIDE_HEIGHT_IN = 7.5
PICTURE_TOP_IN = 1.45
KEY_EVENTS_PER_SLIDE = 12

_server_lock = threading.Lock()


def figure_image(fig: go.Figure, *, fmt: str = "png", width: int | None = None, height: int | None = None) -> bytes:
    """`fig` as PNG or SVG bytes at exactly `width` x `height` px (default: the figure's own size)."""
    if fmt not in ("png", "svg"):
        raise ValueError(f"image format must be png or svg, not {fmt!r}")
    import kaleido  # imported here: the pages and the CLI's other commands do not need a browser

    width = int(width or fig.layout.width or 1920)
    height = int(height or fig.layout.height or 1080)
    # The kaleido server is one browser shared by the process; its queue is not safe for two threads
    # (two Streamlit sessions) at once, so exports take turns.
    with _server_lock:
        try:
            kaleido.start_sync_server(mathjax=False, silence_warnings=True)
            return kaleido.calc_fig_sync(
                fig.to_dict(), opts={"format": fmt, "width": width, "height": height, "scale": 1}
            )
        except Exception as error:  # kaleido raises several unrelated types; all mean "no image"
            kaleido.stop_sync_server(silence_warnings=True)
            raise ExportError(
                f"could not render the figure as {fmt.upper()}: {error}. Static export needs Chromium "
                "(Debian: apt-get install chromium; or set BROWSER_PATH to a Chrome/Chromium binary)."
            ) from error


def renderer_available() -> bool:
    """Whether a Chromium for kaleido is on this machine (BROWSER_PATH, or chromium/chrome on the PATH)."""
    candidates = [os.environ.get("BROWSER_PATH", ""), "chromium", "chromium-browser", "google-chrome", "chrome"]
    return any(name and (shutil.which(name) or Path(name).is_file()) for name in candidates)


def stop_renderer() -> None:
    """Close the shared browser (a command line tool calls this before exiting, so Chromium's profile
    folder is removed cleanly rather than raced by the interpreter's shutdown)."""
    import kaleido

    # Closing the browser's pipe can cut its last message in half, which choreographer logs as an error
    # with a traceback; nothing is lost by then, so that shutdown chatter is not shown.
    logger = logging.getLogger("choreographer")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with _server_lock:
            kaleido.stop_sync_server(silence_warnings=True)
    finally:
        logger.setLevel(level)


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


def export_file_name(title: str, fmt: str) -> str:
    """A safe file name from the slide title: "regional-tensions-jan-jun-2025.png"."""
    slug = "".join(c if c.isalnum() else "-" for c in title.lower())
    slug = "-".join(part for part in slug.split("-") if part)[:60] or "timeline"
    return f"{slug}.{fmt}"


def export_briefing(
    events: pd.DataFrame,
    *,
    fmt: str,
    state: FilterState,
    data_as_of: dt.date | None,
    width: int = 1920,
    height: int = 1080,
    title: str = "",
    subtitle: str = "",
    lanes: str = "theatre",
    granularity: str = "week",
    changes: pd.DataFrame | None = None,
    brief_name: str | None = None,
) -> bytes:
    """The briefing timeline as PNG or SVG at `width` x `height`, or as a PowerPoint deck."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    options = {
        "state": state,
        "data_as_of": data_as_of,
        "title": title,
        "subtitle": subtitle,
        "lanes": lanes,
        "granularity": granularity,
        "changes": changes,
        "brief_name": brief_name,
    }
    if fmt != "pptx":
        fig = briefing_figure(events, width=width, height=height, **options)
        return figure_image(fig, fmt=fmt, width=width, height=height)
    # On the slide the title and subtitle are PowerPoint text (editable); the picture fills the rest.
    picture_height = round(width * (SLIDE_HEIGHT_IN - PICTURE_TOP_IN) / SLIDE_WIDTH_IN)
    fig = briefing_figure(events, width=width, height=picture_height, show_title=False, **options)
    unlabelled = len(fig.layout.meta["unlabelled_key_events"])
    words = slide_text(
        events, state, data_as_of, title=title, subtitle=subtitle, lanes=lanes, unlabelled=unlabelled,
        brief_name=brief_name,
    )  # fmt: skip
    start, end = period_of(events, state)
    deck = Deck(
        title=words.title,
        subtitle=words.subtitle,
        notes=f"{words.footer}\n\n{words.caption}",
        alt_text=f"{words.title}. {words.subtitle}. {words.caption}",
        key_events=events[is_key_event(events)],
        period=period_words(start, end),
    )
    return briefing_pptx(figure_image(fig, fmt="png", width=width, height=picture_height), deck)


def load_view(data_dir: Path, datasets: Sequence[str] = ()) -> Dataset:
    """The curated dataset, plus the imported datasets named in `datasets` (curated only by default)."""
    dataset = load_dataset(data_dir)
    wanted = tuple(datasets) or (CURATED_DATASET,)
    extra = [name for name in wanted if name != CURATED_DATASET]
    if not extra:
        return dataset
    from tensions.ingest import imported

    more = imported.load_imported(Path(data_dir), extra)
    if more is None:
        raise TensionsError(f"no imported events for {', '.join(extra)} in {imported.imported_dir(data_dir)}")
    frames = ([dataset.events] if CURATED_DATASET in wanted else []) + [more]
    return dataclasses.replace(dataset, events=imported.combine_events(frames))


def check_choices(label: str, asked: Sequence[str], known: Sequence[str]) -> None:
    """Refuse a filter value that matches nothing known, suggesting the nearest spellings."""
    for value in asked:
        if value not in known:
            near = difflib.get_close_matches(value, list(known), n=3, cutoff=0.5)
            hint = f"; did you mean {' or '.join(repr(n) for n in near)}?" if near else ""
            raise TensionsError(f"unknown {label} {value!r}{hint}")


def _readable_by_others(path: Path) -> None:
    """Give an exported file the usual permissions (the atomic write's temporary file is owner-only)."""
    umask = os.umask(0)
    os.umask(umask)
    path.chmod(0o666 & ~umask)


def export_timeline_file(
    data_dir: Path,
    out: Path,
    *,
    fmt: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    countries: tuple[str, ...] = (),
    actors: tuple[str, ...] = (),
    event_types: tuple[str, ...] = (),
    datasets: tuple[str, ...] = (),
    precise_only: bool = False,
    width: int = 1920,
    height: int = 1080,
    title: str = "",
    subtitle: str = "",
    lanes: str = "theatre",
    granularity: str = "week",
    since_brief: str | None = None,
) -> str:
    """Filter the data as the Timeline page does, export the briefing timeline to `out`; say what was written."""
    out = Path(out)
    fmt = fmt or out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise TensionsError(f"cannot tell the format from {out.name!r}: use --format png, svg or pptx")
    if not (320 <= width <= 7680 and 240 <= height <= 4320):
        raise TensionsError(f"size {width}x{height} is out of range (320-7680 x 240-4320 px)")
    dataset = load_view(data_dir, datasets)
    events = dataset.events
    check_choices("country", countries, sorted(set(events["country"].dropna().astype(str))))
    check_choices("event type", event_types, list(taxonomy.EVENT_TYPES))
    all_actors = set(events["actor1"].dropna().astype(str)) | set(events["actor2"].dropna().astype(str))
    check_choices("actor", actors, sorted(all_actors | set(dataset.actors["actor"].astype(str))))
    state = FilterState(
        start=start,
        end=end,
        countries=countries,
        actors=actors,
        event_types=event_types,
        datasets=tuple(datasets) if datasets and tuple(datasets) != (CURATED_DATASET,) else (),
        precise_only=precise_only,
    )
    shown = apply_filters(events, state, dataset.actors)
    changes, brief_name = None, None
    if since_brief:
        brief = load_brief(briefs_dir(data_dir) / f"{slugify(since_brief)}.json")
        changes, brief_name = changes_since(brief, events, dataset.actors), brief.name
    payload = export_briefing(
        shown, fmt=fmt, state=state, data_as_of=dataset.data_as_of, width=width, height=height, title=title,
        subtitle=subtitle, lanes=lanes, granularity=granularity, changes=changes, brief_name=brief_name,
    )  # fmt: skip
    out.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomically(out, payload)
    _readable_by_others(out)
    keys = int(is_key_event(shown).sum())
    size = f"{width}x{height} " if fmt != "pptx" else ""
    return f"wrote {out} ({size}{fmt.upper()}, {len(payload):,} bytes): {len(shown):,} events, {keys} key events"
