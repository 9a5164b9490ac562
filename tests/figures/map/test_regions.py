"""Map views: presets frame their region, and the start view fits the filtered events."""

from __future__ import annotations

import pandas as pd
import pytest

from tensions.data import taxonomy
from tensions.figures.map.regions import (
    FIT,
    REGION_BY_NAME,
    VIEW_CHOICES,
    fit_bounds,
    outside_view,
    resolve_region,
    view_for,
    view_for_bounds,
)


def events_at(*points: tuple[float, float]) -> pd.DataFrame:
    return pd.DataFrame({"latitude": [p[0] for p in points], "longitude": [p[1] for p in points]})


def test_the_presets_are_the_ones_policy_staff_ask_for():
    assert VIEW_CHOICES == (FIT, "Middle East", "Iraq", "Levant", "Gulf", "Yemen and Red Sea")


@pytest.mark.parametrize(
    ("preset", "inside", "outside"),
    [
        ("Iraq", (33.34, 44.40), (33.89, 35.50)),  # Baghdad in, Beirut out
        ("Levant", (33.89, 35.50), (33.34, 44.40)),  # Beirut in, Baghdad out
        ("Gulf", (25.29, 51.53), (15.35, 44.21)),  # Doha in, Sanaa out
        ("Yemen and Red Sea", (15.35, 44.21), (35.69, 51.42)),  # Sanaa in, Tehran out
        ("Middle East", (35.69, 51.42), (38.90, -77.04)),  # Tehran in, Washington out
    ],
)
def test_a_preset_contains_its_places_and_not_others(preset, inside, outside):
    contained = REGION_BY_NAME[preset].contains(events_at(inside, outside)).tolist()
    assert contained == [True, False]


def test_the_iraq_view_is_centred_on_iraq_and_closer_than_the_middle_east():
    iraq, middle_east = REGION_BY_NAME["Iraq"].view(), REGION_BY_NAME["Middle East"].view()
    assert 32 < iraq.lat < 34.5 and 42.5 < iraq.lon < 45
    assert iraq.zoom > middle_east.zoom + 1


def test_a_wider_map_shows_the_same_bounds_at_a_higher_zoom():
    bounds = taxonomy.COUNTRY_BY_NAME["Iraq"].bbox
    assert view_for_bounds(bounds, width=1600, height=640).zoom >= view_for_bounds(bounds, width=800, height=640).zoom


def test_fitting_ignores_talks_abroad_while_regional_events_remain():
    events = events_at((33.34, 44.40), (15.35, 44.21), (38.90, -77.04))  # Baghdad, Sanaa, Washington
    assert fit_bounds(events) == (44.21, 15.35, 44.40, 33.34)


def test_fitting_only_talks_abroad_frames_them():
    assert fit_bounds(events_at((38.90, -77.04))) == (-77.04, 38.90, -77.04, 38.90)


def test_fitting_nothing_shows_the_region():
    assert fit_bounds(events_at()) == taxonomy.REGION_BOUNDS


def test_a_single_place_is_not_zoomed_to_street_level():
    assert view_for(events_at((33.34, 44.40)), None).zoom <= 7


def test_events_outside_the_view_are_counted():
    events = events_at((33.34, 44.40), (33.89, 35.50), (38.90, -77.04))
    assert outside_view(events, "Iraq") == 2
    assert outside_view(events, FIT) == 1


def test_an_unknown_preset_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="choose one of Fit to events, Middle East"):
        resolve_region("Atlantis")
