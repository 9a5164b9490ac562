"""Article intake: find the places, actors and dates a news report names, and propose draft events.

Nothing here decides: every draft is a proposal for a curator to accept, edit or discard. Places come
from the gazetteer's names and aliases, actors from `actors.csv`'s names and aliases (longest match
first, so "Kataib Hezbollah" is not read as "Hezbollah"), and dates, absolute ("March 16", "16 March
2025", "January") or relative ("since mid-January", "last month", "about 18 months ago", "on
Wednesday"), are resolved against the publication date with a precision that says how well each is
known. Every match keeps its character span so a page can highlight it in the text.
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import pandas as pd

from tensions.curation.new_rows import event_row, fill_from_gazetteer, propose_event_id
from tensions.data import taxonomy
from tensions.data.actors import ancestors
from tensions.data.gazetteer import Gazetteer, normalise_name
from tensions.data.schema import EVENTS, split_list

MatchKind = str  # "place", "country", "actor", "date" or "keyword"
PRECISION_RANK = {"day": 0, "week": 1, "month": 2, "year": 3}
# A date at most this many days after the report is read as upcoming in the same year ("talks on May 3"
# in an April report); anything later is taken to be last year's.
UPCOMING_GRACE_DAYS = 31
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


# --------------------------------------------------------------------------- names (places, actors)

# "the Gaza war", "the Lebanon conflict": a name used as an adjective does not place an event.
_ADJECTIVAL_USE = re.compile(r"\s+(?:war|wars|conflict|crisis|file)\b")
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


# --------------------------------------------------------------------------- dates

_MONTHS = {name.casefold(): number for number, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.casefold(): number for number, name in enumerate(calendar.month_abbr) if name}
_MONTHS["sept"] = 9
_MONTH = (
    r"(?P<{name}>January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_WEEKDAYS = {name.casefold(): number for number, name in enumerate(calendar.day_name)}
_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "eighteen": 18,
    "twenty": 20,
    "a couple of": 2,
    "a few": 3,
    "several": 3,
}
_APPROX = r"(?P<approx>about|around|nearly|almost|roughly|some|more than|over|less than|just over|just under)\s+"
_ORDINAL = r"(?:st|nd|rd|th)?"
_PART = {"early": 5, "mid": 15, "late": 25}

_DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")),
    (
        "month_day_year",
        re.compile(_MONTH.format(name="month") + r"\s+(?P<d>\d{1,2})" + _ORDINAL + r",?\s+(?P<y>(?:19|20)\d{2})\b"),
    ),
    (
        "day_month_year",
        re.compile(r"\b(?P<d>\d{1,2})" + _ORDINAL + r"\s+(?:of\s+)?" + _MONTH.format(name="month") + r",?\s+(?P<y>(?:19|20)\d{2})\b"),
    ),
    ("month_day", re.compile(_MONTH.format(name="month") + r"\s+(?P<d>\d{1,2})" + _ORDINAL + r"\b(?![,\d]*\s*\d{4})")),
    ("day_month", re.compile(r"\b(?P<d>\d{1,2})" + _ORDINAL + r"\s+(?:of\s+)?" + _MONTH.format(name="month") + r"\b")),
    (
        "part_month",
        re.compile(
            r"\b(?P<part>[Ee]arly|[Mm]id|[Ll]ate)[- ]" + _MONTH.format(name="month") + r"(?:,?\s+(?P<y>(?:19|20)\d{2}))?\b"
        ),
    ),
    ("month_year", re.compile(_MONTH.format(name="month") + r",?\s+(?P<y>(?:19|20)\d{2})\b")),
    ("ago", re.compile(r"\b(?:" + _APPROX + r")?(?P<n>\d+|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")\s+(?P<unit>hours?|days?|weeks?|months?|years?)\s+ago\b", re.IGNORECASE)),
    ("last_unit", re.compile(r"\b(?P<which>[Ll]ast|[Tt]his|[Nn]ext|[Ee]arlier this|[Ll]ater this)\s+(?P<unit>week|month|year)\b")),
    ("last_weekday", re.compile(r"\b(?P<which>[Ll]ast|[Tt]his past|[Nn]ext)\s+(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")),
    ("weekday", re.compile(r"\b(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")),
    ("day_word", re.compile(r"\b(?P<word>[Yy]esterday|[Tt]oday|[Tt]onight|[Tt]omorrow)\b")),
    # "May" is also a verb: a bare month needs a capital and, for May, a word that introduces a date.
    (
        "month",
        re.compile(
            r"\b(?P<month>January|February|March|April|May|June|July|August|September|October|November|December)\b"
        ),
    ),
    ("year", re.compile(r"(?<![\d,.])\b(?P<y>(?:19|20)\d{2})\b(?![\d,.]\d)")),
]  # fmt: skip
_MAY_CUES = ("in ", "since ", "until ", "by ", "from ", "through ", "of ", "before ", "after ", "early ", "late ")


def _month_number(text: str) -> int:
    return _MONTHS[text.rstrip(".").casefold()]


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _infer_year(month: int, day: int, published: dt.date) -> tuple[int, bool]:
    """The year of a day and month given without one: the last occurrence, unless it is just ahead."""
    this_year = _safe_date(published.year, month, day)
    if this_year is None:  # 29 February of a non-leap year: last year's is no better, keep the year
        return published.year, False
    if this_year <= published:
        return published.year, False
    if (this_year - published).days <= UPCOMING_GRACE_DAYS:
        return published.year, True
    return published.year - 1, False


def _month_year(month: int, published: dt.date) -> tuple[int, bool]:
    if month <= published.month:
        return published.year, False
    if month == published.month + 1:
        return published.year, True
    return published.year - 1, False


def _shift_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _mid_month(year: int, month: int) -> dt.date:
    return dt.date(year, month, 15)


def find_dates(text: str, published: dt.date, *, end: int | None = None) -> list[DateMention]:
    """Every date phrase in `text[:end]`, resolved against `published`; longer phrases win overlaps."""
    limit = len(text) if end is None else end
    candidates: list[DateMention] = []
    for name, pattern in _DATE_PATTERNS:
        for found in pattern.finditer(text, 0, limit):
            mention = _resolve(name, found, text, published)
            if mention is not None:
                candidates.append(mention)
    candidates.sort(key=lambda m: (-(m.match.end - m.match.start), m.match.start))
    taken: list[DateMention] = []
    for mention in candidates:
        if all(mention.match.end <= t.match.start or mention.match.start >= t.match.end for t in taken):
            taken.append(mention)
    return sorted(taken, key=lambda m: m.match.start)


def _resolve(name: str, found: re.Match[str], text: str, published: dt.date) -> DateMention | None:
    groups = found.groupdict()
    start, end = found.span()
    surface = found.group()

    def mention(
        day: dt.date | None,
        precision: str,
        *,
        year: int | None = None,
        relative: bool = False,
        approximate: bool = False,
        upcoming: bool = False,
    ) -> DateMention:
        shown = day.isoformat() if day is not None and precision == "day" else ""
        if day is not None and precision in ("week", "month"):
            shown = f"{day.isoformat()} ({precision})"
        if precision == "year":
            shown = f"{year if year is not None else day.year} (year)"
        return DateMention(
            Match(start, end, "date", surface, shown, "relative" if relative else "absolute"),
            day if precision != "year" else None,
            precision,
            year if year is not None else (day.year if day else published.year),
            relative,
            approximate,
            upcoming,
        )

    if name == "iso":
        day = _safe_date(int(groups["y"]), int(groups["m"]), int(groups["d"]))
        return mention(day, "day") if day else None
    if name in ("month_day_year", "day_month_year"):
        day = _safe_date(int(groups["y"]), _month_number(groups["month"]), int(groups["d"]))
        return mention(day, "day") if day else None
    if name in ("month_day", "day_month"):
        month, day_number = _month_number(groups["month"]), int(groups["d"])
        year, upcoming = _infer_year(month, day_number, published)
        day = _safe_date(year, month, day_number)
        return mention(day, "day", upcoming=upcoming) if day else None
    if name == "part_month":
        month = _month_number(groups["month"])
        if groups.get("y"):
            year, upcoming = int(groups["y"]), False
        else:
            year, upcoming = _month_year(month, published)
        # Known only to the month; coded to the part of it the report names.
        return mention(dt.date(year, month, _PART[groups["part"].casefold()]), "month", upcoming=upcoming)
    if name == "month_year":
        month = _month_number(groups["month"])
        return mention(_mid_month(int(groups["y"]), month), "month")
    if name == "month":
        month = _month_number(groups["month"])
        if groups["month"] == "May" and not text[max(0, start - 8) : start].endswith(_MAY_CUES):
            return None
        year, upcoming = _month_year(month, published)
        return mention(_mid_month(year, month), "month", upcoming=upcoming)
    if name == "year":
        return mention(None, "year", year=int(groups["y"]))
    if name == "ago":
        count_text = groups["n"].casefold()
        count = int(count_text) if count_text.isdigit() else _NUMBER_WORDS[count_text]
        unit = groups["unit"].casefold().rstrip("s")
        approximate = bool(groups.get("approx"))
        if unit == "hour":
            return mention(published, "day", relative=True)
        if unit == "day":
            day = published - dt.timedelta(days=count)
            return mention(day, "week" if approximate else "day", relative=True, approximate=approximate)
        if unit == "week":
            return mention(published - dt.timedelta(weeks=count), "week", relative=True, approximate=approximate)
        if unit == "month":
            shifted = _shift_months(published, -count)
            return mention(_mid_month(shifted.year, shifted.month), "month", relative=True, approximate=approximate)
        return mention(None, "year", year=published.year - count, relative=True, approximate=approximate)
    if name == "last_unit":
        which, unit = groups["which"].casefold(), groups["unit"]
        step = {"last": -1, "next": 1}.get(which, 0)
        if unit == "week":
            return mention(published + dt.timedelta(weeks=step), "week", relative=True, upcoming=step > 0)
        if unit == "month":
            shifted = _shift_months(published, step)
            return mention(_mid_month(shifted.year, shifted.month), "month", relative=True, upcoming=step > 0)
        return mention(None, "year", year=published.year + step, relative=True, upcoming=step > 0)
    if name in ("last_weekday", "weekday"):
        weekday = _WEEKDAYS[groups["wd"].casefold()]
        back = (published.weekday() - weekday) % 7
        which = (groups.get("which") or "").casefold()
        if which == "next":
            ahead = (weekday - published.weekday()) % 7 or 7
            return mention(published + dt.timedelta(days=ahead), "day", relative=True, upcoming=True)
        if which in ("last", "this past") and back == 0:
            back = 7
        return mention(published - dt.timedelta(days=back), "day", relative=True)
    if name == "day_word":
        offset = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}[groups["word"].casefold()]
        return mention(published + dt.timedelta(days=offset), "day", relative=True, upcoming=offset > 0)
    return None


# --------------------------------------------------------------------------- event types

# (pattern, event type, sub-event type), most specific first: the first rule that fires names the type.
TYPE_RULES: tuple[tuple[str, str, str], ...] = (
    (r"\bclaim(?:ed|s|ing)? responsibility\b", "Threats and warnings", "Claim of responsibility"),
    (r"\b(?:ceasefire|cease-fire|truce)s?\b", "Agreements", "Ceasefire or truce"),
    (
        r"\b(?:disarm\w*|demobili[sz]\w*|lay down (?:their )?arms|hand over (?:their )?weapons"
        r"|integrat\w+ (?:them |the groups |the factions )?into the (?:\w+ )?(?:armed|security) forces)",
        "Agreements",
        "Disarmament or demobilisation",
    ),
    (
        r"\b(?:hostages? (?:were |was )?(?:released|freed)|released \w+ hostages|prisoner (?:swap|exchange|release))",
        "Agreements",
        "Hostage or prisoner release",
    ),
    (
        r"\b(?:ordered departure|evacuat\w+ (?:of )?(?:the |its |their )?(?:embassy|diplomats|staff|citizens|nationals|personnel))",
        "Evacuations",
        "Ordered departure or evacuation",
    ),
    (
        r"\b(?:evacuated|withdr[ae]w\w*|withdrawn|pull(?:ed|ing)? (?:out|back)|relocat\w+|reduced their presences?)\b",
        "Troop movements",
        "Withdrawal or relocation",
    ),
    (
        r"\b(?:deploy\w*|reinforc\w*|sent (?:an? |two |more )?(?:aircraft carriers?|warships?|troops|bombers|jets))",
        "Troop movements",
        "Deployment or reinforcement",
    ),
    (
        r"\b(?:ultimatums?|warn(?:ed|ing|ings|s)?|told [^.;]{0,120}?\bto (?:prevent|stop|halt|rein|end|cease|curb|disband|withdraw|leave))\b",
        "Threats and warnings",
        "Warning or ultimatum",
    ),
    (r"\b(?:threaten\w*|could target|vow\w* (?:to )?retaliat\w*)\b", "Threats and warnings", "Threat of force"),
    (r"\b(?:sanction\w*|designat\w+ [^.;]{0,40}?terror\w*)\b", "Diplomacy and talks", "Sanctions or designation"),
    (r"\bsuicide (?:bomb\w*|attack\w*)\b", "Explosions/Remote violence", "Suicide bomb"),
    (
        r"\b(?:roadside bombs?|IEDs?|improvised explosive|landmines?|car bombs?)\b",
        "Explosions/Remote violence",
        "Remote explosive/landmine/IED",
    ),
    (
        r"\b(?:drone strikes?|air ?strikes?|air attacks?|air raids?|drones?|bombed|bombing raids?|warplanes?)\b",
        "Explosions/Remote violence",
        "Air/drone strike",
    ),
    (
        r"\b(?:rockets?|missiles?|mortars?|shell(?:ed|ing)|artillery)\b",
        "Explosions/Remote violence",
        "Shelling/artillery/missile attack",
    ),
    (r"\b(?:condemn\w*|denounc\w*)\b", "Diplomacy and talks", "Official statement"),
    (r"\b(?:strik(?:e|es|ing)|struck)\b", "Explosions/Remote violence", "Air/drone strike"),
    (r"\b(?:clash\w*|gunfights?|firefights?|fought|battles?)\b", "Battles", "Armed clash"),
    (r"\b(?:protest\w*|demonstrat(?:ion|ions|ors|ed))\b", "Protests", "Peaceful protest"),
    (r"\b(?:riot\w*)\b", "Riots", "Violent demonstration"),
    (r"\b(?:kidnap\w*|abduct\w*)\b", "Violence against civilians", "Abduction/forced disappearance"),
    (r"\b(?:arrest\w*|detain\w*)\b", "Strategic developments", "Arrests"),
    (r"\b(?:mediat\w*|de-escalat\w*|urg\w+ restraint|calls? for calm)\b", "Diplomacy and talks", "Mediation or de-escalation call"),
    (r"\b(?:talks|negotiat\w+|discussions|phone call|met with|meeting with)\b", "Diplomacy and talks", "Talks or negotiations"),
    (r"\b(?:issued a statement|in a statement|announced)\b", "Diplomacy and talks", "Official statement"),
)  # fmt: skip
_TYPE_PATTERNS = [(re.compile(p, re.IGNORECASE), t, s) for p, t, s in TYPE_RULES]


def guess_type(sentence: str) -> tuple[str, str, re.Match[str]] | None:
    """The event type and sub-type the sentence's first matching keyword rule suggests, with the keyword."""
    for pattern, event_type, sub_event_type in _TYPE_PATTERNS:
        found = pattern.search(sentence)
        if found:
            return event_type, sub_event_type, found
    return None


