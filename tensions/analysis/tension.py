"""The tension index: escalation points per country, theatre or the region, per week or month.

Every event scores

    score = direction × type weight × actor weight × (1 + fatality coefficient × ln(1 + fatalities))

where `direction` is its sub-type's escalation (+1, 0, -1, from `tensions.data.taxonomy`), the type weight
follows its event type, the actor weight follows the kinds of its two actors (a state striking a state
counts more than an armed group striking an armed group), and unknown fatalities add nothing (they are
not read as zero deaths, they simply add no weight). A period's index is the sum of its events' scores.
Every number lives in `WEIGHTS`; the data card renders them from here.

On top of the index: the change of the last 4 weeks against the 52 weeks before (as a percentage of
that baseline, or "new activity" against a near-zero one), and a CrisisWatch-style trend for the last full
month (deteriorated / improved / unchanged against the month before, with a stated threshold) with the
events that drove it. Trends are for the region's countries and seas only (not for places that only host
talks), and a deterioration needs escalatory events behind it: talks that end are not a deterioration.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import numpy as np
import pandas as pd

from tensions.analysis import weighted
from tensions.analysis.periods import Granularity, period_range, period_starts
from tensions.data import taxonomy
from tensions.data.categorical import lookup
from tensions.data.schema import TREND_TRENDS

Level = Literal["country", "theatre", "region"]
Trend = Literal["deteriorated", "improved", "unchanged"]

TRENDS: tuple[str, ...] = TREND_TRENDS
REGION = "Whole region"
ACTOR_CLASSES: tuple[str, ...] = ("state", "armed group", "other")
# Kinds that act for the organisation above them: a minister acts for their state, a leader for their group.
INHERITING_KINDS: tuple[str, ...] = ("person", "political organisation")
NO_SECOND_ACTOR = "none"
INDEX_COLUMNS = ["area", "period", "index", "escalatory", "de_escalatory", "events"]
# Areas that get a trend and a panel: the region's countries and seas, their theatres, the whole region. Places
# that only host talks (Rome, Geneva, Washington) keep their events in the index but get no trend.
REGION_AREAS: frozenset[str] = frozenset(
    [c.name for c in taxonomy.COUNTRIES if c.in_region]
    + [c.theatre for c in taxonomy.COUNTRIES if c.in_region]
    + [REGION]
)
NEW_ACTIVITY = "new activity"
# A change against the baseline that crosses zero: the recent weeks' index has the other sign.
NOW_DE_ESCALATORY, NOW_ESCALATORY = "now de-escalatory", "now escalatory"
# An event's score, and the sums of the positive and of the negative scores that summed rows (`index_inputs`)
# carry beside their summed score: the index's escalatory and de-escalatory points.
SCORED = "score"
SCORE_SIDES: tuple[str, str] = ("escalatory", "de_escalatory")


def _frozen(mapping: Mapping) -> Mapping:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class TensionWeights:
    """Every weight and threshold of the index, in one place (rendered into `data/README.md`)."""

    event_type: Mapping[str, float] = field(
        default_factory=lambda: _frozen(
            {
                "Battles": 3.0,
                "Explosions/Remote violence": 3.0,
                "Violence against civilians": 3.0,
                "Protests": 1.0,
                "Riots": 1.5,
                "Strategic developments": 1.5,
                "Threats and warnings": 1.0,
                "Diplomacy and talks": 1.0,
                "Agreements": 3.0,
                "Troop movements": 1.5,
                "Evacuations": 1.5,
            }
        )
    )
    actor_class_by_kind: Mapping[str, str] = field(
        default_factory=lambda: _frozen(
            {
                "state": "state",
                "state force": "state",
                "armed group": "armed group",
                "umbrella group": "armed group",
                "coalition": "armed group",
                "international organisation": "other",
                "civilians": "other",
                "other": "other",
                # Persons and political organisations take the class of the nearest organisation above them.
                "person": "other",
                "political organisation": "other",
            }
        )
    )
    # Unordered pairs of actor classes; any pair not listed (civilians, international bodies, no second
    # actor) weighs `default_actor_weight`.
    actor_pair: Mapping[tuple[str, str], float] = field(
        default_factory=lambda: _frozen(
            {
                ("state", "state"): 2.0,
                ("armed group", "state"): 1.5,
                ("armed group", "armed group"): 1.2,
            }
        )
    )
    default_actor_weight: float = 1.0
    fatality_coefficient: float = 1.0
    recent_weeks: int = 4
    baseline_weeks: int = 52
    # Below this many points per 4 weeks the baseline is "near zero" and no percentage is given: +7,000%
    # against 1 point (one meeting) says nothing; the recent weeks read as "new activity" instead.
    baseline_floor: float = 5.0
    trend_min_points: float = 5.0
    trend_min_share: float = 0.25

    def __post_init__(self) -> None:
        # The sign of a score is its direction's: summed rows (`index_inputs`, the database's) rely on it.
        weights = [*self.event_type.values(), *self.actor_pair.values(), self.default_actor_weight]
        if not all(math.isfinite(w) and w >= 0 for w in [*weights, self.fatality_coefficient]):
            raise ValueError("the index's weights and fatality coefficient must be finite and not negative")

    def pair_weight(self, first: str, second: str) -> float:
        """The weight of an event between actors of classes `first` and `second` (order does not matter)."""
        key = tuple(sorted((first, second)))
        return self.actor_pair.get(key, self.default_actor_weight)


WEIGHTS = TensionWeights()


# --- scoring ---------------------------------------------------------------------------------------------


def actor_classes(actors: pd.DataFrame, *, weights: TensionWeights = WEIGHTS) -> dict[str, str]:
    """Each actor's class (state, armed group, other); persons take their organisation's class."""
    kinds = dict(zip(actors["actor"], actors["kind"].astype("string"), strict=True))
    parents = dict(zip(actors["actor"], actors["parent"], strict=True))
    classes = {}
    for actor, kind in kinds.items():
        seen = {actor}
        current = actor
        # Walk up while the kind acts for someone above it (validation guarantees no loop; `seen` guards anyway).
        while kinds.get(current) in INHERITING_KINDS and isinstance(parents.get(current), str):
            current = parents[current]
            if current in seen:
                break
            seen.add(current)
        kind = kinds.get(current, kind)
        classes[actor] = weights.actor_class_by_kind.get(kind, "other")
    return classes


def event_scores(events: pd.DataFrame, actors: pd.DataFrame, *, weights: TensionWeights = WEIGHTS) -> pd.DataFrame:
    """`events` with the index's factors and each event's `score` (see the module docstring).

    Rows already scored (`index_inputs`, or the database's through `tensions.analysis.queries.index_summary`)
    carry their `score` and `SCORE_SIDES` and come back as they are: they were scored with `WEIGHTS`, so other
    weights cannot apply to them (ValueError rather than an index that silently ignores the weights asked for).
    """
    if SCORED in events:
        if weights != WEIGHTS:
            raise ValueError("these rows were scored with the default weights; other weights need the events")
        return events
    kinds = (*ACTOR_CLASSES, NO_SECOND_ACTOR)
    classes = actor_classes(actors, weights=weights)
    code_of = {name: kinds.index(actor_class) for name, actor_class in classes.items()}
    other = kinds.index("other")
    code1 = lookup(events["actor1"], code_of, other).astype(np.int64)
    code2 = lookup(events["actor2"], code_of, other).astype(np.int64)
    code2[events["actor2"].isna().to_numpy()] = kinds.index(NO_SECOND_ACTOR)
    pair_weight = np.array([[weights.pair_weight(a, b) for b in kinds] for a in kinds])
    if "escalation" in events:
        direction = pd.to_numeric(events["escalation"], errors="coerce").astype("float64").fillna(0.0).to_numpy()
    else:
        direction = lookup(events["sub_event_type"], taxonomy.ESCALATION_BY_SUB_EVENT_TYPE, 0).astype(float)
    fatalities = pd.to_numeric(events["fatalities"], errors="coerce").astype("float64").fillna(0.0).to_numpy()
    scored = events.assign(
        direction=direction,
        type_weight=lookup(events["event_type"], weights.event_type, 1.0).astype(float),
        actor_weight=pair_weight[code1, code2],
        fatality_factor=1.0 + weights.fatality_coefficient * np.log1p(fatalities),
    )
    scored[SCORED] = scored["direction"] * scored["type_weight"] * scored["actor_weight"] * scored["fatality_factor"]
    return scored


def index_inputs(
    events: pd.DataFrame, actors: pd.DataFrame, granularity: Granularity | Literal["day"] = "day"
) -> pd.DataFrame:
    """The index's inputs as `tensions.analysis.queries.index_summary` sums them in SQL: per day, week or month,
    country and theatre, the events, their summed `score` and its `SCORE_SIDES` (the sums of the positive and
    of the negative scores), at the first date of each row. The index, its trends and baselines read these rows
    as they read the events (per day, the default: exactly)."""
    scored = event_scores(events, actors)
    dates = scored["event_date"]
    escalatory, de_escalatory = SCORE_SIDES
    frame = pd.DataFrame(
        {
            "country": scored["country"].astype("object"),
            "theatre": scored["theatre"].astype("object"),
            "period": dates if granularity == "day" else period_starts(dates, granularity),
            weighted.EVENTS: 1,
            SCORED: scored[SCORED],
            escalatory: scored[SCORED].clip(lower=0.0),
            de_escalatory: scored[SCORED].clip(upper=0.0),
            "event_date": dates,
        },
        index=scored.index,
    )
    grouped = frame.groupby(["country", "theatre", "period"], dropna=False, sort=True)
    summed = grouped[[weighted.EVENTS, SCORED, *SCORE_SIDES]].sum()
    summed["event_date"] = grouped["event_date"].min()
    return summed.reset_index().drop(columns="period")


def area_column(events: pd.DataFrame, level: Level) -> pd.Series:
    """The area each event counts for at `level`: its country, its theatre, or the whole region."""
    if level == "region":
        return pd.Series(REGION, index=events.index, dtype="object")
    if level not in ("country", "theatre"):
        raise ValueError(f"unknown level {level!r}: use country, theatre or region")
    return events[level]


def area_order(level: Level) -> list[str]:
    """Areas of `level` in display order (the taxonomy's)."""
    if level == "country":
        return list(taxonomy.COUNTRY_NAMES)
    if level == "theatre":
        return list(taxonomy.THEATRES)
    return [REGION]


def tension_index(
    events: pd.DataFrame,
    actors: pd.DataFrame,
    *,
    level: Level = "country",
    granularity: Granularity = "month",
    start: dt.date | None = None,
    end: dt.date | None = None,
    weights: TensionWeights = WEIGHTS,
) -> pd.DataFrame:
    """The index of every area with events, per week (Monday to Sunday) or calendar month.

    One row per area and period from `start` to `end` (default: the events' first and last dates), quiet
    periods included as zeros; columns `area`, `period` (its first day), `index`, `escalatory` (the sum
    of positive scores), `de_escalatory` (the sum of negative scores), `events`.
    """
    scored = event_scores(events, actors, weights=weights)
    if start is not None:
        scored = scored[scored["event_date"] >= pd.Timestamp(start)]
    if end is not None:
        scored = scored[scored["event_date"] <= pd.Timestamp(end)]
    if scored.empty and (start is None or end is None):
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in INDEX_COLUMNS}).astype(
            {"area": "object", "period": "datetime64[ns]", "events": "int64"}
        )
    first = pd.Timestamp(start) if start is not None else scored["event_date"].min()
    last = pd.Timestamp(end) if end is not None else scored["event_date"].max()
    scored = scored.assign(
        area=area_column(scored, level),
        # Nanosecond periods, as the index has always had (figures serialise the resolution).
        period=period_starts(scored["event_date"], granularity).astype("datetime64[ns]"),
        # Summed rows carry their sides: clipping their summed score would net positive against negative.
        **(
            {side: scored[side] for side in SCORE_SIDES}
            if set(SCORE_SIDES) <= set(scored.columns)
            else dict(zip(SCORE_SIDES, (scored[SCORED].clip(lower=0.0), scored[SCORED].clip(upper=0.0)), strict=True))
        ),
        counted=weighted.event_counts(scored),
    )
    grouped = scored.groupby(["area", "period"], observed=True).agg(
        index=("score", "sum"),
        escalatory=("escalatory", "sum"),
        de_escalatory=("de_escalatory", "sum"),
        events=("counted", "sum"),
    )
    present = set(pd.unique(scored["area"].dropna()))
    areas = [a for a in area_order(level) if a in present]
    full = pd.MultiIndex.from_product([areas, period_range(first, last, granularity)], names=["area", "period"])
    table = grouped.reindex(full, fill_value=0).reset_index()
    table["events"] = table["events"].astype("int64")
    return table[INDEX_COLUMNS]


