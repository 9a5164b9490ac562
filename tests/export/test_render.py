"""`render.image_size`: the size of an exported image, read from its bytes."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tensions.export.render import image_size


def test_a_png_size_is_read_from_its_header():
    buffer = io.BytesIO()
    Image.new("RGB", (192, 87), "white").save(buffer, format="PNG")
    assert image_size(buffer.getvalue(), "png") == (192, 87)


def test_an_svg_size_is_read_from_its_root_element():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="1920" height="1601.6"><text>x</text></svg>'
    assert image_size(svg, "svg") == (1920, 1602)


@pytest.mark.parametrize(
    ("payload", "fmt", "message"), [(b"<svg/>", "png", "not a PNG"), (b"PK", "pptx", "png or svg")]
)
def test_anything_else_is_refused(payload, fmt, message):
    with pytest.raises(ValueError, match=message):
        image_size(payload, fmt)
