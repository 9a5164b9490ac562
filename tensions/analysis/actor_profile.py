"""Who acts: an actor's profile, its activity and counterparts, the affiliation tree sized by events, and
who acts on whom. Pure functions of the (filtered) event table and `actors.csv`, for the Actors page. The
counts (`events_by_actor`, `affiliation_tree`, `interaction_counts`, `counterparts`, `without_second_actor`)
also read summed rows (`tensions.analysis.weighted.pair_summary`), as the database's imported events come.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from tensions.analysis import weighted
from tensions.analysis.filters import FilterState
from tensions.analysis.periods import Granularity, period_starts
from tensions.data import taxonomy
from tensions.data.actors import ancestors, family_by_actor, with_descendants
from tensions.data.schema import split_list

ACTING = "acting"
ACTED_ON = "acted on / with"
ROLES: tuple[str, ...] = (ACTING, ACTED_ON)
OTHER_ACTORS = "other actors"


@dataclass(frozen=True)
class ActorProfile:
    actor: str
    kind: str
    aliases: tuple[str, ...]
    chain: tuple[str, ...]  # affiliation, nearest first
    affiliates: tuple[str, ...]  # actors directly below it
    family: str
    country: str | None
    description: str


def actor_profile(actor: str, actors: pd.DataFrame) -> ActorProfile:
    """What `actors.csv` says about `actor`: kind, aliases, affiliation chain, direct affiliates, description."""
    row = actors.loc[actors["actor"] == actor]
    if row.empty:
        raise KeyError(actor)
    record = row.iloc[0]
    country = record.get("country")
    return ActorProfile(
        actor=actor,
        kind=str(record["kind"]),
        aliases=tuple(split_list(record.get("aliases"))),
        chain=tuple(ancestors(actor, actors)),
        affiliates=tuple(sorted(actors.loc[actors["parent"] == actor, "actor"].dropna())),
        family=family_by_actor(actors).get(actor, ""),
        country=None if pd.isna(country) else str(country),
        description=str(record["description"]),
    )


def involving(
    events: pd.DataFrame, actor: str, actors: pd.DataFrame, *, include_affiliates: bool = True
) -> pd.DataFrame:
    """The events `actor` (and, by default, the groups affiliated below it) took part in, with its role."""
    names = with_descendants([actor], actors) if include_affiliates else {actor}
    acting = events["actor1"].isin(names)
    acted_on = events["actor2"].isin(names)
    chosen = events[(acting | acted_on).to_numpy()]
    role = pd.Series(ACTING, index=chosen.index).where(acting[chosen.index], ACTED_ON)
    # As text: actor1 and actor2 are categoricals whose categories differ once imported data is combined.
    counterpart = chosen["actor2"].astype("string").where(acting[chosen.index], chosen["actor1"].astype("string"))
    counterpart = counterpart.where(~counterpart.isin(names))  # within its own group is no counterpart
    return chosen.assign(role=role, counterpart=counterpart)


def involving_state(state: FilterState, actor: str, actors: pd.DataFrame) -> FilterState | None:
    """`state` narrowed to the events `actor` and its affiliates took part in (`involving`), as one filter state
    for the database's queries; None when no filter state says it (`state` chooses other actors, outside the
    actor's branch, and a filter state keeps the events of any actor it names)."""
    if state.actors and not with_descendants([actor], actors) <= with_descendants(state.actors, actors):
        return None
    return replace(state, actors=(actor,))


def activity_over_time(involved: pd.DataFrame, *, granularity: Granularity = "month") -> pd.DataFrame:
    """Events per period and role, with the fatalities reported in them and how many had none reported.
    `involved` may be summed rows with their role (`tensions.analysis.queries.role_summary`)."""
    counted = involved.assign(
        period=period_starts(involved["event_date"], granularity),
        _events=weighted.event_counts(involved),
        _deaths=weighted.reported_deaths(involved),
        _unknown=weighted.not_reported_counts(involved),
    )
    grouped = counted.groupby(["period", "role"], observed=True)
    table = grouped.agg(
        events=("_events", "sum"), fatalities=("_deaths", "sum"), unknown_fatalities=("_unknown", "sum")
    ).reset_index()
    table["fatalities"] = table["fatalities"].astype("int64")
    return table


