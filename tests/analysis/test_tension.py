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
    # 15.2383 over 52 weeks = 15.2383 / 13 = 1.17218 per 4 weeks; (-4.5 - 1.17218) / 1.17218 × 100 = -483.90 %
    assert lebanon["baseline"] == pytest.approx((STRIKE_WITH_3_DEATHS + 4.5) / 13)
    assert lebanon["baseline_weeks"] == 52
    assert lebanon["change_pct"] == pytest.approx(-483.90, abs=0.01)


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
    assert tension.trend_of(change, previous) == expected


def test_monthly_trends_compare_the_last_full_month_with_the_one_before():
    september = tension.monthly_trends(LEBANON, ACTORS, as_of=dt.date(2024, 9, 30)).set_index("area")
    # Lebanon: August 0 → September 15.2383, +15.24 ≥ 5: deteriorated. Israel: 0 → 2, below 5: unchanged.
    assert september.loc["Lebanon", "month"] == "2024-09"
    assert september.loc["Lebanon", "change"] == pytest.approx(STRIKE_WITH_3_DEATHS + 4.5)
    assert september.loc["Lebanon", "trend"] == "deteriorated"
    assert september.loc["Israel", "trend"] == "unchanged"
    october = tension.monthly_trends(LEBANON, ACTORS, as_of=dt.date(2024, 10, 31)).set_index("area")
    # Lebanon: 15.2383 → 0, -15.24; threshold max(5, 0.25 × 15.2383 = 3.81) = 5: improved.
    assert october.loc["Lebanon", "previous"] == pytest.approx(STRIKE_WITH_3_DEATHS + 4.5)
    assert october.loc["Lebanon", "threshold"] == 5.0
    assert october.loc["Lebanon", "trend"] == "improved"


def test_events_after_the_reference_date_do_not_count():
    trends = tension.monthly_trends(LEBANON, ACTORS, as_of=dt.date(2024, 11, 15)).set_index("area")
    # Last full month is October; the 27 November ceasefire is after 15 November and is ignored.
    assert trends.loc["Lebanon", "month"] == "2024-10"
    assert trends.loc["Lebanon", "recent"] == 0.0


def test_drivers_of_a_deterioration_are_the_months_largest_escalations():
    drivers = tension.trend_drivers(LEBANON, ACTORS, area="Lebanon", month="2024-09")
    assert drivers["event_id"].tolist() == ["a", "b"]
    assert drivers["contribution"].tolist() == pytest.approx([STRIKE_WITH_3_DEATHS, 4.5])


def test_drivers_of_an_improvement_include_last_months_escalations_that_did_not_recur():
    october = tension.trend_drivers(LEBANON, ACTORS, area="Lebanon", month="2024-10")
    assert october["event_id"].tolist() == ["a", "b"]
    assert october["month"].tolist() == ["2024-09", "2024-09"]
    assert october["contribution"].tolist() == pytest.approx([-STRIKE_WITH_3_DEATHS, -4.5])
    november = tension.trend_drivers(LEBANON, ACTORS, area="Lebanon", month="2024-11")
    assert november["event_id"].tolist() == ["c"]  # the ceasefire: -4.5


def test_biggest_movers_rank_by_size_of_change_either_way():
    trends = pd.DataFrame({"area": ["A", "B", "C", "D"], "change": [3.0, -12.0, 7.5, 0.0]})
    assert tension.biggest_movers(trends, top=3)["area"].tolist() == ["B", "C", "A"]


def test_busiest_areas_keep_the_table_order():
    index = tension.tension_index(LEBANON, ACTORS, level="country")
    # Lebanon: 15.24 up + 4.5 down = 19.74 points; Israel: 2.
    assert tension.busiest_areas(index, top=1) == ["Lebanon"]
    assert tension.busiest_areas(index, top=5) == ["Lebanon", "Israel"]


def test_every_weight_is_in_the_documented_table():
    text = tension.weights_markdown()
    for event_type in taxonomy.EVENT_TYPES:
        assert f"| event type | {event_type} | {WEIGHTS.event_type[event_type]:g} |" in text
    assert "| actors | state and state | 2 |" in text
    assert "| trend threshold | minimum change in index points | 5 |" in text
    assert "| trend threshold | minimum change as a share of the previous month | 25% |" in text
    assert set(WEIGHTS.event_type) == set(taxonomy.EVENT_TYPES)
    assert set(WEIGHTS.actor_class_by_kind) == set(taxonomy.ACTOR_KINDS)


def test_the_data_card_documents_the_index_from_the_code():
    from tests.conftest import APP_ROOT

    readme = (APP_ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert tension.method_markdown() in readme
