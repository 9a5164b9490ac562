"""Article intake: find the places, actors and dates a news report names, and propose draft events.

Nothing here decides: every draft is a proposal for a curator to accept, edit or discard. Places come
from the gazetteer's names and aliases, actors from `actors.csv`'s names and aliases (longest match
first, so "Kataib Hezbollah" is not read as "Hezbollah"), and dates, absolute ("March 16", "16 March
2025", "January") or relative ("since mid-January", "last month", "about 18 months ago", "on
Wednesday"), are resolved against the publication date with a precision that says how well each is
known. Every match keeps its character span so a page can highlight it in the text.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import replace

import pandas as pd

from tensions.curation.intake.dates import find_dates
from tensions.curation.intake.event_types import guess_type
from tensions.curation.intake.names import ADJECTIVAL_USE, NameIndex
from tensions.curation.intake.records import PRECISION_RANK, Article, DateMention, DraftEvent, IntakeResult, Match
from tensions.data import taxonomy
from tensions.data.actors import ancestors
from tensions.data.gazetteer import Gazetteer, normalise_name
from tensions.data.schema import split_list

# "US Secretary of Defense Pete Hegseth": an affiliation this close before its member is a title, not a party.
TITLE_GAP_CHARS = 30
NO_DATE_WARNING = "no date in the sentence: the report's date is used, to the week"
# Lines at which pasted web pages usually turn into navigation, comments or other stories.
BOILERPLATE_LINES = (
    "hashtags",
    "related articles",
    "related stories",
    "related news",
    "read more",
    "more stories",
    "comments",
    "advertisement",
    "recommended",
    "most read",
    "sign up for our newsletter",
)


_NO_BREAK_BEFORE_PERIOD = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "st",
    "gen",
    "lt",
    "col",
    "sgt",
    "capt",
    "maj",
    "adm",
    "rep",
    "sen",
    "gov",
    "no",
    "vs",
    "u.s",
    "u.n",
    "u.k",
    "e.u",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
}
_BREAK = re.compile(r"[.!?]['\"\u2019\u201d)]*\s+(?=['\"\u2018\u201c(]?[A-Z0-9])|\n+")


def split_sentences(text: str, *, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans of `text[:end]`; a line break always ends a sentence (headlines, paragraphs)."""
    limit = len(text) if end is None else end
    spans, start = [], 0
    for found in _BREAK.finditer(text, 0, limit):
        before = text[start : found.start()].rsplit(None, 1)
        last_word = before[-1].casefold().rstrip(".") if before else ""
        initial = len(last_word) == 1 and last_word.isalpha()
        if found.group().strip() and (last_word in _NO_BREAK_BEFORE_PERIOD or initial):
            continue
        stop = found.start() + len(found.group().rstrip())
        if text[start:stop].strip():
            spans.append(_strip_span(text, start, stop))
        start = found.end()
    if text[start:limit].strip():
        spans.append(_strip_span(text, start, limit))
    return spans


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def boilerplate_start(text: str) -> int:
    """Where the article ends and page furniture ("Related Articles", "Comments") begins."""
    offset = 0
    for line in text.splitlines(keepends=True):
        if line.strip().casefold().rstrip(":") in BOILERPLATE_LINES and offset > 0:
            return offset
        offset += len(line)
    return len(text)


def guess_headline(text: str) -> str:
    """The first line when it reads like a headline (short, no closing full stop), else ''."""
    first = text.strip().splitlines()[0].strip() if text.strip() else ""
    if first and len(first) <= 200 and not first.endswith((".", "!", "?", ":")):
        return first
    return ""


def _inside(match: Match, span: tuple[int, int]) -> bool:
    return span[0] <= match.start and match.end <= span[1]


def _all_aliases(table: pd.DataFrame) -> list[str]:
    return [alias for cell in table["aliases"] for alias in split_list(cell)] if "aliases" in table else []


def country_index() -> NameIndex:
    """Countries and seas of the taxonomy, for reports that name only a country."""
    return NameIndex((country.name, ()) for country in taxonomy.COUNTRIES)


