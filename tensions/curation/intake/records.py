"""What intake finds and proposes: a match in the text, a date mention, the article, a draft event, the result."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

MatchKind = str  # "place", "country", "actor", "date" or "keyword"
PRECISION_RANK = {"day": 0, "week": 1, "month": 2, "year": 3}


@dataclass(frozen=True)
class Match:
    """One thing found in the text: `text[start:end]` names `value` (a place, an actor or an ISO date)."""

    start: int
    end: int
    kind: MatchKind
    text: str
    value: str
    detail: str = ""


@dataclass(frozen=True)
class DateMention:
    """A date phrase resolved against the publication date; `day` is None when only the year is known."""

    match: Match
    day: dt.date | None
    precision: str  # day, week, month or year
    year: int
    relative: bool
    approximate: bool = False
    upcoming: bool = False


@dataclass(frozen=True)
class Article:
    """A report as pasted by a curator: its text and what it says about itself."""

    text: str
    published: dt.date
    publisher: str = ""
    headline: str = ""
    url: str = ""


@dataclass
class DraftEvent:
    """A proposed event: the fields a curator checks, the sentence it rests on, and what to look at."""

    event_date: dt.date | None
    time_precision: str
    location: str | None
    actor1: str | None
    actor2: str | None
    event_type: str | None
    sub_event_type: str | None
    evidence: str
    sentence_start: int
    sentence_end: int
    other_actors: list[str] = field(default_factory=list)
    other_places: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    country: str | None = None
    dated_from_report: bool = False


@dataclass
class IntakeResult:
    """Everything found in one article."""

    article: Article
    analysed_chars: int
    places: list[Match]
    actors: list[Match]
    dates: list[DateMention]
    keywords: list[Match]
    drafts: list[DraftEvent]
    countries: list[Match] = field(default_factory=list)

    @property
    def matches(self) -> list[Match]:
        """Every match, in text order (places and actors may share a span)."""
        found = [*self.places, *self.countries, *self.actors, *(d.match for d in self.dates), *self.keywords]
        return sorted(found, key=lambda m: (m.start, -m.end, m.kind))

    @property
    def ignored_text(self) -> str:
        """What was left out as page furniture (related stories, comments)."""
        return self.article.text[self.analysed_chars :]
