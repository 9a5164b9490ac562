"""Place names on the map: the region's capitals and main cities, from GeoNames, drawn with shipped glyphs."""

from __future__ import annotations

import base64

import pytest

from tensions.data import taxonomy
from tensions.figures.map.basemap import GLYPHS_PATH, STATIC_DIR, STATIC_URL
from tensions.figures.map.labels import PLACES, label_trace, labelled_style, place_points

CAPITALS = ["Baghdad", "Damascus", "Beirut", "Amman", "Jerusalem", "Sanaa", "Tehran", "Riyadh", "Doha", "Abu Dhabi",
            "Kuwait City", "Manama", "Muscat", "Cairo", "Ankara"]  # fmt: skip
CITIES = ["Erbil", "Basra", "Mosul", "Tel Aviv", "Gaza", "Aden", "Hodeidah"]


def glyph_ids(pbf: bytes) -> set[int]:
    """The code points in a MapLibre glyph protobuf (glyphs > stacks > glyph > id)."""

    def fields(data: bytes):
        i = 0
        while i < len(data):
            key, i = varint(data, i)
            if key & 7 == 2:
                length, i = varint(data, i)
                yield key >> 3, data[i : i + length]
                i += length
            else:
                value, i = varint(data, i)
                yield key >> 3, value

    def varint(data: bytes, i: int) -> tuple[int, int]:
        value = shift = 0
        while True:
            value |= (data[i] & 0x7F) << shift
            shift += 7
            i += 1
            if not data[i - 1] & 0x80:
                return value, i

    return {dict(fields(glyph))[1] for _, stack in fields(pbf) for number, glyph in fields(stack) if number == 3}


def test_every_capital_and_main_city_of_the_region_is_named_once():
    names = [name for name, _ in PLACES]
    assert set(CAPITALS + CITIES) <= set(names)
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    ("name", "lat", "lon"), [("Baghdad", 33.34, 44.40), ("Gaza", 31.50, 34.47), ("Aden", 12.78, 45.04)]
)
def test_places_stand_where_geonames_puts_them(name, lat, lon):
    points = {n: (la, lo) for n, la, lo in place_points()}
    assert points[name] == pytest.approx((lat, lon), abs=0.01)


def test_every_place_lies_in_the_region():
    min_lon, min_lat, max_lon, max_lat = taxonomy.REGION_BOUNDS
    for name, lat, lon in place_points():
        assert min_lat <= lat <= max_lat and min_lon <= lon <= max_lon, name


def test_the_shipped_glyphs_cover_every_character_of_every_name():
    ids = glyph_ids(GLYPHS_PATH.read_bytes())
    assert {ord(c) for name, _ in PLACES for c in name} <= ids


def test_the_style_carries_the_glyphs_inside_it_so_nothing_is_fetched():
    url = labelled_style()["glyphs"]
    head, _, rest = url.partition(",")
    payload, _, fragment = rest.partition("#")
    assert head == "data:application/x-protobuf;base64"
    assert base64.b64decode(payload) == GLYPHS_PATH.read_bytes()
    assert fragment == "{fontstack}/{range}"  # the tokens MapLibre requires, ignored by a data: fetch


def test_the_browsers_style_names_the_apps_own_copy_of_the_glyphs():
    url = labelled_style(served=STATIC_URL)["glyphs"]
    assert url == f"{STATIC_URL}{GLYPHS_PATH.name}#{{fontstack}}/{{range}}"
    assert (STATIC_DIR / GLYPHS_PATH.name).read_bytes() == GLYPHS_PATH.read_bytes()


def test_names_are_neither_hovered_nor_clicked_nor_in_the_legend():
    trace = label_trace()
    assert trace.hoverinfo == "skip" and trace.showlegend is False and trace.customdata is None
    assert trace.textfont.size >= 12
