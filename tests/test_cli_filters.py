"""`python -m tensions export timeline --view LINK`: a page link's filters, in the vocabulary the sidebar writes."""

from __future__ import annotations

import datetime as dt

from tensions.analysis.filters import FilterState
from tensions.cli import build_parser, export_filters, main
from tensions.ingest import imported
from tests.conftest import FIXTURE_DATA, curator_grant
from tests.ingest.importers.conftest import EXTERNAL

LINK = "http://localhost:8501/timeline?dates=2025-01-01&dates=2025-06-30&country=Iraq&precise=true&lanes=actor1_family"


def filters(*options: str) -> FilterState:
    return export_filters(build_parser().parse_args(["export", "timeline", "--out", "slide.png", *options]))


def test_a_copied_page_link_gives_its_filters():
    assert filters("--view", LINK) == FilterState(
        start=dt.date(2025, 1, 1), end=dt.date(2025, 6, 30), countries=("Iraq",), precise_only=True
    )


def test_a_query_string_alone_is_read_the_same():
    assert filters("--view", "country=Iraq&country=Yemen&type=Agreements") == FilterState(
        countries=("Iraq", "Yemen"), event_types=("Agreements",)
    )


def test_a_link_with_the_datasets_filter_set_in_the_browser_names_the_datasets():
    link = "http://localhost:8501/timeline?dataset=Curated&dataset=ACLED&country=Iraq"
    assert filters("--view", link) == FilterState(countries=("Iraq",), datasets=("curated", "acled"))


def test_a_dataset_option_names_it_by_id_or_by_the_title_captions_show():
    assert filters("--dataset", "curated", "--dataset", "ACLED").datasets == ("curated", "acled")


def test_a_link_with_the_datasets_filter_emptied_names_every_dataset(data_copy):
    imported.import_and_save(EXTERNAL / "ucdp_ged_hdx_iraq.csv", "ucdp", data_copy, grant=curator_grant())
    args = build_parser().parse_args(
        ["--data-dir", str(data_copy), "export", "timeline", "--out", "slide.png", "--view", "/timeline?dataset="]
    )
    assert export_filters(args).datasets == ("curated", "ucdp")


def test_options_replace_the_links_filter_of_the_same_name_and_keep_the_rest():
    state = filters("--view", LINK, "--country", "Yemen", "--start", "2025-03-01")
    assert state == FilterState(
        start=dt.date(2025, 3, 1), end=dt.date(2025, 6, 30), countries=("Yemen",), precise_only=True
    )


def test_without_a_link_the_options_alone_are_the_filters():
    assert filters("--actor", "US forces", "--precise-only") == FilterState(actors=("US forces",), precise_only=True)


def test_a_link_whose_filters_cannot_be_read_is_refused(tmp_path, capsys):
    out = tmp_path / "slide.png"
    code = main(["export", "timeline", "--view", "dates=last-week", "--out", str(out)])
    assert code == 2
    assert "dates: 'last-week' is not a day (YYYY-MM-DD)" in capsys.readouterr().err
    assert not out.exists()


def test_a_start_after_the_links_end_is_refused(tmp_path, capsys):
    code = main(["export", "timeline", "--view", LINK, "--start", "2025-09-01", "--out", str(tmp_path / "x.png")])
    assert code == 2
    assert "start on 2025-09-01, after it ends on 2025-06-30" in capsys.readouterr().err


def test_a_misspelt_country_in_a_link_is_refused_with_the_nearest_spelling(tmp_path, capsys):
    out = str(tmp_path / "x.png")
    code = main(["--data-dir", str(FIXTURE_DATA), "export", "timeline", "--view", "country=Irak", "--out", out])
    assert code == 2
    assert "unknown country 'Irak'; did you mean 'Iraq'" in capsys.readouterr().err
