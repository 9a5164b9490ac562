"""Stand-ins for ACLED's, UCDP's and GDELT's servers on 127.0.0.1, answering in each API's documented format.

- ACLED (myACLED API, since September 2025): `POST /oauth/token` (password and refresh-token grants,
  `client_id=acled`) answers `{token_type, expires_in, access_token, refresh_token}`; `GET
  /api/acled/read?_format=json` and `GET /api/deleted/read?_format=json` need `Authorization: Bearer`
  and answer `{status, success, last_update, count, messages, data, filename}` (plus `total_count` with
  `with_total=true`), filtered by `country=A|B`, `event_date=from|to&event_date_where=BETWEEN`,
  `timestamp=N&timestamp_where=>=` (`deleted_timestamp` likewise), paged by `limit` and `page` (from 1),
  newest event date first. Values are typed as JSON gives them (numbers and strings mixed).
- UCDP GED API: `GET /api/gedevents/<version>?pagesize&page&Country&StartDate` with the
  `x-ucdp-access-token` header answers `{TotalCount, TotalPages, PreviousPageUrl, NextPageUrl, Result}`,
  pages from 0; `NextPageUrl` points at UCDP's own host, as the real one does; an unreleased version
  answers 404.
- GDELT 2.0: `lastupdate.txt` and `masterfilelist.txt` (`size md5 url` lines, export, mentions and GKG
  files) and the zipped, headerless, 61-column tab-separated export files.

Every stub records the requests it saw and can be told to fail: `fail(path, kind, times)` with kind 429
(with Retry-After), 500, 503 or "cut" (the connection dropped half-way through the answer).
"""

from __future__ import annotations

import hashlib
import io
import json
import socket
import threading
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from tests.conftest import FIXTURE_DATA


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]


@dataclass
class Fault:
    path: str
    kind: str
    times: int
    retry_after: str | None = None


@dataclass
class Answer:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def json_answer(status: int, payload: object) -> Answer:
    return Answer(status, json.dumps(payload).encode("utf-8"))


class StubServer:
    """An API on 127.0.0.1, served from a thread; subclasses implement `answer`."""

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.faults: list[Fault] = []
        self.lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                stub.serve(self, "GET")

            def do_POST(self) -> None:
                stub.serve(self, "POST")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> StubServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail(self, path: str, kind: str, times: int = 1, retry_after: str | None = None) -> None:
        """Answer the next `times` requests to paths starting with `path` with a fault."""
        self.faults.append(Fault(path, kind, times, retry_after))

    def seen(self, path: str = "") -> list[Seen]:
        return [r for r in self.requests if r.path.startswith(path)]

    def serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parsed = urlparse(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length).decode("utf-8") if length else ""
        seen = Seen(
            method,
            parsed.path,
            {k: v[-1] for k, v in parse_qs(parsed.query, keep_blank_values=True).items()},
            {k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()},
            {k.lower(): v for k, v in handler.headers.items()},
        )
        with self.lock:
            self.requests.append(seen)
            fault = next((f for f in self.faults if f.times > 0 and parsed.path.startswith(f.path)), None)
            if fault is not None:
                fault.times -= 1
        if fault is not None and fault.kind == "cut":
            payload = b'{"data": [' + b'{"event_id_cnty": "IRQ1"}, ' * 50
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload) * 4))
            handler.end_headers()
            handler.wfile.write(payload)
            handler.wfile.flush()
            handler.connection.shutdown(socket.SHUT_RDWR)
            handler.close_connection = True
            return
        if fault is not None:
            answer = json_answer(int(fault.kind), {"message": f"stub fault {fault.kind}"})
            if fault.retry_after is not None:
                answer.headers["Retry-After"] = fault.retry_after
        else:
            answer = self.answer(seen)
        handler.send_response(answer.status)
        handler.send_header("Content-Type", answer.content_type)
        handler.send_header("Content-Length", str(len(answer.body)))
        for name, value in answer.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(answer.body)

    def answer(self, request: Seen) -> Answer:
        raise NotImplementedError


# ---------------------------------------------------------------------------------------------------
# ACLED


