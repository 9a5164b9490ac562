"""The offline basemap: Natural Earth land, borders and coastlines, shipped with the project.

Maps draw it as GeoJSON layers of a MapLibre subplot with the `white-bg` style, so a page load fetches
no tiles, fonts or topojson. `data/basemap/prepare.js` made the file; `data/README.md` says how.

A figure for the browser (`served=static_url(...)`) names the layers by URL instead of carrying them: the app
serves `static/basemap/` itself (`server.enableStaticServing`), so the browser fetches them once from the app and
every rerun sends ~380 KB less. A PNG export keeps them inline, since kaleido has no app to fetch from.
`static_files()` is what that folder must hold (a test checks it); after a new basemap or glyphs, write
it with `write_static_files()`.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from tensions.data.paths import APP_ROOT
from tensions.errors import BasemapError
from tensions.figures import theme

BASEMAP_PATH = APP_ROOT / "data" / "basemap" / "natural-earth-middle-east.geojson"
GLYPHS_PATH = APP_ROOT / "data" / "basemap" / "glyphs-latin.pbf"  # the place names' font (`labels`)
ATTRIBUTION = "Borders and coastlines: Natural Earth (public domain)"
MAP_STYLE = "white-bg"  # the one built-in MapLibre style that needs nothing from the network
STATIC_DIR = APP_ROOT / "static" / "basemap"
STATIC_URL = "/app/static/basemap/"  # where Streamlit serves `STATIC_DIR`, on a server at its host's root
LAYERS = ("land", "lines")


class _Shared(dict):
    """GeoJSON that Plotly may share instead of copying: the basemap is never modified, and deep-copying
    its ~20,000 coordinate pairs cost ~70 ms per figure (Plotly copies layout values on every update)."""

    def __deepcopy__(self, memo: dict) -> _Shared:
        return self


# The sea is a rectangle under the land, so water reads as water at every zoom.
_SEA = _Shared(
    {
        "type": "Feature",
        "properties": {"layer": "sea"},
        "geometry": {"type": "Polygon", "coordinates": [[[-180, -85], [180, -85], [180, 85], [-180, 85], [-180, -85]]]},
    }
)


@dataclass(frozen=True)
class Basemap:
    """Land polygons and border/coast lines as GeoJSON FeatureCollections."""

    land: dict
    lines: dict
    source: str


def load_basemap(path: Path = BASEMAP_PATH) -> Basemap:
    """Read the basemap GeoJSON from disk (cached per path); raise `BasemapError` when it cannot be read."""
    return _load(Path(path).resolve())


@functools.cache
def _load(path: Path) -> Basemap:
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BasemapError(f"cannot read the basemap {path}: {error}") from error
    features = collection.get("features", [])
    by_layer = {
        name: _Shared(type="FeatureCollection", features=[f for f in features if f["properties"]["layer"] == name])
        for name in LAYERS
    }
    if not by_layer["land"]["features"] or not by_layer["lines"]["features"]:
        raise BasemapError(f"the basemap {path} has no land or no lines features")
    return Basemap(
        land=by_layer["land"], lines=by_layer["lines"], source=collection.get("properties", {}).get("source", "")
    )


def static_files(basemap: Basemap | None = None) -> dict[str, bytes]:
    """The files `STATIC_DIR` serves, by name: each basemap layer as compact GeoJSON, and the glyphs."""
    basemap = basemap or load_basemap()
    layers = {
        f"{name}.geojson": json.dumps(getattr(basemap, name), separators=(",", ":")).encode("utf-8") for name in LAYERS
    }
    return {**layers, GLYPHS_PATH.name: GLYPHS_PATH.read_bytes()}


def write_static_files(folder: Path = STATIC_DIR) -> None:
    """Write `static_files()` into `folder` (after the basemap changed)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in static_files().items():
        (folder / name).write_bytes(data)


def static_url(base_url_path: str = "") -> str:
    """Where Streamlit serves `STATIC_DIR` for a server whose `server.baseUrlPath` is `base_url_path` (under it:
    `/<base>/app/static/basemap/`)."""
    base = base_url_path.strip("/")
    return f"/{base}{STATIC_URL}" if base else STATIC_URL


def map_layers(basemap: Basemap | None = None, *, served: str | None = None) -> list[dict]:
    """MapLibre layers for `layout.map.layers`: sea, land and borders, under every trace. `served`: land and
    borders by their URL under it (`static_url`; the shipped basemap only), else inline."""
    basemap = basemap or load_basemap()
    land, lines = (f"{served}{name}.geojson" for name in LAYERS) if served else (basemap.land, basemap.lines)
    return [
        {"source": _SEA, "type": "fill", "color": theme.SEA_COLOUR, "below": "traces", "name": "sea"},
        {"source": land, "type": "fill", "color": theme.LAND_COLOUR, "below": "traces", "name": "land"},
        {
            "source": lines,
            "type": "line",
            "color": theme.BORDER_COLOUR,
            "line": {"width": 0.8},
            "below": "traces",
            "name": "borders and coastlines",
        },
    ]
