"""Validation of the curated tables: every problem located as file, row and column.

Column rules come from `schema.py` (run by pandera over the raw text, so nothing is coerced
silently); the rules that relate columns, rows and tables are here.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from tensions.data import taxonomy
from tensions.data.gazetteer import normalise_name
from tensions.data.publishers import url_problem
from tensions.data.schema import ACTORS, EVENTS, PLACES, TREND_OVERRIDES, TableSpec, pandera_schema, split_list
from tensions.errors import Problem

HEADER_ROW = 1


def line_of(index_label: object) -> int:
    """The file line of a data row: the header is line 1, the first row line 2."""
    return int(index_label) + 2


def read_raw_table(path: Path) -> pd.DataFrame:
    """Read a CSV with every cell as text (empty cells missing) so validation sees what was written."""
    frame = pd.read_csv(
        path,
        dtype="string",
        keep_default_na=False,
        na_values=[""],
        encoding="utf-8-sig",
        quoting=csv.QUOTE_MINIMAL,
    )
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def check_table(raw: pd.DataFrame, table: TableSpec) -> list[Problem]:
    """Every column rule of `table` broken by `raw`."""
    try:
        pandera_schema(table).validate(raw, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return _problems_from_failure_cases(errors.failure_cases, table.file_name)
    return []


def _problems_from_failure_cases(cases: pd.DataFrame, file_name: str) -> list[Problem]:
    problems = []
    for case in cases.itertuples(index=False):
        column = str(case.column) if case.column is not None else ""
        if case.index is None or pd.isna(case.index):
            if case.check == "column_in_dataframe":
                problems.append(Problem(file_name, HEADER_ROW, str(case.failure_case), "required column is missing"))
            continue
        check = str(case.check)
        if check == "not_nullable":
            message = "is empty but required"
        elif check == "field_uniqueness":
            message = f"duplicate value {case.failure_case!r}"
        else:
            message = f"{case.failure_case!r} {check}"
        problems.append(Problem(file_name, line_of(case.index), column, message))
    return problems


def check_events_against_taxonomy(events: pd.DataFrame, today: dt.date) -> list[Problem]:
    """Sub-types belong to their type; coordinates lie in the country; no future dates; key events have labels."""
    # Whole-column parsing, not a row loop: this runs on every save from the Curate page.
    file_name = EVENTS.file_name
    lines = events.index.to_series().map(line_of)
    column = lambda name: events[name] if name in events else pd.Series(pd.NA, index=events.index, dtype="string")  # noqa: E731
    problems = _coordinate_problems(events, file_name)

    sub_types = column("sub_event_type").astype("string")
    expected_type = sub_types.map({s.name: s.event_type for s in taxonomy.SUB_EVENT_TYPES})
    wrong_type = expected_type.notna() & (column("event_type").astype("string") != expected_type).fillna(True)
    problems += [
        Problem(file_name, lines[i], "sub_event_type", f"{sub_types[i]!r} belongs to {expected_type[i]!r}, not {column('event_type')[i]!r}")
        for i in events.index[wrong_type]
    ]  # fmt: skip

    out_of_region = column("country").astype("string").map({c.name: not c.in_region for c in taxonomy.COUNTRIES})
    needs_theatre = out_of_region.fillna(False).astype(bool) & column("theatre").isna()
    problems += [
        Problem(file_name, lines[i], "theatre", f"an event in {column('country')[i]} needs the theatre it belongs to")
        for i in events.index[needs_theatre]
    ]

    dates = {name: _parse_dates(column(name)) for name in ("event_date", "source_date")}
    for name, parsed in dates.items():
        problems += [
            Problem(file_name, lines[i], name, f"{parsed[i].date().isoformat()} is in the future")
            for i in events.index[(parsed > pd.Timestamp(today)).fillna(False)]
        ]
    predates = (dates["source_date"] < dates["event_date"]).fillna(False) & (column("time_precision") == "day").fillna(
        False
    )
    problems += [
        Problem(file_name, lines[i], "source_date", "the report predates the event") for i in events.index[predates]
    ]

    is_key = column("tags").map(lambda tags: "key" in split_list(tags))
    labels = column("label").astype("string").str.strip()
    has_label = labels.notna() & (labels != "")
    problems += [
        Problem(file_name, lines[i], "label", "a `key` event needs a label") for i in events.index[is_key & ~has_label]
    ]
    problems += [
        Problem(file_name, lines[i], "label", "only `key` events carry a label")
        for i in events.index[has_label & ~is_key]
    ]
    long_labels = has_label & (column("label").astype("string").str.len() > 32).fillna(False)
    problems += [
        Problem(file_name, lines[i], "label", f"longer than 32 characters ({len(column('label')[i])})")
        for i in events.index[long_labels]
    ]
    return problems


def _coordinate_problems(table: pd.DataFrame, file_name: str) -> list[Problem]:
    """Rows whose coordinates lie outside their country's bounding box."""
    if not {"latitude", "longitude", "country"} <= set(table.columns):
        return []
    latitude = pd.to_numeric(table["latitude"], errors="coerce")
    longitude = pd.to_numeric(table["longitude"], errors="coerce")
    countries = table["country"].astype("string")
    bounds = pd.DataFrame(
        countries.map({c.name: c.bbox for c in taxonomy.COUNTRIES}).dropna().tolist(),
        index=countries.index[countries.map({c.name: True for c in taxonomy.COUNTRIES}).fillna(False).astype(bool)],
        columns=["min_lon", "min_lat", "max_lon", "max_lat"],
    ).reindex(table.index)
    inside = latitude.between(bounds["min_lat"], bounds["max_lat"]) & longitude.between(
        bounds["min_lon"], bounds["max_lon"]
    )
    outside = latitude.notna() & longitude.notna() & bounds["min_lat"].notna() & ~inside
    return [
        Problem(file_name, line_of(i), "latitude", f"({latitude[i]}, {longitude[i]}) lies outside {countries[i]}")
        for i in table.index[outside]
    ]


