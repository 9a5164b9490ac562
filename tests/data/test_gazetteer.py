"""Place names match however they are transliterated."""

from __future__ import annotations

import pytest

from tensions.data.gazetteer import Gazetteer, normalise_name
from tensions.data.load import load_dataset


@pytest.mark.parametrize(
    ("variant", "key"),
    [
        ("Al-Anbār", "anbar"),
        ("al Anbar", "anbar"),
        ("ANBAR", "anbar"),
        ("Şalāḩ ad Dīn", "salah din"),
        ("Salah ad-Din", "salah din"),
        ("Al Qā’im", "qaim"),
        ("Jurf al-Sakhar", "jurf sakhar"),
        ("Sa‘dah", "sadah"),
    ],
)
def test_normalised_names_ignore_case_diacritics_apostrophes_and_the_article(variant, key):
    assert normalise_name(variant) == key


def test_lookup_finds_a_place_by_any_alias(data_copy):
    gazetteer = Gazetteer(load_dataset(data_copy).places)
    assert gazetteer.lookup("Al Anbār").place == "Anbar"
    assert gazetteer.lookup("al-qaim").place == "Al-Qaim"
    assert gazetteer.lookup("Mosul") is None
