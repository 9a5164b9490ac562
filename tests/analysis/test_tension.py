"""The tension index, computed by hand on small tables: every expected number is worked out in the test.

Weights used below (from `tensions.analysis.tension.WEIGHTS`): Explosions/Remote violence 3, Agreements 3, Threats
and warnings 1, Diplomacy and talks 1; actors state-state 2, state-armed group 1.5, anything else 1;
fatality factor 1 + ln(1 + deaths), unknown deaths adding nothing.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from tensions.analysis import tension
from tensions.analysis.tension import WEIGHTS
from tensions.data import taxonomy

ACTORS = pd.DataFrame(
    {
        "actor": ["Israel", "IDF", "Iran", "Hezbollah", "Naim Qassem", "Civilians (Lebanon)", "A commentator"],
        "kind": ["state", "state force", "state", "armed group", "person", "civilians", "person"],
        "parent": [None, "Israel", None, None, "Hezbollah", None, None],
    }
)

STRIKE_WITH_3_DEATHS = 3 * 1.5 * (1 + math.log(4))  # type 3 × state/armed group 1.5 × (1 + ln(1 + 3)) = 10.7383


def table(*rows: tuple) -> pd.DataFrame:
    """Events from (id, date, country, event type, sub-type, actor1, actor2, fatalities) tuples."""
    columns = ["event_id", "event_date", "country", "event_type", "sub_event_type", "actor1", "actor2", "fatalities"]
    events = pd.DataFrame(list(rows), columns=columns)
    events["event_date"] = pd.to_datetime(events["event_date"])
    events["fatalities"] = events["fatalities"].astype("Int64")
    events["actor2"] = events["actor2"].astype("string")
    events["theatre"] = events["country"].map(taxonomy.THEATRE_BY_COUNTRY)
    events["notes"] = "summary of " + events["event_id"]
    return events


# The running example: a month of war in Lebanon, a quiet October, a ceasefire in November.
LEBANON = table(
    ("a", "2024-09-10", "Lebanon", "Explosions/Remote violence", "Air/drone strike", "IDF", "Hezbollah", 3),
    ("b", "2024-09-20", "Lebanon", "Explosions/Remote violence", "Shelling/artillery/missile attack",
     "Hezbollah", "IDF", None),
    ("c", "2024-11-27", "Lebanon", "Agreements", "Ceasefire or truce", "Israel", "Hezbollah", None),
    ("d", "2024-09-15", "Israel", "Threats and warnings", "Threat of force", "Iran", "Israel", None),
    ("e", "2024-09-16", "Israel", "Diplomacy and talks", "Official statement", "Iran", "Israel", None),
)  # fmt: skip


def scores(events: pd.DataFrame) -> dict[str, float]:
    scored = tension.event_scores(events, ACTORS)
    return dict(zip(scored["event_id"], scored["score"], strict=True))


def test_a_state_strike_on_an_armed_group_with_three_deaths_scores_by_the_formula():
    assert scores(LEBANON)["a"] == pytest.approx(STRIKE_WITH_3_DEATHS)
    assert math.isclose(STRIKE_WITH_3_DEATHS, 10.7383, abs_tol=1e-4)


def test_unknown_fatalities_add_no_weight_like_zero_deaths():
    events = table(
        ("unknown", "2024-09-20", "Lebanon", "Explosions/Remote violence", "Air/drone strike", "IDF", "Hezbollah", None),
        ("zero", "2024-09-20", "Lebanon", "Explosions/Remote violence", "Air/drone strike", "IDF", "Hezbollah", 0),
    )  # fmt: skip
    # 3 × 1.5 × (1 + ln(1 + 0)) = 4.5 for both: unknown is not read as deaths, but adds nothing either.
    assert scores(events) == {"unknown": pytest.approx(4.5), "zero": pytest.approx(4.5)}
    assert tension.event_scores(events, ACTORS)["fatality_factor"].tolist() == [1.0, 1.0]


def test_a_state_on_state_strike_weighs_more_than_a_threat_and_a_statement_weighs_nothing():
    events = table(
        ("strike", "2024-10-26", "Iran", "Explosions/Remote violence", "Air/drone strike", "IDF", "Iran", None),
        ("threat", "2024-09-15", "Israel", "Threats and warnings", "Threat of force", "Iran", "Israel", None),
        ("statement", "2024-09-16", "Israel", "Diplomacy and talks", "Official statement", "Iran", "Israel", None),
    )  # fmt: skip
    assert scores(events) == {
        "strike": pytest.approx(6.0),  # +1 × 3 × 2 (state on state) × 1
        "threat": pytest.approx(2.0),  # +1 × 1 × 2 × 1
        "statement": 0.0,  # direction 0: neutral
    }


def test_de_escalatory_events_score_below_zero():
    # A ceasefire between a state and an armed group: -1 × 3 × 1.5 × 1 = -4.5.
    assert scores(LEBANON)["c"] == pytest.approx(-4.5)


def test_a_person_takes_the_class_of_the_organisation_above_them():
    events = table(
        ("leader", "2024-10-08", "Lebanon", "Threats and warnings", "Threat of force", "Naim Qassem", "IDF", None),
        ("pundit", "2024-10-08", "Lebanon", "Threats and warnings", "Threat of force", "A commentator", "IDF", None),
        ("alone", "2024-10-08", "Lebanon", "Threats and warnings", "Threat of force", "Hezbollah", None, None),
    )  # fmt: skip
    # Qassem counts as Hezbollah (armed group) against the IDF (state): 1 × 1 × 1.5; a commentator with no
    # organisation above is "other", as is an event with no second actor: 1 × 1 × 1.
    assert scores(events) == {"leader": pytest.approx(1.5), "pundit": 1.0, "alone": 1.0}
    classes = tension.actor_classes(ACTORS)
    assert classes["Naim Qassem"] == "armed group" and classes["IDF"] == "state"
    assert classes["Civilians (Lebanon)"] == "other"


def test_the_monthly_index_sums_scores_per_country_and_keeps_quiet_months_as_zero():
    index = tension.tension_index(LEBANON, ACTORS, level="country", granularity="month")
    lebanon = index[index["area"] == "Lebanon"]
    lebanon = lebanon.set_index(lebanon["period"].dt.strftime("%Y-%m"))
    # September: a + b = 10.7383 + 4.5 = 15.2383; October: nothing; November: the ceasefire, -4.5.
    assert lebanon["index"].to_dict() == {
        "2024-09": pytest.approx(STRIKE_WITH_3_DEATHS + 4.5),
        "2024-10": 0.0,
        "2024-11": pytest.approx(-4.5),
    }
    assert lebanon["escalatory"].tolist() == pytest.approx([STRIKE_WITH_3_DEATHS + 4.5, 0.0, 0.0])
    assert lebanon["de_escalatory"].tolist() == pytest.approx([0.0, 0.0, -4.5])
    assert lebanon["events"].tolist() == [2, 0, 1]
    israel = index[index["area"] == "Israel"]
    assert israel["index"].tolist() == pytest.approx([2.0, 0.0, 0.0])  # threat 2 + statement 0
    assert israel["events"].tolist() == [2, 0, 0]


def test_weeks_run_monday_to_sunday():
    index = tension.tension_index(LEBANON, ACTORS, level="country", granularity="week")
    israel = index[(index["area"] == "Israel") & (index["events"] > 0)]
    # The threat on Sunday 15 Sep falls in the week of Monday 9 Sep; the statement on Monday 16 Sep in the next.
    assert israel["period"].dt.strftime("%Y-%m-%d").tolist() == ["2024-09-09", "2024-09-16"]
    assert israel["index"].tolist() == pytest.approx([2.0, 0.0])


def test_theatre_and_region_indexes_add_their_countries():
    theatre = tension.tension_index(LEBANON, ACTORS, level="theatre", granularity="month")
    region = tension.tension_index(LEBANON, ACTORS, level="region", granularity="month")
    # Lebanon and Israel share a theatre: September is 15.2383 + 2 = 17.2383.
    assert theatre["area"].unique().tolist() == ["Lebanon and Israel"]
    assert theatre["index"].tolist() == pytest.approx([STRIKE_WITH_3_DEATHS + 6.5, 0.0, -4.5])
    assert region["area"].unique().tolist() == [tension.REGION]
    assert region["index"].tolist() == pytest.approx(theatre["index"].tolist())


def test_the_index_spans_the_requested_period_even_when_it_is_quiet():
    index = tension.tension_index(
        LEBANON, ACTORS, level="country", granularity="month", start=dt.date(2024, 8, 1), end=dt.date(2024, 12, 31)
    )
    lebanon = index[index["area"] == "Lebanon"]
    assert lebanon["period"].dt.strftime("%Y-%m").tolist() == ["2024-08", "2024-09", "2024-10", "2024-11", "2024-12"]
    assert lebanon["index"].tolist() == pytest.approx([0.0, STRIKE_WITH_3_DEATHS + 4.5, 0.0, -4.5, 0.0])


def test_baseline_change_compares_the_last_4_weeks_with_the_weeks_before_the_data_covers():
    change = tension.baseline_change(LEBANON, ACTORS, as_of=dt.date(2024, 11, 30), since=dt.date(2024, 9, 1))
    lebanon = change.set_index("area").loc["Lebanon"]
    # Recent: 3-30 Nov holds the ceasefire, -4.5. Baseline window: the 52 weeks to 2 Nov, of which the data covers
    # 1 Sep - 2 Nov = 63 days = 9 weeks holding a + b = 15.2383, i.e. 15.2383 / 9 × 4 = 6.7726 per 4 weeks.
    baseline = (STRIKE_WITH_3_DEATHS + 4.5) / 9 * 4
    assert lebanon["recent"] == pytest.approx(-4.5)
    assert lebanon["baseline"] == pytest.approx(baseline)
    assert baseline == pytest.approx(6.7726, abs=1e-4)
    assert lebanon["baseline_weeks"] == 9
    # (-4.5 - 6.7726) / 6.7726 × 100 = -166.4 %
    assert lebanon["change_pct"] == pytest.approx((-4.5 - baseline) / baseline * 100)
    assert lebanon["change_pct"] == pytest.approx(-166.44, abs=0.01)


def test_a_fully_covered_baseline_averages_all_52_weeks():
    change = tension.baseline_change(LEBANON, ACTORS, as_of=dt.date(2024, 11, 30), since=dt.date(2023, 1, 1))
    lebanon = change.set_index("area").loc["Lebanon"]
    # 15.2383 over 52 weeks = 15.2383 / 13 = 1.17218 per 4 weeks: below the 5-point floor, so no "-484 %".
    assert lebanon["baseline"] == pytest.approx((STRIKE_WITH_3_DEATHS + 4.5) / 13)
    assert lebanon["baseline_weeks"] == 52
    assert pd.isna(lebanon["change_pct"])


def test_no_percentage_against_a_baseline_near_zero():
    change = tension.baseline_change(LEBANON, ACTORS, as_of=dt.date(2024, 9, 30), since=dt.date(2024, 8, 1))
    lebanon = change.set_index("area").loc["Lebanon"]
    # Recent: 3-30 Sep holds a + b. Baseline: 1 Aug - 2 Sep (33 days of data), nothing in Lebanon: 0, so a
    # percentage would be meaningless.
    assert lebanon["recent"] == pytest.approx(STRIKE_WITH_3_DEATHS + 4.5)
    assert lebanon["baseline"] == 0.0
    assert pd.isna(lebanon["change_pct"])


def test_no_baseline_at_all_when_the_data_covers_less_than_a_week_before_the_recent_weeks():
    change = tension.baseline_change(LEBANON, ACTORS, as_of=dt.date(2024, 9, 30), since=dt.date(2024, 9, 1))
    # The recent weeks start on 3 Sep; the data covers only 1-2 Sep before them.
    assert change["baseline"].isna().all()
    assert change["change_pct"].isna().all()


@pytest.mark.parametrize(
    ("as_of", "month"),
    [("2025-06-30", "2025-06"), ("2025-06-29", "2025-05"), ("2024-02-29", "2024-02"), ("2024-03-01", "2024-02")],
)
def test_the_last_full_month_is_the_latest_month_that_has_ended(as_of, month):
    assert str(tension.last_full_month(dt.date.fromisoformat(as_of))) == month


@pytest.mark.parametrize(
    ("change", "previous", "expected"),
    [
        (5.0, 0.0, "deteriorated"),  # threshold max(5, 25% of 0) = 5
        (4.9, 0.0, "unchanged"),
        (-5.0, 3.0, "improved"),  # max(5, 0.75) = 5
        (8.0, 40.0, "unchanged"),  # max(5, 25% of 40 = 10) = 10
        (10.0, 40.0, "deteriorated"),
        (-10.0, -40.0, "improved"),  # the share is of the previous month's absolute value
    ],
)
def test_a_trend_needs_both_5_points_and_a_quarter_of_the_previous_month(change, previous, expected):
    assert WEIGHTS.trend_min_points == 5.0 and WEIGHTS.trend_min_share == 0.25
    # Here the whole change is escalation (or its absence), so only the threshold decides.
    assert tension.trend_of(change, previous, change) == expected


@pytest.mark.parametrize(
    ("change", "previous", "escalation_change", "expected"),
    [
        (10.0, -10.0, 0.0, "unchanged"),  # talks ended (-10 → 0), no escalation: not a deterioration
        (10.0, -10.0, 4.9, "unchanged"),  # escalation rose, but by less than the threshold max(5, 2.5) = 5
        (10.0, -10.0, 5.0, "deteriorated"),
        (-10.0, 10.0, -10.0, "improved"),  # a fall needs no particular kind of event
    ],
)
def test_a_deterioration_needs_escalatory_points_to_rise_by_the_threshold(
    change, previous, escalation_change, expected
):
    assert tension.trend_of(change, previous, escalation_change) == expected


def test_talks_that_end_do_not_make_a_country_deteriorate():
    # April: two rounds of talks in Oman (Diplomacy and talks, de-escalatory: -1 × 1 × 2 state-state = -2 each);
    # May: nothing. The index rises from -4 to 0 (+4) and the escalatory points stay 0.
    talks = table(
        ("t1", "2025-04-12", "Oman", "Diplomacy and talks", "Talks or negotiations", "Iran", "Israel", None),
        ("t2", "2025-04-19", "Oman", "Diplomacy and talks", "Talks or negotiations", "Iran", "Israel", None),
        ("t3", "2025-04-26", "Oman", "Diplomacy and talks", "Talks or negotiations", "Iran", "Israel", None),
    )  # fmt: skip
    oman = tension.monthly_trends(talks, ACTORS, as_of=dt.date(2025, 5, 31)).set_index("area").loc["Oman"]
    assert oman["previous"] == pytest.approx(-6.0)
    assert oman["change"] == pytest.approx(6.0)  # above the 5-point threshold...
    assert oman["escalation_change"] == 0.0
    assert oman["trend"] == "unchanged"  # ...but no escalatory event behind it


def test_places_outside_the_region_that_host_talks_get_no_trend_and_no_panel():
    events = table(
        ("rome", "2025-05-10", "Italy", "Explosions/Remote violence", "Air/drone strike", "IDF", "Hezbollah", 3),
        ("beirut", "2025-05-10", "Lebanon", "Explosions/Remote violence", "Air/drone strike", "IDF", "Hezbollah", 3),
    )  # fmt: skip
    assert not taxonomy.COUNTRY_BY_NAME["Italy"].in_region
    trends = tension.monthly_trends(events, ACTORS, as_of=dt.date(2025, 5, 31))
    assert trends["area"].tolist() == ["Lebanon"]
    index = tension.tension_index(events, ACTORS, level="country")
    assert set(index["area"]) == {"Italy", "Lebanon"}  # the index itself keeps every event
    assert tension.busiest_areas(index, top=12) == ["Lebanon"]


def test_events_only_outside_the_region_give_an_empty_table_of_trends_not_an_error():
    # The Overview filtered to a country that only hosts talks (Italy) has no area with a trend.
    events = table(
        ("rome", "2025-05-10", "Italy", "Explosions/Remote violence", "Air/drone strike", "IDF", "Hezbollah", 3),
    )  # fmt: skip
    trends = tension.monthly_trends(events, ACTORS, as_of=dt.date(2025, 5, 31))
    assert trends.empty
    assert trends["change"].dtype == "float64"


@pytest.mark.parametrize(
    ("change_pct", "recent", "baseline", "expected"),
    [
        (float("nan"), 71.3, 0.0, "new activity"),  # never "+7,130%"
        (float("nan"), -6.0, 1.0, "new activity"),  # new talks count as new activity too
        (float("nan"), 2.0, 0.5, "quiet"),
        (float("nan"), 9.0, float("nan"), "no baseline yet"),
        (416.2, 31.0, 6.0, "+416%"),
        (-60.0, 4.0, 10.0, "-60%"),
        (-138.0, -3.8, 10.0, "-138% (now de-escalatory)"),  # not a count fallen below zero
        (150.0, 5.0, -10.0, "+150% (now escalatory)"),
    ],
)
def test_the_baseline_reads_as_a_percentage_only_against_a_real_baseline(change_pct, recent, baseline, expected):
    assert tension.baseline_label(change_pct, recent=recent, baseline=baseline) == expected


def test_a_baseline_below_5_points_per_4_weeks_gives_no_percentage():
    # One round of talks on 20 August 2024 (-1 × 1 × 2 = -2 points) in a baseline window the data covers from
    # 1 August to 2 September (33 days): -2 / (33 / 7) × 4 = -1.70 points per 4 weeks, below the 5-point floor.
    assert WEIGHTS.baseline_floor == 5.0
    events = table(
        ("t", "2024-08-20", "Lebanon", "Diplomacy and talks", "Talks or negotiations", "Israel", "Iran", None),
        ("a", "2024-09-10", "Lebanon", "Explosions/Remote violence", "Air/drone strike", "IDF", "Hezbollah", 3),
    )  # fmt: skip
    change = tension.baseline_change(events, ACTORS, as_of=dt.date(2024, 9, 30), since=dt.date(2024, 8, 1))
    lebanon = change.set_index("area").loc["Lebanon"]
    assert lebanon["baseline"] == pytest.approx(-2 / (33 / 7) * 4)
    assert pd.isna(lebanon["change_pct"])
    label = tension.baseline_label(lebanon["change_pct"], recent=lebanon["recent"], baseline=lebanon["baseline"])
    assert label == "new activity"


@pytest.mark.parametrize(
    "changed",
    [
        {"event_type": {"Battles": -3.0}},
        {"actor_pair": {("state", "state"): float("nan")}},
        {"default_actor_weight": -1.0},
        {"fatality_coefficient": -0.5},
    ],
)
def test_weights_that_could_turn_a_scores_sign_are_refused(changed):
    # Summed rows keep their escalatory and de-escalatory sides apart by their direction's sign.
    with pytest.raises(ValueError, match="not negative"):
        tension.TensionWeights(**changed)


def test_rows_already_scored_with_the_default_weights_refuse_other_weights():
    summed = tension.index_inputs(LEBANON, ACTORS, "month")
    assert tension.tension_index(summed, ACTORS).equals(tension.tension_index(LEBANON, ACTORS))
    heavier = tension.TensionWeights(fatality_coefficient=2.0)
    with pytest.raises(ValueError, match="default weights"):
        tension.tension_index(summed, ACTORS, weights=heavier)
