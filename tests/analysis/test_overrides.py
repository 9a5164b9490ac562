"""Analysts' overrides of computed trends: recorded atomically, validated, and always marked as judgement."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tensions.analysis.overrides import (
    COMPUTED,
    JUDGEMENT,
    TrendOverride,
    apply_overrides,
    judged_trends,
    listed,
    read_overrides,
    remove_override,
    save_override,
)
from tensions.data.validate import validate_folder
from tensions.errors import InvalidDataError, InvalidOverride
from tests.conftest import curator_grant

HEADER = "country,month,trend,rationale,analyst,decided_at\n"


def judgement(**changes) -> TrendOverride:
    fields = {
        "country": "Lebanon",
        "month": "2024-10",
        "trend": "deteriorated",
        "rationale": "Ground incursion began on 1 Oct; fewer recorded strikes reflect reporting, not calm.",
        "analyst": "A. Analyst",
        "decided_at": dt.date(2024, 11, 2),
    }
    return TrendOverride(**(fields | changes))


def test_no_file_means_no_overrides(data_copy):
    assert read_overrides(data_copy).empty


def test_a_recorded_override_reads_back_with_who_and_when(data_copy):
    save_override(data_copy, judgement(), grant=curator_grant())
    recorded = read_overrides(data_copy)
    assert recorded.to_dict("records") == [
        {
            "country": "Lebanon",
            "month": "2024-10",
            "trend": "deteriorated",
            "rationale": "Ground incursion began on 1 Oct; fewer recorded strikes reflect reporting, not calm.",
            "analyst": "A. Analyst",
            "decided_at": "2024-11-02",
        }
    ]
    assert validate_folder(data_copy) == []


def test_recording_writes_atomically_and_leaves_no_temporary_file(data_copy):
    save_override(data_copy, judgement(), grant=curator_grant())
    save_override(data_copy, judgement(country="Iraq"), grant=curator_grant())
    assert sorted(p.name for p in data_copy.iterdir() if "trend_overrides" in p.name) == ["trend_overrides.csv"]


def test_a_second_judgement_on_the_same_country_and_month_replaces_the_first(data_copy):
    save_override(data_copy, judgement(), grant=curator_grant())
    save_override(data_copy, judgement(trend="unchanged", rationale="On reflection, unchanged."), grant=curator_grant())
    recorded = read_overrides(data_copy)
    assert recorded[["country", "month", "trend"]].values.tolist() == [["Lebanon", "2024-10", "unchanged"]]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"rationale": ""}, "a rationale is required"),
        ({"rationale": "first line\nsecond line"}, "the rationale must be one line"),
        ({"rationale": "x" * 201}, "longer than 200 characters"),
        ({"analyst": "  "}, "say who made the judgement"),
        ({"trend": "worse"}, "trend must be one of: deteriorated, improved, unchanged"),
        ({"month": "2024-13"}, "is not YYYY-MM"),
        ({"country": "Atlantis"}, "unknown country 'Atlantis'"),
    ],
)
def test_an_incomplete_judgement_is_refused_with_the_reason(data_copy, changes, message):
    with pytest.raises(InvalidOverride, match=message):
        save_override(data_copy, judgement(**changes), grant=curator_grant())
    assert not (data_copy / "trend_overrides.csv").exists()


def test_withdrawing_an_override_removes_only_that_one(data_copy):
    save_override(data_copy, judgement(), grant=curator_grant())
    save_override(data_copy, judgement(country="Iraq"), grant=curator_grant())
    assert remove_override(data_copy, "Lebanon", "2024-10", grant=curator_grant()) is True
    assert read_overrides(data_copy)["country"].tolist() == ["Iraq"]
    assert remove_override(data_copy, "Lebanon", "2024-10", grant=curator_grant()) is False


def test_validation_names_file_row_and_column_of_a_broken_override(data_copy):
    (data_copy / "trend_overrides.csv").write_text(
        HEADER
        + "Lebanon,2024-10,worse,Because.,A. Analyst,2024-11-02\n"
        + "Iraq,2024-10,improved,Because.,A. Analyst,2024-11-02\n"
        + "Iraq,2024-10,unchanged,Again.,B. Analyst,2024-11-03\n"
    )
    problems = [str(p) for p in validate_folder(data_copy)]
    assert "trend_overrides.csv:2:trend: 'worse' not one of: deteriorated, improved, unchanged" in problems
    assert "trend_overrides.csv:4:month: a second override for Iraq 2024-10" in problems
    with pytest.raises(InvalidDataError):
        read_overrides(data_copy)


def test_applied_overrides_are_marked_as_judgement_and_keep_the_computed_trend():
    trends = pd.DataFrame(
        {"area": ["Lebanon", "Iraq"], "month": ["2024-10", "2024-10"], "trend": ["improved", "unchanged"]}
    )
    overrides = pd.DataFrame([{**vars(judgement()), "decided_at": "2024-11-02"}]).astype("string")
    shown = apply_overrides(trends, overrides).set_index("area")
    assert shown.loc["Lebanon", ["trend", "shown_trend", "basis"]].tolist() == ["improved", "deteriorated", JUDGEMENT]
    assert shown.loc["Lebanon", "analyst"] == "A. Analyst"
    assert shown.loc["Iraq", ["trend", "shown_trend", "basis"]].tolist() == ["unchanged", "unchanged", COMPUTED]
    assert pd.isna(shown.loc["Iraq", "rationale"])


def test_an_override_for_another_month_does_not_apply():
    trends = pd.DataFrame({"area": ["Lebanon"], "month": ["2024-11"], "trend": ["improved"]})
    overrides = pd.DataFrame([{**vars(judgement()), "decided_at": "2024-11-02"}]).astype("string")
    assert apply_overrides(trends, overrides)["basis"].tolist() == [COMPUTED]


def test_judged_trends_are_the_computed_ones_with_the_recorded_judgements_applied(data_copy):
    from tensions.data.load import load_dataset

    dataset = load_dataset(data_copy)
    save_override(data_copy, judgement(country="Jordan", month="2024-01", trend="unchanged"), grant=curator_grant())
    trends = judged_trends(
        dataset.events, dataset.actors, read_overrides(data_copy), as_of=dt.date(2024, 1, 31), since=None
    ).set_index("area")
    # Jordan, January 2024: Tower 22 computes as deteriorated; the analyst judged it unchanged.
    assert trends.loc["Jordan", ["month", "trend", "shown_trend", "basis"]].tolist() == [
        "2024-01",
        "deteriorated",
        "unchanged",
        JUDGEMENT,
    ]
    assert trends.loc["Iraq", ["shown_trend", "basis"]].tolist() == ["unchanged", COMPUTED]


def test_listed_trends_leave_out_quiet_countries_unless_an_analyst_judged_them():
    trends = pd.DataFrame(
        {
            "area": ["Iraq", "Syria", "Yemen", "Lebanon"],
            "index": [4.5, 0.0, 0.0, 0.0],
            "previous": [0.0, 0.0, 2.0, 0.0],
            "basis": [COMPUTED, COMPUTED, COMPUTED, JUDGEMENT],
        }
    )
    assert listed(trends)["area"].tolist() == ["Iraq", "Yemen", "Lebanon"]


def test_the_shipped_overrides_are_valid():
    from tests.conftest import APP_ROOT

    recorded = read_overrides(APP_ROOT / "data")
    assert recorded["rationale"].str.len().le(200).all()


def test_the_command_line_prints_trends_and_records_a_judgement(data_copy, capsys):
    from tensions.cli import main

    assert main(["--data-dir", str(data_copy), "trends", "--as-of", "2024-01-31"]) == 0
    printed = capsys.readouterr().out
    # Jordan, January 2024: the Tower 22 drone strike, 3 × 1.5 × (1 + ln 4) = 10.7 points, from 0.
    assert "Trends for 2024-01" in printed
    lines = printed.splitlines()
    assert lines[1].split() == ["Country", "Trend", "Basis", "Month", "before", "Index", "Change", "4", "wk", "vs",
                                "baseline", "Judgement"]  # fmt: skip
    jordan = next(line for line in lines if line.startswith("Jordan"))
    assert jordan.split() == ["Jordan", "deteriorated", "computed", "0.0", "10.7", "+10.7", "no", "baseline", "yet"]
    code = main(
        ["--data-dir", str(data_copy), "trends", "--as-of", "2024-01-31", "--override", "Jordan", "unchanged",
         "--rationale", "One strike, however deadly, is not a new pattern.", "--analyst", "A. Analyst"]
    )  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "recorded: Jordan unchanged in 2024-01" in printed
    assert "Jordan                 unchanged     analyst judgement" in printed
    assert read_overrides(data_copy)["analyst"].tolist() == ["A. Analyst"]


def test_the_command_line_refuses_a_judgement_without_a_rationale(data_copy, capsys):
    from tensions.cli import main

    code = main(["--data-dir", str(data_copy), "trends", "--override", "Jordan", "unchanged", "--analyst", "A"])
    assert code == 2
    assert "a rationale is required" in capsys.readouterr().err
