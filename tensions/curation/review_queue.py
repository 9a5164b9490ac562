"""The review queue: synced events in the region that no curated event covers, for a curator to promote or dismiss.

A synced event is covered when a curated event of the same kind (`event_type`) happened the same or an
adjacent day within `MATCH_KM` of it. Promoting one turns it into a draft curated row (its dataset, id and
link kept as the source) that goes through the ordinary save; promoting or dismissing it is remembered in
`review.csv` beside the sync state (git-ignored, like every synced row) and written to the audit log. When the
database is the store, the decisions and their audit rows are written there together, and only the synced
events in the region that no one decided on are read from it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from tensions.analysis.digest import SYNCED_EVENT_COLUMNS
from tensions.curation.history import AUDIT_LOG
from tensions.curation.new_rows import event_row, propose_event_id
from tensions.data import guard, taxonomy
from tensions.data.schema import EVENTS
from tensions.ingest.imported import combine_events, dataset_title
from tensions.ingest.sync import SOURCES
from tensions.ingest.sync.state import sync_dir
from tensions.ingest.sync.store import read_synced
from tensions.store import review
from tensions.store.config import database_url
from tensions.store.synced import undecided_events

MATCH_KM = 50.0
MATCH_DAYS = 1
DECISIONS_FILE = "review.csv"
DECISIONS_TABLE = review.TABLE.name  # the audit log's `file` for a decision in the database
DECISION_COLUMNS = ["event_id", "decision", "curated_event_id", "who", "decided_at"]
DECISIONS = ("promoted", "dismissed")
QUEUE_COLUMNS = ["event_id", *SYNCED_EVENT_COLUMNS]
EARTH_RADIUS_KM = 6371.0


def decisions_path(data_dir: Path) -> Path:
    return sync_dir(Path(data_dir)) / DECISIONS_FILE


def read_decisions(data_dir: Path) -> pd.DataFrame:
    """Every promotion and dismissal so far (one row per synced event: the latest decision)."""
    url = database_url()
    if url is not None:
        return review.read_decisions(url)
    path = decisions_path(data_dir)
    if not path.exists():
        return pd.DataFrame(columns=DECISION_COLUMNS, dtype="string")
    return pd.read_csv(path, dtype="string", keep_default_na=False).replace("", pd.NA)


def distance_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance (haversine), in km."""
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(a, dtype="float64")) for a in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def covered(synced: pd.DataFrame, curated: pd.DataFrame, *, km: float = MATCH_KM, days: int = MATCH_DAYS) -> pd.Series:
    """For each synced event, whether a curated event of the same kind lies within `days` and `km` of it."""
    keys = ["day", "event_type"]
    left = pd.DataFrame(
        {
            "row": np.arange(len(synced)),
            "day": pd.to_datetime(synced["event_date"]).dt.normalize().to_numpy(),
            "event_type": synced["event_type"].astype("string").to_numpy(),
            "lat": pd.to_numeric(synced["latitude"], errors="coerce").to_numpy(dtype="float64"),
            "lon": pd.to_numeric(synced["longitude"], errors="coerce").to_numpy(dtype="float64"),
        }
    )
    base = pd.DataFrame(
        {
            "day": pd.to_datetime(curated["event_date"]).dt.normalize().to_numpy(),
            "event_type": curated["event_type"].astype("string").to_numpy(),
            "clat": pd.to_numeric(curated["latitude"], errors="coerce").to_numpy(dtype="float64"),
            "clon": pd.to_numeric(curated["longitude"], errors="coerce").to_numpy(dtype="float64"),
        }
    )
    shifted = pd.concat([base.assign(day=base["day"] + pd.Timedelta(days=d)) for d in range(-days, days + 1)])
    pairs = left.merge(shifted, on=keys, how="inner")
    near = distance_km(pairs["lat"], pairs["lon"], pairs["clat"], pairs["clon"]) <= km
    hit = np.zeros(len(synced), dtype=bool)
    hit[pairs.loc[near, "row"].to_numpy()] = True
    return pd.Series(hit, index=synced.index)