# --- baseline and trend -----------------------------------------------------------------------------------


def last_full_month(as_of: dt.date) -> pd.Period:
    """The latest calendar month that has ended by `as_of` (its own month when `as_of` is its last day)."""
    day = pd.Timestamp(as_of)
    month = day.to_period("M")
    return month if day == month.end_time.normalize() else month - 1


def _window_sum(scored: pd.DataFrame, areas: pd.Series, first: pd.Timestamp, last: pd.Timestamp) -> pd.Series:
    inside = (scored["event_date"] >= first) & (scored["event_date"] <= last)
    return scored.loc[inside, "score"].groupby(areas[inside]).sum()


def baseline_change(
    events: pd.DataFrame,
    actors: pd.DataFrame,
    *,
    as_of: dt.date,
    level: Level = "country",
    since: dt.date | None = None,
    weights: TensionWeights = WEIGHTS,
) -> pd.DataFrame:
    """Each area's index over the last 4 weeks to `as_of`, against its 4-weekly average over the 52 before.

    `since` is the first day the data covers (default: the earliest event): baseline weeks before it are
    not counted, so a young dataset is compared with the weeks it has. `change_pct` is
    (recent - baseline) / |baseline| x 100, empty when |baseline| is below `weights.baseline_floor`.
    """
    scored = event_scores(events, actors, weights=weights)
    areas = area_column(scored, level)
    end = pd.Timestamp(as_of)
    recent_start = end - pd.Timedelta(days=7 * weights.recent_weeks - 1)
    baseline_end = recent_start - pd.Timedelta(days=1)
    baseline_start = recent_start - pd.Timedelta(days=7 * weights.baseline_weeks)
    covered_from = max(baseline_start, pd.Timestamp(since)) if since is not None else baseline_start
    if since is None and len(scored):
        covered_from = max(baseline_start, scored["event_date"].min())
    covered_days = max((baseline_end - covered_from).days + 1, 0)
    covered_weeks = covered_days / 7
    recent = _window_sum(scored, areas, recent_start, end)
    total = _window_sum(scored, areas, baseline_start, baseline_end)
    present = set(pd.unique(areas.dropna()))
    table = pd.DataFrame({"area": [a for a in area_order(level) if a in present]})
    table["recent"] = table["area"].map(recent).fillna(0.0).astype("float64")
    table["baseline"] = (
        table["area"].map(total).fillna(0.0).astype("float64") / covered_weeks * weights.recent_weeks
        if covered_weeks >= 1
        else np.nan
    )
    table["baseline_weeks"] = math.floor(covered_weeks)
    denominator = table["baseline"].abs()
    denominator = denominator.where(denominator >= weights.baseline_floor)
    table["change_pct"] = (table["recent"] - table["baseline"]) / denominator * 100.0
    return table


