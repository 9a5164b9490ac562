"""The importer interface, shared normalisation and the rejected-row report.

Every source (UCDP GED, ACLED, GDELT) is one `Importer` subclass in its own module: it declares the
columns it reads and turns their text into our event columns; everything else lives here once (reading
the file in `reading.py`, matching actors in `matching.py`). Every problem is named as
`file:line:column`; sound rows are imported and unsound ones are listed with their reasons.
"""

from __future__ import annotations

import re
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
import pyarrow as pa

from tensions.data import taxonomy
from tensions.data.gazetteer import normalise_name
from tensions.data.schema import EVENTS
from tensions.errors import ImportFailed, Problem, UnknownFormatError
from tensions.ingest.importers.limits import DEFAULT_LIMITS, ImportLimits
from tensions.ingest.importers.matching import ActorMatcher
from tensions.ingest.importers.reading import (
    REJECTED_COLUMNS,
    RawTable,
    Source,
    SourceFile,
    TextSource,
    empty_rejected,
    first_line,
    guess_delimiter,
    normalise_header,
    open_source,
    read_table,
    rejected_row_count,
    shown_value,
)

# What every imported event carries: the curated columns, the derived ones `load.py` adds, and provenance.
DERIVED_COLUMNS: tuple[str, ...] = ("escalation", "actor1_family", "actor2_family", "dataset")
PROVENANCE_COLUMNS: tuple[str, ...] = ("original_id",)
EVENT_COLUMNS: tuple[str, ...] = (*EVENTS.column_names, *DERIVED_COLUMNS, *PROVENANCE_COLUMNS)

# Columns stored as categoricals with a fixed, taxonomy-ordered set of categories.
ENUM_CATEGORIES: dict[str, tuple[str, ...]] = {
    "time_precision": taxonomy.TIME_PRECISIONS,
    "theatre": taxonomy.THEATRES,
    "event_type": taxonomy.EVENT_TYPES,
    "sub_event_type": tuple(s.name for s in taxonomy.SUB_EVENT_TYPES),
    "confidence": taxonomy.CONFIDENCES,
    "actor1_family": taxonomy.ACTOR_FAMILIES,
    "actor2_family": taxonomy.ACTOR_FAMILIES,
}
# Columns stored as categoricals whose categories are whatever the data holds (countries outside the
# taxonomy are kept, after the taxonomy's own names).
OPEN_CATEGORICAL_COLUMNS: tuple[str, ...] = ("country", "admin1", "location", "actor1", "actor2", "source", "dataset")
DATE_COLUMNS: tuple[str, ...] = ("event_date", "source_date")
FLOAT_COLUMNS: tuple[str, ...] = ("latitude", "longitude")
INT_COLUMNS: tuple[str, ...] = ("geo_precision", "fatalities", "escalation")

# Country names as other datasets spell them, mapped to the taxonomy's names (matching ignores case,
# diacritics and punctuation).
COUNTRY_ALIASES: dict[str, str] = {
    "Syrian Arab Republic": "Syria",
    "Iran (Islamic Republic of)": "Iran",
    "Islamic Republic of Iran": "Iran",
    "State of Palestine": "Palestine",
    "Palestinian Territory": "Palestine",
    "Palestinian Territories": "Palestine",
    "Occupied Palestinian Territory": "Palestine",
    "Gaza Strip": "Palestine",
    "West Bank": "Palestine",
    "Yemen (North Yemen)": "Yemen",
    "Yemen, Republic of": "Yemen",
    "UAE": "United Arab Emirates",
    "Türkiye": "Turkey",
    "Turkiye": "Turkey",
    "United States of America": "United States",
    "USA": "United States",
    "Kingdom of Saudi Arabia": "Saudi Arabia",
}
_COUNTRY_KEYS: dict[str, str] = {
    **{normalise_name(c.name): c.name for c in taxonomy.COUNTRIES},
    **{normalise_name(c.iso3): c.name for c in taxonomy.COUNTRIES},
    **{normalise_name(alias): name for alias, name in COUNTRY_ALIASES.items()},
}

MISSING = "is empty but required"


