"""UCDP's GED API: the latest yearly release and the monthly Candidate events, with the access-token header.

`GET /gedevents/<version>?pagesize=1000&page=N&Country=<Gleditsch-Ward codes>&StartDate=…` with the
`x-ucdp-access-token` header answers `{TotalCount, TotalPages, PreviousPageUrl, NextPageUrl, Result}`;
pages count from 0 and are asked for by number from the configured base (the `NextPageUrl` it gives
points at UCDP's own host). A version not yet released answers 404.

Versions: the yearly release `YY.1` (25.1, out mid-2025, covers events to the end of 2024) and the
Candidate events `YY.0.M` (25.0.3: March 2025), released monthly with about a month's lag. Each sync
asks only for versions newer than those it holds. Candidate events are tagged `ucdp_candidate:<version>`
and final ones `ucdp_release:<version>`; a new yearly release replaces every candidate event of the
period it covers (the same id revised, the rest deleted) and the previous release.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from tensions.errors import AuthenticationFailed, PayloadError
from tensions.ingest.importers import ImportResult
from tensions.ingest.sync.base import Batch, CsvSpool, SyncContext, SyncSource, cell, combined, region_countries
from tensions.ingest.sync.http import json_body

PAGE_SIZE = 1000
# Gleditsch-Ward codes (UCDP's `Country` filter) of the region's countries; Gaza and the West Bank are
# coded under Israel (666), the bodies of water have none.
GLEDITSCH_WARD: dict[str, int] = {
    "Iraq": 645, "Syria": 652, "Jordan": 663, "Lebanon": 660, "Israel": 666, "Palestine": 666, "Yemen": 679,
    "Iran": 630, "Qatar": 694, "Bahrain": 692, "Kuwait": 690, "United Arab Emirates": 696, "Oman": 698,
    "Saudi Arabia": 670, "Egypt": 651, "Turkey": 640, "Cyprus": 352,
}  # fmt: skip
RELEASE_TAG = "ucdp_release:"
CANDIDATE_TAG = "ucdp_candidate:"
_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?")


def ucdp_cell(key: str, value: object) -> str:
    """A GED API value as the GED CSV writes it: dates without the time the API appends."""
    text = cell(value)
    return _DATETIME.sub(r"\1", text) if key.startswith(("date_", "source_date")) else text


def country_codes() -> str:
    return ",".join(str(c) for c in sorted({GLEDITSCH_WARD[n] for n in region_countries() if n in GLEDITSCH_WARD}))


def release_covers_until(version: str) -> dt.date:
    """The last day a yearly release covers: 25.1 → 31 December 2024."""
    return dt.date(2000 + int(version.split(".")[0]) - 1, 12, 31)


def candidate_version(month: dt.date) -> str:
    return f"{month.year % 100}.0.{month.month}"


def candidate_month(version: str) -> dt.date:
    year, _, month = version.split(".")
    return dt.date(2000 + int(year), int(month), 1)


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _tagged(results: list[ImportResult], tag: str) -> list[ImportResult]:
    """The results with `tag` added to each event's tags (which release or candidate it came from)."""
    for result in results:
        tags = result.events["tags"].astype("string").fillna("")
        result.events["tags"] = (tags + ";" + tag).str.strip(";")
    return results


def _has_tag(events: pd.DataFrame, prefix: str) -> pd.Series:
    return events["tags"].astype("string").fillna("").str.contains(prefix, regex=False)


class UcdpSync(SyncSource):
    name = "ucdp"

    def version(self, context: SyncContext, version: str, since: dt.date) -> tuple[list[ImportResult], int] | None:
        """A version's events in the region (imported) and rows read; None when it is not released."""
        settings = context.settings
        if not settings.ucdp_token:
            raise AuthenticationFailed(
                "ucdp", "no UCDP access token: request one from UCDP and set TENSIONS_UCDP_TOKEN"
            )
        url = f"{settings.ucdp_url.rstrip('/')}/gedevents/{version}"
        headers = {"x-ucdp-access-token": settings.ucdp_token, "Accept": "application/json"}
        spool = CsvSpool("ucdp", context.data_dir, f"UCDP GED {version}", convert=ucdp_cell)
        page, pages = 0, 1
        while page < pages:
            params = {"pagesize": str(PAGE_SIZE), "page": str(page), "Country": country_codes(),
                      "StartDate": f"{since:%Y-%m-%d}"}  # fmt: skip
            response = context.client.get(url, params=params, headers=headers)
            if response.status_code == 404 and page == 0:
                return None
            if response.status_code in (401, 403):
                raise AuthenticationFailed(
                    "ucdp", f"UCDP refused the access token (HTTP {response.status_code}): check TENSIONS_UCDP_TOKEN"
                )
            if response.status_code != 200:
                raise PayloadError("ucdp", f"{url} page {page} answered HTTP {response.status_code}")
            body = json_body(response, "ucdp")
            if not isinstance(body, dict) or not isinstance(body.get("Result"), list):
                keys = ", ".join(body) if isinstance(body, dict) else type(body).__name__
                raise PayloadError("ucdp", f"{url} answered without a 'Result' list: {keys}")
            try:
                pages = int(body.get("TotalPages") or 0)
            except (TypeError, ValueError):
                raise PayloadError("ucdp", f"{url} answered TotalPages={body.get('TotalPages')!r}") from None
            spool.add(body["Result"])
            page += 1
        return spool.imported(), spool.rows

    def fetch(self, context: SyncContext, cursor: dict) -> Batch:
        settings = context.settings
        today = settings.today()
        final = cursor.get("final")
        candidates: list[str] = list(cursor.get("candidates", []))
        results: list[ImportResult] = []
        scopes = []
        rows = 0
        notes: list[str] = []

        oldest = int(final.split(".")[0]) + 1 if final else today.year % 100 - 1
        for major in range(today.year % 100, oldest - 1, -1):  # the newest release first
            got = self.version(context, f"{major}.1", settings.since)
            if got is None:
                continue
            final = f"{major}.1"
            covered = pd.Timestamp(release_covers_until(final))
            results += _tagged(got[0], RELEASE_TAG + final)
            rows += got[1]
            notes.append(f"UCDP GED {final} (events to {covered:%d %B %Y}) replaces earlier releases and candidates")
            scopes.append(
                lambda e, covered=covered: (
                    _has_tag(e, RELEASE_TAG) | (_has_tag(e, CANDIDATE_TAG) & (e["event_date"] <= covered))
                )
            )
            candidates = [c for c in candidates if candidate_month(c) > covered.date()]
            break

        start = release_covers_until(final) if final else settings.since.replace(day=1) - dt.timedelta(days=1)
        month = next_month(max([start.replace(day=1), *map(candidate_month, candidates)]))
        this_month = today.replace(day=1)
        while month <= this_month:
            version = candidate_version(month)
            got = self.version(context, version, settings.since)
            if got is None:
                break
            results += _tagged(got[0], CANDIDATE_TAG + version)
            rows += got[1]
            scopes.append(lambda e, tag=CANDIDATE_TAG + version: _has_tag(e, tag))
            candidates.append(version)
            month = next_month(month)

        events, rejected, rejected_count = combined(results)
        return Batch(
            events=events,
            rejected=rejected,
            rows_fetched=rows,
            cursor={"final": final, "candidates": candidates},
            format_name="UCDP GED API (JSON)",
            rows_rejected=rejected_count,
            replaces=(lambda e: pd.concat([scope(e) for scope in scopes], axis=1).any(axis=1)) if scopes else None,
            notes=notes + [n for r in results for n in r.notes],
        )
