"""What a sync brought, as a reader wants it: the new events, how the tension index moved, and which watch-list
thresholds were crossed.

`index_movement` gives, per country, the index over the 4 weeks to `as_of` without and with the events a sync
added or revised. A watch list (`watchlist.toml` in the data folder: countries, actors, and thresholds on new
events and on the index's movement) turns that into alerts; `build_digest` puts it all together for the
Overview and for `python -m tensions sync`, which can post it (`tensions.export.notify`).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from tensions.analysis import tension
from tensions.errors import InvalidDataError
from tensions.ingest.imported import combine_events, dataset_title, imported_datasets
from tensions.ingest.sync import events_changed_since
from tensions.ingest.sync.state import SourceState, SyncReport
from tensions.store.select import imported_in_memory, load_curated, sync_store

WATCHLIST_FILE = "watchlist.toml"
WINDOW_DAYS = 28
MOVEMENT_COLUMNS = ["country", "new_events", "without", "with", "change"]
# The columns that show a synced event where it came from and what it was (Overview, Curate's review queue).
SYNCED_EVENT_COLUMNS = [
    "event_date",
    "dataset",
    "original_id",
    "country",
    "location",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "fatalities",
    "source",
    "source_url",
]
SYNC_TABLE_COLUMNS = ["live source", "last synced", "added", "revised", "removed", "rejected", "stored", "last run"]


@dataclass(frozen=True)
class WatchList:
    """Countries and actors to watch, and the thresholds a sync must cross to be reported.

    `new_events`: at least this many new events in a watched country, or naming a watched actor;
    `index_change`: the country's 4-week index moved by at least this many points (either way).
    """

    countries: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    new_events: int = 1
    index_change: float = 5.0

    @classmethod
    def from_mapping(cls, values: dict) -> WatchList:
        """From the TOML table (or a `[watchlist]` secrets section); wrong types are refused by name."""
        problems = []
        countries, actors = values.get("countries", []), values.get("actors", [])
        for name, items in (("countries", countries), ("actors", actors)):
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                problems.append(f"{WATCHLIST_FILE}: {name} must be a list of names")
        new_events, index_change = values.get("new_events", 1), values.get("index_change", 5.0)
        if not isinstance(new_events, int) or isinstance(new_events, bool) or new_events < 1:
            problems.append(f"{WATCHLIST_FILE}: new_events must be a whole number of at least 1")
        if not isinstance(index_change, int | float) or isinstance(index_change, bool) or index_change <= 0:
            problems.append(f"{WATCHLIST_FILE}: index_change must be a positive number")
        if problems:
            raise InvalidDataError(problems)
        return cls(tuple(countries), tuple(actors), new_events, float(index_change))


def read_watchlist(data_dir: Path) -> WatchList | None:
    """The watch list in `data_dir/watchlist.toml`; None when there is none."""
    path = Path(data_dir) / WATCHLIST_FILE
    if not path.exists():
        return None
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InvalidDataError([f"{WATCHLIST_FILE}: {error}"]) from error
    return WatchList.from_mapping(values)


def index_movement(
    events: pd.DataFrame, new_events: pd.DataFrame | None, actors: pd.DataFrame, *, as_of: dt.date
) -> pd.DataFrame:
    """Per country with new events: their number, and the index over the 4 weeks to `as_of` without and with
    them (`events` may or may not hold them already), biggest change first."""
    if new_events is None or new_events.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in MOVEMENT_COLUMNS}).astype({"country": "string"})
    last = pd.Timestamp(as_of)
    first = last - pd.Timedelta(days=WINDOW_DAYS - 1)

    def window_sums(frame: pd.DataFrame) -> pd.Series:
        """Index points per country from `frame`'s events in the window (only those rows are scored)."""
        inside = frame[((frame["event_date"] >= first) & (frame["event_date"] <= last)).to_numpy()]
        if inside.empty:
            return pd.Series(dtype="float64")
        return tension.event_scores(inside, actors)["score"].groupby(inside["country"].astype(str)).sum()

    new_ids = new_events["event_id"].astype(str).unique()
    # "With" is the rest plus the new events: the two sets are disjoint, so their sums add.
    before = window_sums(events[~events["event_id"].astype(str).isin(new_ids).to_numpy()])
    after = before.add(window_sums(new_events), fill_value=0.0)
    counts = new_events["country"].astype(str).value_counts()
    table = pd.DataFrame({"country": counts.index.astype("string"), "new_events": counts.to_numpy()})
    table["without"] = table["country"].map(before).astype("float64").fillna(0.0).round(1)
    table["with"] = table["country"].map(after).astype("float64").fillna(0.0).round(1)
    table["change"] = (table["with"] - table["without"]).round(1)
    order = table["change"].abs().sort_values(ascending=False, kind="stable").index
    return table.loc[order, MOVEMENT_COLUMNS].reset_index(drop=True)