@dataclass
class ImportResult:
    """What an import produced: the sound events, the first rejected rows with reasons, and what was noticed.

    `rejected` holds every reason for the first rows rejected (at most the limit's `max_rejected_rows`);
    `rows_rejected` counts all of them (`rejected_total`, when more were rejected than are listed).
    """

    dataset: str
    title: str
    file_name: str
    format_name: str
    rows_read: int
    events: pd.DataFrame
    rejected: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    rejected_total: int | None = None

    @property
    def rows_imported(self) -> int:
        return len(self.events)

    @property
    def rows_rejected(self) -> int:
        return self.rows_rejected_listed if self.rejected_total is None else self.rejected_total

    @property
    def rows_rejected_listed(self) -> int:
        """How many of the rejected rows `rejected` lists (the first ones in the file)."""
        return rejected_row_count(self.rejected)

    def problems(self) -> list[Problem]:
        """Every reason a listed row was rejected, as `file:line:column: reason`."""
        return [
            Problem(self.file_name, int(r.line), str(r.column), str(r.reason))
            for r in self.rejected.itertuples(index=False)
        ]

    def summary(self) -> str:
        return (
            f"{self.file_name} ({self.format_name}): {self.rows_read:,} rows read, "
            f"{self.rows_imported:,} imported, {self.rows_rejected:,} rejected"
        )


# ---------------------------------------------------------------------------------------------------
# Problems found row by row, gathered with vectorised masks


class RowProblems:
    """Problems per record, added a whole column at a time: `add(mask, column, values, reason)`.

    Only which rows are bad is worked out as problems are added; their reasons are written out by
    `frame`, for as many rows as will be kept (a file of garbage has millions of reasons, kept: none).
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self._found: list[tuple[np.ndarray, str, pd.Series | None, str | pd.Series]] = []
        self.bad = np.zeros(n, dtype=bool)

    def add(self, mask: pd.Series | np.ndarray, column: str, values: pd.Series | None, reason: str | pd.Series) -> None:
        """Reject the rows in `mask`; `reason` (text, or one per row) may hold `{value}`, the row's value quoted."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        index = np.flatnonzero(mask)
        self._found.append((index, column, values, reason))
        self.bad[index] = True

    def frame(self, rows: int | None = None) -> pd.DataFrame:
        """`index`, `column`, `value`, `reason` of every problem of the first `rows` bad rows (None: all)."""
        chosen = np.zeros(self.n, dtype=bool)
        chosen[np.flatnonzero(self.bad)[:rows]] = True
        parts = []
        for index, column, values, reason in self._found:
            index = index[chosen[index]]
            if not len(index):
                continue
            shown = (
                pd.Series(values.to_numpy()[index]).astype("string").fillna("").map(shown_value)
                if values is not None
                else pd.Series([""] * len(index), dtype="string")
            )
            templates = (
                reason.astype("string").to_numpy()[index] if isinstance(reason, pd.Series) else [reason] * len(index)
            )
            reasons = [t.replace("{value}", repr(v)) for t, v in zip(templates, shown, strict=True)]
            parts.append(pd.DataFrame({"index": index, "column": column, "value": shown, "reason": reasons}))
        if not parts:
            return pd.DataFrame({"index": pd.Series(dtype="int64"), "column": [], "value": [], "reason": []})
        return pd.concat(parts, ignore_index=True)


class RejectedRows:
    """The first `limit` rejected rows of a file (by line) with every reason, and how many were rejected."""

    def __init__(self, limit: int, display_names: dict[str, str]) -> None:
        self.limit = limit
        self.display_names = display_names
        self.total = 0
        self._listed = empty_rejected()

    @property
    def room(self) -> int:
        """How many more rows can be listed, if they come after those listed."""
        return max(self.limit - rejected_row_count(self._listed), 0)

    def add(self, found: pd.DataFrame, rows: int) -> None:
        """Count `rows` more rejected rows; `found` has the reasons of those of them that may be listed."""
        self.total += rows
        if not len(found):
            return
        found = found.assign(column=found["column"].map(lambda c: self.display_names.get(c, c)))
        listed = pd.concat([self._listed, found.astype(self._listed.dtypes.to_dict())], ignore_index=True)
        first = np.unique(listed["line"].to_numpy())[: self.limit]
        self._listed = listed[listed["line"] <= first[-1]]

    def frame(self) -> pd.DataFrame:
        return self._listed.sort_values(["line", "column"], ignore_index=True)


