"""GDELT 2.0's event exports: a zipped, headerless, tab-separated file (61 columns) every 15 minutes. No key.

`lastupdate.txt` names the newest files (`size md5 url` per line); when more than that one is missing
since the last sync, `masterfilelist.txt` (every file since 2015: large, so read only then) lists them. A
first sync takes the newest `gdelt_first_files`; a sync after a long pause at most `gdelt_max_files`,
oldest first, and the next one carries on. Files are fetched from the configured base by name (never
from another host a listing names) and checked against the listing's size and MD5. Rows whose action
took place outside the region (`ActionGeo_CountryCode`) are skipped before import; the rest go through
the GDELT importer, de-duplicated by `GLOBALEVENTID` (a later file's row wins).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from datetime import datetime

from tensions.data import taxonomy
from tensions.errors import PayloadError
from tensions.ingest.importers.gdelt import COLUMNS_V2, FIPS_COUNTRIES
from tensions.ingest.sync.base import Batch, SyncContext, SyncSource, combined, import_bytes
from tensions.ingest.sync.http import HttpClient

EXPORT_SUFFIX = ".export.CSV.zip"
# An export unpacks to a few MiB; more than this is not a GDELT export.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
COUNTRY_FIELD = COLUMNS_V2.index("ActionGeo_CountryCode")
REGION_FIPS: frozenset[bytes] = frozenset(
    code.encode() for code, name in FIPS_COUNTRIES.items() if taxonomy.COUNTRY_BY_NAME[name].in_region
)


@dataclass(frozen=True)
class ExportFile:
    """One export file as a listing gives it: its stamp (YYYYMMDDHHMMSS), size, MD5 and name."""

    stamp: str
    size: int | None
    md5: str | None
    name: str


def parse_listing_line(line: str) -> ExportFile | None:
    """An export file from a `size md5 url` line; None for the mentions and GKG files, and blank lines."""
    parts = line.split()
    if len(parts) != 3 or not parts[2].endswith(EXPORT_SUFFIX):
        return None
    name = parts[2].rsplit("/", 1)[-1]
    stamp = name.removesuffix(EXPORT_SUFFIX)
    if not (stamp.isdigit() and len(stamp) == 14):
        return None
    return ExportFile(stamp, int(parts[0]) if parts[0].isdigit() else None, parts[1].lower(), name)


def unpacked(data: bytes, name: str) -> bytes:
    """The one file inside an export's ZIP archive."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1 or members[0].file_size > MAX_UNPACKED_BYTES:
                raise PayloadError("gdelt", f"{name} is not one export file of a readable size: {len(members)} members")
            return archive.read(members[0])
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise PayloadError("gdelt", f"{name} is not a readable ZIP archive ({error})") from None


def region_rows(raw: bytes, name: str) -> tuple[bytes, int, int]:
    """The rows of a raw export whose action is in the region, and how many rows there were and were kept.

    Rows of another width are kept, for the importer to reject with their line; a file whose first row
    is not GDELT 2.0's 61 columns changed format: `PayloadError`.
    """
    lines = raw.split(b"\n")
    first = next((line for line in lines if line.strip()), b"")
    if first and len(first.rstrip(b"\r").split(b"\t")) != len(COLUMNS_V2):
        width = len(first.split(b"\t"))
        raise PayloadError("gdelt", f"{name} has {width} tab-separated columns, not GDELT 2.0's {len(COLUMNS_V2)}")
    kept, total = [], 0
    for line in lines:
        if not line.strip():
            continue
        total += 1
        fields = line.rstrip(b"\r").split(b"\t")
        if len(fields) != len(COLUMNS_V2) or fields[COUNTRY_FIELD] in REGION_FIPS:
            kept.append(line)
    return b"\n".join(kept) + b"\n" if kept else b"", total, len(kept)


class GdeltSync(SyncSource):
    name = "gdelt"

    def listing(self, client: HttpClient, url: str, after: str | None) -> list[ExportFile]:
        """The export files a listing names, newer than `after`, oldest first."""
        response = client.get(url)
        if response.status_code != 200:
            raise PayloadError("gdelt", f"{url} answered HTTP {response.status_code}")
        files = [
            f for f in map(parse_listing_line, response.text.splitlines()) if f and (after is None or f.stamp > after)
        ]
        return sorted(files, key=lambda f: f.stamp)

    def download(self, client: HttpClient, base: str, export: ExportFile) -> bytes | None:
        """An export file's bytes, checked against its listing; None when the server no longer has it."""
        response = client.get(f"{base}/{export.name}")
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise PayloadError("gdelt", f"{export.name} answered HTTP {response.status_code}")
        data = response.content
        if export.size is not None and len(data) != export.size:
            raise PayloadError("gdelt", f"{export.name} is {len(data):,} bytes; the listing says {export.size:,}")
        if export.md5 and hashlib.md5(data).hexdigest() != export.md5:
            raise PayloadError("gdelt", f"{export.name} does not match the MD5 its listing gives")
        return data

    def fetch(self, context: SyncContext, cursor: dict) -> Batch:
        settings = context.settings
        base = settings.gdelt_url.rstrip("/")
        last = cursor.get("last_file")
        newest = self.listing(context.client, f"{base}/lastupdate.txt", last)
        if not newest:
            return Batch(None, None, 0, dict(cursor), "GDELT 2.0 event exports")
        files = newest
        if (last is None and settings.gdelt_first_files > 1) or (last is not None and _gap(last, newest[-1].stamp) > 1):
            files = self.listing(context.client, f"{base}/masterfilelist.txt", last) or newest
        files = files[-settings.gdelt_first_files :] if last is None else files[: settings.gdelt_max_files]

        results, notes = [], []
        rows = skipped = 0
        for export in files:
            data = self.download(context.client, base, export)
            if data is None:
                notes.append(f"{export.name} is listed but no longer served; skipped")
                continue
            raw = unpacked(data, export.name)
            kept, total, in_region = region_rows(raw, export.name)
            rows += in_region
            skipped += total - in_region
            if in_region:
                results.append(import_bytes("gdelt", kept, export.name, context.data_dir))
        events, rejected, rejected_count = combined(results)
        notes.insert(
            0, f"{len(files)} export file(s) to {files[-1].stamp}; {skipped:,} rows outside the region skipped"
        )
        waiting = len(newest) > 0 and files[-1].stamp < newest[-1].stamp
        if waiting:
            notes.append(f"more files wait until {newest[-1].stamp}: the next sync carries on")
        return Batch(
            events=events,
            rejected=rejected,
            rows_fetched=rows,
            cursor={"last_file": files[-1].stamp},
            format_name="GDELT 2.0 event exports",
            rows_rejected=rejected_count,
            notes=notes,
        )


def _gap(last: str, newest: str) -> int:
    """How many 15-minute files lie between two stamps (1: the newest is the next one)."""
    form = "%Y%m%d%H%M%S"
    return round((datetime.strptime(newest, form) - datetime.strptime(last, form)).total_seconds() / 900)
