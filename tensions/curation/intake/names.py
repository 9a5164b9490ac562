"""Places and actors named in a text: an index of names and aliases, matched longest first, with their spans."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from tensions.curation.intake.records import Match, MatchKind
from tensions.data.gazetteer import normalise_name
from tensions.data.schema import split_list

# "the Gaza war", "the Lebanon conflict": a name used as an adjective does not place an event.
ADJECTIVAL_USE = re.compile(r"\s+(?:war|wars|conflict|crisis|file)\b")
_ARTICLE_START = re.compile(r"^(?:al|el|ad|ah|an|ar|as|ash|at|az)[\s\-\u2010]+", re.IGNORECASE)
_TOKEN = re.compile(r"[^\W_]+(?:['\u2019\u2018`\u02bc\u02bf-][^\W_]+)*")
_POSSESSIVE = re.compile(r"['\u2019]s$")


@dataclass(frozen=True)
class _Name:
    canonical: str
    alias: str


class NameIndex:
    """Names and aliases of one table, matched in running text however they are transliterated.

    Acronyms ("US", "IS", "IRGC") must appear in capitals, and capitalised names must start with a
    capital, so "us", "is" and "sour" in ordinary prose do not match the United States, the Islamic
    State or Tyre (whose alias is "Sour").
    """

    def __init__(self, names: Iterable[tuple[str, Iterable[str]]]) -> None:
        self._by_key: dict[str, list[_Name]] = {}
        self.max_tokens = 1
        for canonical, aliases in names:
            for alias in [canonical, *aliases]:
                key = normalise_name(alias)
                if not key:
                    continue
                self._by_key.setdefault(key, []).append(_Name(canonical, alias))
                self.max_tokens = max(self.max_tokens, len(_TOKEN.findall(alias)))

    @classmethod
    def from_table(cls, table: pd.DataFrame, name_column: str) -> NameIndex:
        return cls(
            (str(row[name_column]), split_list(row.get("aliases")))
            for _, row in table.iterrows()
            if isinstance(row[name_column], str)
        )

    def find(self, text: str, kind: MatchKind, *, end: int | None = None) -> list[Match]:
        """Every non-overlapping mention in `text[:end]`, longest first at each position."""
        limit = len(text) if end is None else end
        tokens = [_trim_possessive(m) for m in _TOKEN.finditer(text, 0, limit)]
        found: list[Match] = []
        i = 0
        while i < len(tokens):
            matched = None
            for n in range(min(self.max_tokens, len(tokens) - i), 0, -1):
                first, last = tokens[i], tokens[i + n - 1]
                if not normalise_name(text[last[0] : last[1]]) or "\n" in text[first[0] : last[1]]:
                    continue
                surface = text[first[0] : last[1]]
                # "at Baghdad" is prose before a name; "Al Qaim" is a name that starts with its article.
                leading_article = not normalise_name(text[first[0] : first[1]])
                name = self._lookup(surface, leading_article=leading_article)
                if name is not None:
                    matched = (n, Match(first[0], last[1], kind, surface, name.canonical, name.alias))
                    break
            if matched is None:
                i += 1
            else:
                found.append(matched[1])
                i += matched[0]
        return found

    def _lookup(self, surface: str, *, leading_article: bool = False) -> _Name | None:
        for name in self._by_key.get(normalise_name(surface), []):
            if leading_article and not _ARTICLE_START.match(name.alias):
                continue
            if _case_fits(surface, name.alias):
                return name
        return None


def _trim_possessive(token: re.Match[str]) -> tuple[int, int]:
    start, end = token.span()
    possessive = _POSSESSIVE.search(token.group())
    if possessive and end - start > 3:
        end -= 2
    return start, end


def _letters(text: str) -> str:
    return "".join(ch for ch in text if ch.isalpha())


def _case_fits(surface: str, alias: str) -> bool:
    alias_letters = _letters(alias)
    if len(alias_letters) >= 2 and alias_letters.isupper():
        return _letters(surface) == alias_letters
    alias_word = _ARTICLE_START.sub("", alias)
    if alias_word[:1].isupper():
        return _ARTICLE_START.sub("", surface)[:1].isupper()
    return True
