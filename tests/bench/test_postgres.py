"""The PostgreSQL bench measures the Overview's, the Actors page's and the sidebar's sums beside the figures."""

from __future__ import annotations

from tensions.bench import postgres
from tests.conftest import APP_ROOT


def test_the_bench_measures_each_figure_and_each_pages_sums(postgres_url):
    data_dir = APP_ROOT / "data"
    postgres.load_synthetic(postgres_url, 3000, seed=3, data_dir=data_dir, log=lambda line: None)
    result = postgres.measure_postgres(postgres_url, seed=3, figure_repeats=2, data_dir=str(data_dir))
    names = [figure.name for figure in result.figures]
    assert names == ["map points", "map density", "map provinces", "timeline", *(n for n, _ in postgres.PAGE_SUMS)]
    for figure in result.figures:
        assert figure.builds == 2 and figure.filter_plus_build_ms_median > 0 and figure.all_events_build_ms > 0