def baseline_label(change_pct: float, *, recent: float, baseline: float, weights: TensionWeights = WEIGHTS) -> str:
    """ "+575%" against the baseline, with "now de-escalatory" (or "now escalatory") when the recent weeks' index
    has the other sign, so "-138%" is not read as a count falling below zero; against a near-zero baseline "new
    activity" (or "quiet" when the recent weeks are near zero too); "no baseline yet" when the data covers less
    than a week before them."""
    if pd.notna(change_pct):
        turned = NOW_DE_ESCALATORY if recent < 0 < baseline else NOW_ESCALATORY if baseline < 0 < recent else None
        return f"{change_pct:+,.0f}%" + (f" ({turned})" if turned else "")
    if pd.isna(baseline):
        return "no baseline yet"
    return NEW_ACTIVITY if abs(recent) >= weights.baseline_floor else "quiet"


def trend_of(change: float, previous: float, escalation_change: float, *, weights: TensionWeights = WEIGHTS) -> Trend:
    """Deteriorated or improved when the month moved by at least the threshold, else unchanged.

    A deterioration also needs the escalatory points (`escalation_change`, the rise of the sum of positive
    scores) to have risen by the threshold: a month whose index rose only because talks ended is unchanged."""
    threshold = max(weights.trend_min_points, weights.trend_min_share * abs(previous))
    if change >= threshold and escalation_change >= threshold:
        return "deteriorated"
    if change <= -threshold:
        return "improved"
    return "unchanged"