def watch_alerts(watch: WatchList, new_events: pd.DataFrame | None, movement: pd.DataFrame) -> list[str]:
    """One sentence per threshold the new events cross for a watched country or actor."""
    if new_events is None or new_events.empty:
        return []
    alerts = []
    countries = new_events["country"].astype(str)
    for country in watch.countries:
        count = int((countries == country).sum())
        if count >= watch.new_events:
            alerts.append(f"{count:,} new event(s) in {country} (threshold {watch.new_events:,})")
        moved = movement[movement["country"] == country]
        if len(moved) and abs(float(moved["change"].iloc[0])) >= watch.index_change:
            change = float(moved["change"].iloc[0])
            alerts.append(
                f"the 4-week index of {country} moved {change:+.1f} points (threshold {watch.index_change:g})"
            )
    for actor in watch.actors:
        named = (new_events["actor1"].astype(str) == actor) | (new_events["actor2"].astype(str) == actor)
        count = int(named.sum())
        if count >= watch.new_events:
            alerts.append(f"{count:,} new event(s) name {actor} (threshold {watch.new_events:,})")
    return alerts


@dataclass
class Digest:
    """What the last syncs brought: their one-line reports, the new events, the index's movement, the alerts."""

    runs: list[str]
    new_events: int
    movement: pd.DataFrame
    alerts: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "runs": self.runs,
            "new_events": self.new_events,
            "index_movement": self.movement.astype(object).where(self.movement.notna(), None).to_dict("records"),
            "alerts": self.alerts,
        }

    def to_text(self) -> str:
        lines = ["Watch list alerts:", *(f"- {a}" for a in self.alerts), "", "Syncs:", *(f"- {r}" for r in self.runs)]
        lines += ["", f"{self.new_events:,} new or revised events."]
        for row in self.movement.to_dict("records"):
            lines.append(
                f"- {row['country']}: {row['new_events']:,} new; index {row['without']:.1f} -> {row['with']:.1f}"
            )
        return "\n".join(lines)


def build_digest(
    reports: list[SyncReport],
    events: pd.DataFrame,
    new_events: pd.DataFrame | None,
    actors: pd.DataFrame,
    watch: WatchList | None,
    *,
    as_of: dt.date,
) -> Digest:
    """The digest of `reports`, given every event known (`events`) and those they added or revised."""
    movement = index_movement(events, new_events, actors, as_of=as_of)
    alerts = watch_alerts(watch, new_events, movement) if watch is not None else []
    count = 0 if new_events is None else len(new_events)
    return Digest([r.summary() for r in reports], count, movement, alerts)


def digest_of_last_syncs(data_dir: Path, reports: list[SyncReport]) -> Digest:
    """The digest of `reports` over the store in use: the curated events plus the imported or synced datasets
    held in memory (none when the database is the store: then the curated ones), the events each source's last
    successful run added or revised, and the watch list in the data folder."""
    dataset = load_curated(Path(data_dir))
    extra = imported_in_memory(Path(data_dir), imported_datasets(Path(data_dir)))
    events = combine_events([dataset.events, extra]) if extra is not None else dataset.events
    new_events = events_changed_since(Path(data_dir), store=sync_store(Path(data_dir)))
    # The newest event known, the new ones included: with the database as the store they are not in `events`.
    latest = [frame["event_date"].max() for frame in (events, new_events) if frame is not None and len(frame)]
    as_of = max(latest).date() if latest else dt.date.today()
    return build_digest(reports, events, new_events, dataset.actors, read_watchlist(data_dir), as_of=as_of)


def last_sync_table(states: dict[str, SourceState]) -> pd.DataFrame:
    """One row per source: when it last synced, what that run added, revised and removed, and a failed run's
    error (a source that never synced says so)."""
    rows = []
    for name, state in states.items():
        run, success = state.last_run, state.last_success
        rows.append(
            {
                "live source": dataset_title(name),
                "last synced": _when(success.started_at) if success else "never",
                "added": success.added if success else None,
                "revised": success.revised if success else None,
                "removed": success.deleted if success else None,
                "rejected": success.rejected if success else None,
                "stored": success.stored if success else None,
                "last run": "" if run is None else "ok" if run.ok else f"failed {_when(run.started_at)}: {run.error}",
            }
        )
    frame = pd.DataFrame(rows, columns=SYNC_TABLE_COLUMNS)
    counts = ["added", "revised", "removed", "rejected", "stored"]
    return frame.astype({c: "Int64" for c in counts} | {c: "string" for c in frame.columns if c not in counts})


def _when(stamp: str) -> str:
    return pd.Timestamp(stamp).tz_convert("UTC").strftime("%Y-%m-%d %H:%M UTC")
