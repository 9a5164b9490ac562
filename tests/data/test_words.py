"""Values in words: how old the data is reads the same on every page."""

from __future__ import annotations

import datetime as dt

import pytest

from tensions.data.words import age_in_words, data_as_of_with_age, data_as_of_words

TODAY = dt.date(2026, 12, 6)


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        (dt.date(2026, 12, 6), "today"),
        (dt.date(2026, 12, 5), "1 day ago"),
        (dt.date(2026, 11, 26), "10 days ago"),
        (dt.date(2026, 10, 25), "6 weeks ago"),
        (dt.date(2026, 6, 18), "5 months ago"),
        (dt.date(2026, 6, 5), "6 months ago"),
        (dt.date(2024, 12, 7), "23 months ago"),
        (dt.date(2023, 10, 7), "3 years ago"),
    ],
)
def test_age_in_words_uses_the_coarsest_honest_unit(since, expected):
    assert age_in_words(since, TODAY) == expected


def test_the_screen_shows_the_date_and_its_age_and_a_slide_the_date_alone():
    assert data_as_of_with_age(dt.date(2026, 6, 18), TODAY) == "Data as of 18 June 2026 (5 months ago)"
    assert data_as_of_words(dt.date(2026, 6, 18)) == "Data as of 18 June 2026"
    assert data_as_of_with_age(None, TODAY) == "No data"
