"""The timeline as a slide: 16:9, large type, an editable title and subtitle, a caption and a source footer.

The slide is designed at 1920x1080 and scaled with its width, so 1280x720 is the same slide, smaller.
Colours, shapes and encodings are the timeline's own (`tensions.figures.theme`), on white; nothing here is
interactive chrome (no range slider), so the figure is what a projector shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd
import plotly.graph_objects as go

from tensions.analysis import weighted
from tensions.analysis.filters import FilterState
from tensions.data.literal import plotly_literal
from tensions.data.load import CURATED_DATASET
from tensions.data.words import data_as_of_words
from tensions.figures import theme
from tensions.figures.annotations import fit_text, text_width, wrap_text
from tensions.figures.timeline.builder import event_timeline
from tensions.figures.timeline.events import imprecise_dates
from tensions.figures.timeline.panels import Panel
from tensions.figures.timeline.style import LANES, TimelineStyle

SLIDE_SIZES: dict[str, tuple[int, int]] = {"1920x1080": (1920, 1080), "1280x720": (1280, 720)}
DESIGN_WIDTH = 1920
# The slide style at 1920x1080: type a projector can carry (22 px on a 1080 px slide is 11 pt).
SLIDE = TimelineStyle(
    font_size=22,
    tick_font_size=22,
    label_font_size=20,
    legend_font_size=19,
    panel_title_size=19,
    marker_min=12,
    marker_per_decade=8,
    marker_line=2.2,
    ring_pad=9,
    ring_line=2.6,
    lane_px=56,
    min_lane_px=31,
    max_lane_px=72,
    label_row_px=29,
    label_gap=16,
    label_pad=5,
    label_inset=5,
    label_clearance=4,
    max_label_rows=6,
    leader_width=1.6,
    bar_width=9,
    counts_px=124,
    fatalities_px=80,
    panel_gap_px=40,
    margin_right=56,
    margin_bottom=10,
    legend_row_px=28,
    range_slider_px=0,
    dodge_px=10,
)
TITLE_SIZE = 50
SUBTITLE_SIZE = 28
FOOTER_SIZE = 18
SIDE_MARGIN = 40  # px from the slide's left edge to the title, caption and footer, at 1920 wide
# The numbered list of key events beside the figure, when their labels do not fit: type sizes tried, largest
# first, for the list to take at most `LIST_MAX_COLUMNS` columns (at 1920 wide). Below `LIST_READABLE_SIZE`
# (11 px on the page's 1120 px preview) the list goes under the figure instead, across the slide's width at that
# size, and the slide grows taller by the list's height.
LIST_FONT_SIZES = (20, 19, 18, 16, 15, 14, 13, 12)
LIST_READABLE_SIZE = 19
LIST_COLUMN_PX = 400
LIST_GAP_PX = 28
LIST_MAX_COLUMNS = 2


@dataclass(frozen=True)
class SlideText:
    """The words around the figure: what it is, what it shows, where it comes from."""

    title: str
    subtitle: str
    caption: str
    footer: str


def slide_scale(width: float) -> float:
    """How much larger or smaller than the 1920 px design a slide of `width` px is."""
    return width / DESIGN_WIDTH


def period_of(events: pd.DataFrame, state: FilterState) -> tuple[dt.date | None, dt.date | None]:
    """The period shown: the filter's dates, or the events' own span where the filter is open (rows summed per
    period run to their last date)."""
    first = events["event_date"].min().date() if len(events) else None
    last = weighted.last_dates(events).max().date() if len(events) else None
    return state.start or first, state.end or last


def period_words(start: dt.date | None, end: dt.date | None) -> str:
    """ "1 Jan 2025 – 30 Jun 2025" (or what is known of it)."""
    if start is None and end is None:
        return "no events"
    if start == end or end is None:
        return f"{start:%-d %b %Y}"
    if start is None:
        return f"to {end:%-d %b %Y}"
    return f"{start:%-d %b %Y} – {end:%-d %b %Y}"


def default_title(events: pd.DataFrame, state: FilterState) -> str:
    """ "Regional tensions, Jan–Jun 2025": a title a briefer can keep or overwrite."""
    start, end = period_of(events, state)
    if start is None or end is None:
        return "Regional tensions"
    if start.year == end.year:
        span = f"{start:%b}–{end:%b %Y}" if start.month != end.month else f"{end:%B %Y}"
    else:
        span = f"{start:%b %Y} – {end:%b %Y}"
    return f"Regional tensions, {span}"


def default_subtitle(events: pd.DataFrame, lanes: str, *, numbered: bool = False) -> str:
    """How many events (the rows may be sums: `tensions.analysis.weighted`), how they are grouped, and what the
    labels are."""
    total = weighted.total_events(events)
    count = f"{total:,} event{'s' if total != 1 else ''}"
    labels = "key events numbered and listed" if numbered else "key events labelled"
    return f"{count} by {LANES[lanes].lower()}, {labels}"


def publishers(events: pd.DataFrame) -> list[str]:
    """The publishers of the reports behind the events, most cited first."""
    counts = events["source"].astype("string").dropna().value_counts(sort=False)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [name for name, _ in ordered]


def source_line(
    events: pd.DataFrame, data_as_of: dt.date | None, *, font_size: float = FOOTER_SIZE, max_width: float | None = None
) -> str:
    """ "Source: Reuters, AP, … and 12 others · Data as of 30 June 2025", cut to `max_width` px if given."""
    names = publishers(events)
    tail = f" · {data_as_of_words(data_as_of)}"
    if not names:
        return f"Source: none{tail}"
    for shown in range(len(names), 0, -1):
        rest = len(names) - shown
        more = f" and {rest} other{'s' if rest != 1 else ''}" if rest else ""
        line = f"Source: {', '.join(names[:shown])}{more}{tail}"
        if max_width is None or text_width(line, font_size) <= max_width:
            return line
    return f"Source: {names[0]} and {len(names) - 1} others{tail}"


def dataset_attributions(events: pd.DataFrame, chosen: Sequence[str] = ()) -> list[str]:
    """One credit per dataset the events come from, in the words the importers give for slide footers. Rows
    summed per period do not say their dataset: with any among `events`, the `chosen` datasets are credited too."""
    from tensions.ingest import imported

    names = set(events["dataset"].astype("string").dropna().unique()) if "dataset" in events else set()
    if weighted.is_summary(events):
        names |= set(chosen)
    names = sorted(names)
    credits = []
    for name in names or [CURATED_DATASET]:
        if name == CURATED_DATASET:
            credits.append(imported.attribution(name).rstrip("."))
        else:
            credits.append(f"{imported.dataset_title(name)}: {imported.short_attribution(name)}")
    return credits


def caption_text(
    events: pd.DataFrame,
    state: FilterState,
    data_as_of: dt.date | None,
    *,
    unlabelled: int = 0,
    brief_name: str | None = None,
) -> str:
    """What the figure shows: filters, period, data as of, datasets, and how imprecise dates are drawn."""
    start, end = period_of(events, state)
    imprecise = int(weighted.event_counts(events)[imprecise_dates(events).to_numpy()].sum())
    filters = replace(state, start=None, end=None).describe()
    parts = [
        f"Filters: {filters}",
        f"period: {period_words(start, end)}",
        data_as_of_words(data_as_of),
        "Data: " + "; ".join(dataset_attributions(events, state.datasets)),
    ]
    notes = []
    if imprecise:
        notes.append(
            f"{imprecise} event{' is' if imprecise == 1 else 's are'} dated only to the week or month:"
            " drawn at mid-period with a bar over the period"
        )
    else:
        notes.append("every event shown is dated to the day")
    notes.append("hollow markers: no reported death toll (not zero)")
    if unlabelled:
        notes.append(
            f"{unlabelled} further key event{'s' if unlabelled != 1 else ''} ringed but not labelled for space"
        )
    if brief_name:
        notes.append(f"rings and crosses mark changes since the brief “{brief_name}”")
    return " · ".join(parts) + ". " + _sentence("; ".join(notes)) + "."


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def slide_text(
    events: pd.DataFrame,
    state: FilterState,
    data_as_of: dt.date | None,
    *,
    title: str = "",
    subtitle: str = "",
    lanes: str = "theatre",
    unlabelled: int = 0,
    brief_name: str | None = None,
    numbered: bool = False,
) -> SlideText:
    """The slide's title (default from the period), subtitle, caption and source footer, unescaped."""
    return SlideText(
        title=title.strip() or default_title(events, state),
        subtitle=subtitle.strip() if subtitle.strip() else default_subtitle(events, lanes, numbered=numbered),
        caption=caption_text(events, state, data_as_of, unlabelled=unlabelled, brief_name=brief_name),
        footer=source_line(events, data_as_of),
    )