def monthly_trends(
    events: pd.DataFrame,
    actors: pd.DataFrame,
    *,
    as_of: dt.date,
    level: Level = "country",
    since: dt.date | None = None,
    weights: TensionWeights = WEIGHTS,
) -> pd.DataFrame:
    """The computed trend of every area for the last full month to `as_of`, with the baseline change beside it.

    Only the region's areas (`REGION_AREAS`) get a trend. Columns: `area`, `month` (e.g. "2025-06"), `index`,
    `previous` (the month before), `change`, `escalation_change` (the change of the escalatory points alone),
    `threshold`, `trend`, and from `baseline_change`: `recent`, `baseline`, `baseline_weeks`, `change_pct`.
    """
    month = last_full_month(as_of)
    upto = events[events["event_date"] <= pd.Timestamp(as_of)]
    monthly = tension_index(
        upto,
        actors,
        level=level,
        granularity="month",
        start=(month - 1).start_time.date(),
        end=month.end_time.date(),
        weights=weights,
    )
    baseline = baseline_change(upto, actors, as_of=as_of, level=level, since=since, weights=weights)
    baseline = baseline[baseline["area"].isin(REGION_AREAS)].reset_index(drop=True)
    table = baseline[["area"]].copy()
    table["month"] = str(month)

    def of_month(values: str, which: pd.Period) -> pd.Series:
        wide = monthly.pivot(index="area", columns="period", values=values)
        found = table["area"].map(wide.get(which.start_time, pd.Series(dtype="float64")))
        return found.fillna(0.0).astype("float64")  # also when no area has a trend (the map keeps the str dtype)

    table["index"] = of_month("index", month)
    table["previous"] = of_month("index", month - 1)
    table["change"] = table["index"] - table["previous"]
    table["escalation_change"] = of_month("escalatory", month) - of_month("escalatory", month - 1)
    table["threshold"] = [max(weights.trend_min_points, weights.trend_min_share * abs(p)) for p in table["previous"]]
    table["trend"] = [
        trend_of(c, p, e, weights=weights)
        for c, p, e in zip(table["change"], table["previous"], table["escalation_change"], strict=True)
    ]
    return table.merge(baseline, on="area", how="left")


