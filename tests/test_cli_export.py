"""`python -m tensions export timeline`: the slide as a file, for briefers who script their decks."""

from __future__ import annotations

import pytest
from PIL import Image
from pptx import Presentation

from tensions.export.render import renderer_available
from tests.test_cli import run_cli

needs_chromium = pytest.mark.skipif(not renderer_available(), reason="static export needs Chromium")
PERIOD = ["--start", "2025-01-01", "--end", "2025-06-30"]


@needs_chromium
def test_the_cli_writes_a_png_of_exactly_1920_by_1080(tmp_path):
    out = tmp_path / "slide.png"
    result = run_cli("export", "timeline", *PERIOD, "--format", "png", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert Image.open(out).size == (1920, 1080)
    assert result.stdout.startswith(f"wrote {out} (1920x1080 PNG")
    assert result.stderr == ""  # Chromium closed cleanly


@needs_chromium
def test_the_cli_writes_a_deck_python_pptx_reads_back_with_two_slides(tmp_path):
    out = tmp_path / "brief.pptx"
    result = run_cli(
        "export", "timeline", *PERIOD, "--out", str(out), "--country", "Iraq", "--country", "Yemen",
        "--title", "Iraq and Yemen, first half of 2025",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    deck = Presentation(str(out))
    assert len(deck.slides) == 2
    assert deck.slides[0].shapes.title.text_frame.text == "Iraq and Yemen, first half of 2025"
    assert "countries: Iraq, Yemen" in deck.slides[0].notes_slide.notes_text_frame.text


def test_an_unknown_country_is_refused_with_a_suggestion_and_nothing_is_written(tmp_path):
    out = tmp_path / "slide.png"
    result = run_cli("export", "timeline", "--country", "Irak", "--out", str(out))
    assert result.returncode == 2
    assert "unknown country 'Irak'; did you mean 'Iraq'" in result.stderr
    assert not out.exists()


def test_a_start_after_the_end_is_refused(tmp_path):
    result = run_cli(
        "export", "timeline", "--start", "2025-06-30", "--end", "2025-01-01", "--out", str(tmp_path / "x.png")
    )
    assert result.returncode == 2
    assert "is after --end" in result.stderr


def test_the_format_comes_from_the_file_name_or_is_asked_for(tmp_path):
    result = run_cli("export", "timeline", "--out", str(tmp_path / "slide.gif"))
    assert result.returncode == 2
    assert "use --format png, svg or pptx" in result.stderr
