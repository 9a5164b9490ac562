"""Streamlit's page, served with its chart library fetched at once and started while the first run is under way,
and told where the server's root is.

Streamlit's page loads Plotly (one module of 4.7 MB) only when a run's first chart reaches it, and fetches it then
from a server busy with that run: on a first visit the module arrived about 0.5 s late and only then took the
browser's main thread 0.6 s to start, after the page had drawn everything else the run sent. This ASGI middleware
adds two things to the page's `<head>`: a preload of the module and of the modules it imports (fetched with the
page's own, while the server is idle), and a script that starts the module once the page's connection to the server
is open and has asked for a run, so it starts while the server runs the script. A first visit to a page without
charts (Curate, Data) starts the module too, and the next page finds it ready.

Under a page's path (a link to `/actors`) Streamlit's page looked for the server there first: it asked
`/actors/_stcore/health` and `/actors/_stcore/host-config`, got two 404s, and connected to the root 70-110 ms later.
The middleware also names the root to the page (`server_root_script`), so it connects there at once.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

CHART_MODULE = "PlotlyChart.*.js"  # Streamlit's module for `st.plotly_chart`, named with a hash of its content
# A module's static imports open its file, before its first statement: `import{a as b}from"./x.js";import"./y.js";`
_IMPORTS = re.compile(r'^(?:import[^";(]*"\./[\w.-]+\.js";?)+')
_IMPORTED = re.compile(r'"\./([\w.-]+\.js)"')
_MAX_PAGE_BYTES = 1 << 20  # Streamlit's page is 7 KB; a larger HTML answer passes through unread

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def chart_module_head(static: Path) -> bytes:
    """What the page's `<head>` gains (see the module's docstring), for Streamlit's page and modules in the folder
    `static` (`index.html`, `static/js/`): the modules the page does not load already. Empty when the folder holds no
    single chart module, so the page is served as it is."""
    found = sorted((static / "static" / "js").glob(CHART_MODULE))
    if len(found) != 1:
        return b""
    chart = found[0].name
    with found[0].open(encoding="utf-8", errors="replace") as module:
        opening = _IMPORTS.match(module.read(65536))  # the imports only, not the module's 4.7 MB
    imported = _IMPORTED.findall(opening.group(0)) if opening else []
    page = (static / "index.html").read_text(encoding="utf-8", errors="replace")
    preloads = "".join(
        f'<link rel="modulepreload" crossorigin href="./static/js/{name}">'
        for name in dict.fromkeys([chart, *imported])
        if f"/static/js/{name}" not in page
    )
    # Started once the page's connection is open, in a task after Streamlit's own `open` listener has asked the
    # server to run the script. The WebSocket constructor is wrapped only for the page's first connection.
    start = (
        "<script>(() => { const Native = window.WebSocket;"
        " window.WebSocket = class extends Native { constructor(...args) { super(...args); window.WebSocket = Native;"
        ' this.addEventListener("open", () => setTimeout(() =>'
        f' import("./static/js/{chart}").catch(() => {{}}), 0), {{ once: true }}); }} }}; }})();</script>'
    )
    return (preloads + start).encode()


def server_root_script(path: bytes, root: str) -> bytes:
    """A script naming the server's root to Streamlit's page (`window.__streamlit.BACKEND_BASE_URL`, which the
    page reads as it starts), for the page asked at `path` (as sent, e.g. `/actors`) of a server whose root path
    is `root` (`/`, or `/<server.baseUrlPath>/`). The root is the browser's address less `path`, plus `root`, so a
    proxy that adds a prefix keeps it; an address that does not end with `path` is left to Streamlit's own search."""
    named = json.dumps({"path": path.decode("latin-1"), "root": root})
    # The path is the client's: inside a script, no `</script>` or `<!--` may come from it.
    named = named.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (
        f"<script>(() => {{ const {{ path, root }} = {named}; const here = location.pathname;"
        " if (here.endsWith(path)) window.__streamlit = { ...window.__streamlit,"
        " BACKEND_BASE_URL: location.origin + here.slice(0, here.length - path.length) + root }; })();</script>"
    ).encode()


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes:
    return next((value for key, value in headers if key == name), b"")


def _plain(body: bytes, encoding: bytes) -> bytes | None:
    """`body` decoded from `encoding` (none or gzip), at most `_MAX_PAGE_BYTES`; None if it cannot be."""
    if not encoding:
        return body
    if encoding != b"gzip":
        return None
    decoder = zlib.decompressobj(wbits=31)
    try:
        plain = decoder.decompress(body, _MAX_PAGE_BYTES)
    except zlib.error:
        return None
    return plain if decoder.eof and not decoder.unconsumed_tail else None


# A page is sent whole and fresh: a validator or a range would refer to Streamlit's file, not the page with `head`.
_CONDITIONS = {b"if-none-match", b"if-modified-since", b"if-range", b"range"}
_VALIDATORS = {b"etag", b"last-modified", b"content-length", b"content-encoding"}


class PageHead:
    """ASGI middleware: adds `head`, and with a `root` path the server's root (`server_root_script`), before
    `</head>` in each HTML page a GET asks for (Streamlit's one page, `index.html`, under every page's path), sent
    uncompressed and without validators. Other requests and answers pass through unchanged, but for a GET that
    accepts HTML (a navigation), which is asked without conditions or a range."""

    def __init__(self, app: ASGIApp, *, head: bytes, root: str | None = None) -> None:
        self.app = app
        self.head = head
        self.root = root

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            not (self.head or self.root)
            or scope["type"] != "http"
            or scope["method"] != "GET"
            or b"text/html" not in _header(scope["headers"], b"accept")
        ):
            await self.app(scope, receive, send)
            return
        scope = {**scope, "headers": [(key, value) for key, value in scope["headers"] if key not in _CONDITIONS]}
        started: Message | None = None
        body: list[bytes] = []

        async def add_head(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start" and _is_page(message):
                started = message
                return
            if started is None:
                await send(message)
                return
            if message["type"] != "http.response.body":  # an answer this middleware does not read
                await send(started)
                started = None
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            headers = started["headers"]
            received = b"".join(body)
            plain = _plain(received, _header(headers, b"content-encoding"))
            if plain is None or b"</head>" not in plain:  # not a page this middleware can read: as it came
                await send(started)
                await send({"type": "http.response.body", "body": received})
                return
            root = (
                b""
                if self.root is None
                else server_root_script(scope.get("raw_path") or scope["path"].encode(), self.root)
            )
            page = plain.replace(b"</head>", self.head + root + b"</head>", 1)
            kept = [(key, value) for key, value in headers if key not in _VALIDATORS and key != b"vary"]
            vary = b", ".join(value for key, value in headers if key == b"vary")
            await send(
                {
                    **started,
                    "headers": [
                        *kept,
                        (b"content-length", str(len(page)).encode()),
                        (b"vary", vary + b", Accept" if vary else b"Accept"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, add_head)


def _is_page(start: Message) -> bool:
    """Whether an answer's start is of a whole HTML page small enough to read."""
    headers = start.get("headers", [])
    try:
        length = int(_header(headers, b"content-length") or 0)
    except ValueError:
        return False
    return (
        start["status"] == 200
        and _header(headers, b"content-type").startswith(b"text/html")
        and 0 < length <= _MAX_PAGE_BYTES
    )