def briefing_figure(
    events: pd.DataFrame,
    *,
    state: FilterState,
    data_as_of: dt.date | None,
    title: str = "",
    subtitle: str = "",
    lanes: str = "theatre",
    granularity: str = "week",
    width: int = 1920,
    height: int = 1080,
    changes: pd.DataFrame | None = None,
    brief_name: str | None = None,
    bands: Sequence[Panel] = (),
    show_title: bool = True,
    layout_width: float | None = None,
    grow: bool = True,
) -> go.Figure:
    """The timeline as a white 16:9 slide with title, subtitle, legend, caption and "Source: … · Data as of".

    When the key events are numbered and their list would need type under `LIST_READABLE_SIZE` beside the
    figure, the list goes under it and the slide is taller than `height` by the list (`grow`; without it the
    list stays beside the figure in smaller type, as on a PowerPoint slide of fixed size).
    """
    scale = slide_scale(width)
    style = SLIDE.scaled(scale)
    side = SIDE_MARGIN * scale
    usable = width - 2 * side
    title_size, subtitle_size, footer_size = TITLE_SIZE * scale, SUBTITLE_SIZE * scale, FOOTER_SIZE * scale

    # The caption's length depends on how many labels fit; two lines are reserved either way.
    caption_lines = 2
    top = (34 + TITLE_SIZE * 1.2 + SUBTITLE_SIZE * 1.5 + 14) * scale if show_title else 22 * scale
    bottom = (caption_lines + 1) * footer_size * 1.35 + 16 * scale
    start, end = period_of(events, state)
    options = {
        "lanes": lanes,
        "granularity": granularity,
        "period": (start, end),
        "changes": changes,
        "bands": [_scaled_band(b, scale) for b in bands],
        "width": width,
        "height": height,
        "style": style,
        "reserve_top": top,
        "reserve_bottom": bottom,
        "range_slider": False,
    }
    fig = event_timeline(events, layout_width=layout_width, **options)
    key_list: KeyList | None = None
    if fig.layout.meta["unlabelled_key_events"]:
        # The labels do not all fit: every key event gets a number, named in a list beside or under the figure.
        list_top = top - 8 * scale
        list_bottom = height - bottom
        # The list's lines as they will read, "12 name" (the numbered figure groups events alike, give or take).
        numbered = [{**group, "text": str(n)} for n, group in enumerate(fig.layout.meta["key_labels"], start=1)]
        key_list = key_list_layout(numbered, list_bottom - list_top, scale)
        if grow and key_list.font_size < LIST_READABLE_SIZE * scale:
            fig = event_timeline(events, layout_width=layout_width, numbered=True, **options)
            key_list = key_list_below(fig.layout.meta["key_labels"], usable, scale)
            # The list takes the place of the caption, which moves down with the slide's bottom edge.
            list_top = height - bottom + LIST_GAP_PX * scale / 2
            grown = round(key_list.height + LIST_GAP_PX * scale)
            height += grown
            # The plot keeps its size; the legend, placed from the top as a share of the height, is placed again.
            fig.update_layout(height=height, margin={"b": fig.layout.margin.b + grown}, legend={"y": 1 - top / height})
        else:
            narrower = layout_width - key_list.width if layout_width is not None else None
            fig = event_timeline(events, layout_width=narrower, reserve_right=key_list.width, numbered=True, **options)
    unlabelled = len(fig.layout.meta["unlabelled_key_events"])
    words = slide_text(
        events,
        state,
        data_as_of,
        title=title,
        subtitle=subtitle,
        lanes=lanes,
        unlabelled=unlabelled,
        brief_name=brief_name,
        numbered=key_list is not None,
    )
    margin = fig.layout.margin
    plot_w = width - margin.l - margin.r
    plot_h = height - margin.t - margin.b

    def paper_x(px: float) -> float:
        return (px - margin.l) / plot_w

    def paper_y(px_from_top: float) -> float:
        return 1 - (px_from_top - margin.t) / plot_h

    notes = []
    if show_title:
        fitted_title, fitted_size = _fit_title(words.title, title_size, usable)
        notes.append(_text(paper_x(side), paper_y(34 * scale), fitted_title, fitted_size, theme.TEXT_COLOUR, bold=True))
        notes.append(
            _text(
                paper_x(side),
                paper_y(34 * scale + TITLE_SIZE * 1.2 * scale),
                fit_text(words.subtitle, subtitle_size, usable),
                subtitle_size,
                theme.MUTED_TEXT_COLOUR,
            )
        )
    caption = wrap_text(words.caption, footer_size, usable)
    if len(caption) > caption_lines:
        caption = [*caption[: caption_lines - 1], fit_text(" ".join(caption[caption_lines - 1 :]), footer_size, usable)]
    footer = source_line(events, data_as_of, font_size=footer_size, max_width=usable)
    line_h = footer_size * 1.35
    bottom_y = height - 12 * scale - line_h * (len(caption) + 1)
    for i, line in enumerate(caption):
        notes.append(_text(paper_x(side), paper_y(bottom_y + i * line_h), line, footer_size, theme.MUTED_TEXT_COLOUR))
    notes.append(
        _text(paper_x(side), paper_y(bottom_y + len(caption) * line_h), footer, footer_size, theme.TEXT_COLOUR)
    )
    entries: list[str] = []
    if key_list is not None:
        left = side if key_list.below else width - side - key_list.width + LIST_GAP_PX * scale
        columns = key_list.fill(fig.layout.meta["key_labels"])
        entries = [line for rows in columns for _, line in rows]
        for column, rows in enumerate(columns):
            for row, line in rows:
                notes.append(
                    _text(
                        paper_x(left + column * key_list.column_width),
                        paper_y(list_top + row * key_list.row_height),
                        line,
                        key_list.font_size,
                        theme.TEXT_COLOUR,
                    )
                )
    fig.update_layout(
        annotations=[*fig.layout.annotations, *notes],
        width=width,
        height=height,
        paper_bgcolor=theme.BACKGROUND,
        plot_bgcolor=theme.BACKGROUND,
        meta={
            **fig.layout.meta,
            "title": words.title,
            "subtitle": words.subtitle,
            "caption": words.caption,
            "footer": footer,
            "key_list": entries,
        },
    )
    return fig


