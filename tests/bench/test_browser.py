"""The browser benchmark's verdicts and table (never how fast anything is: nothing here opens a browser)."""

from __future__ import annotations

import pytest

from tensions.bench.browser import FIRST_CHART_TARGET, PNG_TARGET, REDRAW_TARGET, Measure, Target, format_table


@pytest.mark.parametrize(
    ("target", "median", "trivial", "met"),
    [
        (FIRST_CHART_TARGET, 5.2, 4.0, True),  # 1.3 × 4.0 exactly
        (FIRST_CHART_TARGET, 5.3, 4.0, False),
        (FIRST_CHART_TARGET, 2.0, 1.0, False),  # relative: 2 s is fine for a 4 s trivial app, not a 1 s one
        (REDRAW_TARGET, 0.99, 10.0, True),  # absolute: the trivial app does not matter
        (REDRAW_TARGET, 1.01, 0.1, False),
        (PNG_TARGET, 2.0, 3.0, True),
    ],
)
def test_a_target_is_met_at_or_under_its_limit(target, median, trivial, met):
    assert target.met(median, trivial) is met


def test_targets_describe_themselves_as_the_issue_states_them():
    assert FIRST_CHART_TARGET.describe() == "≤ 1.3× trivial"
    assert Target(1.0).describe() == "≤ 1 s"


def test_a_median_is_the_middle_run_not_the_mean():
    assert Measure("x", None, [1.0, 9.0, 2.0]).median == 2.0
    assert Measure("x", None, [1.0, 2.0, 3.0, 10.0]).median == 2.5


def test_the_table_shows_medians_runs_ratios_to_the_trivial_app_and_verdicts():
    trivial = Measure("trivial app: first chart", None, [4.0, 3.0, 5.0])
    measures = [
        Measure("Overview: first chart", FIRST_CHART_TARGET, [6.0, 8.0, 7.0]),
        Measure("Map: first chart", FIRST_CHART_TARGET, [5.0, 4.0, 5.2]),
        Measure("Map: mode switch", REDRAW_TARGET, [0.5, 0.75, 3.0]),
        Measure("Map: PNG download (warm)", PNG_TARGET, [6.0, 14.0, 9.0]),
    ]
    assert format_table(measures, trivial).splitlines() == [
        "| measure | median | runs | vs trivial | target | meets it |",
        "| --- | --- | --- | --- | --- | --- |",
        "| trivial app: first chart | 4.00 s | 4.00 3.00 5.00 | 1.00× |  |  |",
        "| Overview: first chart | 7.00 s | 6.00 8.00 7.00 | 1.75× | ≤ 1.3× trivial | NO |",
        "| Map: first chart | 5.00 s | 5.00 4.00 5.20 | 1.25× | ≤ 1.3× trivial | yes |",
        "| Map: mode switch | 0.75 s | 0.50 0.75 3.00 |  | ≤ 1 s | yes |",
        "| Map: PNG download (warm) | 9.00 s | 6.00 14.00 9.00 |  | ≤ 2 s | NO |",
    ]