def located(found: pd.DataFrame, lines: np.ndarray, ids: pd.Series) -> pd.DataFrame:
    """Problems found in a chunk (`RowProblems.frame`) as rejected rows: with their line and id."""
    index = found["index"].to_numpy()
    return pd.DataFrame(
        {
            "line": lines[index],
            "original_id": pd.Series(ids.to_numpy()[index]).astype("string").fillna("").map(shown_value),
            "column": found["column"].to_numpy(),
            "value": found["value"].to_numpy(),
            "reason": found["reason"].to_numpy(),
        },
        columns=REJECTED_COLUMNS,
    )


def text(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column's text, stripped, "" when the file lacks the column (optional columns)."""
    if column not in frame:
        return pd.Series("", index=frame.index, dtype="str")
    return frame[column].str.strip()


def required_text(frame: pd.DataFrame, column: str, problems: RowProblems) -> pd.Series:
    values = text(frame, column)
    problems.add(values == "", column, None, MISSING)
    return values


def parse_dates(
    frame: pd.DataFrame, column: str, problems: RowProblems, *, formats: Sequence[str] = ("%Y-%m-%d",), required=True
) -> pd.Series:
    """Dates in any of `formats` (tried in order); unparseable ones are rejected with the value shown."""
    values = text(frame, column)
    parsed = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us]")
    for fmt in formats:
        # strptime is lenient ("2024012" reads as 2 January with %Y%m%d): the text must have the format's shape.
        todo = parsed.isna() & values.str.fullmatch(_format_pattern(fmt))
        if not todo.any():
            continue
        parsed[todo] = pd.to_datetime(values[todo], format=fmt, errors="coerce").astype("datetime64[us]")
    if required:
        problems.add(values == "", column, None, MISSING)
    shown = " or ".join(_format_words(f) for f in formats)
    problems.add((values != "") & parsed.isna(), column, values, f"{{value}} is not a date ({shown})")
    return parsed


def strict_dates(values: pd.Series, fmt: str) -> pd.Series:
    """Dates written exactly in `fmt` (text of another shape, or empty, gives NaT)."""
    shaped = values.where(values.str.fullmatch(_format_pattern(fmt)))
    return pd.to_datetime(shaped, format=fmt, errors="coerce").astype("datetime64[us]")


def _format_pattern(fmt: str) -> str:
    wordy = "%B" in fmt or "%b" in fmt
    parts = {"%Y": r"\d{4}", "%m": r"\d{2}", "%d": r"\d{1,2}" if wordy else r"\d{2}", "%B": "[A-Za-z]+",
             "%b": "[A-Za-z]{3}", "%H": r"\d{2}", "%M": r"\d{2}", "%S": r"\d{2}"}  # fmt: skip
    pattern = re.escape(fmt)
    for code, part in parts.items():
        pattern = pattern.replace(re.escape(code), part)
    return pattern


def _format_words(fmt: str) -> str:
    words = {"%Y": "YYYY", "%m": "MM", "%d": "DD", "%B": "Month", "%b": "Mon", "%H": "hh", "%M": "mm", "%S": "ss"}
    for code, word in words.items():
        fmt = fmt.replace(code, word)
    return fmt


def parse_numbers(
    frame: pd.DataFrame,
    column: str,
    problems: RowProblems,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    required: bool = True,
    whole: bool = False,
) -> pd.Series:
    """Numbers (floats, or whole numbers with `whole`), range-checked; bad ones rejected with the value shown."""
    values = text(frame, column)
    numbers = pd.to_numeric(values.where(values != ""), errors="coerce").astype("float64")
    if required:
        problems.add(values == "", column, None, MISSING)
    kind = "a whole number" if whole else "a number"
    not_number = (values != "") & (numbers.isna() | ~np.isfinite(numbers.fillna(0)))
    if whole:
        not_number |= numbers.notna() & (numbers != numbers.round())
    problems.add(not_number, column, values, f"{{value}} is not {kind}")
    if minimum is not None or maximum is not None:
        low = -np.inf if minimum is None else minimum
        high = np.inf if maximum is None else maximum
        outside = numbers.notna() & ~numbers.between(low, high) & ~not_number
        problems.add(outside, column, values, f"{{value}} is outside [{low:g}, {high:g}]")
    return numbers.where(~not_number)


