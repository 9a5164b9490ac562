"""Label layout for key events: staggered rows where no label overlaps another or another's leader line.

A timeline labels its key events in a band of rows above the swimlanes. Each label hangs on a vertical
leader line that drops from the label to its event's marker, so a label must not overlap a label in its
own row, must not sit across the leader line of a label in a higher row, and its own leader line must
not cross a label in a lower row. Markers never meet a label because the band starts above the tallest
marker of the top lane (the figure reserves that clearance). Everything here works in pixels and is pure.
"""

from __future__ import annotations

import bisect
import itertools
import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

# Advance widths of Helvetica (per 1000 em), which Arial and Liberation Sans share metrically: the house
# font renders these widths, so an estimate from them is within a few pixels of the real text.
_HELVETICA_WIDTHS = dict(
    zip(
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~",
        (
            278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
            556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
            1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
            667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
            333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
            556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
        ),
        strict=True,
    )
)  # fmt: skip
_PUNCTUATION_WIDTHS = {"–": 556, "—": 1000, "‘": 222, "’": 222, "“": 333, "”": 333, "…": 1000, "·": 278, "→": 1000}
_DEFAULT_WIDTH = 556
# Bold Helvetica is about 6% wider on average than regular.
_BOLD_FACTOR = 1.07


def text_width(text: str, font_size: float, *, bold: bool = False) -> float:
    """Estimated rendered width in pixels of one line of `text` in the house font at `font_size` px."""
    total = 0
    for char in text:
        width = _HELVETICA_WIDTHS.get(char) or _PUNCTUATION_WIDTHS.get(char)
        if width is None:
            # Accented letters (Qā’im, Şalāḩ) are as wide as their base letter.
            base = unicodedata.normalize("NFKD", char)[:1]
            width = _HELVETICA_WIDTHS.get(base, _DEFAULT_WIDTH)
        total += width
    return total * font_size / 1000 * (_BOLD_FACTOR if bold else 1.0)


def fit_text(text: str, font_size: float, max_width: float, *, bold: bool = False) -> str:
    """`text` cut at a word boundary with an ellipsis so it fits in `max_width` pixels."""
    if text_width(text, font_size, bold=bold) <= max_width:
        return text
    words = text.split()
    while words:
        words.pop()
        candidate = " ".join(words).rstrip(",;:·-") + "…"
        if text_width(candidate, font_size, bold=bold) <= max_width:
            return candidate
    return "…"


