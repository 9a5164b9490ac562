"""The briefing slide as a file, the same for the Timeline page and `python -m tensions export timeline`:
PNG and SVG (rendered by `render`) or a PowerPoint deck (`deck`), for a filter state and, optionally, a saved brief.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from tensions.analysis import queries, weighted
from tensions.analysis.briefs import changes_since, find_brief
from tensions.analysis.filters import FilterState, apply_filters
from tensions.data import taxonomy
from tensions.data.atomic import write_bytes_atomically
from tensions.data.load import CURATED_DATASET, Dataset
from tensions.data.tags import is_key_event
from tensions.errors import TensionsError
from tensions.export.deck import PICTURE_TOP_IN, SLIDE_HEIGHT_IN, SLIDE_WIDTH_IN, Deck, briefing_pptx
from tensions.export.render import figure_image, image_size
from tensions.figures.briefing import briefing_figure, period_of, period_words, slide_text
from tensions.figures.stored import timeline_rows
from tensions.store.select import imports_in_database, load_curated

FORMATS: dict[str, str] = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


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
    """The briefing timeline as PNG or SVG at `width` x `height` (taller when the key events' list goes under the
    chart, see `briefing_figure`), or as a PowerPoint deck."""
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
        return figure_image(fig, fmt=fmt, width=width, height=int(fig.layout.height))
    # On the slide the title and subtitle are PowerPoint text (editable); the picture fills the rest.
    picture_height = round(width * (SLIDE_HEIGHT_IN - PICTURE_TOP_IN) / SLIDE_WIDTH_IN)
    # The picture fills a slide of fixed size, so its key events' list stays beside the chart (slide 2 lists
    # them again in full).
    fig = briefing_figure(events, width=width, height=picture_height, show_title=False, grow=False, **options)
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
    """The curated dataset (from the store in use), plus the imported datasets named in `datasets` (curated only
    by default) when they are held in files; the database's stay there (`imports_in_database`)."""
    dataset = load_curated(data_dir)
    wanted = tuple(datasets) or (CURATED_DATASET,)
    extra = [name for name in wanted if name != CURATED_DATASET]
    if not extra or imports_in_database(wanted) is not None:
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
    state: FilterState | None = None,
    width: int = 1920,
    height: int = 1080,
    title: str = "",
    subtitle: str = "",
    lanes: str = "theatre",
    granularity: str = "week",
    since_brief: str | None = None,
) -> str:
    """Filter the data by `state` as the Timeline page does, export the briefing timeline to `out`; say what was
    written. A country, actor or type that matches nothing known is refused with the nearest spellings."""
    out = Path(out)
    fmt = fmt or out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise TensionsError(f"cannot tell the format from {out.name!r}: use --format png, svg or pptx")
    if not (320 <= width <= 7680 and 240 <= height <= 4320):
        raise TensionsError(f"size {width}x{height} is out of range (320-7680 x 240-4320 px)")
    state = state or FilterState()
    dataset = load_view(data_dir, state.datasets)
    events = dataset.events
    url = imports_in_database(state.datasets)
    countries = set(events["country"].dropna().astype(str))
    all_actors = set(events["actor1"].dropna().astype(str)) | set(events["actor2"].dropna().astype(str))
    if url is not None:  # the imports' actors from the database; their countries are the taxonomy's
        countries |= set(taxonomy.COUNTRY_NAMES)
        all_actors |= set(queries.present_names(url, state.datasets)[0])
    check_choices("country", state.countries, sorted(countries))
    check_choices("event type", state.event_types, list(taxonomy.EVENT_TYPES))
    check_choices("actor", state.actors, sorted(all_actors | set(dataset.actors["actor"].astype(str))))
    if state.datasets == (CURATED_DATASET,):  # the default, not worth a word on the slide
        state = dataclasses.replace(state, datasets=())
    shown = apply_filters(events, state, dataset.actors)
    if url is not None:  # the slide's rows as the Timeline page's chart has them: SQL sums and key events
        shown = timeline_rows(url, state, lanes=lanes, granularity=granularity, actors=dataset.actors, also=shown)
    changes, brief_name = None, None
    if since_brief:
        brief = find_brief(data_dir, since_brief)
        changes, brief_name = changes_since(brief, events, dataset.actors), brief.name
    payload = export_briefing(
        shown, fmt=fmt, state=state, data_as_of=dataset.data_as_of, width=width, height=height, title=title,
        subtitle=subtitle, lanes=lanes, granularity=granularity, changes=changes, brief_name=brief_name,
    )  # fmt: skip
    out.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomically(out, payload)
    _readable_by_others(out)
    keys = int(is_key_event(shown).sum())
    # An image grows taller than asked when the key events' list goes under the chart: say what was written.
    size = "{}x{} ".format(*image_size(payload, fmt)) if fmt != "pptx" else ""
    total = weighted.total_events(shown)
    return f"wrote {out} ({size}{fmt.upper()}, {len(payload):,} bytes): {total:,} events, {keys} key events"