@dataclass(frozen=True)
class KeyList:
    """The numbered list of key events beside the slide's figure: its type size, rows and columns."""

    font_size: float
    row_height: float
    column_width: float
    rows: int  # rows in one column
    columns: int
    gap: float
    below: bool = False  # under the figure across the slide, rather than beside it

    @property
    def height(self) -> float:
        """Px the list's rows take."""
        return self.rows * self.row_height

    @property
    def width(self) -> float:
        """Px the list takes from the figure's width, its gap included."""
        return self.columns * self.column_width + self.gap

    def entry_lines(self, group: dict) -> list[str]:
        """ "12 Midnight Hammer: US hits Fordow", one line per event of a numbered group, each cut to the column."""
        return [
            fit_text(f"{group['text']} {name}", self.font_size, self.column_width - self.gap) for name in group["names"]
        ]

    def cuts(self, groups: Sequence[dict]) -> bool:
        """Whether a line of the list is too long for its column (and is cut short with an ellipsis)."""
        return any(
            text_width(f"{group['text']} {name}", self.font_size) > self.column_width - self.gap
            for group in groups
            for name in group["names"]
        )

    def fill(self, groups: Sequence[dict]) -> list[list[tuple[int, str]]]:
        """The lines of each column as (row, text), in order; every line starts with its number."""
        lines = [line for group in groups for line in self.entry_lines(group)]
        return [list(enumerate(lines[i : i + self.rows])) for i in range(0, len(lines), self.rows)]