def counterparts(involved: pd.DataFrame, *, top: int = 10) -> pd.DataFrame:
    """The actors it meets most often, with how often it acted on them and they on it."""
    known = involved[involved["counterpart"].notna()]
    table = (
        known.assign(_n=weighted.event_counts(known)).groupby(["counterpart", "role"], observed=True)["_n"].sum()
        .unstack("role", fill_value=0).reindex(columns=list(ROLES), fill_value=0)
    )  # fmt: skip
    table["events"] = table.sum(axis=1)
    table = table.sort_values(["events", ACTING], ascending=False, kind="stable").head(top)
    return table.reset_index().rename_axis(columns=None)


def events_by_actor(events: pd.DataFrame) -> pd.Series:
    """How many events each actor took part in (as actor1 or actor2; an event counts once per actor)."""
    counts = weighted.event_counts(events)
    first, second = events["actor1"].astype("object"), events["actor2"].astype("object")
    both = pd.DataFrame(
        {"actor": pd.concat([first, second.where(second != first)]), "n": np.concatenate([counts, counts])}
    ).dropna()
    return both.groupby("actor")["n"].sum()


def without_second_actor(events: pd.DataFrame) -> int:
    """How many events record no second actor."""
    return int(weighted.event_counts(events)[events["actor2"].isna().to_numpy()].sum())


def busiest_profiled_actor(counts: pd.Series, profiled: list[str]) -> str:
    """Of the actors with a profile (`actors.csv`), the one in the most events (`events_by_actor`); the first
    when none is in any. Imported actors missing from actors.csv have no profile, however busy."""
    known = counts[counts.index.isin(profiled)]
    return str(known.idxmax()) if len(known) else profiled[0]


ARMED_KINDS: tuple[str, ...] = ("armed group", "umbrella group", "coalition")
STATE_KINDS: tuple[str, ...] = ("state", "state force")


def tree_parents(actors: pd.DataFrame) -> dict[str, str]:
    """Each actor's parent in the affiliation tree as drawn: its parent in `actors.csv`, except that an armed
    group backed by a foreign state (its parent a state or force of another country, as the Islamic Resistance
    in Iraq under the IRGC Quds Force) starts its own branch under its family: backing is not command, and
    the group would otherwise sit four levels down, out of sight."""
    kinds = dict(zip(actors["actor"], actors["kind"].astype("string"), strict=True))
    countries = dict(zip(actors["actor"], actors["country"], strict=True))
    parents = {}
    for actor, parent in zip(actors["actor"], actors["parent"], strict=True):
        if not isinstance(parent, str) or not parent:
            continue
        backed = (
            kinds.get(actor) in ARMED_KINDS
            and kinds.get(parent) in STATE_KINDS
            and countries.get(actor) != countries.get(parent)
        )
        if not backed:
            parents[actor] = parent
    return parents


def _chain(actor: str, parents: dict[str, str]) -> list[str]:
    chain = [actor]
    while (parent := parents.get(chain[-1])) is not None and parent not in chain:
        chain.append(parent)
    return chain


