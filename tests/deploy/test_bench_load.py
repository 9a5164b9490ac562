"""The load benchmark, run small: readers through the proxy to both replicas, every filter change timed."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURE_DATA
from tests.deploy import bench_load


def test_percentile_is_the_nearest_rank():
    values = [float(n) for n in range(1, 21)]
    assert bench_load.percentile(values, 0.95) == 19.0
    assert bench_load.percentile(values, 0.5) == 10.0
    assert bench_load.percentile([3.0], 0.95) == 3.0


@pytest.mark.e2e
def test_four_readers_each_change_filters_through_the_proxy_on_both_replicas_without_errors(capsys):
    assert bench_load.main(["--sessions", "4", "--changes", "2", "--pause", "0", "--data", str(FIXTURE_DATA)]) == 0
    table = capsys.readouterr().out
    assert "| reader sessions at once           | 4 |" in table
    assert "| filter changes timed              | 8 of 8 |" in table
    assert "| errors                            | 0 |" in table
    spread = next(line for line in table.splitlines() if line.startswith("| replicas (sessions on each)"))
    assert sum(int(n) for n in spread.split("|")[2].split(",")) == 4  # spread at random by the proxy's cookie
