"""The importer interface, shared normalisation and the rejected-row report.

Every source (UCDP GED, ACLED, GDELT) is one `Importer` subclass in its own module: it declares the
columns it reads and turns their text into our event columns; everything else lives here once (reading
the file in `reading.py`, matching actors in `matching.py`). Every problem is named as
`file:line:column`; sound rows are imported and unsound ones are listed with their reasons.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd

from tensions.data import taxonomy
from tensions.data.gazetteer import normalise_name
from tensions.data.schema import EVENTS
from tensions.errors import ImportFailed, Problem, UnknownFormatError
from tensions.ingest.importers.matching import ActorMatcher
from tensions.ingest.importers.reading import (
    RawTable,
    Source,
    decode,
    first_line,
    guess_delimiter,
    normalise_header,
    read_table,
    rejected_row_count,
    source_bytes,
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
    """What an import produced: the sound events, the rejected rows with reasons, and what was noticed."""

    dataset: str
    title: str
    file_name: str
    format_name: str
    rows_read: int
    events: pd.DataFrame
    rejected: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def rows_imported(self) -> int:
        return len(self.events)

    @property
    def rows_rejected(self) -> int:
        return rejected_row_count(self.rejected)

    def problems(self) -> list[Problem]:
        """Every reason a row was rejected, as `file:line:column: reason`."""
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
    """Problems per record, added a whole column at a time: `add(mask, column, values, reason)`."""

    def __init__(self, n: int) -> None:
        self.n = n
        self._parts: list[pd.DataFrame] = []
        self.bad = np.zeros(n, dtype=bool)

    def add(self, mask: pd.Series | np.ndarray, column: str, values: pd.Series | None, reason: str | pd.Series) -> None:
        """Reject the rows in `mask`; `reason` (text, or one per row) may hold `{value}`, the row's value quoted."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        index = np.flatnonzero(mask)
        shown = (
            pd.Series(values.to_numpy()[index]).astype("string").fillna("")
            if values is not None
            else pd.Series([""] * len(index), dtype="string")
        )
        if isinstance(reason, pd.Series):
            templates = reason.astype("string").to_numpy()[index]
        else:
            templates = [reason] * len(index)
        reasons = pd.Series(
            [t.replace("{value}", repr(v)) for t, v in zip(templates, shown, strict=True)], dtype="string"
        )
        self._parts.append(pd.DataFrame({"index": index, "column": column, "value": shown, "reason": reasons}))
        self.bad[index] = True

    def frame(self) -> pd.DataFrame:
        if not self._parts:
            return pd.DataFrame({"index": pd.Series(dtype="int64"), "column": [], "value": [], "reason": []})
        return pd.concat(self._parts, ignore_index=True)


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

    def read(self, text: str, file_name: str) -> RawTable:
        """The file's records; the default reads a delimited file with a header row."""
        return read_table(
            text,
            file_name,
            columns=(*self.required_columns, *self.optional_columns),
            delimiter=guess_delimiter(first_line(text)),
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

    def superseded(self, frame: pd.DataFrame, ids: pd.Series, lines: pd.Series) -> pd.Series:
        """For each row replaced by another row of the file, that row's line (else NA); by default the
        first row with an id wins. `ids` is NA on rows already rejected."""
        first = lines.where(ids.notna()).groupby(ids).transform("min")
        return first.where(ids.duplicated(keep="first") & ids.notna())

    def run(self, source: Source, *, file_name: str | None = None, actors: pd.DataFrame | None = None) -> ImportResult:
        """Read `source` and normalise it; raise `ImportFailed` when the file cannot be imported at all."""
        name = file_name or (Path(source).name if not isinstance(source, bytes) else "upload")
        data, notes = source_bytes(source)
        content, decode_notes = decode(data)
        notes += decode_notes
        try:
            raw = self.read(content, name)
        except ImportFailed as failure:
            raise ImportFailed([Problem(name, p.row, p.column, p.message) for p in failure.problems]) from None
        missing = [raw.display_names.get(c, c) for c in self.required_columns if c not in raw.header]
        if len(missing) > len(self.required_columns) / 2:
            raise UnknownFormatError(
                [
                    Problem(
                        name,
                        1,
                        "",
                        f"not a {self.title} file: its header lacks {len(missing)} of the "
                        f"{len(self.required_columns)} required columns ({', '.join(missing)})",
                    )
                ]
            )
        if missing:
            raise ImportFailed([Problem(name, 1, c, "required column is missing") for c in missing])
        raw.notes[:0] = notes
        return self.build(raw, ActorMatcher(actors))

    def build(self, raw: RawTable, actors: ActorMatcher) -> ImportResult:
        frame = raw.frame
        problems = RowProblems(len(frame))
        columns = self.normalise(frame, problems, actors)
        events = pd.DataFrame(columns, index=frame.index)
        sound = pd.Series(~problems.bad, index=frame.index)
        replaced_by = self.superseded(
            frame, events["original_id"].where(sound), pd.Series(raw.lines, index=frame.index)
        )
        replaced = replaced_by.notna() & sound
        problems.add(
            replaced,
            self.id_column,
            events["original_id"],
            "id {value} repeats the row on line "
            + replaced_by.astype("Int64").astype("string").fillna("")
            + self.kept_words,
        )
        found = problems.frame()
        good = ~problems.bad
        rejected = pd.DataFrame(
            {
                "line": raw.lines[found["index"].to_numpy()],
                "original_id": events["original_id"].to_numpy()[found["index"].to_numpy()],
                "column": found["column"],
                "value": found["value"],
                "reason": found["reason"],
            }
        )
        rejected = pd.concat([raw.rejected, rejected], ignore_index=True) if len(raw.rejected) else rejected
        rejected = rejected.astype({"line": "int64"}).sort_values(["line", "column"], ignore_index=True)
        rejected["column"] = rejected["column"].map(lambda c: raw.display_names.get(c, c))
        for column in ("original_id", "column", "value", "reason"):
            rejected[column] = rejected[column].astype("string")
        kept = finish_events(events[good], self.dataset)
        notes = [*raw.notes, *outside_region_notes(kept)]
        return ImportResult(
            dataset=self.dataset,
            title=self.title,
            file_name=raw.file_name,
            format_name=self.format_name(raw),
            rows_read=raw.rows_read,
            events=kept,
            rejected=rejected,
            notes=notes,
        )


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
