"""Saved briefs and what changed since: a brief remembers its filters and the values it showed.

A briefer saves the view they briefed (its `FilterState`, layout choices, and for every event shown its
id and the values on screen). Later, the same filters are applied to the current data and compared:
events added, events revised (fatalities 3 → 11, re-dated, re-typed, summary edited…) and events
removed (deleted, or no longer matching the brief's filters). Briefs are JSON files in `data/briefs/`,
written atomically, or rows of the database when it is the store.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tensions.analysis.filters import LIST_PARAMS, PERIOD_PARAM, PRECISE_PARAM, FilterState, apply_filters
from tensions.data import guard
from tensions.errors import BriefError, InvalidFilter
from tensions.store import briefs as stored
from tensions.store.config import database_url

BRIEFS_FOLDER = "briefs"
# 2: the filters as the URL writes them (`FilterState.to_query_params`); 1 stored FilterState's field names.
FORMAT_VERSION = 2
# The values a brief remembers per event, and how a change to each is worded.
TRACKED_FIELDS: dict[str, str] = {
    "event_date": "date",
    "time_precision": "date known to the",
    "fatalities": "fatalities",
    "event_type": "type",
    "sub_event_type": "sub-type",
    "country": "country",
    "location": "place",
    "actor1": "actor",
    "actor2": "acted on",
    "label": "label",
    "source": "source",
    "notes_hash": "summary",
}
# Also remembered, to draw a removed event where it was; not compared.
POSITION_FIELDS = ("theatre", "actor1_family")
SNAPSHOT_COLUMNS = ("event_id", *TRACKED_FIELDS, *POSITION_FIELDS)
CHANGE_COLUMNS = [
    "event_id",
    "change",
    "event_date",
    "theatre",
    "actor1_family",
    "event_type",
    "what",
    "details",
    "fields",
]


@dataclass(frozen=True)
class Brief:
    """A saved view: its name, when, its filters and layout, and a snapshot of the events it showed."""

    name: str
    saved_at: dt.datetime
    filters: FilterState
    snapshot: pd.DataFrame
    data_as_of: dt.date | None = None
    lanes: str = "theatre"
    granularity: str = "week"
    title: str = ""
    subtitle: str = ""

    @property
    def slug(self) -> str:
        return slugify(self.name)


def slugify(name: str) -> str:
    """A file-safe name: "Weekly brief 3/6" → "weekly-brief-3-6"."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]
    return slug or "brief"


def notes_hash(notes: pd.Series) -> pd.Series:
    """A short fingerprint of each summary, so an edited summary shows as revised without storing it."""
    return notes.astype("string").fillna("").map(lambda text: hashlib.sha256(text.encode("utf-8")).hexdigest()[:16])


def snapshot(events: pd.DataFrame) -> pd.DataFrame:
    """The values a brief remembers for each event shown, as plain strings and nullable integers."""
    table = pd.DataFrame({"event_id": events["event_id"].astype("string")})
    table["event_date"] = events["event_date"].dt.strftime("%Y-%m-%d").astype("string")
    table["fatalities"] = events["fatalities"].astype("Int64")
    table["notes_hash"] = notes_hash(events["notes"])
    for column in [*TRACKED_FIELDS, *POSITION_FIELDS]:
        if column not in table:
            table[column] = events[column].astype("string") if column in events else pd.NA
    return table[list(SNAPSHOT_COLUMNS)].reset_index(drop=True)


def brief_from_view(
    name: str,
    events: pd.DataFrame,
    state: FilterState,
    *,
    data_as_of: dt.date | None = None,
    lanes: str = "theatre",
    granularity: str = "week",
    title: str = "",
    subtitle: str = "",
    saved_at: dt.datetime | None = None,
) -> Brief:
    """A brief of what is on screen now."""
    if not name.strip():
        raise BriefError("a brief needs a name")
    return Brief(
        name=name.strip(),
        saved_at=saved_at or dt.datetime.now(dt.UTC).replace(microsecond=0),
        filters=state,
        snapshot=snapshot(events),
        data_as_of=data_as_of,
        lanes=lanes,
        granularity=granularity,
        title=title,
        subtitle=subtitle,
    )


def briefs_dir(data_dir: Path) -> Path:
    return Path(data_dir) / BRIEFS_FOLDER


def save_brief(brief: Brief, folder: Path, *, grant: object) -> Path:
    """Write the brief as `<folder>/<slug>.json`, atomically; a brief of the same name is replaced.

    `NotAuthorised` without a curator's grant (`tensions.data.guard`)."""
    guard.authorise(grant, "saving a brief")
    folder = guard.make_folder(grant, Path(folder))
    path = folder / f"{brief.slug}.json"
    guard.write_bytes(grant, path, json.dumps(brief_to_json(brief), indent=1, ensure_ascii=False).encode("utf-8"))
    return path


