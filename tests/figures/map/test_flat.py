"""The map's PNG export: the MapLibre map redrawn as flat SVG, framing the same view with the same keys."""

from __future__ import annotations

import io

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from tensions.data.load import load_dataset
from tensions.export.render import figure_image
from tensions.figures import theme
from tensions.figures.map.builder import event_map
from tensions.figures.map.encoding import PNG_PAD
from tensions.figures.map.flat import flat_map, mercator_y, unclashed_texts
from tensions.figures.map.regions import TILE_PIXELS
from tests.conftest import FIXTURE_DATA

MODES = ["points", "density", "provinces"]
PNG = {"width": 1600, "height": 1000}


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(FIXTURE_DATA)


def export(dataset, **options) -> tuple[go.Figure, go.Figure]:
    """The page's export figure (a MapLibre map at PNG size with a title and margins) and its flat redrawing."""
    fig = event_map(dataset.events, places=dataset.places, title="Events: all", pad=PNG_PAD, **PNG, **options)
    return fig, flat_map(fig)


def colour_share(pixels: np.ndarray, hex_colour: str, tolerance: int) -> float:
    target = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
    return float((np.abs(pixels - target).max(axis=2) <= tolerance).mean())


@pytest.mark.parametrize("mode", MODES)
def test_the_flat_map_draws_nothing_with_webgl(dataset, mode):
    _, flat = export(dataset, mode=mode)
    assert {trace.type for trace in flat.data} <= {"scatter", "heatmap"}
    assert "map" not in flat.layout.to_plotly_json()


@pytest.mark.parametrize("region", ["Fit to events", "Iraq", "Levant"])
def test_the_flat_map_frames_the_maplibre_view_at_its_zoom(dataset, region):
    fig, flat = export(dataset, region=region)
    margin = fig.layout.margin
    degrees_per_pixel = 360 / (TILE_PIXELS * 2**fig.layout.map.zoom)
    x0, x1 = flat.layout.xaxis.range
    y0, y1 = flat.layout.yaxis.range
    assert (x0 + x1) / 2 == pytest.approx(fig.layout.map.center.lon)
    assert (y0 + y1) / 2 == pytest.approx(float(mercator_y(fig.layout.map.center.lat)))
    assert (x1 - x0) / degrees_per_pixel == pytest.approx(PNG["width"] - margin.l - margin.r)
    assert (y1 - y0) / degrees_per_pixel == pytest.approx(PNG["height"] - margin.t - margin.b)


@pytest.mark.parametrize("mode", MODES)
def test_the_flat_map_keeps_the_title_legend_keys_and_margins(dataset, mode):
    fig, flat = export(dataset, mode=mode)
    assert flat.layout.title.text == "Events: all"
    assert flat.layout.margin == fig.layout.margin
    assert min(flat.layout.margin.l, flat.layout.margin.r, flat.layout.margin.t, flat.layout.margin.b) >= PNG_PAD
    assert flat.layout.legend == fig.layout.legend and flat.layout.showlegend == fig.layout.showlegend
    assert flat.layout.annotations == fig.layout.annotations  # the key, attribution and size key labels
    assert flat.layout.shapes[2:] == fig.layout.shapes  # the size key's circles, above land and borders


def test_markers_keep_their_places_sizes_colours_and_legend_entries(dataset):
    fig, flat = export(dataset)
    markers = [t for t in fig.data if t.name != "place names"]
    drawn = [t for t in flat.data if t.name != "place names"]
    assert [t.name for t in drawn] == [t.name for t in markers]
    assert [t.showlegend for t in drawn] == [t.showlegend for t in markers]
    for source, trace in zip(markers, drawn, strict=True):
        assert np.allclose(trace.x, source.lon) and np.allclose(trace.y, mercator_y(source.lat))
        assert np.allclose(np.asarray(trace.marker.size, dtype=float), np.asarray(source.marker.size, dtype=float))
        assert trace.marker.color == source.marker.color and trace.marker.line.width == 0


def test_place_names_that_would_overlap_an_earlier_one_are_left_out():
    # Pixel positions, y upwards; 12 px text is about 7 px a letter and 16 px a line.
    x = np.array([0.0, 10.0, 0.0, 200.0])
    y = np.array([0.0, 5.0, 40.0, 0.0])
    assert unclashed_texts(["Baghdad", "Kadhimiya", "Samarra", "Ramadi"], x, y, 12) == [
        "Baghdad",
        "",
        "Samarra",
        "Ramadi",
    ]


def test_the_heat_peaks_where_the_events_are(dataset):
    _, flat = export(dataset, mode="density", region="Iraq")
    heat = next(t for t in flat.data if t.type == "heatmap")
    z = np.asarray(heat.z, dtype=float)
    row, column = np.unravel_index(np.nanargmax(z), z.shape)
    events = dataset.events
    iraq = events[(events["country"] == "Iraq").to_numpy()]
    nearest = np.hypot(iraq["longitude"] - heat.x[column], mercator_y(iraq["latitude"]) - heat.y[row]).min()
    assert nearest < 0.5
    assert np.nanmax(z) <= 1 and heat.colorscale == tuple(tuple(stop) for stop in theme.HEAT_COLOURSCALE)


def test_the_png_shows_land_sea_borders_markers_and_blank_margins_offline(dataset):
    _, flat = export(dataset, region="Middle East")
    image = Image.open(io.BytesIO(figure_image(flat, fmt="png", **PNG))).convert("RGB")
    assert image.size == (PNG["width"], PNG["height"])
    pixels = np.asarray(image, dtype=int)
    margin = flat.layout.margin
    inside = pixels[margin.t : PNG["height"] - margin.b, margin.l : PNG["width"] - margin.r]
    assert colour_share(inside, theme.LAND_COLOUR, 3) > 0.3
    assert colour_share(inside, theme.SEA_COLOUR, 3) > 0.1
    assert colour_share(inside, theme.BORDER_COLOUR, 24) > 0.001
    assert colour_share(inside, theme.EVENT_TYPE_COLOURS["Explosions/Remote violence"], 24) > 0.00003
    white = (pixels >= 250).all(axis=2)
    for edge in (white[:20, :], white[-20:, :], white[:, :20], white[:, -20:]):
        assert edge.all()
