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
    arguments = ["--sessions", "4", "--changes", "2", "--pause", "0", "--data", str(FIXTURE_DATA)]
    assert bench_load.main(arguments) == 0
    output = capsys.readouterr().out
    assert "on the postgres store" in output.splitlines()[0]
    table = {
        cells[1].strip(): cells[2].strip()
        for cells in (line.split("|") for line in output.splitlines() if line.startswith("| "))
    }
    assert table["reader sessions at once"] == "4"
    assert table["filter changes timed"] == "8 of 8"
    assert table["errors"] == "0"
    assert sum(int(n) for n in table["replicas (sessions on each)"].split(",")) == 4  # spread by the proxy's cookie
    assert float(table["filter change, 95th percentile"].removesuffix(" s")) > 0