def _most_specific_first(mentions: Sequence[Match], actor_table: pd.DataFrame) -> list[str]:
    """Actors in mention order, except an affiliation named right before its member goes last.

    In "US Secretary of Defense Pete Hegseth" the actor is Hegseth and the United States his affiliation;
    in "US officials to the Iraqi government" the United States stays first.
    """
    names = list(dict.fromkeys(m.value for m in mentions))
    demoted = set()
    for before, after in itertools.pairwise(mentions):
        close = after.start - before.end <= TITLE_GAP_CHARS
        if close and before.value in ancestors(after.value, actor_table):
            demoted.add(before.value)
    return [n for n in names if n not in demoted] + [n for n in names if n in demoted]


def _best_place(places: Sequence[Match], gazetteer: Gazetteer) -> tuple[str | None, list[str]]:
    """The most precise place named (a town over a province over a country), and the others."""
    names = list(dict.fromkeys(m.value for m in places))
    if not names:
        return None, []

    def rank(name: str) -> tuple[int, int]:
        place = gazetteer.lookup(name)
        return (place.geo_precision if place else 9, names.index(name))

    best = min(names, key=rank)
    return best, [n for n in names if n != best]


def read_article(article: Article, actors: pd.DataFrame, places: pd.DataFrame) -> IntakeResult:
    """Find places, actors, dates and type keywords in `article`, and propose one draft per eventful sentence.

    A sentence becomes a draft when it names an actor or a place and either carries a date or a
    keyword that suggests an event type. Without a date in the sentence, the report's date is used
    (to the week) and the draft says so. Drafts with the same type, date and place are merged.
    """
    text = article.text
    end = boilerplate_start(text)
    place_index = NameIndex.from_table(places, "place")
    actor_index = NameIndex.from_table(actors, "actor")
    gazetteer = Gazetteer(places)
    found_places = [m for m in place_index.find(text, "place", end=end) if not ADJECTIVAL_USE.match(text, m.end)]
    found_actors = actor_index.find(text, "actor", end=end)
    known_places = {normalise_name(name) for name in [*places["place"].dropna(), *_all_aliases(places)]}
    found_countries = [
        m
        for m in country_index().find(text, "country", end=end)
        if normalise_name(m.text) not in known_places and not ADJECTIVAL_USE.match(text, m.end)
    ]
    found_dates = find_dates(text, article.published, end=end)
    keywords: list[Match] = []
    drafts: list[DraftEvent] = []
    for span in split_sentences(text, end=end):
        sentence = text[span[0] : span[1]]
        type_guess = guess_type(sentence)
        if type_guess is not None:
            keyword = type_guess[2]
            keywords.append(
                Match(
                    span[0] + keyword.start(),
                    span[0] + keyword.end(),
                    "keyword",
                    keyword.group(),
                    type_guess[1],
                    type_guess[0],
                )
            )
        draft = _draft_for_sentence(
            article,
            span,
            sentence,
            [m for m in found_places if _inside(m, span)],
            [m for m in found_actors if _inside(m, span)],
            [m for m in found_countries if _inside(m, span)],
            [d for d in found_dates if _inside(d.match, span)],
            type_guess,
            gazetteer,
            actors,
        )
        if draft is not None:
            drafts.append(draft)
    return IntakeResult(
        article, end, found_places, found_actors, found_dates, keywords, merge_drafts(drafts), found_countries
    )


