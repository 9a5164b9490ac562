"""A tiny stand-in for Nominatim on 127.0.0.1, so geopy's real client is tested without the internet."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlparse

from tests.local_server import local_server

# What the stub answers, by the first word of the query.
HIT = {
    "lat": "32.81250",
    "lon": "44.23440",
    "display_name": "Jurf al-Sakhar, Babil, Iraq",
    "addresstype": "town",
    "address": {"town": "Jurf al-Sakhar", "state": "Babil Governorate", "country": "Iraq"},
}
PROVINCE = {
    "lat": "32.5",
    "lon": "44.5",
    "display_name": "Babil, Iraq",
    "addresstype": "state",
    "address": {"state": "Babil Governorate"},
}


class _Handler(BaseHTTPRequestHandler):
    requests: list[tuple[float, str]]
    slow_seconds: float
    closing: threading.Event

    def do_GET(self) -> None:
        query = parse_qs(urlparse(self.path).query).get("q", [""])[0]
        self.requests.append((time.monotonic(), query))
        word = query.split(",")[0].split()[0] if query else ""
        if word == "Slowtown":
            self.closing.wait(self.slow_seconds)  # answers late, or as soon as the stub is shut down
            self._send(200, [])
        elif word == "Busytown":
            self._send(429, {"error": "Too many requests"})
        elif word == "Brokentown":
            self._send(500, {"error": "Internal error"})
        elif word == "Downtown":
            self._send(503, {"error": "Service unavailable"})
        elif word == "Jurf":
            self._send(200, [HIT])
        elif word == "Babil":
            self._send(200, [PROVINCE])
        else:
            self._send(200, [])

    def _send(self, status: int, body: object) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
            self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def nominatim_stub(*, slow_seconds: float = 2.0) -> Iterator[tuple[str, list[tuple[float, str]]]]:
    """Serve the stub on a free port; yield its `host:port` and the list of (time, query) it received."""
    requests: list[tuple[float, str]] = []
    closing = threading.Event()
    handler = type("Handler", (_Handler,), {"requests": requests, "slow_seconds": slow_seconds, "closing": closing})
    with local_server(handler) as server:
        try:
            yield f"127.0.0.1:{server.server_address[1]}", requests
        finally:
            closing.set()