def coded(
    frame: pd.DataFrame,
    column: str,
    problems: RowProblems,
    mapping: dict[str, object],
    *,
    default: object = None,
) -> pd.Series:
    """Map a code column (e.g. UCDP `where_prec`) through `mapping`; unknown codes are rejected.

    An empty cell or a missing column takes `default`, or is rejected when there is none.
    """
    values = text(frame, column)
    # "1.0" as written by spreadsheets is the code "1".
    values = values.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    mapped = values.map(mapping)
    empty = values == ""
    if default is None:
        problems.add(empty, column, None, MISSING)
    else:
        mapped = mapped.where(~empty, default)
    codes = ", ".join(map(str, mapping))
    problems.add(~empty & mapped.isna(), column, values, f"{{value}} is not one of the codes {codes}")
    return mapped


def country_names(values: pd.Series) -> pd.Series:
    """Countries in the taxonomy's spelling where we know them; other names kept as written."""
    unique = pd.unique(values)
    mapping = {v: _COUNTRY_KEYS.get(normalise_name(v), v) for v in unique}
    return values.map(mapping)


def tidy_admin(values: pd.Series) -> pd.Series:
    """Province names without a trailing "province"/"governorate" and doubled spaces ("Al Başrah  province")."""
    unique = pd.unique(values)
    mapping = {
        v: re.sub(r"\s+(province|governorate|governorat|muhafazat)$", "", " ".join(v.split()), flags=re.IGNORECASE)
        for v in unique
    }
    return values.map(mapping)


def title_if_shouting(values: pd.Series) -> pd.Series:
    """ALL-CAPS names (GDELT's) in title case: 'UNITED STATES' → 'United States'."""
    unique = pd.unique(values)
    mapping = {v: v.title() if v.isupper() and len(v) > 3 else v for v in unique}
    return values.map(mapping)


def header_names(text: str) -> set[str]:
    """The normalised column names of a delimited file's first line."""
    line = first_line(text)
    return {normalise_header(h) for h in line.split(guess_delimiter(line))}


# ---------------------------------------------------------------------------------------------------
# The interface


