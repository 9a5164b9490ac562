"""Drafts as rows for the curator to review, the reviewed rows as events, and the text with its matches highlighted."""

from __future__ import annotations

import datetime as dt
import html
import itertools
from collections.abc import Iterable, Sequence

import pandas as pd

from tensions.curation.intake.records import Article, DraftEvent, Match
from tensions.curation.new_rows import event_row, fill_from_gazetteer, propose_event_id
from tensions.data import taxonomy
from tensions.data.gazetteer import Gazetteer
from tensions.data.schema import EVENTS


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
