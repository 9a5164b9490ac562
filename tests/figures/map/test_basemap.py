"""The basemap ships with the project: Natural Earth land and borders, small, credited, drawn offline."""

from __future__ import annotations

import json

import pytest

from tensions.data import taxonomy
from tensions.errors import BasemapError
from tensions.figures import theme
from tensions.figures.map.basemap import (
    ATTRIBUTION,
    BASEMAP_PATH,
    GLYPHS_PATH,
    MAP_STYLE,
    STATIC_DIR,
    STATIC_URL,
    load_basemap,
    map_layers,
    static_files,
    static_url,
    write_static_files,
)
from tests.conftest import APP_ROOT


def coordinates(geometry: dict):
    """Every (lon, lat) pair of a Polygon, MultiPolygon, LineString or MultiLineString."""

    def walk(node):
        if isinstance(node[0], int | float):
            yield node
        else:
            for child in node:
                yield from walk(child)

    yield from walk(geometry["coordinates"])


def test_the_basemap_has_land_polygons_and_border_lines():
    basemap = load_basemap()
    assert {f["geometry"]["type"] for f in basemap.land["features"]} == {"MultiPolygon"}
    assert {f["geometry"]["type"] for f in basemap.lines["features"]} == {"MultiLineString"}


def test_the_region_is_drawn_at_the_finer_scale():
    collection = json.loads(BASEMAP_PATH.read_text(encoding="utf-8"))
    detail = set(collection["properties"]["detail_countries"])
    assert {"Iraq", "Syria", "Lebanon", "Israel", "Palestine", "Jordan", "Yemen", "Iran", "Bahrain", "Qatar"} <= detail
    resolutions = {f["properties"]["resolution"] for f in collection["features"]}
    assert resolutions == {"50m", "110m"}


def test_the_basemap_covers_the_whole_region():
    lons, lats = zip(
        *(pair for f in load_basemap().land["features"] for pair in coordinates(f["geometry"])), strict=True
    )
    min_lon, min_lat, max_lon, max_lat = taxonomy.REGION_BOUNDS
    assert min(lons) < min_lon and max(lons) > max_lon
    assert min(lats) < min_lat and max(lats) > max_lat


def test_lebanons_coast_is_drawn_in_detail():
    """At 1:50m the coast near Beirut has vertices every few kilometres, not one per hundred."""
    near_beirut = [
        (lon, lat)
        for f in load_basemap().lines["features"]
        if f["properties"]["resolution"] == "50m"
        for lon, lat in coordinates(f["geometry"])
        if 35.0 < lon < 36.0 and 33.5 < lat < 34.5
    ]
    assert len(near_beirut) >= 10


def test_coordinates_are_rounded_to_keep_the_file_small():
    for feature in load_basemap().land["features"]:
        for lon, lat in coordinates(feature["geometry"]):
            assert round(lon, 3) == lon and round(lat, 3) == lat


def test_the_file_is_small_enough_to_travel_inside_every_map_figure():
    assert BASEMAP_PATH.stat().st_size < 1_000_000


def test_layers_draw_sea_land_and_borders_in_the_theme_colours_under_the_markers():
    layers = map_layers()
    assert [layer["type"] for layer in layers] == ["fill", "fill", "line"]
    assert [layer["color"] for layer in layers] == [theme.SEA_COLOUR, theme.LAND_COLOUR, theme.BORDER_COLOUR]
    assert all(layer["below"] == "traces" for layer in layers)


def test_the_style_needs_no_tiles_or_fonts():
    assert MAP_STYLE == "white-bg"


def test_a_missing_basemap_is_a_clear_error(tmp_path):
    with pytest.raises(BasemapError, match="cannot read the basemap"):
        load_basemap(tmp_path / "nowhere.geojson")


def test_a_basemap_without_lines_is_refused(tmp_path):
    path = tmp_path / "land-only.geojson"
    land = {"type": "Feature", "properties": {"layer": "land"}, "geometry": {"type": "MultiPolygon", "coordinates": []}}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [land]}))
    with pytest.raises(BasemapError, match="no land or no lines"):
        load_basemap(path)


def test_natural_earth_is_credited_in_the_data_card_and_the_app():
    assert "Natural Earth" in ATTRIBUTION
    card = (APP_ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert "Natural Earth" in card
    assert "data/basemap/prepare.js" in card


def test_the_apps_static_folder_holds_the_basemap_and_glyphs_the_figures_name():
    expected = static_files()
    assert set(expected) == {"land.geojson", "lines.geojson", GLYPHS_PATH.name}
    for name, data in expected.items():
        path = STATIC_DIR / name
        assert path.read_bytes() == data, f"{path} is stale: run basemap.write_static_files()"
    land = json.loads(expected["land.geojson"])
    assert land == load_basemap().land and land["features"]


def test_served_layers_name_the_static_files_and_draw_the_same_layers(tmp_path):
    inline, served = map_layers(), map_layers(served=STATIC_URL)
    assert [layer["source"] for layer in served[1:]] == [f"{STATIC_URL}land.geojson", f"{STATIC_URL}lines.geojson"]
    strip = [{k: v for k, v in layer.items() if k != "source"} for layer in inline]
    assert [{k: v for k, v in layer.items() if k != "source"} for layer in served] == strip
    assert served[0]["source"] is inline[0]["source"]  # the sea stays inline: a rectangle
    write_static_files(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(static_files())


def test_under_a_base_url_path_the_static_files_are_under_it_too():
    assert static_url() == static_url("/") == STATIC_URL == "/app/static/basemap/"
    assert static_url("tensions") == static_url("/tensions/") == "/tensions/app/static/basemap/"
    assert static_url("team/tensions") == "/team/tensions/app/static/basemap/"


def test_the_app_serves_its_static_folder_at_the_url_the_figures_use():
    config = (APP_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert "enableStaticServing = true" in config
    assert STATIC_DIR == APP_ROOT / "static" / "basemap" and STATIC_URL == "/app/static/basemap/"
