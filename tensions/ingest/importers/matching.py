"""Imported actors matched to the curated ones: canonical names (by name or alias) and actor families."""

from __future__ import annotations

import re

import pandas as pd

from tensions.data.actors import family_by_actor
from tensions.data.gazetteer import normalise_name
from tensions.data.schema import split_list

STATE_PATTERN = re.compile(
    r"^(?:government|military forces|police forces|armed forces|navy|air force|army) of (?:the )?(.+?)"
    r"(?:\s*\(\d{4}-?\d{0,4}\))?(?:\s*\[.*\])?$",
    re.IGNORECASE,
)
GOVERNMENT_PATTERN = re.compile(r"^government of (?:the )?([^,]+?)(?:\s*\(\d{4}-?\d{0,4}\))?$", re.IGNORECASE)
CIVILIAN_WORDS = re.compile(r"\b(civilians?|protesters?|rioters?|refugees?|migrants?|journalists?)\b", re.IGNORECASE)
# Partner states whose family is not in actors.csv but follows from it.
STATE_FAMILY_BY_COUNTRY: dict[str, str] = {
    "Australia": "US and partners",
    "Canada": "US and partners",
    "Germany": "US and partners",
    "Netherlands": "US and partners",
    "Denmark": "US and partners",
}


class ActorMatcher:
    """Matches imported actor names to the curated actors (by name or alias) and gives their family.

    A matched name is replaced by the curated name, so the actor filter finds imported events too;
    an unmatched name is kept as written.
    """

    def __init__(self, actors: pd.DataFrame | None = None) -> None:
        self._canonical: dict[str, str] = {}
        self._families: dict[str, str] = {}
        self._kinds: dict[str, str] = {}
        if actors is not None and len(actors):
            self._families = family_by_actor(actors)
            self._kinds = dict(zip(actors["actor"], actors["kind"].astype("string"), strict=True))
            for actor, aliases in zip(actors["actor"], actors["aliases"], strict=True):
                for name in [actor, *split_list(aliases)]:
                    self._canonical.setdefault(normalise_name(name), actor)

    def canonical(self, names: pd.Series) -> pd.Series:
        unique = pd.unique(names)
        return names.map({n: self._one(n) if n else n for n in unique})

    def _one(self, name: str) -> str:
        known = self._canonical.get(normalise_name(name))
        if known is not None:
            return known
        # "Government of Israel" is the state Israel (but "Military Forces of Israel" stays itself).
        match = GOVERNMENT_PATTERN.match(name)
        if match:
            state = self._canonical.get(normalise_name(match.group(1)))
            if state is not None and self._families.get(state):
                return state
        return name

    def is_state(self, names: pd.Series) -> pd.Series:
        """Whether each name is a curated actor of the kind "state" (a country as such)."""
        unique = pd.unique(names)
        return names.map({n: self._kinds.get(n) == "state" for n in unique}).astype(bool)

    def is_known(self, names: pd.Series) -> pd.Series:
        """Whether each name is a curated actor or one of its aliases."""
        unique = pd.unique(names)
        mapping = {n: normalise_name(n) in self._canonical for n in unique}
        return names.map(mapping).astype(bool)

    def family(self, name: str) -> str | None:
        """The family of a curated actor, or of a state force named 'Military Forces of X' etc."""
        if name in self._families:
            return self._families[name]
        for part in [p.strip() for p in name.split(",")] if "," in name else [name]:
            match = STATE_PATTERN.match(part)
            if match:
                country = self._canonical.get(normalise_name(match.group(1)), match.group(1))
                return self._families.get(country) or STATE_FAMILY_BY_COUNTRY.get(country) or "Other states"
        return None

    def families(self, names: pd.Series, fallback: pd.Series) -> pd.Series:
        """Families of `names`, with `fallback` (per row, from the source's own actor kind) where unknown."""
        unique = pd.unique(names)
        mapping = {n: self.family(n) if n else None for n in unique}
        known = names.map(mapping)
        return known.where(known.notna(), fallback).where(names != "")


def civilian_or(names: pd.Series, otherwise: str) -> pd.Series:
    """'Civilians and shipping' for civilians, protesters and the like (by name); `otherwise` for the rest."""
    unique = pd.unique(names)
    mapping = {n: "Civilians and shipping" if CIVILIAN_WORDS.search(n) else otherwise for n in unique}
    return names.map(mapping)
