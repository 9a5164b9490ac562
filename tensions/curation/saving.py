"""Saving curated changes safely. Every write of the curated tables goes through `save_changes`.

`save_changes` refuses unless the session holds a valid grant (`tensions.curation.access`), validates the
tables with the same rules as `python -m tensions validate`, refuses if a file changed on disk since
the page loaded it (and returns the difference), keeps a timestamped backup of each file it replaces,
writes through a temporary file and an atomic rename, and appends one JSON line per changed row to
the audit log. A lock serialises concurrent saves so that of two curators saving at once, one wins
and the other is told what changed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import io
import json
import math
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tensions.curation import access
from tensions.data import taxonomy
from tensions.data.atomic import write_bytes_atomically
from tensions.data.gazetteer import Gazetteer, Place
from tensions.data.schema import ACTORS, EVENTS, PLACES, TableSpec
from tensions.data.validate import read_raw_table, validate_tables
from tensions.errors import (
    ConcurrentEdit,
    GeocodingUnavailable,
    InvalidDataError,
    NothingToSave,
    Problem,
    TensionsError,
    ValidationFailed,
)
from tensions.geocode.lookup import NominatimLookup, PlaceLookup

AUDIT_LOG = "audit.log"
BACKUP_DIR = "backups"
LOCK_FILE = ".curation.lock"
TABLE_SPECS: dict[str, TableSpec] = {t.file_name: t for t in (EVENTS, ACTORS, PLACES)}
KEY_COLUMNS: dict[str, str] = {EVENTS.file_name: "event_id", ACTORS.file_name: "actor", PLACES.file_name: "place"}
# Written in this order: places before the events that name them, so a crash in between leaves a
# valid (if unused) place rather than an event whose place is missing.
WRITE_ORDER = (ACTORS.file_name, PLACES.file_name, EVENTS.file_name)
SORT_COLUMNS: dict[str, str] = {EVENTS.file_name: "event_date", PLACES.file_name: "place"}


# --------------------------------------------------------------------------- snapshots and differences


def content_hash(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def file_hash(path: Path) -> str:
    """SHA-256 of the file's bytes; '' when it does not exist."""
    try:
        return content_hash(Path(path).read_bytes())
    except FileNotFoundError:
        return ""


@dataclass(frozen=True)
class Snapshot:
    """The curated tables as read at one moment (every cell as text) and the hash of each file's bytes."""

    data_dir: Path
    tables: Mapping[str, pd.DataFrame]
    hashes: Mapping[str, str]

    @property
    def events(self) -> pd.DataFrame:
        return self.tables[EVENTS.file_name]

    @property
    def actors(self) -> pd.DataFrame:
        return self.tables[ACTORS.file_name]

    @property
    def places(self) -> pd.DataFrame:
        return self.tables[PLACES.file_name]

    @property
    def version(self) -> str:
        """A short tag that changes whenever any file changes."""
        return content_hash("".join(self.hashes[name] for name in sorted(self.hashes)).encode())[:12]


def _parse(payload: bytes, file_name: str) -> pd.DataFrame:
    try:
        return read_raw_table(io.BytesIO(payload))
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as error:
        raise InvalidDataError([Problem(file_name, 0, "", f"cannot be read as UTF-8 CSV: {error}")]) from error


def load_snapshot(data_dir: Path) -> Snapshot:
    """Read the three tables once, hashing exactly the bytes that were parsed."""
    folder = Path(data_dir)
    tables, hashes = {}, {}
    for file_name in TABLE_SPECS:
        try:
            payload = (folder / file_name).read_bytes()
        except FileNotFoundError as error:
            raise InvalidDataError([Problem(file_name, 0, "", f"file not found in {folder}")]) from error
        tables[file_name] = _parse(payload, file_name)
        hashes[file_name] = content_hash(payload)
    return Snapshot(folder, tables, hashes)