def affiliation_tree(events: pd.DataFrame, actors: pd.DataFrame) -> pd.DataFrame:
    """The affiliation tree under one node per actor family, sized by events in `events`.

    Columns: `id`, `label`, `parent` (an id, empty for the root), `kind`, `family`, `backed_by` (the foreign
    state or force above a group that starts its own branch, see `tree_parents`; empty otherwise), `own`
    (events the actor itself took part in), `total` (distinct events of it and everything below it in the
    tree). Actors with no event in their whole branch are left out.
    """
    own = events_by_actor(events)
    families = family_by_actor(actors)
    parents = tree_parents(actors)
    listed = {a: p for a, p in zip(actors["actor"], actors["parent"], strict=True) if isinstance(p, str) and p}
    kinds = dict(zip(actors["actor"], actors["kind"].astype("string"), strict=True))
    # An event counts once for every actor at or above either of its actors: count each pair of actors
    # once, then spread its count up both chains.
    counts = weighted.event_counts(events)
    pair_counts = events.assign(_n=counts).groupby(["actor1", "actor2"], dropna=False, observed=True)["_n"].sum()
    totals: dict[str, int] = {}
    for (first, second), count in pair_counts.items():
        branch = set()
        for name in (first, second):
            if isinstance(name, str):
                branch |= set(_chain(name, parents))
        for name in branch:
            totals[name] = totals.get(name, 0) + int(count)
    rows = []
    for actor in actors["actor"]:
        total = totals.get(actor, 0)
        if total == 0:
            continue
        family = families.get(actor, "")
        parent = parents.get(actor)
        rows.append(
            {
                "id": f"actor/{actor}",
                "label": actor,
                "parent": f"actor/{parent}" if parent else f"family/{family}",
                "kind": kinds.get(actor, ""),
                "family": family,
                "backed_by": listed.get(actor, "") if listed.get(actor) != parent else "",
                "own": int(own.get(actor, 0)),
                "total": total,
            }
        )
    columns = ["id", "label", "parent", "kind", "family", "backed_by", "own", "total"]
    tree = pd.DataFrame(rows, columns=columns)
    present = [f for f in taxonomy.ACTOR_FAMILIES if f in set(tree["family"])]
    family_rows = [
        {"id": f"family/{f}", "label": f, "parent": "", "kind": "family", "family": f, "backed_by": "", "own": 0,
         "total": int(counts[(events["actor1_family"].eq(f) | events["actor2_family"].eq(f)).to_numpy(bool, na_value=False)].sum())}
        for f in present
    ]  # fmt: skip
    return pd.concat([pd.DataFrame(family_rows, columns=tree.columns), tree], ignore_index=True)


def state_of_forces(actors: pd.DataFrame) -> dict[str, str]:
    """Each state force's state (IDF → Israel, US forces → United States): a force acts for its state."""
    kinds = dict(zip(actors["actor"], actors["kind"].astype("string"), strict=True))
    return {
        actor: parent
        for actor, parent, kind in zip(actors["actor"], actors["parent"], actors["kind"], strict=True)
        if kind == "state force" and isinstance(parent, str) and kinds.get(parent) == "state"
    }


def interaction_counts(
    events: pd.DataFrame,
    actors: pd.DataFrame | None = None,
    *,
    level: Literal["actor", "family"] = "actor",
    top: int = 12,
) -> pd.DataFrame:
    """Events from each actor1 to each actor2 (or family to family), the `top` busiest of each side named
    and the rest grouped as "other actors"; events without a second actor are left out.

    Given `actors`, a state force counts as its state (`state_of_forces`: the IDF's events in Israel's row
    and column), so one actor under two names does not split its count."""
    source, target = ("actor1", "actor2") if level == "actor" else ("actor1_family", "actor2_family")
    named = events[target].notna().to_numpy()
    pairs = events.loc[named, [source, target]].astype("object")
    pairs.columns = ["actor1", "actor2"]
    pairs["events"] = weighted.event_counts(events)[named]
    if level == "actor":
        merged = state_of_forces(actors) if actors is not None else {}
        for column in ("actor1", "actor2"):
            pairs[column] = pairs[column].replace(merged)
            totals = pairs.groupby(column)["events"].sum()  # the busiest first, ties by name
            busiest = totals.sort_values(ascending=False, kind="stable").head(top).index
            pairs[column] = pairs[column].where(pairs[column].isin(busiest), OTHER_ACTORS)
    return pairs.groupby(["actor1", "actor2"])["events"].sum().reset_index()