class Importer(ABC):
    """One source of event data: how to recognise its files and how to map a row onto our events."""

    dataset: ClassVar[str]
    title: ClassVar[str]
    attribution: ClassVar[str]
    required_columns: ClassVar[tuple[str, ...]]
    optional_columns: ClassVar[tuple[str, ...]] = ()
    # Header names (normalised) that together identify this source's files.
    signature_columns: ClassVar[frozenset[str]]

    def recognises(self, text: str) -> bool:
        """Whether a file starting with `text` is in this source's format: its header has the signature."""
        return self.signature_columns <= header_names(text)

    def format_name(self, raw: RawTable) -> str:
        return f"{self.title} CSV"

    def read(self, text: TextSource) -> RawTable:
        """The file's records; the default reads a delimited file with a header row."""
        return read_table(
            text,
            columns=(*self.required_columns, *self.optional_columns),
            delimiter=guess_delimiter(first_line(text.head)),
        )

    @abstractmethod
    def normalise(self, frame: pd.DataFrame, problems: RowProblems, actors: ActorMatcher) -> dict[str, pd.Series]:
        """Our event columns from the source's text columns, rejecting what cannot be read via `problems`.

        Must return at least `original_id`, `event_date`, `time_precision`, `country`, `location`,
        `latitude`, `longitude`, `geo_precision`, `event_type`, `sub_event_type`, `actor1`, `notes`,
        `source`, `source_title`, `source_date`, `confidence`, `actor1_family`; the rest may be absent.
        """

    id_column: ClassVar[str] = "id"
    kept_words: ClassVar[str] = ", which is kept"

    def revision(self, frame: pd.DataFrame) -> pd.Series:
        """Which of the rows sharing an id is newest (highest wins; among equals, the first in the file).
        By default none is newer, so the first row with an id is kept."""
        return pd.Series(0.0, index=frame.index)

    def run(
        self,
        source: Source | SourceFile,
        *,
        file_name: str | None = None,
        actors: pd.DataFrame | None = None,
        limits: ImportLimits = DEFAULT_LIMITS,
    ) -> ImportResult:
        """Read `source` and normalise it; raise `ImportFailed` when the file cannot be imported at all,
        or would cost more than `limits` allow."""
        name = file_name or (Path(source).name if isinstance(source, str | Path) else "upload")
        text = TextSource.open(open_source(source, name, limits))
        raw = self.read(text)
        missing = [raw.display_names.get(c, c) for c in self.required_columns if c not in raw.header]
        if len(missing) > len(self.required_columns) / 2:
            raise UnknownFormatError(
                [
                    Problem(
                        text.name,
                        1,
                        "",
                        f"not a {self.title} file: its header lacks {len(missing)} of the "
                        f"{len(self.required_columns)} required columns ({', '.join(missing)})",
                    )
                ]
            )
        if missing:
            raise ImportFailed([Problem(text.name, 1, c, "required column is missing") for c in missing])
        return self.build(raw, ActorMatcher(actors), limits)

    def build(self, raw: RawTable, actors: ActorMatcher, limits: ImportLimits = DEFAULT_LIMITS) -> ImportResult:
        """Normalise the records chunk by chunk; then drop the rows a later revision of the same id replaces."""
        began = time.monotonic()
        rejected = RejectedRows(limits.max_rejected_rows, raw.display_names)
        kept: list[pd.DataFrame] = []
        keys: list[pd.DataFrame] = []
        rows_read = 0
        for chunk in raw.chunks:
            rows_read += chunk.rows
            frame = chunk.frame
            problems = RowProblems(len(frame))
            events = pd.DataFrame(self.normalise(frame, problems, actors), index=frame.index)
            good = ~problems.bad
            rejected.add(
                located(problems.frame(rejected.room), chunk.lines, events["original_id"]), int(problems.bad.sum())
            )
            rejected.add(chunk.malformed.head(rejected.room), len(chunk.malformed))
            keys.append(
                pd.DataFrame(
                    {
                        "id": events["original_id"][good].astype("string").to_numpy(),
                        "line": chunk.lines[good],
                        "revision": self.revision(frame)[good].to_numpy(),
                    }
                )
            )
            kept.append(finish_events(events[good], self.dataset))
            if time.monotonic() - began > limits.max_seconds:
                reason = f"reading took over {limits.max_seconds:,.0f} s; import it in parts (nothing was imported)"
                raise ImportFailed([Problem(raw.file_name, chunk.last_line, "", reason)])
        events = self._drop_superseded(kept, keys, rejected, limits)
        return ImportResult(
            dataset=self.dataset,
            title=self.title,
            file_name=raw.file_name,
            format_name=self.format_name(raw),
            rows_read=rows_read,
            events=events,
            rejected=rejected.frame(),
            notes=[*raw.final_notes(), *outside_region_notes(events)],
            rejected_total=rejected.total,
        )

    def _drop_superseded(
        self, kept: list[pd.DataFrame], keys: list[pd.DataFrame], rejected: RejectedRows, limits: ImportLimits
    ) -> pd.DataFrame:
        """The kept events of every chunk as one table, without the rows another row of the file replaces
        (the same id); those are rejected, naming the row that is kept."""
        every = pd.concat(keys, ignore_index=True)
        replaced_by = superseded(every)
        replaced = replaced_by.notna().to_numpy()
        if replaced.any():
            lost = every[replaced].head(limits.max_rejected_rows)
            rejected.add(
                pd.DataFrame(
                    {
                        "line": lost["line"],
                        "original_id": lost["id"].map(shown_value),
                        "column": self.id_column,
                        "value": lost["id"].map(shown_value),
                        "reason": "id "
                        + lost["id"].map(lambda i: repr(shown_value(i)))
                        + " repeats the row on line "
                        + replaced_by[replaced].head(limits.max_rejected_rows).astype("string")
                        + self.kept_words,
                    }
                ),
                int(replaced.sum()),
            )
            bounds = np.cumsum([0, *(len(k) for k in kept)])
            kept = [k[~replaced[a:b]] for k, a, b in zip(kept, bounds[:-1], bounds[1:], strict=True)]
        return combine_events(kept, consume=True).reset_index(drop=True)


