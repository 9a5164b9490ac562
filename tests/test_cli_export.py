"""`python -m tensions export timeline`: the slide as a file, for briefers who script their decks.

Every test but the first calls the command line's `main` in this process; the first runs
`python -m tensions` as a separate command, as a briefer's script does, and checks it exits cleanly.
"""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation

from tensions.bench.synthetic import synthetic_events
from tensions.cli import main
from tensions.data.guard import local_grant
from tensions.data.load import load_dataset
from tensions.export.render import renderer_available
from tensions.figures.timeline.style import MAX_MARKERS
from tensions.ingest.importers import ImportResult
from tensions.ingest.importers.reading import empty_rejected
from tensions.store import curated, imported
from tests.conftest import APP_ROOT

needs_chromium = pytest.mark.skipif(not renderer_available(), reason="static export needs Chromium")
PERIOD = ["--start", "2025-01-01", "--end", "2025-06-30"]


@pytest.fixture(autouse=True)
def shipped_data(monkeypatch):
    """These commands read the shipped data, as a briefer's would."""
    monkeypatch.delenv("TENSIONS_DATA_DIR", raising=False)


@needs_chromium
def test_python_m_tensions_writes_a_png_of_exactly_1920_by_1080_and_exits_cleanly(tmp_path):
    out = tmp_path / "slide.png"
    result = subprocess.run(
        [sys.executable, "-m", "tensions", "export", "timeline", *PERIOD, "--format", "png", "--out", str(out)],
        cwd=APP_ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert Image.open(out).size == (1920, 1080)
    assert result.stdout.startswith(f"wrote {out} (1920x1080 PNG")
    assert result.stderr == ""  # Chromium closed cleanly before the interpreter exited


@needs_chromium
def test_the_message_gives_the_size_written_when_the_key_events_list_makes_the_image_taller(tmp_path, capsys):
    out = tmp_path / "slide.png"
    assert main(["export", "timeline", "--out", str(out)]) == 0  # the whole period: its list goes under the chart
    width, height = Image.open(out).size
    assert height > 1080
    assert capsys.readouterr().out.startswith(f"wrote {out} ({width}x{height} PNG")


@needs_chromium
def test_the_cli_writes_a_deck_python_pptx_reads_back_with_two_slides(tmp_path, capsys):
    out = tmp_path / "brief.pptx"
    code = main(
        ["export", "timeline", *PERIOD, "--out", str(out), "--country", "Iraq", "--country", "Yemen",
         "--title", "Iraq and Yemen, first half of 2025"]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert capsys.readouterr().out.startswith(f"wrote {out}")
    deck = Presentation(str(out))
    assert len(deck.slides) == 2
    assert deck.slides[0].shapes.title.text_frame.text == "Iraq and Yemen, first half of 2025"
    assert "countries: Iraq, Yemen" in deck.slides[0].notes_slide.notes_text_frame.text


def test_an_unknown_country_is_refused_with_a_suggestion_and_nothing_is_written(tmp_path, capsys):
    out = tmp_path / "slide.png"
    assert main(["export", "timeline", "--country", "Irak", "--out", str(out)]) == 2
    assert "unknown country 'Irak'; did you mean 'Iraq'" in capsys.readouterr().err
    assert not out.exists()


def test_a_start_after_the_end_is_refused(tmp_path, capsys):
    code = main(
        ["export", "timeline", "--start", "2025-06-30", "--end", "2025-01-01", "--out", str(tmp_path / "x.png")]
    )
    assert code == 2
    assert "is after --end" in capsys.readouterr().err


def test_the_format_comes_from_the_file_name_or_is_asked_for(tmp_path, capsys):
    assert main(["export", "timeline", "--out", str(tmp_path / "slide.gif")]) == 2
    assert "use --format png, svg or pptx" in capsys.readouterr().err


@needs_chromium
def test_with_a_database_the_slide_draws_its_imported_events_summed(
    postgres_url, data_copy, monkeypatch, tmp_path, capsys
):
    count = MAX_MARKERS + 500  # more than the timeline draws one by one: they come summed from SQL
    events = synthetic_events(count, seed=23).assign(dataset=pd.Categorical(["acled"] * count))
    curated.load_folder(postgres_url, data_copy, grant=local_grant())
    result = ImportResult("acled", "ACLED", "acled.csv", "synthetic", count, events, empty_rejected())
    imported.save_import(postgres_url, result, grant=local_grant())
    monkeypatch.setenv("TENSIONS_DATABASE_URL", postgres_url)
    out = tmp_path / "slide.svg"
    datasets = ["--dataset", "curated", "--dataset", "acled"]
    assert main(["--data-dir", str(data_copy), "export", "timeline", *datasets, "--out", str(out)]) == 0
    total = len(load_dataset(data_copy).events) + count
    assert f"bytes): {total:,} events, " in capsys.readouterr().out
    drawn = out.read_text()
    assert f"{total:,} events by theatre" in drawn
    assert "ACLED" in drawn  # credited in the caption