def biggest_movers(trends: pd.DataFrame, *, top: int = 5) -> pd.DataFrame:
    """The areas whose index moved most (in points, either way) in the trend month."""
    moved = trends[trends["change"] != 0]
    order = moved["change"].abs().sort_values(ascending=False, kind="stable").index
    return moved.loc[order].head(top).reset_index(drop=True)


def busiest_areas(index: pd.DataFrame, *, top: int = 12) -> list[str]:
    """The `top` areas of the region (`REGION_AREAS`) with the most index points either way over the table, in
    the table's order."""
    points = (index["escalatory"] - index["de_escalatory"]).groupby(index["area"]).sum()
    points = points[points.index.isin(REGION_AREAS)]
    chosen = set(points[points > 0].sort_values(ascending=False, kind="stable").head(top).index)
    return [area for area in dict.fromkeys(index["area"]) if area in chosen]


DRIVER_COLUMNS = [
    "event_id",
    "event_date",
    "month",
    "area",
    "sub_event_type",
    "actor1",
    "actor2",
    "fatalities",
    "score",
    "contribution",
    "notes",
]


def trend_drivers(
    events: pd.DataFrame,
    actors: pd.DataFrame,
    *,
    area: str,
    month: str | pd.Period,
    level: Level = "country",
    top: int = 5,
    weights: TensionWeights = WEIGHTS,
) -> pd.DataFrame:
    """The events that moved `area`'s index between the month before `month` and `month`.

    The change is the sum of contributions: an event in `month` adds its score, an event of the month
    before takes its score away (it did not recur). The drivers are the largest contributions in the
    direction of the change (by size when the index did not move).
    """
    month = pd.Period(month, freq="M")
    scored = event_scores(events, actors, weights=weights)
    scored = scored.assign(area=area_column(scored, level), month=scored["event_date"].dt.to_period("M"))
    scored = scored[(scored["area"] == area) & scored["month"].isin([month, month - 1])]
    scored = scored.assign(
        contribution=scored["score"].where(scored["month"] == month, -scored["score"]),
        month=scored["month"].astype("string"),
    )
    scored = scored[scored["contribution"] != 0]
    change = scored["contribution"].sum()
    if change > 0:
        ranked = scored[scored["contribution"] > 0].sort_values("contribution", ascending=False, kind="stable")
    elif change < 0:
        ranked = scored[scored["contribution"] < 0].sort_values("contribution", kind="stable")
    else:
        ranked = scored.reindex(scored["contribution"].abs().sort_values(ascending=False, kind="stable").index)
    return ranked.head(top)[DRIVER_COLUMNS].reset_index(drop=True)


