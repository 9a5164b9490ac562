"""Hover cards shared by the map and the timeline, with every data string escaped.

Plotly renders a subset of HTML in hover text, so names and notes from the data (or from an imported
file) are escaped: a `<script>` or `<img onerror>` in a cell shows as text, never as markup.
"""

from __future__ import annotations

import pandas as pd

from tensions.data.literal import plotly_literal
from tensions.data.words import GEO_PRECISION_WORDS, date_with_precision, fatalities_in_words

SUMMARY_CHARACTERS = 160


def _escaped(values: pd.Series) -> pd.Series:
    return values.astype("string").fillna("").map(plotly_literal)


def shorten(text: str, limit: int = SUMMARY_CHARACTERS) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def hover_cards(events: pd.DataFrame) -> pd.Series:
    """One HTML hover card per event: date, place, actors, type, fatalities, summary, source."""
    place = _escaped(events["location"]) + ", " + _escaped(events["country"])
    place = place + events["geo_precision"].map(GEO_PRECISION_WORDS).fillna("").astype("string")
    actors = _escaped(events["actor1"])
    actors = actors.where(events["actor2"].isna(), actors + " → " + _escaped(events["actor2"]))
    summary = events["notes"].astype("string").fillna("").map(shorten).map(plotly_literal)
    source = _escaped(events["source"]) + ", " + events["source_date"].dt.strftime("%d %b %Y")
    dataset = _escaped(events["dataset"]) if "dataset" in events else pd.Series("", index=events.index)
    if "original_id" in events:
        # Imported rows keep their source's id, so an analyst can find the row in the original file.
        original = _escaped(events["original_id"])
        dataset = dataset.where(original == "", dataset + " (id " + original + ")")
    return (
        "<b>" + date_with_precision(events) + "</b> · " + place
        + "<br>" + actors
        + "<br>" + _escaped(events["sub_event_type"]) + " · fatalities: " + fatalities_in_words(events)
        + "<br>" + summary.map(_wrap)
        + "<br><i>Source: " + source + "</i>"
        + dataset.map(lambda d: f" · dataset: {d}" if d else "")
    )  # fmt: skip


def _wrap(text: str, width: int = 60) -> str:
    """Break a summary into lines so a hover card stays narrow."""
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return "<br>".join(lines)