def table_bytes(frame: pd.DataFrame) -> bytes:
    """A raw table as the CSV bytes the curated files use (re-reading and re-writing is byte-identical)."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


@dataclass(frozen=True)
class RowChange:
    """One row added, removed or edited; `columns` maps each changed column to (old, new)."""

    file: str
    key: str
    action: str  # "added", "removed" or "edited"
    columns: Mapping[str, tuple[str | None, str | None]]


def _cell(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def _keyed_rows(frame: pd.DataFrame, key_column: str) -> dict[str, dict[str, str | None]]:
    """Rows by key; a missing or repeated key gets a stand-in so no row is lost from a difference."""
    rows: dict[str, dict[str, str | None]] = {}
    for position, (_, row) in enumerate(frame.iterrows()):
        key = _cell(row.get(key_column)) or f"(row {position + 2} without {key_column})"
        while key in rows:
            key += " (again)"
        rows[key] = {column: _cell(value) for column, value in row.items()}
    return rows


def diff_tables(old: pd.DataFrame, new: pd.DataFrame, file_name: str) -> list[RowChange]:
    """Rows added, removed and edited between two versions of a table, matched by its key column."""
    key_column = KEY_COLUMNS[file_name]
    before, after = _keyed_rows(old, key_column), _keyed_rows(new, key_column)
    columns = list(dict.fromkeys([*old.columns, *new.columns]))
    changes = []
    for key, row in after.items():
        if key not in before:
            filled = {c: (None, row.get(c)) for c in columns if row.get(c) is not None}
            changes.append(RowChange(file_name, key, "added", filled))
            continue
        edited = {c: (before[key].get(c), row.get(c)) for c in columns if before[key].get(c) != row.get(c)}
        if edited:
            changes.append(RowChange(file_name, key, "edited", edited))
    for key, row in before.items():
        if key not in after:
            changes.append(
                RowChange(file_name, key, "removed", {c: (v, None) for c, v in row.items() if v is not None})
            )
    return changes


def describe_change(change: RowChange, *, limit: int = 60) -> str:
    """One line a person can read: 'edited IRQ-20240104-1: notes "…" → "…"'."""

    def short(value: str | None) -> str:
        if value is None:
            return "(empty)"
        return repr(value if len(value) <= limit else value[: limit - 1] + "…")

    if change.action == "edited":
        parts = ", ".join(f"{c} {short(o)} → {short(n)}" for c, (o, n) in change.columns.items())
        return f"edited {change.key}: {parts}"
    return f"{change.action} {change.key} ({change.file})"


def changes_frame(changes: Sequence[RowChange]) -> pd.DataFrame:
    """Changes as a table (one line per changed cell) for a page to show."""
    rows = [
        {"file": c.file, "row": c.key, "change": c.action, "column": column, "before": old, "after": new}
        for c in changes
        for column, (old, new) in (c.columns.items() if c.action == "edited" else [("", (None, None))])
    ]
    return pd.DataFrame(rows, columns=["file", "row", "change", "column", "before", "after"], dtype="string")


# --------------------------------------------------------------------------- validation, located by key


@dataclass(frozen=True)
class LocatedProblem:
    """A validation problem named by the row's key (e.g. the event id) rather than only its line."""

    file: str
    key: str
    column: str
    message: str


def locate_problems(problems: Sequence[Problem], tables: Mapping[str, pd.DataFrame]) -> list[LocatedProblem]:
    located = []
    for problem in problems:
        frame = tables.get(problem.file)
        key = ""
        if frame is not None and problem.row >= 2 and problem.row - 2 < len(frame):
            key = _cell(frame.iloc[problem.row - 2].get(KEY_COLUMNS[problem.file])) or f"line {problem.row}"
        located.append(LocatedProblem(problem.file, key, problem.column, problem.message))
    return located


def _normalised(frame: pd.DataFrame, like: pd.DataFrame) -> pd.DataFrame:
    """`frame` with `like`'s columns in `like`'s order, every cell text, blank cells missing."""
    columns = list(like.columns)
    out = frame.reindex(columns=columns).astype("string")
    for column in columns:
        out[column] = out[column].mask(out[column].str.strip().eq("").fillna(False), pd.NA)
    return out.reset_index(drop=True)


def _keep_sorted(new: pd.DataFrame, base: pd.DataFrame, file_name: str) -> pd.DataFrame:
    """If the file was sorted (events by date, places by name), put added or moved rows in their place."""
    column = SORT_COLUMNS.get(file_name)
    if column is None or column not in base or not base[column].dropna().is_monotonic_increasing:
        return new
    return new.sort_values(column, kind="stable", na_position="last", ignore_index=True)


