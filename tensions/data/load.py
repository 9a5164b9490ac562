"""Loading the curated tables into typed DataFrames, refusing invalid data with every problem named."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tensions.data import taxonomy
from tensions.data.actors import family_by_actor
from tensions.data.paths import data_dir as default_data_dir
from tensions.data.schema import ACTORS, EVENTS, PLACES, to_typed
from tensions.data.validate import read_tables, validate_tables
from tensions.errors import InvalidDataError

CURATED_DATASET = "curated"


@dataclass(frozen=True)
class Dataset:
    """The curated tables, typed, with the columns every page derives from them."""

    events: pd.DataFrame
    actors: pd.DataFrame
    places: pd.DataFrame

    @property
    def data_as_of(self) -> dt.date | None:
        """The newest report date behind the events: what the data can speak for."""
        if self.events.empty:
            return None
        return self.events["source_date"].max().date()


def add_derived_columns(events: pd.DataFrame, actors: pd.DataFrame) -> pd.DataFrame:
    """Theatre, escalation direction, actor families and dataset, derived from the taxonomy and actors."""
    families = family_by_actor(actors)
    derived = events.assign(
        theatre=pd.Categorical(
            events["theatre"]
            .astype("string")
            .fillna(events["country"].astype("string").map(taxonomy.THEATRE_BY_COUNTRY)),
            categories=list(taxonomy.THEATRES),
        ),
        escalation=events["sub_event_type"].astype("string").map(taxonomy.ESCALATION_BY_SUB_EVENT_TYPE).astype("Int64"),
        actor1_family=pd.Categorical(events["actor1"].map(families), categories=list(taxonomy.ACTOR_FAMILIES)),
        actor2_family=pd.Categorical(events["actor2"].map(families), categories=list(taxonomy.ACTOR_FAMILIES)),
    )
    if "dataset" not in derived:
        derived["dataset"] = CURATED_DATASET
    derived["dataset"] = derived["dataset"].astype("category")
    return derived


def load_dataset(data_dir: Path | None = None, *, today: dt.date | None = None) -> Dataset:
    """Read and validate `events.csv`, `actors.csv` and `places.csv`; raise `InvalidDataError` on any problem."""
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    tables, problems = read_tables(folder)
    if problems:
        raise InvalidDataError(problems)
    return dataset_from_raw(tables, today=today)


def dataset_from_raw(tables: Mapping[str, pd.DataFrame], *, today: dt.date | None = None) -> Dataset:
    """Validate the raw text tables (by file name, as the files or the database give them) and type them."""
    raw_events, raw_actors, raw_places = (tables[t.file_name] for t in (EVENTS, ACTORS, PLACES))
    problems = validate_tables(raw_events, raw_actors, raw_places, today=today)
    if problems:
        raise InvalidDataError(problems)
    actors = to_typed(raw_actors, ACTORS)
    events = add_derived_columns(to_typed(raw_events, EVENTS), actors)
    return Dataset(
        events=events.sort_values(["event_date", "event_id"], ignore_index=True),
        actors=actors,
        places=to_typed(raw_places, PLACES),
    )
