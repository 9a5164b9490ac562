"""Streamlit's page, served with its chart library fetched at once and started while the first run is under way.

Streamlit's page loads Plotly (one module of 4.7 MB) only when a run's first chart reaches it, and fetches it then
from a server busy with that run: on a first visit the module arrived about 0.5 s late and only then took the
browser's main thread 0.6 s to start, after the page had drawn everything else the run sent. This ASGI middleware
adds two things to the page's `<head>`: a preload of the module and of the modules it imports (fetched with the
page's own, while the server is idle), and a script that starts the module once the page has opened its connection
to the server, so it starts while the server runs the script.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

CHART_MODULE = "PlotlyChart.*.js"  # Streamlit's module for `st.plotly_chart`, named with a hash of its content
# A module's static imports open its file, before its first statement: `import{a as b}from"./x.js";import"./y.js";`
_IMPORTS = re.compile(r'^(?:import[^";]*"\./[\w.-]+\.js";?)+')
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
    opening = _IMPORTS.match(found[0].read_text(encoding="utf-8", errors="replace")[:65536])
    imported = _IMPORTED.findall(opening.group(0)) if opening else []
    page = (static / "index.html").read_text(encoding="utf-8", errors="replace")
    preloads = "".join(
        f'<link rel="modulepreload" crossorigin href="./static/js/{name}">'
        for name in dict.fromkeys([chart, *imported])
        if f"/static/js/{name}" not in page
    )
    # Started in the task after the page opens its connection: Streamlit opens one WebSocket, once its settings
    # have arrived. The constructor is wrapped only for that first connection, then put back.
    start = (
        "<script>(() => { const Native = window.WebSocket;"
        " window.WebSocket = class extends Native { constructor(...args) { super(...args);"
        f' window.WebSocket = Native; setTimeout(() => import("./static/js/{chart}"), 0); }} }}; }})();</script>'
    )
    return (preloads + start).encode()


def _header(scope: Scope, name: bytes) -> bytes:
    return next((value for key, value in scope["headers"] if key == name), b"")


class EarlyChartModule:
    """ASGI middleware: adds `head` before `</head>` in each HTML page a GET asks for (Streamlit's one page,
    `index.html`, under every page's path). Every other request and answer passes through unchanged."""

    def __init__(self, app: ASGIApp, *, head: bytes) -> None:
        self.app = app
        self.head = head

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.head or scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        if b"text/html" not in _header(scope, b"accept"):
            await self.app(scope, receive, send)
            return
        # Streamlit compresses a page under a path ("/map"); asked for it plainly, the middleware can add to it.
        scope = {**scope, "headers": [(key, value) for key, value in scope["headers"] if key != b"accept-encoding"]}
        started: Message | None = None
        body: list[bytes] = []

        async def add_head(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                length = int(headers.get(b"content-length", b"0") or 0)
                if (
                    message["status"] == 200
                    and headers.get(b"content-type", b"").startswith(b"text/html")
                    and b"content-encoding" not in headers
                    and 0 < length <= _MAX_PAGE_BYTES
                ):
                    started = message
                    return
            elif message["type"] == "http.response.body" and started is not None:
                body.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                page = b"".join(body)
                if b"</head>" in page:
                    page = page.replace(b"</head>", self.head + b"</head>", 1)
                headers = [(key, value) for key, value in started["headers"] if key != b"content-length"]
                await send({**started, "headers": [*headers, (b"content-length", str(len(page)).encode())]})
                await send({"type": "http.response.body", "body": page})
                return
            await send(message)

        await self.app(scope, receive, add_head)