# --- documentation ------------------------------------------------------------------------------------------


def weights_markdown(weights: TensionWeights = WEIGHTS) -> str:
    """The weights table of the index as Markdown, for the data card and the app."""
    lines = ["| factor | applies to | weight |", "| --- | --- | ---: |"]
    for event_type in taxonomy.EVENT_TYPES:
        lines.append(f"| event type | {event_type} | {weights.event_type.get(event_type, 1.0):g} |")
    for (first, second), value in sorted(weights.actor_pair.items(), key=lambda item: -item[1]):
        lines.append(f"| actors | {first} and {second} | {value:g} |")
    lines.append(
        f"| actors | any other pair (civilians, international bodies, shipping, no second actor) "
        f"| {weights.default_actor_weight:g} |"
    )
    lines.append(f"| fatalities | coefficient c in 1 + c × ln(1 + deaths); unknown adds nothing | "
                 f"{weights.fatality_coefficient:g} |")  # fmt: skip
    lines.append(f"| baseline | recent weeks, against the weeks before them | {weights.recent_weeks} vs "
                 f"{weights.baseline_weeks} |")  # fmt: skip
    lines.append(f"| baseline | smallest baseline given a percentage (points per {weights.recent_weeks} weeks) | "
                 f"{weights.baseline_floor:g} |")  # fmt: skip
    lines.append(f"| trend threshold | minimum change in index points | {weights.trend_min_points:g} |")
    lines.append(f"| trend threshold | minimum change as a share of the previous month | "
                 f"{weights.trend_min_share:.0%} |")  # fmt: skip
    classes: dict[str, list[str]] = {}
    for kind in taxonomy.ACTOR_KINDS:
        classes.setdefault(weights.actor_class_by_kind.get(kind, "other"), []).append(kind)
    lines += ["", "| actor class | actor kinds (`actors.csv`) |", "| --- | --- |"]
    for actor_class in ACTOR_CLASSES:
        kinds = [k if k not in INHERITING_KINDS else f"{k}*" for k in classes.get(actor_class, [])]
        lines.append(f"| {actor_class} | {', '.join(kinds)} |")
    lines += ["", "\\* a person or political organisation takes the class of the nearest organisation above it "
              "in its affiliation chain (a minister counts as their state); `other` when it has none."]  # fmt: skip
    return "\n".join(lines)


