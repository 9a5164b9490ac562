"""The shipped dataset holds to its rules: coverage, sourcing, precision and the seed article's events."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tensions.data import taxonomy
from tensions.data.load import load_dataset
from tensions.data.validate import check_reported_deaths, check_sources, read_raw_table
from tests.conftest import APP_ROOT

SEED_TITLE = "Iran-backed militias in Iraq ready to disarm to avert Trump threat"


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(APP_ROOT / "data")


@pytest.fixture(scope="module")
def events(dataset):
    return dataset.events


def tagged(events: pd.DataFrame, tag: str) -> pd.DataFrame:
    return events[events["tags"].fillna("").str.split(";").map(lambda tags: tag in tags)]


def test_at_least_300_events_from_7_october_2023(events):
    assert len(events) >= 300
    assert events["event_date"].min() >= pd.Timestamp("2023-10-07")


def test_the_record_runs_past_june_2025_with_iraq_the_largest_theatre(events):
    recent = events[events["event_date"] >= pd.Timestamp("2025-07-01")]
    assert len(recent) >= 180
    assert recent["event_date"].max() >= pd.Timestamp("2026-03-01")
    by_theatre = recent["theatre"].value_counts()
    assert by_theatre.idxmax() == "Iraq"
    assert by_theatre["Iraq"] >= len(recent) / 3


def test_at_least_50_actors_including_the_iraqi_factions(dataset):
    actors = set(dataset.actors["actor"])
    assert len(actors) >= 50
    assert {"Kataib Hezbollah", "Harakat Hezbollah al-Nujaba", "Kataib Sayyid al-Shuhada", "Harakat Ansar Allah al-Awfiya",
            "Asaib Ahl al-Haq", "Badr Organization", "Popular Mobilization Forces", "IRGC Quds Force"} <= actors  # fmt: skip


def test_factions_sit_under_the_islamic_resistance_in_iraq_and_the_quds_force(dataset):
    parents = dict(zip(dataset.actors["actor"], dataset.actors["parent"], strict=True))
    assert parents["Kataib Hezbollah"] == "Islamic Resistance in Iraq"
    assert parents["Islamic Resistance in Iraq"] == "IRGC Quds Force"


@pytest.mark.parametrize("theatre", [t for t in taxonomy.THEATRES if t != "Elsewhere"])
def test_every_theatre_is_covered_in_each_year(events, theatre):
    years = set(events.loc[events["theatre"] == theatre, "event_date"].dt.year)
    assert {2023, 2024, 2025, 2026} <= years or (theatre == "Iran and the Gulf" and {2024, 2025, 2026} <= years)


def test_every_coordinate_lies_inside_its_country(events):
    for row in events.itertuples():
        min_lon, min_lat, max_lon, max_lat = taxonomy.COUNTRY_BY_NAME[row.country].bbox
        assert min_lat <= row.latitude <= max_lat and min_lon <= row.longitude <= max_lon, row.event_id


def test_no_near_duplicates(events):
    keys = events[["event_date", "location", "actor1", "actor2", "sub_event_type"]].astype("string").fillna("")
    assert not keys.duplicated().any()


def test_every_key_event_has_a_short_label(events):
    key = tagged(events, "key")
    assert key["label"].notna().all()
    assert (key["label"].str.len() <= 32).all()


def test_the_last_twelve_months_have_enough_key_events_for_a_briefing(events):
    key = tagged(events, "key")
    last_year = key[key["event_date"] > events["event_date"].max() - pd.DateOffset(months=12)]
    assert 20 <= len(last_year) <= 60


def test_every_event_cites_a_publisher_title_and_date_and_no_invented_links(events):
    assert events[["source", "source_title", "source_date"]].notna().all().all()
    assert events["source_url"].isna().all() or events["source_url"].dropna().str.startswith("http").all()


def test_report_dates_do_not_precede_day_precise_events(events):
    day = events[events["time_precision"] == "day"]
    assert (day["source_date"] >= day["event_date"]).all()


def test_fatalities_are_unknown_rather_than_zero_by_default(events):
    assert events["fatalities"].isna().sum() > (events["fatalities"] == 0).sum()


def seed(events: pd.DataFrame) -> pd.DataFrame:
    return tagged(events, "seed-article")


def test_the_seed_articles_events_cite_it(events):
    rows = seed(events)
    assert len(rows) >= 10
    assert ((rows["source_title"] == SEED_TITLE) | (rows["source"] == "Asharq Al-Awsat")).all()


@pytest.mark.parametrize(
    ("date", "actor", "needle"),
    [
        ("2025-03-16", "Pete Hegseth", "al-Sudani"),
        ("2025-01-15", "", "Mosul"),
        ("2025-01-15", "", "Anbar"),
        ("2025-04-07", "Kataib Hezbollah", "denying"),
        ("2025-06-11", "United States", "ordered departure"),
        ("2025-06-11", "Aziz Nasirzadeh", "bases"),
    ],
)
def test_each_seed_article_claim_is_present(events, date, actor, needle):
    rows = seed(events)
    rows = rows[rows["event_date"] == pd.Timestamp(date)]
    if actor:
        rows = rows[(rows["actor1"] == actor) | (rows["actor2"] == actor)]
    assert rows["notes"].str.contains(needle, case=False).any() or rows["location"].str.contains(needle).any()


def test_nothing_is_dated_in_the_future(events):
    assert events["event_date"].max().date() <= dt.date.today()


@pytest.fixture(scope="module")
def raw_events():
    return read_raw_table(APP_ROOT / "data" / "events.csv")


def test_every_source_url_is_on_its_publishers_own_site(raw_events):
    assert check_sources(raw_events) == []


def test_most_events_since_july_2025_link_to_the_report_they_cite(events):
    recent = events[events["event_date"] >= pd.Timestamp("2025-07-01")]
    assert recent["source_url"].notna().mean() >= 0.75


def test_deaths_in_notes_come_with_a_figure_or_a_stated_reason(raw_events):
    assert check_reported_deaths(raw_events) == []