def brief_to_json(brief: Brief) -> dict:
    events = [
        {column: (None if pd.isna(value) else (int(value) if column == "fatalities" else str(value)))
         for column, value in row.items()}
        for row in brief.snapshot.to_dict(orient="records")
    ]  # fmt: skip
    return {
        "format": FORMAT_VERSION,
        "name": brief.name,
        "saved_at": brief.saved_at.isoformat(),
        "data_as_of": brief.data_as_of.isoformat() if brief.data_as_of else None,
        "filters": brief.filters.to_query_params(),
        "lanes": brief.lanes,
        "granularity": brief.granularity,
        "title": brief.title,
        "subtitle": brief.subtitle,
        "events": events,
    }


def _format_1_filters(filters: dict) -> dict[str, list[str]]:
    """A brief saved in format 1 named its filters by `FilterState`'s fields: the same as query parameters."""
    params = {name: filters.get(field) or [] for field, name in LIST_PARAMS.items()}
    if filters.get("start") or filters.get("end"):
        params[PERIOD_PARAM] = [filters.get("start") or "", filters.get("end") or ""]
    params[PRECISE_PARAM] = ["true"] if filters.get("precise_only") else []
    return params


def load_brief(path: Path) -> Brief:
    """Read a saved brief's file; a damaged or foreign file raises `BriefError` naming it."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BriefError(f"{path}: not a readable brief ({error})") from error
    return brief_from_json(raw, str(path))


def brief_from_json(raw: dict, where: str) -> Brief:
    """A brief from its JSON (`brief_to_json`, any format); `BriefError` naming `where` when it is not one."""
    try:
        params = raw["filters"] if raw.get("format", 1) >= 2 else _format_1_filters(raw["filters"])
        state = FilterState.from_query_params(params)
        table = pd.DataFrame(raw["events"], columns=list(SNAPSHOT_COLUMNS))
        for column in SNAPSHOT_COLUMNS:
            table[column] = table[column].astype("Int64" if column == "fatalities" else "string")
        return Brief(
            name=str(raw["name"]),
            saved_at=dt.datetime.fromisoformat(raw["saved_at"]),
            filters=state,
            snapshot=table,
            data_as_of=dt.date.fromisoformat(raw["data_as_of"]) if raw.get("data_as_of") else None,
            lanes=raw.get("lanes", "theatre"),
            granularity=raw.get("granularity", "week"),
            title=raw.get("title", ""),
            subtitle=raw.get("subtitle", ""),
        )
    except (ValueError, KeyError, TypeError, AttributeError, InvalidFilter) as error:
        raise BriefError(f"{where}: not a readable brief ({error})") from error


def list_briefs(folder: Path) -> list[Brief]:
    """The saved briefs in `folder`, newest first; unreadable files are skipped."""
    briefs = []
    for path in sorted(Path(folder).glob("*.json")):
        try:
            briefs.append(load_brief(path))
        except BriefError:
            continue
    return sorted(briefs, key=lambda brief: brief.saved_at, reverse=True)


# --------------------------------------------------------------------------- whichever store keeps them


def saved_briefs(data_dir: Path) -> list[Brief]:
    """The saved briefs, newest first, from the store in use (the database, or `data_dir`'s briefs folder)."""
    url = database_url()
    if url is None:
        return list_briefs(briefs_dir(data_dir))
    briefs = []
    for raw in stored.read_briefs(url):
        try:
            briefs.append(brief_from_json(raw, f"the saved brief {raw.get('name')!r}"))
        except BriefError:
            continue
    return sorted(briefs, key=lambda brief: brief.saved_at, reverse=True)


def store_brief(brief: Brief, data_dir: Path, *, grant: object) -> bool:
    """Save `brief` in the store in use, replacing one of the same name; True when it replaced one.

    `NotAuthorised` without a curator's grant."""
    url = database_url()
    if url is not None:
        return stored.write_brief(url, brief.slug, brief_to_json(brief), grant=grant, now=dt.datetime.now(dt.UTC))
    replaced = (briefs_dir(data_dir) / f"{brief.slug}.json").exists()
    save_brief(brief, briefs_dir(data_dir), grant=grant)
    return replaced


def find_brief(data_dir: Path, name: str) -> Brief:
    """The brief saved under `name` in the store in use; `BriefError` when there is none."""
    url = database_url()
    if url is None:
        return load_brief(briefs_dir(data_dir) / f"{slugify(name)}.json")
    raw = stored.read_brief(url, slugify(name))
    if raw is None:
        raise BriefError(f"no brief is saved as {name!r}")
    return brief_from_json(raw, f"the saved brief {name!r}")


def diff_snapshots(before: pd.DataFrame, after: pd.DataFrame, *, elsewhere: pd.DataFrame | None = None) -> pd.DataFrame:
    """Events added, revised and removed between two snapshots, one row each, in date order.

    `elsewhere` (a snapshot of all current events) lets a removed event say whether it was deleted or
    only moved out of the brief's filters (and what changed). Columns: event_id, change (added /
    revised / removed), event_date, theatre, actor1_family, event_type, what (label, or sub-type and
    place), details (the changes in words) and fields (the names of the fields that changed).
    """
    old = before.set_index("event_id")
    new = after.set_index("event_id")
    rows = []
    for event_id in new.index.difference(old.index):
        rows.append(
            _row(event_id, "added", new.loc[event_id], f"new since the brief: {_summary(new.loc[event_id])}", ())
        )
    for event_id in new.index.intersection(old.index):
        fields = _changed_fields(old.loc[event_id], new.loc[event_id])
        if fields:
            rows.append(
                _row(
                    event_id,
                    "revised",
                    new.loc[event_id],
                    _describe(old.loc[event_id], new.loc[event_id], fields),
                    fields,
                )
            )
    current = elsewhere.set_index("event_id") if elsewhere is not None else None
    for event_id in old.index.difference(new.index):
        was = old.loc[event_id]
        if current is not None and event_id in current.index:
            fields = _changed_fields(was, current.loc[event_id])
            how = f"; {_describe(was, current.loc[event_id], fields)}" if fields else ""
            details = f"no longer matches the brief's filters{how}"
        else:
            details, fields = "no longer in the data", ()
        rows.append(_row(event_id, "removed", was, details, fields))
    table = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    order = {"added": 0, "revised": 1, "removed": 2}
    return (
        table.assign(_order=table["change"].map(order))
        .sort_values(["event_date", "_order", "event_id"])
        .drop(columns="_order")
        .reset_index(drop=True)
    )  # fmt: skip


def changes_since(brief: Brief, events: pd.DataFrame, actors: pd.DataFrame | None = None) -> pd.DataFrame:
    """What changed in the current `events` (all of them) under the brief's own filters since it was saved."""
    now = apply_filters(events, brief.filters, actors)
    return diff_snapshots(brief.snapshot, snapshot(now), elsewhere=snapshot(events))


def _changed_fields(old: pd.Series, new: pd.Series) -> tuple[str, ...]:
    return tuple(field for field in TRACKED_FIELDS if not _same(old.get(field), new.get(field)))


def _same(a: object, b: object) -> bool:
    if pd.isna(a) and pd.isna(b):
        return True
    if pd.isna(a) or pd.isna(b):
        return False
    return str(a) == str(b)


def _describe(old: pd.Series, new: pd.Series, fields: tuple[str, ...]) -> str:
    """ "fatalities 3 → 11; date 28 Jan 2024 → 29 Jan 2024; summary edited"."""
    parts = []
    for field in fields:
        word = TRACKED_FIELDS[field]
        if field == "notes_hash":
            parts.append("summary edited")
        else:
            parts.append(f"{word} {_shown(field, old.get(field))} → {_shown(field, new.get(field))}")
    return "; ".join(parts)


def _shown(field: str, value: object) -> str:
    if pd.isna(value):
        return "not reported" if field == "fatalities" else "none"
    if field == "event_date":
        return f"{dt.date.fromisoformat(str(value)):%-d %b %Y}"
    return str(value)


def _summary(values: pd.Series) -> str:
    what = _what(values)
    return f"{_shown('event_date', values.get('event_date'))}, {what}"


def _what(values: pd.Series) -> str:
    if not pd.isna(values.get("label")):
        return str(values.get("label"))
    return f"{values.get('sub_event_type')}, {values.get('location')}"


def _row(event_id: str, change: str, values: pd.Series, details: str, fields: tuple[str, ...]) -> dict:
    return {
        "event_id": str(event_id),
        "change": change,
        "event_date": pd.Timestamp(str(values.get("event_date"))),
        "theatre": values.get("theatre"),
        "actor1_family": values.get("actor1_family"),
        "event_type": values.get("event_type"),
        "what": _what(values),
        "details": details,
        "fields": fields,
    }


def count_changes(changes: pd.DataFrame) -> dict[str, int]:
    """How many events were added, revised and removed."""
    return {kind: int((changes["change"] == kind).sum()) for kind in ("added", "revised", "removed")}


def open_ended(state: FilterState, first: dt.date | None, last: dt.date | None) -> FilterState:
    """The filters to remember: a period running to the data's first or last day is left open, so a
    brief saved "to the latest event" still covers events that arrive later."""
    return dataclasses.replace(
        state,
        start=None if state.start is not None and first is not None and state.start <= first else state.start,
        end=None if state.end is not None and last is not None and state.end >= last else state.end,
    )
