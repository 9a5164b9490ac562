"""Analysts' overrides of computed tension trends: `data/trend_overrides.csv` (or its table when the database is
the store), read, written atomically, applied.

A computed trend (`tensions.analysis.tension.monthly_trends`) can be wrong for reasons the index cannot see: a
month looks calmer only because reporting dried up, or "worse" only because talks paused. An analyst
then records their own trend for that country and month, with a one-line rationale, their name and the
date. The screen always shows which trends are computed and which are judgement.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from tensions.analysis.tension import monthly_trends
from tensions.data import guard, taxonomy
from tensions.data.schema import MONTH_PATTERN, TREND_OVERRIDES, TREND_TRENDS
from tensions.data.validate import check_trend_overrides, read_raw_table
from tensions.errors import InvalidDataError, InvalidOverride
from tensions.store import overrides as stored
from tensions.store.config import database_url

COMPUTED = "computed"
JUDGEMENT = "analyst judgement"
RATIONALE_MAX = 200


@dataclass(frozen=True)
class TrendOverride:
    country: str
    month: str
    trend: str
    rationale: str
    analyst: str
    decided_at: dt.date


def overrides_path(data_dir: Path) -> Path:
    return Path(data_dir) / TREND_OVERRIDES.file_name


def empty_overrides() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype="string") for name in TREND_OVERRIDES.column_names})


def read_overrides(data_dir: Path) -> pd.DataFrame:
    """The recorded overrides as text columns (none when the file is absent); `InvalidDataError` if broken.
    From the database when it is the store."""
    url = database_url()
    if url is not None:
        return stored.read_overrides(url)
    path = overrides_path(data_dir)
    if not path.exists():
        return empty_overrides()
    raw = read_raw_table(path)
    problems = check_trend_overrides(raw)
    if problems:
        raise InvalidDataError(problems)
    return raw[TREND_OVERRIDES.column_names].reset_index(drop=True)


def check_override(override: TrendOverride) -> list[str]:
    """What is wrong with `override`, in words; empty when it can be recorded."""
    problems = []
    if override.country not in taxonomy.COUNTRY_BY_NAME:
        problems.append(f"unknown country {override.country!r}")
    if not re.fullmatch(MONTH_PATTERN, override.month or ""):
        problems.append(f"month {override.month!r} is not YYYY-MM")
    if override.trend not in TREND_TRENDS:
        problems.append(f"trend must be one of: {', '.join(TREND_TRENDS)}")
    rationale = (override.rationale or "").strip()
    if not rationale:
        problems.append("a rationale is required")
    elif "\n" in rationale or "\r" in rationale:
        problems.append("the rationale must be one line")
    elif len(rationale) > RATIONALE_MAX:
        problems.append(f"the rationale is longer than {RATIONALE_MAX} characters ({len(rationale)})")
    if not (override.analyst or "").strip():
        problems.append("say who made the judgement (analyst)")
    return problems


def save_override(data_dir: Path, override: TrendOverride, *, grant: object) -> pd.DataFrame:
    """Record `override` (replacing any earlier one for the same country and month), atomically.

    `NotAuthorised` without a curator's grant (`tensions.data.guard`)."""
    guard.authorise(grant, "recording a trend judgement")
    problems = check_override(override)
    if problems:
        raise InvalidOverride("; ".join(problems))
    record = asdict(override) | {
        "rationale": override.rationale.strip(),
        "analyst": override.analyst.strip(),
        "decided_at": override.decided_at.isoformat(),
    }
    url = database_url()
    if url is not None:
        stored.record_override(url, record, grant=grant, now=dt.datetime.now(dt.UTC))
        return stored.read_overrides(url)
    existing = read_overrides(data_dir)
    keep = ~((existing["country"] == override.country) & (existing["month"] == override.month)).fillna(False)
    table = pd.concat([existing[keep], pd.DataFrame([record]).astype("string")], ignore_index=True)
    table = table.sort_values(["month", "country"], kind="stable", ignore_index=True)
    guard.write_csv(grant, table, overrides_path(data_dir))
    return table


def remove_override(data_dir: Path, country: str, month: str, *, grant: object) -> bool:
    """Delete the override for `country` and `month`, atomically; False when there was none.

    `NotAuthorised` without a curator's grant."""
    guard.authorise(grant, "withdrawing a trend judgement")
    url = database_url()
    if url is not None:
        return stored.withdraw_override(url, country, month, grant=grant, now=dt.datetime.now(dt.UTC))
    existing = read_overrides(data_dir)
    match = ((existing["country"] == country) & (existing["month"] == month)).fillna(False)
    if not match.any():
        return False
    guard.write_csv(grant, existing[~match], overrides_path(data_dir))
    return True


def apply_overrides(trends: pd.DataFrame, overrides: pd.DataFrame) -> pd.DataFrame:
    """`trends` with the trend to show, and whether it is computed or an analyst's judgement (and why)."""
    keyed = overrides.rename(columns={"country": "area", "trend": "judged_trend"})[
        ["area", "month", "judged_trend", "rationale", "analyst", "decided_at"]
    ].astype("object")
    merged = trends.merge(keyed, on=["area", "month"], how="left")
    judged = merged["judged_trend"].notna()
    merged["shown_trend"] = merged["judged_trend"].where(judged, merged["trend"])
    merged["basis"] = [JUDGEMENT if j else COMPUTED for j in judged]
    return merged.drop(columns="judged_trend")


def judged_trends(
    events: pd.DataFrame, actors: pd.DataFrame, overrides: pd.DataFrame, *, as_of: dt.date, since: dt.date | None
) -> pd.DataFrame:
    """Every country's trend for the last full month to `as_of`, an analyst's judgement where one is recorded:
    what the Overview and `python -m tensions trends` show (`since`: the first day the data covers)."""
    return apply_overrides(monthly_trends(events, actors, as_of=as_of, since=since), overrides)


def listed(trends: pd.DataFrame) -> pd.DataFrame:
    """The trends worth a line: a country with index points in either month, or with an analyst's judgement."""
    return trends[(trends["index"] != 0) | (trends["previous"] != 0) | (trends["basis"] == JUDGEMENT)]