def key_list_layout(groups: Sequence[dict], height: float, scale: float) -> KeyList:
    """The largest type at which the key events' list fits `height` px in `LIST_MAX_COLUMNS` columns."""
    for size in LIST_FONT_SIZES:
        layout = _key_list_at(groups, height, scale, size)
        # Readable sizes are taken only when no line has to be cut short (the list can go under the figure).
        if layout.columns <= LIST_MAX_COLUMNS and (size < LIST_READABLE_SIZE or not layout.cuts(groups)):
            return layout
    return layout


def key_list_below(groups: Sequence[dict], width: float, scale: float) -> KeyList:
    """The key events' list under the figure at `LIST_READABLE_SIZE`: as many columns across `width` px as its
    widest line allows, each as long as it needs."""
    font_size = LIST_READABLE_SIZE * scale
    gap = LIST_GAP_PX * scale
    widest = max(
        (text_width(f"{group['text']} {name}", font_size) for group in groups for name in group["names"]), default=0.0
    )
    columns = max(1, int((width + gap) // (widest + gap)))
    lines = sum(len(group["names"]) for group in groups)
    return KeyList(
        font_size=font_size,
        row_height=font_size * 1.3,
        column_width=(width + gap) / columns,
        rows=max(1, -(-lines // columns)),
        columns=columns,
        gap=gap,
        below=True,
    )


def _key_list_at(groups: Sequence[dict], height: float, scale: float, size: float) -> KeyList:
    font_size = size * scale
    row_height = font_size * 1.3
    widest = max(
        (text_width(f"{group['text']} {name}", font_size) for group in groups for name in group["names"]), default=0.0
    )
    probe = KeyList(
        font_size=font_size,
        row_height=row_height,
        column_width=min(widest + LIST_GAP_PX * scale, LIST_COLUMN_PX * scale),
        rows=max(1, int(height // row_height)),
        columns=1,
        gap=LIST_GAP_PX * scale,
    )
    return replace(probe, columns=len(probe.fill(groups)))


def _text(x: float, y: float, text: str, size: float, colour: str, *, bold: bool = False) -> dict:
    escaped = plotly_literal(text)
    return {
        "x": x,
        "y": y,
        "xref": "paper",
        "yref": "paper",
        "xanchor": "left",
        "yanchor": "top",
        "showarrow": False,
        "align": "left",
        "text": f"<b>{escaped}</b>" if bold else escaped,
        "font": {"size": size, "color": colour, "family": theme.FONT_FAMILY},
    }


def _fit_title(title: str, size: float, max_width: float) -> tuple[str, float]:
    """The title at full size if it fits, else smaller (down to 70%), else cut with an ellipsis."""
    for factor in (1.0, 0.9, 0.8, 0.7):
        if text_width(title, size * factor, bold=True) <= max_width:
            return title, size * factor
    return fit_text(title, size * 0.7, max_width, bold=True), size * 0.7


def _scaled_band(band: Panel, scale: float) -> Panel:
    """A band sized for the slide: its screen height grown like the rest of the slide's type."""
    ratio = SLIDE.counts_px / TimelineStyle().counts_px
    return Panel(name=band.name, title=band.title, height_px=band.height_px * ratio * scale, draw=band.draw)