def acled_row(
    event_id: str,
    event_date: str,
    timestamp: int,
    *,
    country: str = "Iraq",
    location: str = "Baghdad",
    sub_event_type: str = "Air/drone strike",
    event_type: str = "Explosions/Remote violence",
    fatalities: int = 0,
    notes: str = "",
    latitude: str = "33.3152",
    longitude: str = "44.4661",
) -> dict:
    """One row as ACLED's JSON gives it: the 31 export columns, numbers and text mixed."""
    return {
        "event_id_cnty": event_id,
        "event_date": event_date,
        "year": int(event_date[:4]),
        "time_precision": 1,
        "disorder_type": "Political violence",
        "event_type": event_type,
        "sub_event_type": sub_event_type,
        "actor1": "Military Forces of the United States (2021-)",
        "assoc_actor_1": "",
        "inter1": "External/Other forces",
        "actor2": "Kataib Hezbollah",
        "assoc_actor_2": "",
        "inter2": "Political militia",
        "interaction": "External/Other forces-Political militia",
        "civilian_targeting": "",
        "iso": 368,
        "region": "Middle East",
        "country": country,
        "admin1": "Baghdad" if country == "Iraq" else "",
        "admin2": "",
        "admin3": "",
        "location": location,
        "latitude": latitude,
        "longitude": longitude,
        "geo_precision": 1,
        "source": "Reuters",
        "source_scale": "International",
        "notes": notes or f"On {event_date}, a strike hit {location}.",
        "fatalities": fatalities,
        "tags": "",
        "timestamp": timestamp,
    }


