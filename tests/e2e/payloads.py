"""Data whose every free-text field carries a payload, for the end-to-end tests that text from the data stays
text (tests/e2e/test_inert_text.py).

Two kinds of payload. Scripts and formulas (`IMG`, `SCRIPT`, `FORMULA`): run as HTML, they set
`window.__pwned` or open a dialog; a spreadsheet would run the formula. Markdown and HTML markup (`PAYLOAD`):
its parts are marked (PAYB for bold, PAYL for a link…), so rendered as markup a marker would be the whole text
of a <strong>, <a>, <img alt> or coloured span, while shown as text it sits inside the literal `**PAYB**`.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd

from tensions.data.guard import local_grant
from tensions.data.validate import validate_folder
from tensions.ingest import imported
from tests.conftest import FIXTURE_DATA
from tests.ingest.importers.conftest import EXTERNAL

IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "<script>window.__pwned=1</script>"
LABEL = "<img src=x onerror=alert(1)>"  # a key event's label: at most 32 characters
FORMULA = '=HYPERLINK("http://example.invalid","open me")'

OUTSIDE = "http://198.51.100.7"  # TEST-NET-2: never this machine
PAYLOAD = (
    f"**PAYB** _PAYI_ :red[PAYR] [PAYL]({OUTSIDE}/l) ![PAYM]({OUTSIDE}/m.png) <b>PAYH</b> "
    f'<img src="{OUTSIDE}/h.png" alt="PAYM"> $PAYK^2$ :smile:'
)
SHORT = "**PAYB** <b>PAYH</b> :smile:"  # a key event's label: at most 32 characters
ACTOR = f"**PAYB** [PAYL]({OUTSIDE}/a) actor"
COUNTRY = f":red[PAYR] **PAYB** ![PAYM]({OUTSIDE}/c.png)"
MARKERS = ("PAYB", "PAYI", "PAYR", "PAYL", "PAYM", "PAYH")


def append_row(path: Path, row: dict[str, str]) -> None:
    table = pd.read_csv(path, dtype="string", keep_default_na=False)
    table = pd.concat([table, pd.DataFrame([row], dtype="string")], ignore_index=True).fillna("")
    table.to_csv(path, index=False, lineterminator="\n")


def _event(event_id: str, date: str, **text: str) -> dict[str, str]:
    return {
        "event_id": event_id,
        "event_date": date,
        "time_precision": "day",
        "country": "Iraq",
        "latitude": "33.3",
        "longitude": "44.4",
        "geo_precision": "1",
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Air/drone strike",
        "actor2": "US forces",
        "fatalities": "2",
        "source_date": date,
        "confidence": "low",
        **text,
    }


def payload_data(folder: Path) -> Path:
    """The fixture tables plus actors, places and events with a script or a formula, and with markup, in every
    free-text field; and an imported ACLED file with markup in every text column it keeps."""
    shutil.copytree(FIXTURE_DATA, folder)
    append_row(
        folder / "actors.csv",
        {"actor": IMG, "aliases": SCRIPT, "kind": "armed group", "country": "Iraq", "description": f"Test {SCRIPT}"},
    )
    append_row(
        folder / "actors.csv",
        {"actor": ACTOR, "aliases": PAYLOAD, "kind": "armed group", "country": "Iraq", "description": PAYLOAD},
    )
    place = {"latitude": "33.3", "longitude": "44.4", "geo_precision": "1", "country": "Iraq", "geocoder": "manual"}
    append_row(
        folder / "places.csv", place | {"place": SCRIPT, "aliases": IMG, "admin1": IMG, "geocoded_at": "2025-01-01"}
    )
    append_row(
        folder / "places.csv",
        place | {"place": PAYLOAD, "aliases": PAYLOAD, "admin1": PAYLOAD, "geocoded_at": "2025-01-01"},
    )
    scripted = {
        "admin1": IMG,
        "location": SCRIPT,
        "actor1": IMG,
        "attribution": f"claimed by {IMG}",
        "notes": f"{IMG} {SCRIPT} struck a base.",
        "source": IMG,
        "source_title": SCRIPT,
        "tags": f"key;{SCRIPT}",
        "label": LABEL,
    }
    append_row(folder / "events.csv", _event("IRQ-20250101-1", "2025-01-01", **scripted))
    formulas = scripted | {
        "actor1": "Kataib Hezbollah",
        "notes": FORMULA,
        "source": "@SUM(1+1)",
        "tags": "",
        "label": "",
    }
    append_row(folder / "events.csv", _event("IRQ-20250102-1", "2025-01-02", **formulas))
    marked = {
        "admin1": PAYLOAD,
        "location": PAYLOAD,
        "actor1": ACTOR,
        "attribution": f"claimed by {PAYLOAD}",
        "notes": PAYLOAD,
        "source": PAYLOAD,
        "source_title": PAYLOAD,
        "tags": f"key;{PAYLOAD}",
        "label": SHORT,
    }
    append_row(folder / "events.csv", _event("IRQ-20250103-1", "2025-01-03", **marked))
    assert validate_folder(folder) == []
    imported.import_and_save(acled_with_payloads(), "acled", folder, grant=local_grant(), file_name="acled.csv")
    return folder


def acled_with_payloads() -> bytes:
    """The ACLED fixture with its first event's text columns, and the country of all but one, replaced."""
    lines = (EXTERNAL / "acled_export.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")

    def quoted(value: str) -> str:
        return '"' + value.replace('"', '""') + '"'

    rows = []
    for number, line in enumerate(lines[1:]):
        fields = next(csv.reader([line]))
        row = dict(zip(header, fields, strict=True))
        if number < len(lines) - 2:
            row["country"] = COUNTRY
        if number == 0:
            for column in ("actor1", "actor2", "admin1", "location", "notes", "source", "tags"):
                row[column] = PAYLOAD
        rows.append(",".join(quoted(row[c]) for c in header))
    return ("\n".join([lines[0], *rows]) + "\n").encode("utf-8")