# --------------------------------------------------------------------------- the one save function


@dataclass
class SaveResult:
    """What a save did, and the new snapshot the page should work from."""

    changes: list[RowChange]
    backups: list[Path]
    audit_entries: list[dict]
    snapshot: Snapshot


@contextlib.contextmanager
def _exclusive_lock(folder: Path) -> Iterator[None]:
    with open(folder / LOCK_FILE, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _backup_path(folder: Path, file_name: str, now: dt.datetime) -> Path:
    backups = folder / BACKUP_DIR
    backups.mkdir(exist_ok=True)
    stem = Path(file_name).stem
    path = backups / f"{stem}-{now:%Y%m%dT%H%M%S}.csv"
    n = 2
    while path.exists():
        path = backups / f"{stem}-{now:%Y%m%dT%H%M%S}-{n}.csv"
        n += 1
    return path


def _audit_entries(changes: Sequence[RowChange], grant: access.Grant, now: dt.datetime) -> list[dict]:
    return [
        {
            "when": now.isoformat(timespec="seconds"),
            "who": grant.who,
            "method": grant.method,
            "file": change.file,
            "action": change.action,
            "key": change.key,
            "changes": {column: {"old": old, "new": new} for column, (old, new) in change.columns.items()},
        }
        for change in changes
    ]


def _append_audit(folder: Path, entries: Sequence[dict]) -> None:
    payload = "".join(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n" for entry in entries)
    with open(folder / AUDIT_LOG, "a", encoding="utf-8") as log:
        log.write(payload)
        log.flush()
        os.fsync(log.fileno())


def save_changes(
    base: Snapshot,
    *,
    grant: object,
    access_config: access.AccessConfig,
    events: pd.DataFrame | None = None,
    places: pd.DataFrame | None = None,
    actors: pd.DataFrame | None = None,
    now: dt.datetime | None = None,
    today: dt.date | None = None,
) -> SaveResult:
    """Save new versions of the curated tables (raw text frames) that were edited from `base`.

    Raises `NotAuthorised` without a valid grant, `NothingToSave`, `ValidationFailed` (with
    every problem, located by row key) or `ConcurrentEdit` (with the difference on disk); in each
    case nothing is written.
    """
    grant = access.verify(grant, access_config)
    now = now or dt.datetime.now(dt.UTC)
    proposed = {EVENTS.file_name: events, PLACES.file_name: places, ACTORS.file_name: actors}
    new_tables = dict(base.tables)
    for file_name, frame in proposed.items():
        if frame is not None:
            normalised = _normalised(frame, base.tables[file_name])
            new_tables[file_name] = _keep_sorted(normalised, base.tables[file_name], file_name)
    changed = [name for name in WRITE_ORDER if table_bytes(new_tables[name]) != table_bytes(base.tables[name])]
    if not changed:
        raise NothingToSave("nothing changed")
    problems = validate_tables(
        new_tables[EVENTS.file_name], new_tables[ACTORS.file_name], new_tables[PLACES.file_name], today=today
    )
    if problems:
        raise ValidationFailed(problems, locate_problems(problems, new_tables))
    changes = [change for name in changed for change in diff_tables(base.tables[name], new_tables[name], name)]
    folder = base.data_dir
    with _exclusive_lock(folder):
        on_disk = {name: file_hash(folder / name) for name in TABLE_SPECS}
        moved = [name for name in TABLE_SPECS if on_disk[name] != base.hashes[name]]
        if moved:
            current = load_snapshot(folder)
            theirs = [c for name in moved for c in diff_tables(base.tables[name], current.tables[name], name)]
            raise ConcurrentEdit(moved, theirs, [describe_change(c) for c in theirs[:5]])
        backups, hashes = [], dict(base.hashes)
        for name in changed:
            path = folder / name
            backup = _backup_path(folder, name, now)
            write_bytes_atomically(backup, path.read_bytes())
            backups.append(backup)
            payload = table_bytes(new_tables[name])
            write_bytes_atomically(path, payload)
            hashes[name] = content_hash(payload)
        entries = _audit_entries(changes, grant, now)
        _append_audit(folder, entries)
    return SaveResult(changes, backups, entries, Snapshot(folder, new_tables, hashes))


# --------------------------------------------------------------------------- the audit log and backups


def read_audit_log(data_dir: Path, *, limit: int = 200) -> pd.DataFrame:
    """The newest `limit` audit entries, newest first, one line per entry."""
    path = Path(data_dir) / AUDIT_LOG
    columns = ["when", "who", "method", "file", "action", "key", "changed columns"]
    if not path.exists():
        return pd.DataFrame(columns=columns, dtype="string")
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines()[-limit:]:
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        rows.append({**{c: entry.get(c) for c in columns[:-1]}, "changed columns": ", ".join(entry.get("changes", {}))})
    return pd.DataFrame(rows[::-1], columns=columns, dtype="string")


def list_backups(data_dir: Path) -> list[Path]:
    """Backups of the curated files, newest first."""
    folder = Path(data_dir) / BACKUP_DIR
    return sorted(folder.glob("*.csv"), key=lambda p: p.name, reverse=True) if folder.exists() else []


# --------------------------------------------------------------------------- the table editor's round trip

EDITABLE_KINDS = {"float": "float64", "int": "Int64"}


def editor_frame(raw: pd.DataFrame, table: TableSpec = EVENTS) -> pd.DataFrame:
    """The raw table with numbers as numbers and dates as dates, for `st.data_editor`; index kept."""
    frame = raw.copy()
    for spec in table.columns:
        if spec.name not in frame:
            continue
        if spec.kind in EDITABLE_KINDS:
            frame[spec.name] = pd.to_numeric(frame[spec.name], errors="coerce").astype(EDITABLE_KINDS[spec.kind])
        elif spec.kind == "date":
            frame[spec.name] = pd.to_datetime(frame[spec.name], format="%Y-%m-%d", errors="coerce").dt.date
    return frame


def format_cell(value: object) -> str | None:
    """A typed value as the text the CSV holds: ISO dates, plain decimals, whole numbers, trimmed text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer() and abs(value) < 1e15:
            return f"{value:.1f}"
        return f"{value:.6f}".rstrip("0")
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return format_cell(value.item())
    text = str(value).strip()
    return text or None


def _same(a: object, b: object) -> bool:
    a, b = (v.item() if hasattr(v, "item") and not isinstance(v, str) else v for v in (a, b))
    a_missing = a is None or a is pd.NA or a is pd.NaT or (isinstance(a, float) and math.isnan(a))
    b_missing = b is None or b is pd.NA or b is pd.NaT or (isinstance(b, float) and math.isnan(b))
    if a_missing or b_missing:
        return a_missing and b_missing
    if isinstance(a, float | int) and isinstance(b, float | int):
        return float(a) == float(b)
    return format_cell(a) == format_cell(b)


def raw_from_editor(
    edited: pd.DataFrame, working: pd.DataFrame, shown: Iterable[int], table: TableSpec = EVENTS
) -> pd.DataFrame:
    """The full raw table after editing the rows `shown` (index labels of `working`) in the editor.

    Only cells the curator changed are re-written; every other cell keeps its exact text, so saving
    an untouched table changes nothing. Rows shown but missing from `edited` were deleted.
    """
    before = editor_frame(working, table)
    result = working.copy()
    for label in edited.index:
        if label not in result.index:
            continue
        for column in working.columns:
            if column in edited and not _same(edited.at[label, column], before.at[label, column]):
                result.at[label, column] = format_cell(edited.at[label, column])
    deleted = [label for label in shown if label not in edited.index]
    return result.drop(index=deleted)


def pending_editor_changes(state: Mapping | None) -> bool:
    """Whether a data editor's widget state holds any edit, addition or deletion."""
    if not state:
        return False
    return any(state.get(part) for part in ("edited_rows", "added_rows", "deleted_rows"))


def rebase(
    base: pd.DataFrame, mine: pd.DataFrame, theirs: pd.DataFrame, file_name: str = EVENTS.file_name
) -> tuple[pd.DataFrame, list[str]]:
    """Re-apply my changes (base → mine) onto their newer version; cells both changed stay theirs.

    Returns the merged table and a sentence per conflict, so a curator whose save was refused
    loses nothing and sees exactly what to look at again.
    """
    key_column = KEY_COLUMNS[file_name]
    merged = theirs.copy()
    position = {key: i for i, key in enumerate(merged[key_column].astype("string").fillna(""))}
    conflicts = []
    for change in diff_tables(base, mine, file_name):
        if change.action == "edited":
            if change.key not in position:
                conflicts.append(f"{change.key}: removed by the other curator; your edit was not re-applied")
                continue
            row = position[change.key]
            for column, (old, new) in change.columns.items():
                current = _cell(merged.iloc[row][column])
                if current in (old, new):
                    merged.iat[row, merged.columns.get_loc(column)] = new if new is not None else pd.NA
                else:
                    conflicts.append(
                        f"{change.key}: {column} was changed by the other curator to {current!r}; yours ({new!r}) was not applied"
                    )
        elif change.action == "removed":
            if change.key in position:
                current_row = {c: _cell(v) for c, v in merged.iloc[position[change.key]].items()}
                original = {c: old for c, (old, _) in change.columns.items()}
                if all(current_row.get(c) == original.get(c) for c in merged.columns):
                    merged = merged.drop(index=merged.index[position[change.key]])
                    position = {k: i for i, k in enumerate(merged[key_column].astype("string").fillna(""))}
                else:
                    conflicts.append(f"{change.key}: changed by the other curator, so it was not deleted")
        elif change.key in position:
            conflicts.append(f"{change.key}: the other curator added a row with this id; yours was not added")
        else:
            added = pd.DataFrame([{c: new for c, (_, new) in change.columns.items()}], columns=merged.columns)
            merged = pd.concat([merged, added.astype("string")], ignore_index=True)
            position = {k: i for i, k in enumerate(merged[key_column].astype("string").fillna(""))}
    return merged.reset_index(drop=True), conflicts


# --------------------------------------------------------------------------- building new rows


def event_row(values: Mapping[str, object]) -> pd.DataFrame:
    """One raw `events.csv` row from typed form values (dates, numbers, text)."""
    return pd.DataFrame([{c: format_cell(values.get(c)) for c in EVENTS.column_names}], dtype="string")


def append_rows(table: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """`table` with `rows` added at the end (the save puts them in date or name order)."""
    return pd.concat([table, rows.reindex(columns=table.columns).astype("string")], ignore_index=True)


def place_row(place: Place, *, geocoder: str, today: dt.date, aliases: Sequence[str] = ()) -> pd.DataFrame:
    """One raw `places.csv` row for a confirmed new place."""
    return pd.DataFrame(
        [
            {
                "place": place.place.strip(),
                "aliases": ";".join(a.strip() for a in aliases if a.strip()) or None,
                "latitude": f"{place.latitude:.5f}",
                "longitude": f"{place.longitude:.5f}",
                "geo_precision": str(place.geo_precision),
                "admin1": place.admin1 or None,
                "country": place.country,
                "geocoder": geocoder,
                "geocoded_at": today.isoformat(),
            }
        ],
        columns=PLACES.column_names,
        dtype="string",
    )


def fill_from_gazetteer(row: dict, places: pd.DataFrame) -> dict:
    """Coordinates, province, precision and country of the row's location, where the gazetteer knows it."""
    place = Gazetteer(places).lookup(str(row.get("location") or ""))
    if place is None:
        return row
    filled = dict(row)
    filled["location"] = place.place
    filled["latitude"] = place.latitude
    filled["longitude"] = place.longitude
    filled["geo_precision"] = filled.get("geo_precision") or place.geo_precision
    filled["admin1"] = filled.get("admin1") or place.admin1
    filled["country"] = filled.get("country") or place.country
    return filled


def propose_event_id(country: str | None, day: dt.date | None, taken: Iterable[str]) -> str:
    """`<ISO3>-<YYYYMMDD>-<n>` with the first free `n`; '' until country and date are known."""
    info = taxonomy.COUNTRY_BY_NAME.get(country or "")
    if info is None or day is None:
        return ""
    used = set(taken)
    n = 1
    while f"{info.iso3}-{day:%Y%m%d}-{n}" in used:
        n += 1
    return f"{info.iso3}-{day:%Y%m%d}-{n}"


# --------------------------------------------------------------------------- new places, gazetteer first

ONLINE_ENV = "TENSIONS_ONLINE_GEOCODING"
USER_AGENT_ENV = "TENSIONS_GEOCODER_USER_AGENT"
DOMAIN_ENV = "TENSIONS_GEOCODER_DOMAIN"
SCHEME_ENV = "TENSIONS_GEOCODER_SCHEME"
TIMEOUT_ENV = "TENSIONS_GEOCODER_TIMEOUT"
TRUE_WORDS = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class OnlineGeocoding:
    """Whether curators may ask Nominatim, and how; `problem` says why not when it is off."""

    lookup: PlaceLookup | None
    problem: str = ""


def online_geocoding(secrets_mapping: Mapping, environ: Mapping[str, str]) -> OnlineGeocoding:
    """Nominatim behind geopy's RateLimiter when enabled by `TENSIONS_ONLINE_GEOCODING` or secrets; else off."""
    try:
        section = secrets_mapping.get(access.SECRETS_SECTION) or {}
    except Exception:
        section = {}
    enabled = str(section.get("online_geocoding", environ.get(ONLINE_ENV, ""))).strip().casefold() in TRUE_WORDS
    if not enabled:
        return OnlineGeocoding(None, f"online geocoding is off (set {ONLINE_ENV}=1 to let curators ask Nominatim)")
    user_agent = str(section.get("geocoder_user_agent") or environ.get(USER_AGENT_ENV, ""))
    try:
        lookup = NominatimLookup(
            user_agent=user_agent,
            domain=str(section.get("geocoder_domain") or environ.get(DOMAIN_ENV) or "nominatim.openstreetmap.org"),
            scheme=str(section.get("geocoder_scheme") or environ.get(SCHEME_ENV) or "https"),
            timeout=float(section.get("geocoder_timeout") or environ.get(TIMEOUT_ENV) or 10.0),
        )
    except TensionsError as error:
        return OnlineGeocoding(None, f"online geocoding is enabled but not usable: {error} ({USER_AGENT_ENV})")
    return OnlineGeocoding(lookup)


@dataclass
class PlaceProposal:
    """What looking one name up found: a known place, a proposal to confirm, nothing, or a failure."""

    query: str
    country: str | None
    status: str  # "in gazetteer", "proposed", "not found", "failed", "offline"
    place: Place | None = None
    source: str = ""
    message: str = ""


def look_up_place(
    query: str, country: str | None, *, gazetteer: Gazetteer, online: PlaceLookup | None
) -> PlaceProposal:
    """The gazetteer first; then, only if online geocoding is on, the online lookup (never raises)."""
    known = gazetteer.lookup(query)
    if known is not None and (country is None or known.country == country):
        return PlaceProposal(
            query, country, "in gazetteer", known, "gazetteer", f"already in places.csv as {known.place!r}"
        )
    if online is None:
        return PlaceProposal(query, country, "offline", message="not in the gazetteer; enter its coordinates by hand")
    try:
        place = online.geocode(query, country=country)
    except GeocodingUnavailable as error:
        return PlaceProposal(
            query, country, "failed", message=f"{error}. The row stays editable: enter coordinates by hand or retry."
        )
    if place is None:
        return PlaceProposal(
            query, country, "not found", message=f"{online.name} found nothing; enter coordinates by hand"
        )
    if country and not _inside_country(place, country):
        return PlaceProposal(
            query,
            country,
            "not found",
            message=f"{online.name} answered a place outside {country}; enter coordinates by hand",
        )
    return PlaceProposal(query, country, "proposed", place, online.name, "check the coordinates, then confirm")


def _inside_country(place: Place, country: str) -> bool:
    info = taxonomy.COUNTRY_BY_NAME.get(country)
    if info is None:
        return True
    min_lon, min_lat, max_lon, max_lat = info.bbox
    return min_lat <= place.latitude <= max_lat and min_lon <= place.longitude <= max_lon


def look_up_places(
    queries: Sequence[tuple[str, str | None]],
    *,
    gazetteer: Gazetteer,
    online: PlaceLookup | None,
    should_stop: Callable[[], bool] = lambda: False,
) -> Iterator[PlaceProposal]:
    """Look each (name, country) up in turn, yielding as it goes so a page can show progress and stop."""
    for query, country in queries:
        if should_stop():
            return
        yield look_up_place(query, country, gazetteer=gazetteer, online=online)


def parse_place_queries(text: str) -> list[tuple[str, str | None]]:
    """Lines of 'name' or 'name, country' (country as in the taxonomy), blank lines ignored, duplicates once."""
    queries: list[tuple[str, str | None]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, _, country = line.rpartition(",") if "," in line else (line, "", "")
        country = country.strip()
        if country and country not in taxonomy.COUNTRY_BY_NAME:
            name, country = line, ""
        query = (" ".join(name.split()), country or None)
        if query[0] and query not in queries:
            queries.append(query)
    return queries


# In the order the Curate page shows them: the lookup's status beside the place it is about.
PLACE_REVIEW_COLUMNS = [
    "add",
    "place",
    "status",
    "country",
    "latitude",
    "longitude",
    "geo_precision",
    "admin1",
    "aliases",
    "message",
]


def place_review_frame(proposals: Sequence[PlaceProposal]) -> pd.DataFrame:
    """Lookup results as a table a curator edits and ticks; failed or offline rows stay editable, blank."""
    rows = []
    for proposal in proposals:
        place = proposal.place if proposal.status in ("proposed", "in gazetteer") else None
        rows.append(
            {
                "add": False,
                "place": place.place if proposal.status == "in gazetteer" and place else proposal.query,
                "country": (place.country if place else None) or proposal.country,
                "latitude": place.latitude if place else math.nan,
                "longitude": place.longitude if place else math.nan,
                "geo_precision": place.geo_precision if place else pd.NA,
                "admin1": place.admin1 if place else None,
                "aliases": None,
                "status": proposal.status,
                "message": proposal.message,
            }
        )
    frame = pd.DataFrame(rows, columns=PLACE_REVIEW_COLUMNS)
    frame["add"] = frame["add"].astype(bool)
    frame["latitude"] = frame["latitude"].astype("float64")
    frame["longitude"] = frame["longitude"].astype("float64")
    frame["geo_precision"] = frame["geo_precision"].astype("Int64")
    for column in ("place", "country", "admin1", "aliases", "status", "message"):
        frame[column] = frame[column].astype("string")
    return frame


def place_rows_from_review(review: pd.DataFrame, proposals: Sequence[PlaceProposal], *, today: dt.date) -> pd.DataFrame:
    """Raw `places.csv` rows for the ticked places; the geocoder is the online source only if its answer was kept."""
    rows = []
    for label, row in review[review["add"].fillna(False).astype(bool)].iterrows():
        proposal = proposals[label] if isinstance(label, int) and 0 <= label < len(proposals) else None
        latitude, longitude = row.get("latitude"), row.get("longitude")
        kept_answer = (
            proposal is not None
            and proposal.status == "proposed"
            and proposal.place is not None
            and _same(latitude, proposal.place.latitude)
            and _same(longitude, proposal.place.longitude)
        )
        frame = pd.DataFrame(
            [
                {
                    "place": format_cell(row.get("place")),
                    "aliases": format_cell(row.get("aliases")),
                    "latitude": None if pd.isna(latitude) else f"{float(latitude):.5f}",
                    "longitude": None if pd.isna(longitude) else f"{float(longitude):.5f}",
                    "geo_precision": format_cell(row.get("geo_precision")),
                    "admin1": format_cell(row.get("admin1")),
                    "country": format_cell(row.get("country")),
                    "geocoder": proposal.source if kept_answer and proposal else "manual",
                    "geocoded_at": today.isoformat(),
                }
            ],
            columns=PLACES.column_names,
            dtype="string",
        )
        rows.append(frame)
    if not rows:
        return pd.DataFrame(columns=PLACES.column_names, dtype="string")
    return pd.concat(rows, ignore_index=True)