LIMITS: tuple[str, ...] = (
    "It counts reported events, so it measures what the curated sources report: a month looks calm when "
    "reporting is thin, and bulk-claimed attacks (e.g. the Islamic Resistance in Iraq's daily claims) weigh only "
    "where a specific incident was recorded.",
    "One row is one event whatever its size: Iran's 13 April 2024 barrage of more than 300 drones and missiles "
    "scores like a single strike, except through its reported deaths.",
    "Events are counted where they happen, not by who acts: Iran's attacks on Israel raise Israel's index, "
    "Israel's strikes in Iran raise Iran's. The Actors page shows an actor's own index.",
    "Deaths raise an event's weight on a logarithmic scale; an event with no reported figure adds no extra "
    "weight (unknown is not read as zero deaths, but it cannot count as more either). Casualty figures come from "
    "parties to the conflict.",
    "Events known only to their month are dated mid-month and fall into that week of the weekly index.",
    "The weights are judgements, stated here so they can be argued with; the trends are month on month and "
    "ignore anything the index cannot see, which is why an analyst may override them.",
)


def method_markdown(weights: TensionWeights = WEIGHTS) -> str:
    """How the index, the baseline change and the trend are computed, the weights, and the limits."""
    limits = "\n".join(f"- {limit}" for limit in LIMITS)
    outside = ", ".join(c.name for c in taxonomy.COUNTRIES if not c.in_region)
    # The formula is a quotation, not an indented code block: a code block makes the page load the browser's
    # 1.5 MB syntax highlighter (and a monospace font) for one line.
    return f"""Every event scores

> score = direction × type weight × actor weight × (1 + c × ln(1 + deaths)),  with c = {weights.fatality_coefficient:g}

- **direction** is its sub-type's escalation in the taxonomy: +1 escalatory, 0 neutral (an official
  statement, an arrest), -1 de-escalatory (talks, a ceasefire, a withdrawal).
- **type weight** follows the event type, and **actor weight** the classes of its two actors: a state
  acting on a state weighs more than an armed group on an armed group (table below).
- **deaths** are the reported fatalities; when none is reported the factor is 1 (no extra weight).

A country's (theatre's, the region's) index for a week (Monday to Sunday) or a calendar month is the sum of
its events' scores; it is negative when de-escalation outweighs escalation.

**Against the baseline**: the index of the last {weights.recent_weeks} weeks (to the end of the selected
period) against its average per {weights.recent_weeks} weeks over the {weights.baseline_weeks} weeks before
them, as (recent - baseline) / |baseline| × 100; past −100% (or from a negative baseline past +100%) the
index changed sign, and the percentage says so (*{NOW_DE_ESCALATORY}*, *{NOW_ESCALATORY}*). No percentage is
given when the baseline is below {weights.baseline_floor:g} points either way (a percentage of almost nothing
says nothing): the recent weeks then read as *{NEW_ACTIVITY}* when they hold at least
{weights.baseline_floor:g} points either way, as *quiet* otherwise. Baseline weeks before the data begins are
not counted.

**Trend** for the last full month, against the month before, for the region's countries and seas only
(places outside the region that only host talks: {outside}; they keep their events in the index
but get no trend): *deteriorated* when the index rose by at least
{weights.trend_min_points:g} points and by at least {weights.trend_min_share:.0%} of the previous month's
absolute value, **and** its escalatory points alone rose by as much (a deterioration needs escalatory
events behind it: a month whose index rose only because talks or a truce ended is *unchanged*);
*improved* when the index fell by the threshold; *unchanged* otherwise. The events that drove a change are those
with the largest contributions in its direction: an event of the month adds its score, an event of the
month before takes its score away. An analyst may replace a computed trend with a judgement
(`trend_overrides.csv`); the app marks every trend as computed or analyst judgement.

{weights_markdown(weights)}

Limits:

{limits}"""