def wrap_text(text: str, font_size: float, max_width: float, *, bold: bool = False) -> list[str]:
    """`text` broken into lines at word boundaries, each at most `max_width` pixels wide when possible."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and text_width(candidate, font_size, bold=bold) > max_width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines


Align = Literal["center", "left", "right"]


@dataclass(frozen=True)
class Placement:
    """Where one label goes: its row (0 is nearest the lanes) and its horizontal extent in pixels.

    `align` says where the anchor sits: "center" under the middle, "left" at the label's left edge
    (the label extends right of its event), "right" at its right edge.
    """

    row: int
    left: float
    right: float
    align: Align

    @property
    def width(self) -> float:
        return self.right - self.left


def layout_labels(
    anchors: Sequence[float],
    widths: Sequence[float],
    *,
    rows: int,
    gap: float = 8.0,
    clearance: float = 3.0,
    left: float = 0.0,
    right: float = math.inf,
    inset: float = 4.0,
    weights: Sequence[float] | None = None,
) -> list[Placement | None]:
    """Place each label (anchor x, width, in px) in the lowest row where it collides with nothing.

    A label collides when it comes within `gap` of a label in its row, or within `clearance` of a
    leader line crossing its row, or when its own leader line would pass within `clearance` of a label
    in a lower row. Labels stay inside [`left`, `right`] and contain their anchor (at least `inset`
    from their edge when they hang beside it). A label that fits nowhere gets None: the caller reports
    it rather than let it overlap.

    Labels are placed outwards from a split point: those left of it hang to the right of their anchor
    like flags and are taken right to left, those right of it hang to the left and are taken left to
    right. A crowded stretch then climbs in a staircase whose leader lines pass beside, never through,
    the labels below; and labels at either edge point inwards instead of being pushed over their
    neighbours. Several split points are tried, each also with the heaviest labels (`weights`, default
    all 1) placed first, and the layout with the greatest total weight placed, in fewest rows, wins.
    """
    if len(anchors) != len(widths) or (weights is not None and len(weights) != len(anchors)):
        raise ValueError("anchors, widths and weights must have the same length")
    if not len(anchors) or rows <= 0:
        return [None] * len(anchors)
    weight = [1.0] * len(anchors) if weights is None else [float(w) for w in weights]
    xs = sorted(float(a) for a in anchors)
    # Split in the widest empty stretches between anchors, where the two directions do not meet.
    gaps = sorted(((b - a, (a + b) / 2) for a, b in itertools.pairwise(xs)), reverse=True)
    splits = {float(left), xs[-1] + 1.0, *(middle for _, middle in gaps[:8])}
    splits |= {xs[min(len(xs) - 1, int(q * len(xs)))] + 0.5 for q in (0.2, 0.35, 0.5, 0.65, 0.8)}
    heaviest = sorted(range(len(anchors)), key=lambda i: (-weight[i], anchors[i], i))
    best: list[Placement | None] | None = None
    best_score: tuple[float, int, int] | None = None
    for split in sorted(splits):
        outwards = sorted(range(len(anchors)), key=lambda i: (abs(float(anchors[i]) - split), i))
        for pinned, high in itertools.product((0, 3) if weights is not None else (0,), (True, False)):
            first = heaviest[:pinned]
            order = first + [i for i in outwards if i not in first]
            attempt = _layout_in_order(
                order, split, anchors, widths, rows, gap, clearance, left, right, inset, cover_high=high
            )
            score = _score(attempt, weight)
            if best_score is None or score > best_score:
                best, best_score = attempt, score
    return best


def _score(placements: list[Placement | None], weight: Sequence[float]) -> tuple[float, int, int]:
    placed = [(p, w) for p, w in zip(placements, weight, strict=True) if p is not None]
    return (
        round(sum(w for _, w in placed), 9),
        -max((p.row for p, _ in placed), default=0),
        -sum(p.row for p, _ in placed),
    )


def _layout_in_order(
    order: list[int],
    split: float,
    anchors: Sequence[float],
    widths: Sequence[float],
    rows: int,
    gap: float,
    clearance: float,
    left: float,
    right: float,
    inset: float,
    *,
    cover_high: bool,
) -> list[Placement | None]:
    band = [_Row() for _ in range(rows)]
    placements: list[Placement | None] = [None] * len(anchors)
    pending = _SortedValues(float(anchors[i]) for i in order)
    for i in order:
        x, width = float(anchors[i]), float(widths[i])
        pending.discard(x)
        if width > right - left:
            continue
        flag_right: tuple[float, Align] = (x - inset, "left")
        flag_left: tuple[float, Align] = (x - width + inset, "right")
        centred: tuple[float, Align] = (x - width / 2, "center")
        candidates = [flag_right, centred, flag_left] if x < split else [flag_left, centred, flag_right]
        # Try not to cover anchors still to come: their leader lines could then not pass this label.
        # A label that must cover them goes as high as it can, leaving the rows beneath it to them.
        placed = _first_free(x, width, candidates, band, gap, clearance, left, right, avoid=pending)
        if placed is None:
            placed = _first_free(x, width, candidates, band, gap, clearance, left, right, highest=cover_high)
        if placed is None:
            continue
        row, start, align = placed
        band[row].add_label(start, start + width)
        for lower in range(row):
            band[lower].leaders.add(x)
        placements[i] = Placement(row=row, left=start, right=start + width, align=align)
    return placements


class _SortedValues:
    """Numbers kept sorted, so "is any strictly between a and b" is a binary search, not a scan (the
    layout asks it tens of thousands of times for a timeline's key events)."""

    def __init__(self, values: Iterable[float] = ()) -> None:
        self.values = sorted(values)

    def add(self, value: float) -> None:
        bisect.insort(self.values, value)

    def discard(self, value: float) -> None:
        """Remove every copy of `value`, as a set would."""
        low, high = bisect.bisect_left(self.values, value), bisect.bisect_right(self.values, value)
        del self.values[low:high]

    def any_between(self, low: float, high: float) -> bool:
        i = bisect.bisect_right(self.values, low)
        return i < len(self.values) and self.values[i] < high


@dataclass
class _Row:
    """One row of the label band: its labels' extents, sorted (they never overlap, so their left and right
    edges sort alike), and the leader lines of higher labels that pass through it."""

    lefts: list[float] = field(default_factory=list)
    rights: list[float] = field(default_factory=list)
    leaders: _SortedValues = field(default_factory=_SortedValues)

    def add_label(self, start: float, end: float) -> None:
        i = bisect.bisect_left(self.lefts, start)
        self.lefts.insert(i, start)
        self.rights.insert(i, end)

    def any_label_within(self, start: float, end: float, margin: float) -> bool:
        """Whether a label comes within `margin` of (start, end): the one starting last before `end +
        margin` reaches furthest right of all that start there."""
        i = bisect.bisect_left(self.lefts, end + margin)
        return i > 0 and self.rights[i - 1] > start - margin


def _first_free(
    x: float,
    width: float,
    candidates: list[tuple[float, Align]],
    band: list[_Row],
    gap: float,
    clearance: float,
    left: float,
    right: float,
    avoid: _SortedValues | None = None,
    highest: bool = False,
) -> tuple[int, float, Align] | None:
    """The first free (row, start) trying each side in every row before the next side.

    A label that gives up its preferred side in a low row covers the anchors on its other side,
    which blocks their leader lines from every row above it; a higher row on the preferred side
    costs nothing of the kind.
    """
    # Rows this label's leader line can reach: up to the first lower row where a label is in the way.
    reachable = next((row + 1 for row, r in enumerate(band) if r.any_label_within(x, x, clearance)), len(band))
    for start, align in candidates:
        start = min(max(start, left), right - width)
        end = start + width
        if not start <= x <= end:
            continue
        if avoid is not None and avoid.any_between(start - clearance, end + clearance):
            continue
        for row in reversed(range(reachable)) if highest else range(reachable):
            if band[row].any_label_within(start, end, gap):
                continue
            if band[row].leaders.any_between(start - clearance, end + clearance):
                continue
            return row, start, align
    return None


def group_close(anchors: Sequence[float], within: float) -> list[list[int]]:
    """Indices of anchors, left to right, grouped while they stay less than `within` px from the group's first.

    Key events a few pixels apart (the same day) cannot each hang their own label without one leader line
    crossing the other's label, so the timeline gives each such group one joint label. Groups do not
    chain: a group spans less than `within`, so a label anchored at its middle contains all its members.
    """
    order = sorted(range(len(anchors)), key=lambda i: (anchors[i], i))
    groups: list[list[int]] = []
    for i in order:
        if groups and anchors[i] - anchors[groups[-1][0]] < within:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def overlaps(a: Placement, b: Placement, *, gap: float = 0.0) -> bool:
    """Whether two placed labels share a row and come within `gap` of each other."""
    return a.row == b.row and a.left < b.right + gap and b.left < a.right + gap
