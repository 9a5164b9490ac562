"""The actor affiliation tree: families, ancestors and descendants from `actors.csv`'s parent column."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from tensions.data import taxonomy


def _parents(actors: pd.DataFrame) -> dict[str, str]:
    return {a: p for a, p in zip(actors["actor"], actors["parent"], strict=True) if isinstance(p, str) and p}


def ancestors(actor: str, actors: pd.DataFrame) -> list[str]:
    """The affiliation chain above `actor`, nearest first (validation guarantees it has no loop)."""
    parents = _parents(actors)
    chain = []
    current = parents.get(actor)
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain


def family_by_actor(actors: pd.DataFrame) -> dict[str, str]:
    """Each actor's family (`taxonomy.ACTOR_FAMILIES`), from the top of its affiliation chain."""
    kinds = dict(zip(actors["actor"], actors["kind"].astype("string"), strict=True))
    families = {}
    for actor in actors["actor"]:
        chain = ancestors(actor, actors)
        root = chain[-1] if chain else actor
        families[actor] = taxonomy.ACTOR_FAMILY_BY_ROOT.get(root) or taxonomy.ACTOR_FAMILY_BY_ROOT_KIND.get(
            kinds.get(root), "Other armed groups"
        )
    return families


def with_descendants(selected: Iterable[str], actors: pd.DataFrame) -> set[str]:
    """`selected` and every actor affiliated below them, so filtering on an umbrella keeps its factions."""
    children: dict[str, list[str]] = {}
    for actor, parent in _parents(actors).items():
        children.setdefault(parent, []).append(actor)
    result: set[str] = set()
    stack = list(selected)
    while stack:
        actor = stack.pop()
        if actor not in result:
            result.add(actor)
            stack.extend(children.get(actor, []))
    return result
