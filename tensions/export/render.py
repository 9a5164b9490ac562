"""Static images of a figure (PNG, SVG) through kaleido and a headless Chromium.

Kaleido 1.5 finds Debian's `/usr/bin/chromium` by itself; the `BROWSER_PATH` environment variable points
it at another Chrome or Chromium. One kaleido server is started per process, the first time something is
exported (about 2-3 s), and later exports reuse it (well under a second each). MathJax is switched off,
so an export never asks the internet for it.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import struct
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import plotly.graph_objects as go

from tensions.errors import ExportError

_server_lock = threading.Lock()
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def figure_image(fig: go.Figure, *, fmt: str = "png", width: int | None = None, height: int | None = None) -> bytes:
    """`fig` as PNG or SVG bytes at exactly `width` x `height` px (default: the figure's own size)."""
    if fmt not in ("png", "svg"):
        raise ValueError(f"image format must be png or svg, not {fmt!r}")
    import kaleido  # imported here: the pages and the CLI's other commands do not need a browser

    width = int(width or fig.layout.width or 1920)
    height = int(height or fig.layout.height or 1080)
    # The kaleido server is one browser shared by the process; its queue is not safe for two threads
    # (two Streamlit sessions) at once, so exports take turns.
    with _server_lock:
        try:
            kaleido.start_sync_server(mathjax=False, silence_warnings=True)
            return kaleido.calc_fig_sync(
                fig.to_dict(), opts={"format": fmt, "width": width, "height": height, "scale": 1}
            )
        except Exception as error:  # kaleido raises several unrelated types; all mean "no image"
            kaleido.stop_sync_server(silence_warnings=True)
            raise ExportError(
                f"could not render the figure as {fmt.upper()}: {error}. Static export needs Chromium "
                "(Debian: apt-get install chromium; or set BROWSER_PATH to a Chrome/Chromium binary)."
            ) from error


def image_size(payload: bytes, fmt: str) -> tuple[int, int]:
    """The width and height in px of a PNG or SVG that `figure_image` made."""
    if fmt == "png":
        if payload[:8] != PNG_SIGNATURE or payload[12:16] != b"IHDR":
            raise ValueError("not a PNG image")
        width, height = struct.unpack(">II", payload[16:24])  # IHDR, the first chunk, opens with them
        return width, height
    if fmt != "svg":
        raise ValueError(f"image format must be png or svg, not {fmt!r}")
    _, root = next(ET.iterparse(io.BytesIO(payload), events=("start",)))
    return round(float(root.attrib["width"])), round(float(root.attrib["height"]))


def renderer_available() -> bool:
    """Whether a Chromium for kaleido is on this machine (BROWSER_PATH, or chromium/chrome on the PATH)."""
    candidates = [os.environ.get("BROWSER_PATH", ""), "chromium", "chromium-browser", "google-chrome", "chrome"]
    return any(name and (shutil.which(name) or Path(name).is_file()) for name in candidates)


def stop_renderer() -> None:
    """Close the shared browser (a command line tool calls this before exiting, so Chromium's profile
    folder is removed cleanly rather than raced by the interpreter's shutdown)."""
    import kaleido

    # Closing the browser's pipe can cut its last message in half, which choreographer logs as an error
    # with a traceback; nothing is lost by then, so that shutdown chatter is not shown.
    logger = logging.getLogger("choreographer")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with _server_lock:
            kaleido.stop_sync_server(silence_warnings=True)
    finally:
        logger.setLevel(level)
