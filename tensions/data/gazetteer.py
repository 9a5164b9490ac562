"""The gazetteer: place (and actor) names matched however they are transliterated.

"Al-Anbār", "al Anbar" and "Anbar" are one place: matching ignores case, diacritics, apostrophes,
hyphens and the Arabic article "al"/"el".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from tensions.data.schema import split_list

# Apostrophe-like marks used for ayn and hamza in transliterations, written as escapes so they are visible.
_APOSTROPHES = "'`\u00b4\u2018\u2019\u02bb\u02bc\u02be\u02bf"
_ARTICLE = re.compile(r"\b(?:al|el|ad|ah|an|ar|as|ash|at|az)\b\s*", re.IGNORECASE)


def normalise_name(name: str) -> str:
    """A matching key: lower case, no diacritics, no apostrophes, no Arabic article, single spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    ascii_ish = "".join(ch for ch in decomposed if not unicodedata.combining(ch) and ch not in _APOSTROPHES)
    spaced = re.sub("[-_\u2010\u2013\u2014/.,()]+", " ", ascii_ish.casefold())
    without_article = _ARTICLE.sub("", spaced)
    return " ".join(without_article.split())


@dataclass(frozen=True)
class Place:
    place: str
    latitude: float
    longitude: float
    geo_precision: int
    admin1: str | None
    country: str


class Gazetteer:
    """Looks places up by name or alias in `places.csv`."""

    def __init__(self, places: pd.DataFrame) -> None:
        self._by_key: dict[str, Place] = {}
        for row in places.itertuples(index=False):
            place = Place(
                place=row.place,
                latitude=float(row.latitude),
                longitude=float(row.longitude),
                geo_precision=int(row.geo_precision),
                admin1=None if pd.isna(row.admin1) else str(row.admin1),
                country=str(row.country),
            )
            for name in [row.place, *split_list(row.aliases)]:
                self._by_key.setdefault(normalise_name(name), place)

    def lookup(self, name: str) -> Place | None:
        """The place `name` refers to, or None when the gazetteer does not know it."""
        return self._by_key.get(normalise_name(name))

    def __contains__(self, name: str) -> bool:
        return self.lookup(name) is not None