def review_queue(synced: pd.DataFrame | None, curated: pd.DataFrame, decisions: pd.DataFrame) -> pd.DataFrame:
    """The synced events in the region that no curated event covers and no curator decided on, newest first
    (every column: `QUEUE_COLUMNS` are the ones to list)."""
    if synced is None or synced.empty:
        return pd.DataFrame(columns=QUEUE_COLUMNS)
    in_region = synced["country"].isin(list(taxonomy.COUNTRY_BY_NAME)).to_numpy(dtype=bool, na_value=False)
    decided = list(decisions["event_id"].dropna())
    undecided = ~synced["event_id"].isin(decided).to_numpy(dtype=bool, na_value=False)
    # Only the columns the match needs are sliced, and the rows taken once at the end: a queue of 100,000
    # synced events is built on every rerun of the Curate page.
    candidates = np.flatnonzero(in_region & undecided)
    matched = covered(synced[["event_date", "event_type", "latitude", "longitude"]].iloc[candidates], curated)
    waiting = candidates[~matched.to_numpy()]
    days = pd.to_datetime(synced["event_date"]).to_numpy()[waiting]
    newest_first = waiting[np.argsort(-days.astype("datetime64[s]").astype("int64"), kind="stable")]
    return synced.take(newest_first).reset_index(drop=True)


def synced_events(data_dir: Path) -> pd.DataFrame | None:
    """Every source's synced events (not uploaded files) as one frame; None before the first sync."""
    frames = [events for name in SOURCES if (events := read_synced(Path(data_dir), name)[0]) is not None]
    return combine_events(frames) if frames else None


def pending(data_dir: Path, curated: pd.DataFrame) -> pd.DataFrame:
    """The review queue of the store in use: its synced events against `curated` and the decisions so far (from
    the database, only the undecided events in the region are read)."""
    url = database_url()
    if url is None:
        return review_queue(synced_events(data_dir), curated, read_decisions(data_dir))
    undecided = undecided_events(url, list(SOURCES), list(taxonomy.COUNTRY_BY_NAME))
    return review_queue(undecided, curated, pd.DataFrame(columns=DECISION_COLUMNS, dtype="string"))


def draft_event(synced_event: pd.Series, *, taken_ids: Iterable[str]) -> pd.DataFrame:
    """A raw `events.csv` row pre-filled from a synced event: its dataset, id and link kept as the source."""
    values = {c: synced_event.get(c) for c in EVENTS.column_names}
    values = {c: (None if _missing(v) else v) for c, v in values.items()}
    dataset = str(synced_event.get("dataset") or "")
    original = str(synced_event.get("original_id") or "")
    country = taxonomy.COUNTRY_BY_NAME.get(str(values.get("country") or ""))
    day = pd.Timestamp(values["event_date"]).date() if values.get("event_date") is not None else None
    values["event_id"] = propose_event_id(values.get("country"), day, taken_ids) or None
    values["theatre"] = values.get("theatre") if country is not None and country.is_sea else None
    values["source"] = values.get("source") or dataset_title(dataset)
    values["source_title"] = f"[{dataset_title(dataset)} event {original}]"
    values["source_date"] = values.get("source_date") or values.get("event_date")
    tags = [t for t in str(values.get("tags") or "").split(";") if t]
    values["tags"] = ";".join(dict.fromkeys([*tags, f"from-{dataset}"]))
    return event_row(values)


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value))


def record_decision(
    data_dir: Path,
    synced_event_id: str,
    decision: str,
    *,
    grant: object,
    curated_event_id: str | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Remember a promotion or dismissal (`review.csv`, or the database's `review_decisions`) and write it to
    the audit log."""
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {', '.join(DECISIONS)}")
    who = guard.authorise(grant, f"recording a {decision} review").who
    now = now or dt.datetime.now(dt.UTC)
    when = now.isoformat(timespec="seconds")
    url = database_url()
    entry = {
        "when": when,
        "who": who,
        "method": getattr(grant, "method", ""),
        "file": f"{sync_dir(Path('.')).as_posix()}/{DECISIONS_FILE}" if url is None else DECISIONS_TABLE,
        "action": f"review {decision}",
        "key": synced_event_id,
        "changes": {"curated_event_id": {"old": None, "new": curated_event_id}} if curated_event_id else {},
    }
    if url is not None:
        row = {"event_id": synced_event_id, "decision": decision, "curated_event_id": curated_event_id, "who": who}
        review.record_decision(url, row, entry, grant=grant, now=now)
        return
    folder = guard.make_folder(grant, sync_dir(Path(data_dir)))
    decisions = read_decisions(data_dir)
    decisions = decisions[decisions["event_id"] != synced_event_id]
    row = pd.DataFrame(
        [[synced_event_id, decision, curated_event_id, who, when]], columns=DECISION_COLUMNS, dtype="string"
    )
    guard.write_csv(grant, pd.concat([decisions, row], ignore_index=True), folder / DECISIONS_FILE)
    guard.append_lines(grant, Path(data_dir) / AUDIT_LOG, [json.dumps(entry, ensure_ascii=False, sort_keys=True)])