def _parse_dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")


def check_references(events: pd.DataFrame, actors: pd.DataFrame, places: pd.DataFrame) -> list[Problem]:
    """Every actor and place an event names exists; actors' parents exist and form no cycle."""
    problems = []
    actor_names = set(actors["actor"].dropna()) if "actor" in actors else set()
    place_names = set(places["place"].dropna()) if "place" in places else set()
    for index, row in events.iterrows():
        for column in ("actor1", "actor2"):
            name = row.get(column)
            if isinstance(name, str) and name not in actor_names:
                problems.append(
                    Problem(EVENTS.file_name, line_of(index), column, f"unknown actor {name!r} (add it to actors.csv)")
                )
        location = row.get("location")
        if isinstance(location, str) and location not in place_names:
            problems.append(
                Problem(
                    EVENTS.file_name, line_of(index), "location", f"unknown place {location!r} (add it to places.csv)"
                )
            )
    if "parent" in actors:
        parents = dict(zip(actors["actor"], actors["parent"], strict=True))
        for index, row in actors.iterrows():
            parent = row.get("parent")
            if isinstance(parent, str) and parent not in actor_names:
                problems.append(Problem(ACTORS.file_name, line_of(index), "parent", f"unknown actor {parent!r}"))
            elif _has_cycle(row.get("actor"), parents):
                problems.append(
                    Problem(
                        ACTORS.file_name, line_of(index), "parent", "the affiliation chain loops back to this actor"
                    )
                )
    return problems


def _has_cycle(start: object, parents: dict) -> bool:
    seen = {start}
    current = parents.get(start)
    while isinstance(current, str):
        if current in seen:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def check_aliases(table: pd.DataFrame, table_spec: TableSpec, name_column: str) -> list[Problem]:
    """An alias (normalised) must lead to one entry only, or lookups would be ambiguous."""
    owner: dict[str, str] = {}
    problems = []
    for index, row in table.iterrows():
        name = row.get(name_column)
        if not isinstance(name, str):
            continue
        for alias in [name, *split_list(row.get("aliases"))]:
            key = normalise_name(alias)
            if key in owner and owner[key] != name:
                problems.append(
                    Problem(table_spec.file_name, line_of(index), "aliases", f"{alias!r} also names {owner[key]!r}")
                )
            owner.setdefault(key, name)
    return problems


def check_places(places: pd.DataFrame) -> list[Problem]:
    return _coordinate_problems(places, PLACES.file_name)


def check_near_duplicates(events: pd.DataFrame) -> list[Problem]:
    """Flag rows with the same date, place, actors and sub-type as an earlier row."""
    key_columns = ["event_date", "location", "actor1", "actor2", "sub_event_type"]
    if not set(key_columns) <= set(events.columns):
        return []
    keys = events[key_columns].fillna("")
    first_line: dict[tuple, int] = {}
    problems = []
    for index, key in zip(events.index, keys.itertuples(index=False, name=None), strict=True):
        if key in first_line:
            problems.append(
                Problem(
                    EVENTS.file_name,
                    line_of(index),
                    "event_id",
                    f"possible duplicate of line {first_line[key]} (same date, place, actors and sub-type)",
                )
            )
        else:
            first_line[key] = line_of(index)
    return problems


