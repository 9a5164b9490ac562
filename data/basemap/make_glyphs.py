"""Write `glyphs-latin.pbf`: MapLibre SDF glyphs for printable ASCII in Liberation Sans, so the map's
place names need no font server.

Run from the project root: `.venv/bin/python data/basemap/make_glyphs.py` (needs Pillow, which Streamlit
brings, and Debian's `fonts-liberation`). The format is MapLibre's glyph protobuf: one font stack, glyphs
rasterised at 24 px with a 3 px border, each pixel the signed distance to the outline (edge at 192).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT = Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf")
OUT = Path(__file__).with_name("glyphs-latin.pbf")
SIZE = 24  # MapLibre lays text out in 24 px ems
BORDER = 3  # the border MapLibre expects around every glyph bitmap
RADIUS = 8.0  # distance in pixels from the edge to fully inside or outside
CUTOFF = 0.25  # where the edge sits: 255 * (1 - 0.25) ~ 192
ASCENDER = 26  # MapLibre's layout assumes fontnik's metrics (top = bearing - ascender, for a 24 px em)
OVERSAMPLE = 4


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, value: int | bytes, *, signed: bool = False) -> bytes:
    if isinstance(value, bytes):
        return _varint(number << 3 | 2) + _varint(len(value)) + value
    if signed:
        value = (value << 1) ^ (value >> 63)
    return _varint(number << 3) + _varint(value)


def _sdf(inside: np.ndarray, width: int, height: int) -> bytes:
    """Signed distances from each bitmap pixel's centre to the outline of an oversampled mask."""
    edge = inside & ~(np.roll(inside, 1, 0) & np.roll(inside, -1, 0) & np.roll(inside, 1, 1) & np.roll(inside, -1, 1))
    ey, ex = np.nonzero(edge)
    ys, xs = np.mgrid[0:height, 0:width]
    cy, cx = (ys + 0.5) * OVERSAMPLE, (xs + 0.5) * OVERSAMPLE
    if len(ex):
        dist = np.sqrt((cx.ravel()[:, None] - ex - 0.5) ** 2 + (cy.ravel()[:, None] - ey - 0.5) ** 2).min(axis=1)
    else:
        dist = np.full(width * height, RADIUS * OVERSAMPLE)
    dist = dist.reshape(height, width) / OVERSAMPLE
    sample = inside[cy.astype(int).clip(0, inside.shape[0] - 1), cx.astype(int).clip(0, inside.shape[1] - 1)]
    signed = np.where(sample, -dist, dist)
    return np.clip(np.round(255 - 255 * (signed / RADIUS + CUTOFF)), 0, 255).astype(np.uint8).tobytes()


def glyph(font: ImageFont.FreeTypeFont, code: int) -> bytes:
    char = chr(code)
    advance = round(font.getlength(char) / OVERSAMPLE)
    x0, y0, x1, y1 = font.getbbox(char, anchor="ls")  # baseline at y = 0, y grows downwards
    fields = [_field(1, code)]
    if x1 <= x0 or y1 <= y0:  # a space: metrics only
        return b"".join([*fields, _field(3, 0), _field(4, 0), _field(5, 0, signed=True),
                         _field(6, -ASCENDER, signed=True), _field(7, advance)])  # fmt: skip
    left, top = x0 // OVERSAMPLE, y0 // OVERSAMPLE  # the bitmap's pixel-aligned corner (y0 < 0: above)
    width = -(-(x1 - left * OVERSAMPLE) // OVERSAMPLE)
    height = -(-(y1 - top * OVERSAMPLE) // OVERSAMPLE)
    full_w, full_h = width + 2 * BORDER, height + 2 * BORDER
    canvas = Image.new("L", (full_w * OVERSAMPLE, full_h * OVERSAMPLE), 0)
    origin = ((BORDER - left) * OVERSAMPLE, (BORDER - top) * OVERSAMPLE)
    ImageDraw.Draw(canvas).text(origin, char, font=font, fill=255, anchor="ls")
    bitmap = _sdf(np.asarray(canvas) >= 128, full_w, full_h)
    return b"".join([*fields, _field(2, bitmap), _field(3, width), _field(4, height),
                     _field(5, left, signed=True), _field(6, -top - ASCENDER, signed=True), _field(7, advance)])  # fmt: skip


def main() -> None:
    font = ImageFont.truetype(str(FONT), SIZE * OVERSAMPLE)
    glyphs = [_field(3, glyph(font, code)) for code in range(32, 127)]
    stack = _field(1, b"Liberation Sans Regular") + _field(2, b"0-255") + b"".join(glyphs)
    OUT.write_bytes(_field(1, stack))
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
