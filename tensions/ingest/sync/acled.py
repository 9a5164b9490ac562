"""ACLED's API (myACLED accounts, since September 2025): OAuth password grant, the read and deleted endpoints.

Sign-in: `POST /oauth/token` with `grant_type=password`, `client_id=acled`, the account's email and
password gives an access token (24 h) and a refresh token (14 days). Both are cached in
`data/imported/sync/acled-token.json`, readable only by its owner (0600), and renewed before they
expire (refresh grant first, the password again when the refresh token is spent). A 401 renews the token
once and retries; a second refusal, or a 403 (an account without API access), stops with a clear message.

Data: `GET /api/acled/read?_format=json` for the region's countries and bodies of water (events at sea
are coded to the Red Sea, Gulf of Aden, … and keep their theatre), `event_date` from the first day the
dashboard covers, `page` by `page` (5,000 rows each) with `with_total=true`. After the first sync only
rows with `timestamp >=` the newest one seen are asked for: new events and revised ones (same id, newer
timestamp, which replace the stored row). `GET /api/deleted/read` lists events ACLED deleted since the
last sync (`deleted_timestamp >=`); they are removed. ACLED's documented API pages by number and
returns no cursor, so none is followed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from dataclasses import dataclass

from tensions.data import guard
from tensions.errors import AuthenticationFailed, PayloadError
from tensions.ingest.sync.base import Batch, CsvSpool, SyncContext, SyncSource, cell, combined, region_countries
from tensions.ingest.sync.http import json_body
from tensions.ingest.sync.state import sync_dir

PAGE_SIZE = 5000
CLIENT_ID = "acled"
TOKEN_FILE = "acled-token.json"
REFRESH_LIFETIME = dt.timedelta(days=14)
# Renew this long before a token runs out, so none expires in the middle of a sync.
RENEW_MARGIN = 600.0
NO_CREDENTIALS = "no ACLED credentials: set TENSIONS_ACLED_EMAIL and TENSIONS_ACLED_PASSWORD (your myACLED account)"


@dataclass
class Tokens:
    access_token: str
    refresh_token: str
    expires_at: float
    refresh_expires_at: float
    account: str

    def usable(self, now: float) -> bool:
        return bool(self.access_token) and now < self.expires_at - RENEW_MARGIN

    def refreshable(self, now: float) -> bool:
        return bool(self.refresh_token) and now < self.refresh_expires_at - RENEW_MARGIN


class AcledAuth:
    """ACLED's bearer token for one sync: from the cache, refreshed, or newly granted; written back 0600."""

    def __init__(self, context: SyncContext) -> None:
        self.context = context
        self.base = context.settings.acled_url.rstrip("/")
        self.account = context.settings.acled_email
        self.path = sync_dir(context.data_dir) / TOKEN_FILE
        self.tokens = self._cached()

    def _cached(self) -> Tokens | None:
        try:
            tokens = Tokens(**json.loads(self.path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None
        return tokens if tokens.account == self.account or not self.account else None

    def header(self) -> dict[str, str]:
        now = time.time()
        if self.tokens is None or not self.tokens.usable(now):
            self.renew()
        return {"Authorization": f"Bearer {self.tokens.access_token}"}

    def renew(self) -> None:
        """A new access token: by the refresh token while it lasts, else (or if refused) by the password."""
        now = time.time()
        if self.tokens is not None and self.tokens.refreshable(now):
            granted = self._grant(
                {"grant_type": "refresh_token", "refresh_token": self.tokens.refresh_token, "client_id": CLIENT_ID},
                quiet=True,
            )
            if granted is not None:
                return
        if not (self.context.settings.acled_email and self.context.settings.acled_password):
            raise AuthenticationFailed("acled", NO_CREDENTIALS)
        form = {
            "username": self.context.settings.acled_email,
            "password": self.context.settings.acled_password,
            "grant_type": "password",
            "client_id": CLIENT_ID,
        }
        self._grant(form, quiet=False)

    def _grant(self, form: dict[str, str], *, quiet: bool) -> Tokens | None:
        response = self.context.client.post(f"{self.base}/oauth/token", data=form)
        if response.status_code != 200:
            if quiet:
                return None
            raise AuthenticationFailed(
                "acled",
                f"ACLED refused the sign-in of {self.account or 'the account'} (HTTP {response.status_code}"
                f"{_said(response)}): check TENSIONS_ACLED_EMAIL and TENSIONS_ACLED_PASSWORD",
            )
        body = json_body(response, "acled")
        if not isinstance(body, dict) or not body.get("access_token"):
            raise PayloadError("acled", f"the token endpoint answered without an access_token: keys {_keys(body)}")
        now = time.time()
        previous = self.tokens
        refresh = str(body.get("refresh_token") or (previous.refresh_token if previous else ""))
        new_refresh = bool(body.get("refresh_token"))
        self.tokens = Tokens(
            access_token=str(body["access_token"]),
            refresh_token=refresh,
            expires_at=now + float(body.get("expires_in") or 86400),
            refresh_expires_at=(now + REFRESH_LIFETIME.total_seconds())
            if new_refresh or previous is None
            else previous.refresh_expires_at,
            account=self.account,
        )
        self._save()
        return self.tokens

    def _save(self) -> None:
        """Cache the tokens in a file only its owner can read (never the password)."""
        guard.authorise(self.context.grant, "caching ACLED's token")
        folder = guard.make_folder(self.context.grant, self.path.parent)
        path = folder / TOKEN_FILE
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        os.chmod(path, 0o600)  # the atomic write keeps the mode of the file it replaces
        payload = json.dumps(self.tokens.__dict__, indent=2).encode("utf-8")
        guard.write_bytes(self.context.grant, path, payload)

    def get_json(self, url: str, params: dict[str, str]) -> dict:
        """GET an ACLED endpoint with the bearer token; a 401 renews the token once."""
        client = self.context.client
        response = client.get(url, params=params, headers=self.header())
        if response.status_code == 401:
            self.renew()
            response = client.get(url, params=params, headers=self.header())
            if response.status_code == 401:
                raise AuthenticationFailed(
                    "acled", f"ACLED refused a freshly issued token (HTTP 401{_said(response)}); try again later"
                )
        if response.status_code == 403:
            raise AuthenticationFailed(
                "acled",
                f"ACLED signed the account in but refused the data (HTTP 403{_said(response)}): the account may "
                "lack API access (ask ACLED's access team) or has not accepted the terms of use",
            )
        if response.status_code != 200:
            raise PayloadError("acled", f"{url} answered HTTP {response.status_code}{_said(response)}")
        body = json_body(response, "acled")
        if not isinstance(body, dict):
            raise PayloadError("acled", f"{url} answered a JSON {type(body).__name__}, not an object")
        if body.get("success") is False:
            raise PayloadError("acled", f"{url} reported failure: {body.get('messages') or body.get('error')}")
        if not isinstance(body.get("data"), list):
            raise PayloadError("acled", f"{url} answered without a 'data' list: keys {_keys(body)}")
        return body


def _said(response) -> str:
    text = response.text.strip().replace("\n", " ")
    return f": {text[:160]}" if text else ""


def _keys(body: object) -> str:
    return ", ".join(map(str, body)) if isinstance(body, dict) else type(body).__name__


def _timestamps(rows: list, key: str) -> list[int]:
    try:
        return [int(float(cell(row[key]))) for row in rows]
    except (KeyError, TypeError, ValueError):
        raise PayloadError("acled", f"rows without a numeric '{key}': the sync cannot tell what changed") from None


class AcledSync(SyncSource):
    name = "acled"

    def pages(self, auth: AcledAuth, url: str, params: dict[str, str]):
        """Every page of an endpoint's answer (rows), until a short page or the announced total."""
        page, seen, total = 1, 0, None
        while True:
            body = auth.get_json(url, {**params, "page": str(page), "limit": str(PAGE_SIZE), "with_total": "true"})
            rows = body["data"]
            total = _int_or(body.get("total_count"), total)
            seen += len(rows)
            yield rows
            if len(rows) < PAGE_SIZE or (total is not None and seen >= total):
                return
            page += 1

    def fetch(self, context: SyncContext, cursor: dict) -> Batch:
        settings = context.settings
        auth = AcledAuth(context)
        params = {
            "_format": "json",
            "country": "|".join(region_countries()),
            "event_date": f"{settings.since:%Y-%m-%d}|{settings.today():%Y-%m-%d}",
            "event_date_where": "BETWEEN",
        }
        since = cursor.get("timestamp")
        if since is not None:
            params |= {"timestamp": str(since), "timestamp_where": ">="}
        spool = CsvSpool("acled", context.data_dir, "ACLED API")
        newest = int(since or 0)
        latest: dict[str, int] = {}  # each id's newest timestamp: an older copy of a revised row is dropped
        fetched = 0
        for rows in self.pages(auth, f"{auth.base}/api/acled/read", params):
            fetched += len(rows)
            stamps = _timestamps(rows, "timestamp")
            fresh = []
            for row, stamp in zip(rows, stamps, strict=True):
                key = cell(row.get("event_id_cnty"))
                if stamp >= latest.get(key, -1):
                    latest[key] = stamp
                    fresh.append(row)
            newest = max([newest, *stamps])
            spool.add(fresh)
        events, rejected, rejected_count = combined(spool.imported())

        deleted: set[str] = set()
        deleted_since = cursor.get("deleted_timestamp")
        if deleted_since is None:  # a first sync holds nothing deleted before it
            start = dt.datetime.combine(settings.since, dt.time(), dt.UTC).timestamp()
            next_deleted = newest or int(start)
        else:
            next_deleted = int(deleted_since)
            query = {"_format": "json", "deleted_timestamp": str(deleted_since), "deleted_timestamp_where": ">="}
            for rows in self.pages(auth, f"{auth.base}/api/deleted/read", query):
                if rows:
                    next_deleted = max(next_deleted, *_timestamps(rows, "deleted_timestamp"))
                deleted |= {cell(row.get("event_id_cnty")) for row in rows if isinstance(row, dict)} - {""}
        return Batch(
            events=events,
            rejected=rejected,
            rows_fetched=fetched,
            cursor={"timestamp": newest, "deleted_timestamp": next_deleted},
            format_name="ACLED API (JSON)",
            rows_rejected=rejected_count,
            deleted_ids=deleted,
            notes=[n for r in spool.results for n in r.notes],
        )


def _int_or(value: object, default: int | None) -> int | None:
    try:
        return int(cell(value))
    except ValueError:
        return default
