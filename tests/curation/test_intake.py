"""Article intake on reports written for these tests: what it finds, how it dates it, and the drafts it proposes."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tensions.curation.intake.dates import find_dates
from tensions.curation.intake.drafts import NO_DATE_WARNING, guess_headline, read_article, split_sentences
from tensions.curation.intake.event_types import TYPE_RULES, guess_type
from tensions.curation.intake.names import NameIndex
from tensions.curation.intake.records import Article, IntakeResult, Match
from tensions.curation.intake.review import highlight_html, review_frame, rows_from_review
from tensions.curation.snapshot import load_snapshot
from tensions.data import taxonomy
from tensions.data.validate import validate_tables
from tensions.figures import theme
from tests.conftest import FIXTURE_DATA

# Written for this test (not a real report); published on Thursday 8 February 2024.
STRIKE_REPORT = """US strike in Baghdad kills Kataib Hezbollah commander
A US drone strike on a car in eastern Baghdad on Wednesday killed a senior commander of Kataib Hezbollah, two Iraqi security officials said.
The Pentagon said US forces acted in response to the drone attack on Tower 22 in Jordan on January 28, which killed three US soldiers.
Iran-backed factions under the Islamic Resistance in Iraq banner have claimed responsibility for more than 160 attacks on US troops since mid-October.
Last month, US aircraft struck targets near Al Qaim in Anbar province.
Prime Minister Mohammed Shia al-Sudani's government condemned the strike as a violation of Iraqi sovereignty.
Related Articles
Hezbollah fires rockets at Israel from Beirut
"""
PUBLISHED = dt.date(2024, 2, 8)


@pytest.fixture(scope="module")
def tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    snapshot = load_snapshot(FIXTURE_DATA)
    return snapshot.actors, snapshot.places


@pytest.fixture(scope="module")
def strike_report(tables) -> IntakeResult:
    actors, places = tables
    article = Article(STRIKE_REPORT, PUBLISHED, "Reuters", guess_headline(STRIKE_REPORT))
    return read_article(article, actors, places)


def spans_read(result: IntakeResult, matches: list[Match]) -> list[tuple[str, str]]:
    return [(result.article.text[m.start : m.end], m.value) for m in matches]


def test_the_places_named_are_found_by_name_and_alias(strike_report):
    assert spans_read(strike_report, strike_report.places) == [
        ("Baghdad", "Baghdad"),
        ("Baghdad", "Baghdad"),
        ("Tower 22", "Tower 22"),
        ("Al Qaim", "Al-Qaim"),
        ("Anbar", "Anbar"),
    ]


def test_the_actors_named_are_found_longest_name_first(strike_report):
    assert spans_read(strike_report, strike_report.actors) == [
        ("US", "United States"),
        ("Kataib Hezbollah", "Kataib Hezbollah"),
        ("US", "United States"),
        ("Kataib Hezbollah", "Kataib Hezbollah"),
        ("US forces", "US forces"),
        ("US", "United States"),
        ("Islamic Resistance in Iraq", "Islamic Resistance in Iraq"),
        ("US troops", "US forces"),
        ("US", "United States"),
        ("Mohammed Shia al-Sudani", "Mohammed Shia al-Sudani"),
    ]


def test_dates_are_resolved_against_the_publication_date(strike_report):
    assert [(d.match.text, d.day, d.precision) for d in strike_report.dates] == [
        ("Wednesday", dt.date(2024, 2, 7), "day"),
        ("January 28", dt.date(2024, 1, 28), "day"),
        ("mid-October", dt.date(2023, 10, 15), "month"),
        ("Last month", dt.date(2024, 1, 15), "month"),
    ]


def test_page_furniture_after_related_articles_is_not_read(strike_report):
    assert strike_report.ignored_text.startswith("Related Articles")
    assert "Beirut" not in [m.value for m in strike_report.matches]


def test_one_draft_per_event_with_date_place_actors_and_type(strike_report):
    drafts = [
        (d.event_date, d.time_precision, d.location, d.actor1, d.actor2, d.sub_event_type) for d in strike_report.drafts
    ]
    assert drafts == [
        (dt.date(2024, 2, 7), "day", "Baghdad", "United States", "Kataib Hezbollah", "Air/drone strike"),
        (dt.date(2024, 1, 28), "day", "Tower 22", "US forces", "United States", "Air/drone strike"),
        (dt.date(2023, 10, 15), "month", None, "Islamic Resistance in Iraq", "US forces", "Claim of responsibility"),
        (dt.date(2024, 1, 15), "month", "Al-Qaim", "United States", None, "Air/drone strike"),
        (PUBLISHED, "week", None, "Mohammed Shia al-Sudani", None, "Official statement"),
    ]


def test_the_headline_is_folded_into_the_paragraph_that_dates_it(strike_report):
    first = strike_report.drafts[0]
    assert first.evidence.startswith("US strike in Baghdad kills Kataib Hezbollah commander A US drone strike")
    assert first.warnings == []


def test_drafts_say_what_the_curator_must_check(strike_report):
    claim, statement = strike_report.drafts[2], strike_report.drafts[4]
    assert claim.warnings == ["no place in the sentence: choose one"]
    assert claim.country == "Iraq"  # named only inside the umbrella group's name, but still a clue
    assert statement.warnings == [NO_DATE_WARNING, "no place in the sentence: choose one"]


def test_kept_drafts_become_valid_events_citing_the_article(strike_report, tables):
    actors, places = tables
    review = review_frame(strike_report.drafts, actors=actors, places=places)
    assert not review["accept"].any()
    review.loc[[0, 3], "accept"] = True
    review.loc[[0, 3], "confidence"] = ["high", "medium"]
    review.loc[0, "fatalities"] = 1  # the curator gives the toll the headline reports ("kills … commander")
    snapshot = load_snapshot(FIXTURE_DATA)
    rows = rows_from_review(
        review, strike_report.article, places=places, taken_ids=snapshot.events["event_id"].dropna()
    )
    assert list(rows["event_id"]) == ["IRQ-20240207-1", "IRQ-20240115-1"]
    assert rows.loc[0, ["location", "latitude", "longitude", "admin1", "country"]].tolist() == [
        "Baghdad",
        "33.34058",
        "44.40088",
        "Baghdad",
        "Iraq",
    ]
    assert rows.loc[1, ["location", "geo_precision", "time_precision"]].tolist() == ["Al-Qaim", "1", "month"]
    assert rows.loc[0, ["source", "source_title", "source_date"]].tolist() == [
        "Reuters",
        "US strike in Baghdad kills Kataib Hezbollah commander",
        "2024-02-08",
    ]
    events = pd.concat([snapshot.events, rows], ignore_index=True)
    assert validate_tables(events, actors, places) == []


# --------------------------------------------------------------------------- names in running text

ACTORS = pd.DataFrame(
    {
        "actor": ["United States", "Islamic State", "Hezbollah", "Kataib Hezbollah", "Harakat Hezbollah al-Nujaba", "IRGC", "Iran"],
        "aliases": ["US;U.S.", "IS;ISIS", "Hizballah", "Kata'ib Hizballah;KH", "Nujaba;Nujabaa", "Revolutionary Guards", None],
    }
)  # fmt: skip
PLACES = pd.DataFrame({"place": ["Tyre", "Gaza City", "Al-Qaim"], "aliases": ["Sour", "Gaza", "Al Qa’im"]})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kataib Hezbollah denied it.", [("Kataib Hezbollah", "Kataib Hezbollah")]),
        ("Kata'ib Hizballah denied it.", [("Kata'ib Hizballah", "Kataib Hezbollah")]),
        ("fighters of Nujabaa and Hezbollah", [("Nujabaa", "Harakat Hezbollah al-Nujaba"), ("Hezbollah", "Hezbollah")]),
        ("the IRGC and the Revolutionary Guards", [("IRGC", "IRGC"), ("Revolutionary Guards", "IRGC")]),
        ("Iran's elite force", [("Iran", "Iran")]),
        ("U.S. officials told us it is over", [("U.S", "United States")]),
        ("IS claimed it; this is known", [("IS", "Islamic State")]),
        ("a us-led push", []),
    ],
)
def test_actor_names_match_whole_words_and_acronyms_only_in_capitals(text, expected):
    found = NameIndex.from_table(ACTORS, "actor").find(text, "actor")
    assert [(text[m.start : m.end], m.value) for m in found] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rockets hit Tyre and Sour.", [("Tyre", "Tyre"), ("Sour", "Tyre")]),
        ("a sour mood", []),
        ("near al-Qa’im", [("al-Qa’im", "Al-Qaim")]),
    ],
)
def test_place_names_match_aliases_with_their_capitals(text, expected):
    found = NameIndex.from_table(PLACES, "place").find(text, "place")
    assert [(text[m.start : m.end], m.value) for m in found] == expected


def test_a_place_named_as_an_adjective_does_not_place_an_event(tables):
    article = Article("Since the Gaza war began, drones struck Gaza on Monday.", dt.date(2024, 2, 8))
    result = read_article(
        article,
        ACTORS,
        PLACES.assign(latitude=31.5, longitude=34.46, geo_precision=1, admin1=None, country="Palestine"),
    )
    assert [m.start for m in result.places] == [article.text.rindex("Gaza")]


# --------------------------------------------------------------------------- dates

MONDAY = dt.date(2025, 4, 7)


@pytest.mark.parametrize(
    ("text", "phrase", "day", "precision"),
    [
        ("on March 16, shortly after", "March 16", dt.date(2025, 3, 16), "day"),
        ("on 16 March 2025 in Baghdad", "16 March 2025", dt.date(2025, 3, 16), "day"),
        ("on October 7, 2023 tipped", "October 7, 2023", dt.date(2023, 10, 7), "day"),
        ("on 2025-03-01", "2025-03-01", dt.date(2025, 3, 1), "day"),
        ("since Trump took power in January", "January", dt.date(2025, 1, 15), "month"),
        ("since mid-January for fear", "mid-January", dt.date(2025, 1, 15), "month"),
        ("in early March", "early March", dt.date(2025, 3, 5), "month"),
        ("in late December", "late December", dt.date(2024, 12, 25), "month"),
        ("in December 2024", "December 2024", dt.date(2024, 12, 15), "month"),
        ("since last month", "last month", dt.date(2025, 3, 15), "month"),
        ("earlier this month", "earlier this month", dt.date(2025, 4, 15), "month"),
        ("last week", "last week", dt.date(2025, 3, 31), "week"),
        ("erupted about 18 months ago", "about 18 months ago", dt.date(2023, 10, 15), "month"),
        ("three days ago", "three days ago", dt.date(2025, 4, 4), "day"),
        ("two weeks ago", "two weeks ago", dt.date(2025, 3, 24), "week"),
        ("3 hours ago", "3 hours ago", MONDAY, "day"),
        ("said on Wednesday", "Wednesday", dt.date(2025, 4, 2), "day"),
        ("said on Monday", "Monday", MONDAY, "day"),
        ("last Monday", "last Monday", dt.date(2025, 3, 31), "day"),
        ("yesterday", "yesterday", dt.date(2025, 4, 6), "day"),
        ("talks on April 20", "April 20", dt.date(2025, 4, 20), "day"),
        ("on May 14", "May 14", dt.date(2024, 5, 14), "day"),
    ],
)
def test_date_phrases_resolve_to_a_day_and_a_precision(text, phrase, day, precision):
    [mention] = find_dates(text, MONDAY)
    assert (mention.match.text, mention.day, mention.precision) == (phrase, day, precision)
    assert text[mention.match.start : mention.match.end] == phrase


@pytest.mark.parametrize(("text", "year"), [("killed three soldiers last year", 2024), ("the 2003 invasion", 2003)])
def test_a_year_alone_has_no_day(text, year):
    [mention] = find_dates(text, MONDAY)
    assert (mention.day, mention.precision, mention.year) == (None, "year", year)


def test_approximate_and_upcoming_dates_are_flagged():
    about, upcoming = find_dates("about 18 months ago, and talks on April 20", MONDAY)
    assert about.approximate and not about.upcoming
    assert upcoming.upcoming


@pytest.mark.parametrize(
    "text", ["the groups may comply", "10 senior commanders", "about 50,000 fighters", "a 90-day pause", "March on"]
)
def test_words_and_numbers_that_are_not_dates_are_left_alone(text):
    assert [m.match.text for m in find_dates(text, MONDAY) if m.precision != "month"] == []
    assert [m.match.text for m in find_dates(text, MONDAY) if m.match.text in ("may", "10", "50,000", "90")] == []


# --------------------------------------------------------------------------- types, sentences, highlighting


@pytest.mark.parametrize(
    ("sentence", "sub_event_type"),
    [
        ("have claimed responsibility for dozens of missile and drone attacks", "Claim of responsibility"),
        ("told Prime Minister al-Sudani in a phone call to prevent the militias attacking", "Warning or ultimatum"),
        ("largely evacuated their headquarters in Mosul", "Withdrawal or relocation"),
        ("the Houthis have been targeted by US airstrikes", "Air/drone strike"),
        ("rockets hit the base", "Shelling/artillery/missile attack"),
        ("the groups are prepared to disarm", "Disarmament or demobilisation"),
        ("a ceasefire took effect", "Ceasefire or truce"),
        ("the ministry condemned the strike", "Official statement"),
        ("the weather was fine", None),
    ],
)
def test_keywords_suggest_a_type(sentence, sub_event_type):
    guess = guess_type(sentence)
    assert (guess[1] if guess else None) == sub_event_type


def test_every_type_rule_names_a_sub_type_of_its_type():
    for _, event_type, sub_event_type in TYPE_RULES:
        assert taxonomy.SUB_EVENT_TYPE_BY_NAME[sub_event_type].event_type == event_type


def test_sentences_split_at_full_stops_and_line_breaks_but_not_after_abbreviations():
    text = "Headline here\nU.S. officials met Mr. Smith on Jan. 5. Talks ended. 'We agree,' he said."
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "Headline here",
        "U.S. officials met Mr. Smith on Jan. 5.",
        "Talks ended.",
        "'We agree,' he said.",
    ]


@pytest.mark.parametrize(
    ("text", "headline"),
    [("Militias ready to disarm\nSeveral groups...", "Militias ready to disarm"), ("A full sentence.\nMore.", "")],
)
def test_a_first_line_that_reads_like_a_headline_is_taken_as_one(text, headline):
    assert guess_headline(text) == headline


def test_highlighting_escapes_every_character_of_the_article():
    text = 'Baghdad <img src=x onerror="alert(1)"> <script>alert(2)</script> & Tyre'
    matches = [
        Match(0, 7, "place", "Baghdad", "Baghdad"),
        Match(len(text) - 4, len(text), "place", "Tyre", "Tyre"),
    ]
    rendered = highlight_html(text, matches, colours=theme.INTAKE_HIGHLIGHT_COLOURS)
    assert "<img" not in rendered and "<script" not in rendered
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in rendered
    assert rendered.count("<mark") == 2
    assert rendered.startswith(f'<mark style="background-color:{theme.INTAKE_HIGHLIGHT_COLOURS["place"]}')


def test_a_span_that_is_both_a_place_and_an_actor_shows_both():
    matches = [Match(0, 4, "place", "Iran", "Iran (national)"), Match(0, 4, "actor", "Iran", "Iran")]
    rendered = highlight_html("Iran said", matches, colours=theme.INTAKE_HIGHLIGHT_COLOURS)
    assert rendered.count("<mark") == 1
    assert 'title="place: Iran (national); actor: Iran"' in rendered
    assert theme.INTAKE_HIGHLIGHT_COLOURS["actor"] in rendered
