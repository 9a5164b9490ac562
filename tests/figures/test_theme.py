"""Every category has one colour and one place in the order, so every chart agrees."""

from __future__ import annotations

from tensions.data import taxonomy
from tensions.figures import theme


def test_every_event_type_has_a_colour():
    assert set(theme.EVENT_TYPE_COLOURS) == set(taxonomy.EVENT_TYPES)


def test_every_actor_family_has_a_colour():
    assert set(theme.ACTOR_FAMILY_COLOURS) == set(taxonomy.ACTOR_FAMILIES)


def test_colours_are_distinct_within_a_palette():
    for palette in (theme.EVENT_TYPE_COLOURS, theme.ACTOR_FAMILY_COLOURS):
        assert len(set(palette.values())) == len(palette)


def test_every_sub_type_belongs_to_a_known_type_with_a_direction():
    for sub in taxonomy.SUB_EVENT_TYPES:
        assert sub.event_type in taxonomy.EVENT_TYPES
        assert sub.escalation in (-1, 0, 1)