class AcledStub(StubServer):
    EMAIL = "analyst@example.org"
    PASSWORD = "a long myACLED password"

    def __init__(self, rows: list[dict] | None = None, *, expires_in: int = 86400) -> None:
        super().__init__()
        self.rows: dict[str, dict] = {r["event_id_cnty"]: r for r in rows or []}
        self.deleted: list[dict] = []
        self.expires_in = expires_in
        self.tokens: set[str] = set()
        self.refresh_tokens: set[str] = set()
        self.issued = 0
        self.rename: dict[str, str] = {}
        self.refuse_data = False  # an account that signs in but lacks API access
        self.refuse_tokens = False  # every token is refused (401)
        self._cache: dict[tuple, list[dict]] = {}

    def put(self, row: dict) -> None:
        with self.lock:
            self.rows[row["event_id_cnty"]] = row
            self._cache.clear()

    def delete(self, event_id: str, deleted_timestamp: int) -> None:
        with self.lock:
            self.rows.pop(event_id, None)
            self.deleted.append({"event_id_cnty": event_id, "deleted_timestamp": deleted_timestamp})
            self._cache.clear()

    def expire_tokens(self) -> None:
        """Every access token issued so far runs out (the refresh tokens stay valid)."""
        self.tokens.clear()

    def answer(self, request: Seen) -> Answer:
        if request.path == "/oauth/token" and request.method == "POST":
            return self._token(request.form)
        if request.path in ("/api/acled/read", "/api/deleted/read"):
            bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
            if self.refuse_tokens or bearer not in self.tokens:
                return json_answer(401, {"message": "The access token is invalid or has expired."})
            if self.refuse_data:
                return json_answer(403, {"status": 403, "success": False, "message": "Access denied."})
            if request.query.get("_format") != "json":
                return Answer(200, b"event_id_cnty,event_date\n", "text/csv")
            if request.path == "/api/acled/read":
                return self._page(request.query, self._events(request.query), "acled")
            return self._page(request.query, self._deletions(request.query), "deleted")
        return json_answer(404, {"message": "No route found"})

    def _token(self, form: dict[str, str]) -> Answer:
        if form.get("client_id") != "acled":
            return json_answer(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
        if form.get("grant_type") == "password":
            if (form.get("username"), form.get("password")) != (self.EMAIL, self.PASSWORD):
                return json_answer(
                    400, {"error": "invalid_grant", "error_description": "The user credentials were incorrect."}
                )
        elif form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") not in self.refresh_tokens:
                return json_answer(
                    400, {"error": "invalid_grant", "error_description": "The refresh token is invalid."}
                )
            self.refresh_tokens.discard(form["refresh_token"])
        else:
            return json_answer(400, {"error": "unsupported_grant_type"})
        self.issued += 1
        access, refresh = f"access-{self.issued}", f"refresh-{self.issued}"
        self.tokens.add(access)
        self.refresh_tokens.add(refresh)
        return json_answer(
            200,
            {"token_type": "Bearer", "expires_in": self.expires_in, "access_token": access, "refresh_token": refresh},
        )

    def _events(self, query: dict[str, str]) -> list[dict]:
        key = tuple(sorted((k, v) for k, v in query.items() if k not in ("page", "limit", "with_total")))
        with self.lock:
            if key not in self._cache:
                rows = list(self.rows.values())
                if "country" in query:
                    wanted = set(query["country"].split("|"))
                    rows = [r for r in rows if r["country"] in wanted]
                if query.get("event_date_where") == "BETWEEN":
                    first, last = query["event_date"].split("|")
                    rows = [r for r in rows if first <= r["event_date"] <= last]
                if query.get("timestamp_where") == ">=":
                    rows = [r for r in rows if int(r["timestamp"]) >= int(query["timestamp"])]
                rows.sort(key=lambda r: (r["event_date"], r["event_id_cnty"]), reverse=True)
                self._cache[key] = rows
            return self._cache[key]

    def _deletions(self, query: dict[str, str]) -> list[dict]:
        rows = self.deleted
        if query.get("deleted_timestamp_where") == ">=":
            rows = [r for r in rows if r["deleted_timestamp"] >= int(query["deleted_timestamp"])]
        return rows

    def _page(self, query: dict[str, str], rows: list[dict], endpoint: str) -> Answer:
        limit = int(query.get("limit", 5000))
        page = int(query.get("page", 1))
        chunk = rows[(page - 1) * limit : page * limit] if limit else rows
        if self.rename:
            chunk = [{self.rename.get(k, k): v for k, v in row.items()} for row in chunk]
        payload = {
            "status": 200,
            "success": True,
            "last_update": 2,
            "count": len(chunk),
            "messages": [],
            "data": chunk,
            "filename": f"{endpoint}_export",
        }
        if query.get("with_total") == "true":
            payload["total_count"] = len(rows)
        return json_answer(200, payload)


# ---------------------------------------------------------------------------------------------------
# UCDP


def ucdp_row(
    event_id: int,
    date: str,
    *,
    country: str = "Iraq",
    country_id: int = 645,
    best: int = 2,
    side_a: str = "Government of Iraq",
    side_b: str = "IS",
    where: str = "Al Fallūjah town",
) -> dict:
    """One GED event as the API gives it: numbers as numbers, dates with the time the API appends."""
    stamp = f"{date}T00:00:00.000"
    return {
        "id": event_id, "relid": f"IRQ-{event_id}", "year": int(date[:4]), "active_year": True,
        "code_status": "Clear", "type_of_violence": 1, "conflict_dset_id": "259", "conflict_new_id": 259,
        "conflict_name": "Iraq: Government", "dyad_dset_id": "524", "dyad_new_id": 524,
        "dyad_name": f"{side_a} - {side_b}", "side_a_dset_id": "116", "side_a_new_id": 116, "side_a": side_a,
        "side_b_dset_id": "234", "side_b_new_id": 234, "side_b": side_b, "number_of_sources": 1,
        "source_article": "", "source_office": "Agence France Presse", "source_date": stamp,
        "source_headline": f"Clashes near {where}", "source_original": "security sources",
        "where_prec": 1, "where_coordinates": where, "where_description": where, "adm_1": "Al Anbār province",
        "adm_2": "", "latitude": 33.355813, "longitude": 43.786124, "geom_wkt": "POINT (43.786124 33.355813)",
        "priogrid_gid": 178928, "country": country, "country_id": country_id, "region": "Middle East",
        "event_clarity": 1, "date_prec": 1, "date_start": stamp, "date_end": stamp, "deaths_a": 0,
        "deaths_b": best, "deaths_civilians": 0, "deaths_unknown": 0, "best": best, "high": best, "low": best,
        "gwnoa": "645", "gwnob": None,
    }  # fmt: skip


class UcdpStub(StubServer):
    TOKEN = "ucdp-access-token"

    def __init__(self, versions: dict[str, list[dict]] | None = None) -> None:
        super().__init__()
        self.versions: dict[str, list[dict]] = dict(versions or {})
        self.drop_result = False  # answer without the Result list (a changed payload)

    def answer(self, request: Seen) -> Answer:
        if not request.path.startswith("/api/gedevents/"):
            return json_answer(404, {"message": "not found"})
        if request.headers.get("x-ucdp-access-token") != self.TOKEN:
            return json_answer(401, {"message": "A valid x-ucdp-access-token header is required."})
        version = request.path.removeprefix("/api/gedevents/")
        if version not in self.versions:
            return json_answer(404, {"message": f"Version {version} not found"})
        rows = self.versions[version]
        if "Country" in request.query:
            codes = {int(c) for c in request.query["Country"].split(",")}
            rows = [r for r in rows if r["country_id"] in codes]
        if "StartDate" in request.query:
            rows = [r for r in rows if r["date_start"][:10] >= request.query["StartDate"]]
        size = int(request.query.get("pagesize", 1))
        page = int(request.query.get("page", 0))
        pages = (len(rows) + size - 1) // size
        own = f"https://ucdpapi.pcr.uu.se/api/gedevents/{version}?pagesize={size}&page="
        payload = {
            "TotalCount": len(rows),
            "TotalPages": pages,
            "PreviousPageUrl": own + str(page - 1) if page > 0 else "",
            "NextPageUrl": own + str(page + 1) if page + 1 < pages else "",
            "Result": rows[page * size : (page + 1) * size],
        }
        if self.drop_result:
            payload["Events"] = payload.pop("Result")
        return json_answer(200, payload)


# ---------------------------------------------------------------------------------------------------
# GDELT

GDELT_TEMPLATE = (FIXTURE_DATA.parent / "external" / "gdelt_v2_raw.export.CSV").read_text(encoding="utf-8").splitlines()


def gdelt_row(event_id: int, date: str, *, country: str = "IZ", template: int = 0) -> str:
    """A raw GDELT 2.0 row (61 tab-separated fields) from the fixture's rows, with another id, day and place."""
    fields = GDELT_TEMPLATE[template].split("\t")
    fields[0], fields[1], fields[2], fields[3] = str(event_id), date, date[:6], date[:4]
    fields[53] = country
    fields[59] = date + "151500"
    return "\t".join(fields)


def gdelt_zip(name: str, rows: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name.removesuffix(".zip"), "\n".join(rows) + "\n")
    return buffer.getvalue()


class GdeltStub(StubServer):
    def __init__(self) -> None:
        super().__init__()
        self.files: dict[str, bytes] = {}
        self.listed_md5: dict[str, str] = {}  # a wrong checksum to list instead of the file's own

    def publish(self, stamp: str, rows: list[str]) -> str:
        """A new 15-minute export (with its mentions and GKG files listed beside it, as GDELT does)."""
        name = f"{stamp}.export.CSV.zip"
        with self.lock:
            self.files[name] = gdelt_zip(name, rows)
        return name

    def _line(self, name: str, data: bytes) -> str:
        md5 = self.listed_md5.get(name) or hashlib.md5(data).hexdigest()
        return f"{len(data)} {md5} http://data.gdeltproject.org/gdeltv2/{name}"

    def _listing(self, names: list[str]) -> str:
        lines = []
        for name in names:
            stamp = name.split(".")[0]
            lines.append(self._line(name, self.files[name]))
            lines.append(
                f"1234 0123456789abcdef0123456789abcdef http://data.gdeltproject.org/gdeltv2/{stamp}.mentions.CSV.zip"
            )
            lines.append(
                f"5678 fedcba9876543210fedcba9876543210 http://data.gdeltproject.org/gdeltv2/{stamp}.gkg.csv.zip"
            )
        return "\n".join(lines) + "\n"

    def answer(self, request: Seen) -> Answer:
        names = sorted(self.files)
        if request.path == "/lastupdate.txt":
            return Answer(200, self._listing(names[-1:]).encode(), "text/plain")
        if request.path == "/masterfilelist.txt":
            return Answer(200, self._listing(names).encode(), "text/plain")
        name = Path(request.path).name
        if name in self.files:
            return Answer(200, self.files[name], "application/zip")
        return Answer(404, b"Not Found", "text/plain")