def superseded(keys: pd.DataFrame) -> pd.Series:
    """For each row that another row with the same `id` replaces, the line of the row kept (else NA): the
    highest `revision` wins, then the first `line`."""
    if not keys["id"].duplicated().any():
        return pd.Series(pd.NA, index=keys.index, dtype="Int64")
    newest = keys.sort_values(["revision", "line"], ascending=[False, True]).groupby("id")["line"].first()
    winner = keys["id"].map(newest)
    return winner.where(winner != keys["line"]).astype("Int64")


def outside_region_notes(events: pd.DataFrame) -> list[str]:
    outside = ~events["country"].astype("string").isin(taxonomy.COUNTRY_NAMES)
    if not outside.any():
        return []
    names = events.loc[outside, "country"].astype("string").value_counts()
    listed = ", ".join(f"{n} ({c:,})" for n, c in names.head(8).items())
    more = f" and {len(names) - 8} more" if len(names) > 8 else ""
    return [
        f"{int(outside.sum()):,} events in countries outside the dashboard's list were kept under their own "
        f"country name, in the theatre 'Elsewhere': {listed}{more}"
    ]


def finish_events(events: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """The normalised events in our columns and storage types, with theatre and escalation derived."""
    events = events.copy()
    events["dataset"] = dataset
    events["event_id"] = dataset + ":" + events["original_id"].astype("string")
    country = events["country"].astype("string")
    events["theatre"] = country.map(taxonomy.THEATRE_BY_COUNTRY).fillna("Elsewhere")
    events["escalation"] = events["sub_event_type"].map(taxonomy.ESCALATION_BY_SUB_EVENT_TYPE)
    for column in EVENT_COLUMNS:
        if column not in events:
            events[column] = pd.NA
    return conform(events[list(EVENT_COLUMNS)].reset_index(drop=True))


def no_events() -> pd.DataFrame:
    """No events, in our columns and storage types."""
    return conform(pd.DataFrame({column: pd.Series(dtype="object") for column in EVENT_COLUMNS}))


def conform(events: pd.DataFrame) -> pd.DataFrame:
    """Cast to the storage types: taxonomy categoricals, open categoricals, dates, floats, nullable ints."""
    out = {}
    for column in events.columns:
        values = events[column]
        if column in ENUM_CATEGORIES:
            out[column] = pd.Categorical(values.astype("string"), categories=list(ENUM_CATEGORIES[column]))
        elif column in OPEN_CATEGORICAL_COLUMNS:
            strings = values.astype("string").replace("", pd.NA)
            if column == "country":
                present = set(strings.dropna().unique())
                extra = sorted(present - set(taxonomy.COUNTRY_NAMES))
                out[column] = pd.Categorical(strings, categories=[*taxonomy.COUNTRY_NAMES, *extra])
            else:
                out[column] = strings.astype("category")
        elif column in DATE_COLUMNS:
            out[column] = pd.to_datetime(values).astype("datetime64[us]")
        elif column in FLOAT_COLUMNS:
            out[column] = pd.to_numeric(values).astype("float64")
        elif column in INT_COLUMNS:
            out[column] = pd.to_numeric(values).astype("Int64")
        else:
            out[column] = values.astype("string").replace("", pd.NA)
    return pd.DataFrame(out)


def join_text(*parts: pd.Series | str, sep: str = "") -> pd.Series:
    """Concatenate text columns element-wise (vectorised)."""
    series = [p for p in parts if isinstance(p, pd.Series)]
    index = series[0].index
    result = pd.Series("", index=index, dtype="str")
    for part in parts:
        result = result + (part.astype("str") if isinstance(part, pd.Series) else part)
    return result


def when(mask: pd.Series, values: pd.Series | str, otherwise: pd.Series | str = "") -> pd.Series:
    """`values` where `mask`, else `otherwise` (text)."""
    index = mask.index
    a = values if isinstance(values, pd.Series) else pd.Series(values, index=index, dtype="str")
    b = otherwise if isinstance(otherwise, pd.Series) else pd.Series(otherwise, index=index, dtype="str")
    return a.where(mask, b)


def with_categories(values: pd.Series, categories: list) -> pd.Series:
    if isinstance(values.dtype, pd.CategoricalDtype):
        if list(values.cat.categories) == categories:
            return values
        return values.cat.set_categories(categories)
    return pd.Series(pd.Categorical(values.astype("string"), categories=categories), index=values.index)


def country_categories(columns: Iterable[pd.Series]) -> list[str]:
    present: set[str] = set()
    for values in columns:
        if isinstance(values.dtype, pd.CategoricalDtype):
            present |= set(values.cat.categories)
        else:
            present |= set(values.dropna().astype(str))
    return [*taxonomy.COUNTRY_NAMES, *sorted(present - set(taxonomy.COUNTRY_NAMES))]


def combine_events(frames: Sequence[pd.DataFrame], *, consume: bool = False) -> pd.DataFrame:
    """Stack event tables (curated and imported), keeping one set of categories per categorical column.

    pandas turns categoricals with different categories into plain objects when concatenating; here
    every categorical column gets the union of categories first (taxonomy order for enumerations),
    so the result stays compact and fast to filter. The result is sorted by date. It is built a column
    at a time; with `consume` (for frames no one else holds) each frame's column is dropped once stacked,
    so stacking a million imported events costs one column more than the events, not twice them.
    """
    frames = [f for f in frames if f is not None]
    if len(frames) == 1:
        return frames[0]
    columns = list(dict.fromkeys(c for f in frames for c in f.columns))
    dtypes = {column: next(f[column].dtype for f in frames if column in f) for column in columns}
    order = np.argsort(pd.concat([f["event_date"] for f in frames], ignore_index=True).to_numpy(), kind="stable")
    in_order = bool((np.diff(order) == 1).all())
    stacked = {}
    for column in columns:
        parts = [
            (frame.pop(column) if consume else frame[column])
            if column in frame
            else pd.Series(pd.NA, index=frame.index, dtype=dtypes[column])
            for frame in frames
        ]
        categories = _stacked_categories(column, parts)
        if categories is not None:
            parts = [with_categories(p, categories) for p in parts]
        values = pd.concat(parts, ignore_index=True)
        del parts
        stacked[column] = _single_chunk(values if in_order else values.take(order).reset_index(drop=True))
    return pd.DataFrame(stacked)


def _stacked_categories(column: str, present: list[pd.Series]) -> list | None:
    """The categories a stacked column takes: the taxonomy's, ours then the others' countries, or the union
    of what each part holds (None: not categorical)."""
    if column in ENUM_CATEGORIES:
        return list(ENUM_CATEGORIES[column])
    if column == "country":
        return country_categories(present)
    if column in OPEN_CATEGORICAL_COLUMNS or any(isinstance(p.dtype, pd.CategoricalDtype) for p in present):
        seen: dict = {}
        for values in present:
            unique = values.cat.categories if isinstance(values.dtype, pd.CategoricalDtype) else values.dropna()
            seen.update(dict.fromkeys(pd.unique(np.asarray(unique, dtype=object))))
        return list(seen)
    return None


def _single_chunk(values: pd.Series) -> pd.Series:
    """Arrow-backed text as one chunk (concatenation leaves several), so `take` stays fast."""
    chunked = getattr(values.array, "_pa_array", None)
    if (
        isinstance(values.array, pd.arrays.ArrowStringArray)
        and isinstance(chunked, pa.ChunkedArray)
        and chunked.num_chunks > 1
    ):
        return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([chunked.combine_chunks()])), index=values.index)
    return values
