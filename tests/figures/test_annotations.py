"""Key-event labels: estimated text widths, and a layout where no label meets another or a leader line."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tensions.figures.annotations import (
    Placement,
    fit_text,
    group_close,
    layout_labels,
    overlaps,
    text_width,
    wrap_text,
)

LIBERATION_SANS = Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf")


def crossings(anchors, placements, clearance=0.0):
    """(label, other) pairs where `label`'s leader line passes through `other`, placed in a lower row."""
    found = []
    for i, p in enumerate(placements):
        for j, q in enumerate(placements):
            if p is None or q is None or i == j:
                continue
            if q.row < p.row and q.left - clearance < anchors[i] < q.right + clearance:
                found.append((i, j))
    return found


def same_row_overlaps(placements, gap=0.0):
    placed = [p for p in placements if p is not None]
    return [(a, b) for n, a in enumerate(placed) for b in placed[n + 1 :] if overlaps(a, b, gap=gap)]


@pytest.mark.skipif(not LIBERATION_SANS.exists(), reason="Liberation Sans is not installed")
@pytest.mark.parametrize(
    "text", ["Tower 22: 3 US troops killed", "Midnight Hammer: US hits Fordow", "Israel-Hezbollah ceasefire"]
)
def test_text_width_matches_the_rendered_house_font_within_two_percent(text):
    from PIL import ImageFont

    rendered = ImageFont.truetype(str(LIBERATION_SANS), 20).getlength(text)
    assert text_width(text, 20) == pytest.approx(rendered, rel=0.02)


def test_text_width_grows_with_font_size_and_counts_accented_letters_like_their_base():
    assert text_width("", 20) == 0
    assert text_width("Baghdad", 40) == pytest.approx(2 * text_width("Baghdad", 20))
    assert text_width("Qā’im", 20) == pytest.approx(text_width("Qa’im", 20))
    assert text_width("Bold", 20, bold=True) > text_width("Bold", 20)


def test_fit_text_keeps_text_that_fits_and_cuts_the_rest_at_a_word_with_an_ellipsis():
    assert fit_text("Israel-Iran ceasefire", 20, 1000) == "Israel-Iran ceasefire"
    cut = fit_text("Source: Reuters, Associated Press, AFP, Times of Israel", 20, 250)
    assert cut.endswith("…")
    assert "Source: Reuters" in cut
    assert text_width(cut, 20) <= 250


def test_wrap_text_breaks_at_words_into_lines_no_wider_than_asked():
    lines = wrap_text("Shows all events from 7 October 2023 to 30 June 2025, data as of 30 June 2025", 18, 300)
    assert len(lines) > 1
    assert all(text_width(line, 18) <= 300 for line in lines)
    assert " ".join(lines) == "Shows all events from 7 October 2023 to 30 June 2025, data as of 30 June 2025"


def test_labels_far_apart_all_sit_in_the_first_row():
    placements = layout_labels([100, 400, 700], [120, 120, 120], rows=4, right=1000)
    assert [p.row for p in placements] == [0, 0, 0]


def test_labels_that_would_overlap_are_staggered_into_rows():
    placements = layout_labels([100, 110, 120], [200, 200, 200], rows=4, right=1000)
    assert sorted(p.row for p in placements) == [0, 1, 2]
    assert same_row_overlaps(placements) == []
    assert crossings([100, 110, 120], placements) == []


def test_every_label_contains_its_anchor_and_stays_inside_the_band():
    anchors = [2, 150, 600, 995]
    placements = layout_labels(anchors, [180, 180, 180, 180], rows=3, right=1000)
    for anchor, p in zip(anchors, placements, strict=True):
        assert p.left <= anchor <= p.right
        assert p.left >= 0 and p.right <= 1000


def test_a_label_that_fits_nowhere_is_left_out_rather_than_overlapping():
    placements = layout_labels([100, 105, 110], [300, 300, 300], rows=1, right=1000)
    assert sum(p is not None for p in placements) == 1
    assert layout_labels([500], [2000], rows=3, right=1000) == [None]
    assert layout_labels([500], [100], rows=0, right=1000) == [None]


def test_when_only_one_label_fits_the_heavier_one_gets_it():
    placements = layout_labels([100, 104], [300, 300], rows=1, right=1000, weights=[1, 9])
    assert placements[0] is None
    assert placements[1] is not None


def test_random_crowds_never_overlap_or_cross_a_leader_line():
    rng = random.Random(20250630)
    for _ in range(40):
        n = rng.randint(5, 40)
        anchors = [rng.uniform(0, 1600) for _ in range(n)]
        widths = [rng.uniform(80, 320) for _ in range(n)]
        placements = layout_labels(anchors, widths, rows=rng.randint(1, 6), gap=10, clearance=3, right=1600)
        assert same_row_overlaps(placements, gap=9.9) == []
        assert crossings(anchors, placements, clearance=2.9) == []
        for anchor, width, p in zip(anchors, widths, placements, strict=True):
            if p is not None:
                assert p.left <= anchor <= p.right
                assert p.width == pytest.approx(width)
                assert p.left >= 0 and p.right <= 1600


def test_a_crowd_climbs_a_staircase_that_places_every_label():
    # Ten events a few pixels apart, each label much wider than the gaps: one row each.
    anchors = [300 + 20 * i for i in range(10)]
    placements = layout_labels(anchors, [250] * 10, rows=10, right=1600)
    assert all(p is not None for p in placements)
    assert crossings(anchors, placements) == []


def test_mismatched_inputs_are_refused():
    with pytest.raises(ValueError):
        layout_labels([1, 2], [10], rows=2)


def test_events_a_few_pixels_apart_share_a_group_but_groups_do_not_chain():
    assert group_close([0, 3, 5, 9, 40], within=8) == [[0, 1, 2], [3], [4]]
    assert group_close([50, 0, 2], within=8) == [[1, 2], [0]]


def test_overlaps_only_counts_labels_in_the_same_row():
    a = Placement(row=0, left=0, right=100, align="left")
    assert overlaps(a, Placement(row=0, left=90, right=200, align="left"))
    assert not overlaps(a, Placement(row=1, left=90, right=200, align="left"))
    assert overlaps(a, Placement(row=0, left=105, right=200, align="left"), gap=10)
