"""Generated parts of `data/README.md`: the column and taxonomy tables, from the schema itself."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from tensions.analysis import tension
from tensions.data import guard
from tensions.data.load import load_dataset
from tensions.data.schema import TABLES, TREND_OVERRIDES, column_docs_markdown, taxonomy_docs_markdown

# A block's body holds no HTML comment, so an empty block never swallows the next one.
BLOCK = re.compile(
    r"(?P<start><!-- generated: (?P<name>[\w.]+) -->\n)(?:(?!<!-- ).)*?(?P<end><!-- end generated -->)", re.DOTALL
)


def _count_table(table: pd.DataFrame, corner: str) -> list[str]:
    """A crosstab as a Markdown table, counts right-aligned."""
    columns = [str(c) for c in table.columns]
    lines = [f"| {corner} | " + " | ".join(columns) + " |", "| --- |" + " ---: |" * len(columns)]
    lines += [f"| {label} | " + " | ".join(str(v) for v in row) + " |" for label, row in table.iterrows()]
    return lines


def coverage_markdown(data_dir: Path) -> str:
    """Counts of the curated data per theatre and year, per month and theatre, and how precise it is."""
    dataset = load_dataset(data_dir)
    events = dataset.events
    theatres = events["theatre"].cat.remove_unused_categories()
    by_year = pd.crosstab(theatres, events["event_date"].dt.year, margins=True, margins_name="total")
    months = events["event_date"].dt.to_period("M").rename("month")
    by_month = pd.crosstab(months, theatres, margins=True, margins_name="total")
    by_month.index = [m if m == "total" else f"{m:%b %Y}" for m in by_month.index]
    lines = [*_count_table(by_year, "theatre"), "", "Per month:", "", *_count_table(by_month, "month")]
    key = events["tags"].fillna("").str.split(";").map(lambda tags: "key" in tags).sum()
    lines += [
        "",
        f"{len(events)} events from {events['event_date'].min():%d %B %Y} to {events['event_date'].max():%d %B %Y}; "
        f"{len(dataset.actors)} actors; {len(dataset.places)} places; {key} key events for briefing timelines.",
        f"Dates known to the day: {(events['time_precision'] == 'day').mean():.0%}; places known to the named place: "
        f"{(events['geo_precision'] == 1).mean():.0%}; province only: {(events['geo_precision'] == 3).mean():.0%}. "
        f"Fatalities reported for {events['fatalities'].notna().mean():.0%} of events. "
        f"Confidence high: {(events['confidence'] == 'high').mean():.0%}. "
        f"Linked to the report they cite (`source_url`): {events['source_url'].notna().mean():.0%}.",
    ]
    return "\n".join(lines)


def generated_blocks(data_dir: Path) -> dict[str, str]:
    """Each generated block's name and its Markdown."""
    blocks = {table.file_name: column_docs_markdown(table) for table in TABLES}
    blocks["taxonomy"] = taxonomy_docs_markdown()
    blocks["coverage"] = coverage_markdown(data_dir)
    blocks[TREND_OVERRIDES.file_name] = column_docs_markdown(TREND_OVERRIDES)
    blocks["tension_index"] = tension.method_markdown()
    return blocks


def render(text: str, data_dir: Path) -> str:
    """`text` with every generated block replaced by its current content."""
    blocks = generated_blocks(data_dir)
    return BLOCK.sub(lambda m: m["start"] + blocks[m["name"]] + "\n" + m["end"], text)


def update_file(path: Path, *, grant: object) -> bool:
    """Regenerate the blocks in `path` (a data folder's README); True when the file changed.

    `NotAuthorised` without a grant (`tensions.data.guard`)."""
    guard.authorise(grant, "updating the data card")
    text = path.read_text(encoding="utf-8")
    updated = render(text, path.parent)
    if updated != text:
        guard.write_bytes(grant, path, updated.encode("utf-8"))
    return updated != text
