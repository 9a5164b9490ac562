"""One event in full, for a detail panel: every data string escaped, a link only where the data has one.

The card is plain HTML with inline styles from `tensions.figures.theme`, so a page shows it with `st.html`
(no Markdown interpretation of the data) and the same text could go into an export.
"""

from __future__ import annotations

import html

import pandas as pd

from tensions.data import taxonomy
from tensions.data.words import GEO_PRECISION_WORDS, date_with_precision, fatalities_in_words
from tensions.figures import theme

CONFIDENCE_MEANING = {
    "high": "widely reported and undisputed",
    "medium": "a detail rests on one party's claim or anonymous sources",
    "low": "thinly reported or disputed",
}

# The columns of an event list (a place's or a province's events), in reading order.
LIST_COLUMNS = ["event_date", "time_precision", "location", "event_type", "actor1", "actor2", "fatalities", "notes"]


def _text(value: object) -> str:
    return "" if value is None or pd.isna(value) else html.escape(str(value))


def safe_link(url: object) -> str | None:
    """`url` when it is an http(s) address, else None: a `javascript:` or data URL never becomes a link."""
    if url is None or pd.isna(url):
        return None
    text = str(url).strip()
    return text if text.lower().startswith(("https://", "http://")) else None


def event_title(event: pd.Series) -> str:
    """ "Air/drone strike in Baghdad, Iraq", or the event's short label when it has one (not escaped)."""
    if isinstance(event.get("label"), str) and event["label"].strip():
        return event["label"].strip()
    return f"{event['sub_event_type']} in {event['location']}, {event['country']}"


def event_detail_html(event: pd.Series) -> str:
    """The full record of one event as an HTML card: what, when, where, who, deaths, summary, source."""
    frame = event.to_frame().T.astype({"event_date": "datetime64[us]"})
    frame["fatalities"] = frame["fatalities"].astype("Int64")
    when = html.escape(date_with_precision(frame).iloc[0])
    precision = int(event["geo_precision"]) if not pd.isna(event["geo_precision"]) else 1
    place = ", ".join(_text(event.get(c)) for c in ("location", "admin1", "country") if _text(event.get(c)))
    place += html.escape(GEO_PRECISION_WORDS.get(precision, ""))
    where_known = html.escape(taxonomy.GEO_PRECISION_MEANING.get(precision, ""))
    actors = _text(event["actor1"]) + (f" → {_text(event['actor2'])}" if _text(event.get("actor2")) else "")
    confidence = str(event.get("confidence") or "")
    source_date = pd.Timestamp(event["source_date"]).strftime("%d %b %Y") if not pd.isna(event["source_date"]) else ""
    link = safe_link(event.get("source_url"))
    headline = _text(event["source_title"])
    if link:
        headline = f'<a href="{html.escape(link, quote=True)}" target="_blank" rel="noopener noreferrer">{headline}</a>'
    rows = [
        ("When", when),
        ("Where", f"{place} <span style='color:{theme.MUTED_TEXT_COLOUR}'>(known to {where_known})</span>"),
        ("Type", f"{_text(event['event_type'])} · {_text(event['sub_event_type'])}"),
        ("Actors", actors),
        ("Deaths", html.escape(fatalities_in_words(frame).iloc[0])),
        ("Attribution", _text(event.get("attribution")) or "not stated"),
        ("Confidence", f"{html.escape(confidence)} ({html.escape(CONFIDENCE_MEANING.get(confidence, ''))})"),
        ("Source", f"{_text(event['source'])}, {html.escape(source_date)}: “{headline}”"),
        ("Dataset", f"{_text(event.get('dataset'))} · id {_text(event['event_id'])}"),
    ]
    if _text(event.get("tags")):
        rows.append(("Tags", _text(event["tags"]).replace(";", ", ")))
    table = "".join(
        f"<tr><th style='text-align:left;vertical-align:top;padding:2px 12px 2px 0;"
        f"color:{theme.MUTED_TEXT_COLOUR};font-weight:normal;white-space:nowrap'>{label}</th>"
        f"<td style='padding:2px 0'>{value}</td></tr>"
        for label, value in rows
    )
    return (
        f"<div style='font-family:{theme.FONT_FAMILY};color:{theme.TEXT_COLOUR};line-height:1.45'>"
        f"<div style='font-size:1.15rem;font-weight:600;margin-bottom:4px'>{html.escape(event_title(event))}</div>"
        f"<p style='margin:0 0 8px 0'>{_text(event['notes'])}</p>"
        f"<table style='border-collapse:collapse;font-size:0.9rem'>{table}</table></div>"
    )


def event_list(events: pd.DataFrame) -> pd.DataFrame:
    """Events for a list under the map: newest first, the columns a reader scans."""
    columns = [c for c in ["event_id", *LIST_COLUMNS] if c in events]
    return events.sort_values(["event_date", "event_id"], ascending=[False, True])[columns].reset_index(drop=True)