def _draft_for_sentence(
    article: Article,
    span: tuple[int, int],
    sentence: str,
    places: list[Match],
    actors: list[Match],
    countries: list[Match],
    dates: list[DateMention],
    type_guess: tuple[str, str, re.Match[str]] | None,
    gazetteer: Gazetteer,
    actor_table: pd.DataFrame,
) -> DraftEvent | None:
    if not places and not actors:
        return None
    if type_guess is None and not any(d.precision != "year" for d in dates):
        return None  # no event keyword, and at best a year: background, not an event
    # "Israel" named as a party (the same words match an actor) says who, not where.
    actor_spans = {(m.start, m.end) for m in actors}
    places = [m for m in places if (m.start, m.end) not in actor_spans]
    warnings = []
    if dates:
        date = min(dates, key=lambda d: (PRECISION_RANK[d.precision], d.match.start))
        day, precision = date.day, date.precision
        if precision == "year":
            day, precision = None, "month"
            warnings.append(f"only the year is known ({date.year}): set the date, or leave the event out")
        if date.approximate:
            warnings.append(f"the report gives the date approximately ({date.match.text!r})")
        if date.upcoming:
            warnings.append(f"{date.match.text!r} may be a date after the report (an announced plan)")
        others = [d.match.text for d in dates if d is not date]
        if others:
            warnings.append("other dates in the sentence: " + ", ".join(others))
    else:
        day, precision = article.published, "week"
        warnings.append(NO_DATE_WARNING)
    actor_names = _most_specific_first(actors, actor_table)
    location, other_places = _best_place(places, gazetteer)
    country = gazetteer.lookup(location).country if location else None
    if country is None and countries:
        country = countries[0].value
    if location is None:
        warnings.append("no place in the sentence: choose one")
    if type_guess is None:
        warnings.append("no keyword suggests a type: choose one")
    return DraftEvent(
        event_date=day,
        time_precision=precision,
        location=location,
        actor1=actor_names[0] if actor_names else None,
        actor2=actor_names[1] if len(actor_names) > 1 else None,
        event_type=type_guess[0] if type_guess else None,
        sub_event_type=type_guess[1] if type_guess else None,
        evidence=" ".join(sentence.split()),
        sentence_start=span[0],
        sentence_end=span[1],
        other_actors=actor_names[2:],
        other_places=other_places,
        warnings=warnings,
        country=country,
        dated_from_report=not dates,
    )


def merge_drafts(drafts: Sequence[DraftEvent]) -> list[DraftEvent]:
    """Fold drafts that describe one event into one, keeping every sentence as evidence.

    Two sentences with the same type, date and place are one event; so is a sentence without a date
    (a headline, say) and a dated sentence of the same type and place.
    """
    kept: list[DraftEvent] = []
    for draft in drafts:
        twin = next((k for k in kept if _same_event(k, draft)), None)
        if twin is None:
            kept.append(replace(draft, other_actors=list(draft.other_actors), warnings=list(draft.warnings)))
        else:
            _fold(twin, draft)
    merged = []
    for draft in kept:
        dated_twin = next(
            (
                k
                for k in kept
                if draft.dated_from_report
                and not k.dated_from_report
                and draft.sub_event_type is not None
                and k.sub_event_type == draft.sub_event_type
                and draft.location is not None
                and k.location == draft.location
            ),
            None,
        )
        if dated_twin is None:
            merged.append(draft)
        else:
            _fold(dated_twin, draft)
    return merged


def _same_event(a: DraftEvent, b: DraftEvent) -> bool:
    return a.sub_event_type is not None and (a.sub_event_type, a.event_date, a.time_precision, a.location) == (
        b.sub_event_type,
        b.event_date,
        b.time_precision,
        b.location,
    )


def _fold(into: DraftEvent, draft: DraftEvent) -> None:
    """Add `draft`'s sentence, actors and warnings to `into`, sentences in the order of the text."""
    if draft.sentence_start < into.sentence_start:
        into.evidence = f"{draft.evidence} {into.evidence}"
    else:
        into.evidence = f"{into.evidence} {draft.evidence}"
    known = {into.actor1, into.actor2, *into.other_actors}
    for actor in (draft.actor1, draft.actor2, *draft.other_actors):
        if actor and actor not in known:
            if into.actor1 is None:
                into.actor1 = actor
            elif into.actor2 is None:
                into.actor2 = actor
            else:
                into.other_actors.append(actor)
            known.add(actor)
    for warning in draft.warnings:
        if warning not in into.warnings and not (draft.dated_from_report and warning == NO_DATE_WARNING):
            into.warnings.append(warning)