# --------------------------------------------------------------------------- sentences and drafts

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
    found_places = [m for m in place_index.find(text, "place", end=end) if not _ADJECTIVAL_USE.match(text, m.end)]
    found_actors = actor_index.find(text, "actor", end=end)
    known_places = {normalise_name(name) for name in [*places["place"].dropna(), *_all_aliases(places)]}
    found_countries = [
        m
        for m in country_index().find(text, "country", end=end)
        if normalise_name(m.text) not in known_places and not _ADJECTIVAL_USE.match(text, m.end)
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


# --------------------------------------------------------------------------- drafts as rows, highlighting


def _country_of(draft: DraftEvent, gazetteer: Gazetteer, actors: pd.DataFrame) -> str | None:
    if draft.location:
        place = gazetteer.lookup(draft.location)
        if place is not None:
            return place.country
    if draft.country:
        return draft.country
    home = dict(zip(actors["actor"], actors["country"], strict=True))
    for actor in (draft.actor1, draft.actor2):
        country = home.get(actor)
        if isinstance(country, str) and country in taxonomy.COUNTRY_BY_NAME:
            return country
    return None


REVIEW_COLUMNS = [
    "accept",
    "event_date",
    "time_precision",
    "country",
    "location",
    "actor1",
    "actor2",
    "event_type",
    "sub_event_type",
    "fatalities",
    "notes",
    "confidence",
    "check",
]


def review_frame(drafts: Sequence[DraftEvent], *, actors: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """The drafts as a table a curator ticks and edits: typed cells, what to check, none accepted yet.

    The quoted sentence goes into `notes` as a starting point; a curator rewrites it as a neutral summary.
    """
    gazetteer = Gazetteer(places)
    rows = [
        {
            "accept": False,
            "event_date": draft.event_date,
            "time_precision": draft.time_precision,
            "country": _country_of(draft, gazetteer, actors),
            "location": draft.location,
            "actor1": draft.actor1,
            "actor2": draft.actor2,
            "event_type": draft.event_type,
            "sub_event_type": draft.sub_event_type,
            "fatalities": pd.NA,
            "notes": draft.evidence,
            "confidence": "medium",
            "check": "; ".join(draft.warnings),
        }
        for draft in drafts
    ]
    frame = pd.DataFrame(rows, columns=REVIEW_COLUMNS)
    frame["accept"] = frame["accept"].astype(bool)
    frame["fatalities"] = frame["fatalities"].astype("Int64")
    for column in ("time_precision", "country", "location", "actor1", "actor2", "event_type", "sub_event_type"):
        frame[column] = frame[column].astype("string")
    for column in ("notes", "confidence", "check"):
        frame[column] = frame[column].astype("string")
    return frame


def rows_from_review(
    review: pd.DataFrame, article: Article, *, places: pd.DataFrame, taken_ids: Iterable[str]
) -> pd.DataFrame:
    """Raw `events.csv` rows for the accepted drafts: place details from the gazetteer, ids proposed, source cited."""
    taken = set(taken_ids)
    rows = []
    for _, draft in review[review["accept"].fillna(False).astype(bool)].iterrows():
        values = fill_from_gazetteer({c: _present(draft.get(c)) for c in REVIEW_COLUMNS}, places)
        day = values.get("event_date")
        event_id = propose_event_id(values.get("country"), day if isinstance(day, dt.date) else None, taken)
        taken.add(event_id)
        values |= {
            "event_id": event_id or None,
            "source": article.publisher,
            "source_title": article.headline,
            "source_date": article.published,
            "source_url": article.url,
        }
        rows.append(event_row(values))
    if not rows:
        return pd.DataFrame(columns=EVENTS.column_names, dtype="string")
    return pd.concat(rows, ignore_index=True)


def _present(value: object) -> object:
    return None if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else value


def highlight_html(text: str, matches: Sequence[Match], *, colours: dict[str, str], end: int | None = None) -> str:
    """`text` as escaped HTML with each match wrapped in a coloured <mark>; text after `end` is greyed.

    Every character of `text` is escaped, so markup in a pasted article shows as text, never runs.
    """
    limit = len(text) if end is None else end
    cuts = {0, limit}
    for match in matches:
        cuts.update((match.start, match.end))
    bounds = sorted(c for c in cuts if 0 <= c <= limit)
    pieces = []
    for left, right in itertools.pairwise(bounds):
        covering = [m for m in matches if m.start <= left and right <= m.end]
        chunk = html.escape(text[left:right])
        if covering:
            kinds = sorted({m.kind for m in covering}, key=["place", "country", "actor", "date", "keyword"].index)
            title = html.escape("; ".join(f"{m.kind}: {m.value}" for m in covering), quote=True)
            style = (
                f"background-color:{colours[kinds[0]]};border-radius:3px;padding:0 1px"
                if kinds[0] != "keyword"
                else f"text-decoration:underline 2px {colours['keyword']};background:none"
            )
            if len(kinds) > 1 and kinds[1] != "keyword":
                style += f";box-shadow:inset 0 -3px 0 {colours[kinds[1]]}"
            chunk = f'<mark style="{style}" title="{title}">{chunk}</mark>'
        pieces.append(chunk)
    body = "".join(pieces).replace("\n", "<br>")
    rest = html.escape(text[limit:]).replace("\n", "<br>")
    if rest.strip():
        body += f'<div style="color:{colours["ignored"]}">{rest}</div>'
    return body
