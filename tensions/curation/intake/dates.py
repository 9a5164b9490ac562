"""Dates in a text, absolute or relative, resolved against the publication date with their precision."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from tensions.curation.intake.records import DateMention, Match

# A date at most this many days after the report is read as upcoming in the same year ("talks on May 3"
# in an April report); anything later is taken to be last year's.
UPCOMING_GRACE_DAYS = 31


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