def check_sources(events: pd.DataFrame) -> list[Problem]:
    """Every `source_url` is a page on the row's publisher's own site (tensions/data/publishers.py)."""
    if "source_url" not in events:
        return []
    problems = []
    sources = events["source"] if "source" in events else pd.Series("", index=events.index)
    for index, url in events["source_url"].dropna().items():
        reason = url_problem(str(sources.get(index) or ""), str(url))
        if reason:
            problems.append(Problem(EVENTS.file_name, line_of(index), "source_url", reason))
    return problems


# Words that report deaths, and the ways notes may say why `fatalities` is empty all the same. "The killing
# of X" names another event (what a strike answered), so it does not count.
DEATH_WORDS = re.compile(r"\b(?:killed|killing(?!s? of\b)|dead|died|deaths?|assassinated|eliminated|slain)\b", re.I)
EMPTY_TOLL_REASONS = re.compile(
    r"toll not reported|toll disputed|counted in [A-Z]{3}-\d{8}-\d+[a-z]|no deaths|no casualties|without casualties",
    re.I,
)


def check_reported_deaths(events: pd.DataFrame) -> list[Problem]:
    """Violent events whose notes report deaths carry the figure, or notes that say why it is empty."""
    needed = {"event_type", "sub_event_type", "notes", "fatalities"}
    if not needed <= set(events.columns):
        return []
    violent = events["event_type"].isin(taxonomy.VIOLENT_EVENT_TYPES) | events["sub_event_type"].isin(
        taxonomy.VIOLENT_SUB_EVENT_TYPES
    )
    notes = events["notes"].fillna("")
    missing = (
        violent
        & events["fatalities"].isna()
        & notes.str.contains(DEATH_WORDS)
        & ~notes.str.contains(EMPTY_TOLL_REASONS)
    )
    return [
        Problem(
            EVENTS.file_name,
            line_of(index),
            "fatalities",
            'notes report deaths but the figure is empty: give the reported toll, or say why in notes ("toll not reported")',
        )
        for index in events.index[missing]
    ]


def validate_tables(
    events: pd.DataFrame,
    actors: pd.DataFrame,
    places: pd.DataFrame,
    *,
    today: dt.date | None = None,
) -> list[Problem]:
    """Every problem in the three raw tables, sorted by file, row and column."""
    today = today or dt.date.today()
    problems = check_table(events, EVENTS) + check_table(actors, ACTORS) + check_table(places, PLACES)
    problems += check_events_against_taxonomy(events, today)
    problems += check_references(events, actors, places)
    problems += check_aliases(actors, ACTORS, "actor") + check_aliases(places, PLACES, "place")
    problems += check_places(places)
    problems += check_near_duplicates(events)
    problems += check_sources(events) + check_reported_deaths(events)
    return sorted(set(problems))


def check_trend_overrides(overrides: pd.DataFrame) -> list[Problem]:
    """Column rules of `trend_overrides.csv`, and at most one judgement per country and month."""
    problems = check_table(overrides, TREND_OVERRIDES)
    if {"country", "month"} <= set(overrides.columns):
        keys = overrides[["country", "month"]].fillna("")
        for index in keys.index[keys.duplicated()]:
            country, month = keys.loc[index]
            problems.append(
                Problem(TREND_OVERRIDES.file_name, line_of(index), "month", f"a second override for {country} {month}")
            )
    return sorted(set(problems))


def validate_trend_overrides(data_dir: Path) -> list[Problem]:
    """Every problem in `data_dir`'s optional `trend_overrides.csv` (none when the file is absent)."""
    path = Path(data_dir) / TREND_OVERRIDES.file_name
    if not path.exists():
        return []
    try:
        return check_trend_overrides(read_raw_table(path))
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as error:
        return [Problem(TREND_OVERRIDES.file_name, 0, "", f"cannot be read as UTF-8 CSV: {error}")]


def read_tables(data_dir: Path) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """The three raw tables of `data_dir`, and a problem for each file that cannot be read at all."""
    tables: dict[str, pd.DataFrame] = {}
    problems = []
    for table in (EVENTS, ACTORS, PLACES):
        path = Path(data_dir) / table.file_name
        try:
            tables[table.file_name] = read_raw_table(path)
        except FileNotFoundError:
            problems.append(Problem(table.file_name, 0, "", f"file not found in {data_dir}"))
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as error:
            problems.append(Problem(table.file_name, 0, "", f"cannot be read as UTF-8 CSV: {error}"))
    return tables, problems


def validate_folder(data_dir: Path, *, today: dt.date | None = None) -> list[Problem]:
    """Every problem in the curated tables of `data_dir`."""
    tables, problems = read_tables(data_dir)
    if problems:
        return problems
    problems = validate_tables(
        tables[EVENTS.file_name], tables[ACTORS.file_name], tables[PLACES.file_name], today=today
    )
    return problems + validate_trend_overrides(data_dir)
