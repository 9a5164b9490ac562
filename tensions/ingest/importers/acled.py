"""ACLED: the 31-column CSV export (`event_id_cnty, event_date, year, time_precision, …, timestamp`).

ACLED's event types and sub-types are ours one to one. `time_precision` 1/2/3 → day/week/month;
`geo_precision` 1/2/3 is ours. `actor1`/`actor2` → actors (their kind from `inter1`/`inter2`, numeric or
text, decides the family of actors the curated table does not know); `fatalities` as given (ACLED's 0
is a reported figure). A revised event keeps its id with a newer `timestamp`: when an id repeats, the
row with the newest timestamp is kept and the others are listed as superseded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tensions.data import taxonomy
from tensions.ingest.importers.base import (
    Importer,
    RowProblems,
    coded,
    country_names,
    join_text,
    parse_dates,
    parse_numbers,
    required_text,
    text,
    when,
)
from tensions.ingest.importers.matching import ActorMatcher, civilian_or

TIME_PRECISION = {"1": "day", "2": "week", "3": "month"}
GEO_PRECISION = {"1": 1, "2": 2, "3": 3}
DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y")

# `inter1`/`inter2`: numeric codes in older exports, words in newer ones.
INTER_KIND: dict[str, str] = {
    "1": "state",
    "2": "armed",
    "3": "armed",
    "4": "armed",
    "5": "civilian",
    "6": "civilian",
    "7": "civilian",
    "8": "external",
    "state forces": "state",
    "rebel group": "armed",
    "rebel groups": "armed",
    "political militia": "armed",
    "political militias": "armed",
    "identity militia": "armed",
    "identity militias": "armed",
    "rioters": "civilian",
    "protesters": "civilian",
    "civilians": "civilian",
    "external/other forces": "external",
}
FAMILY_BY_KIND = {
    "state": "Other states",
    "armed": "Other armed groups",
    "civilian": "Civilians and shipping",
    "external": "Other states",
}


def _kind_families(frame: pd.DataFrame, inter: str, names: pd.Series) -> pd.Series:
    kinds = text(frame, inter).str.lower().str.replace(r"\.0+$", "", regex=True).map(INTER_KIND)
    return kinds.map(FAMILY_BY_KIND).where(kinds.notna(), civilian_or(names, "Other armed groups"))


class AcledImporter(Importer):
    dataset = "acled"
    title = "ACLED"
    attribution = (
        "Armed Conflict Location & Event Data (ACLED), acleddata.com, used under ACLED's terms of use. "
        "Cite: Raleigh, Clionadh, Andrew Linke, Håvard Hegre and Joakim Karlsen (2010), Introducing ACLED: "
        "An Armed Conflict Location and Event Dataset, Journal of Peace Research 47(5)."
    )
    id_column = "event_id_cnty"
    kept_words = ", the newest revision by timestamp, which is kept"
    signature_columns = frozenset({"event_id_cnty", "event_type", "sub_event_type"})
    required_columns = (
        "event_id_cnty",
        "event_date",
        "time_precision",
        "event_type",
        "sub_event_type",
        "actor1",
        "country",
        "location",
        "latitude",
        "longitude",
        "geo_precision",
    )
    optional_columns = (
        "actor2",
        "inter1",
        "inter2",
        "admin1",
        "source",
        "notes",
        "fatalities",
        "tags",
        "civilian_targeting",
        "timestamp",
    )

    def normalise(self, frame: pd.DataFrame, problems: RowProblems, actors: ActorMatcher) -> dict[str, pd.Series]:
        ids = required_text(frame, "event_id_cnty", problems)
        event_date = parse_dates(frame, "event_date", problems, formats=DATE_FORMATS)
        event_type = required_text(frame, "event_type", problems)
        sub_type = required_text(frame, "sub_event_type", problems)
        problems.add(
            (event_type != "") & ~event_type.isin(taxonomy.EVENT_TYPES),
            "event_type",
            event_type,
            "{value} is not an ACLED event type",
        )
        expected_type = sub_type.map({s.name: s.event_type for s in taxonomy.SUB_EVENT_TYPES})
        problems.add(
            (sub_type != "") & expected_type.isna(),
            "sub_event_type",
            sub_type,
            "{value} is not an ACLED sub-event type",
        )
        problems.add(
            expected_type.notna() & event_type.isin(taxonomy.EVENT_TYPES) & (expected_type != event_type),
            "sub_event_type",
            sub_type,
            "{value} does not belong to the event type " + event_type.map(repr),
        )

        actor1 = actors.canonical(required_text(frame, "actor1", problems))
        actor2 = actors.canonical(text(frame, "actor2"))
        country = country_names(required_text(frame, "country", problems))
        admin1 = text(frame, "admin1")
        location = required_text(frame, "location", problems)
        fatalities = parse_numbers(frame, "fatalities", problems, minimum=0, whole=True, required=False)

        notes = text(frame, "notes")
        generated = join_text(actor1, ": ", sub_type.str.lower(), " in ", location, ", ", country.astype("str"), ".")
        written = text(frame, "tags")
        tags = written.map(
            {
                v: ";".join(t.strip() for t in v.split(";") if t.strip() and t.strip().lower() != "key")
                for v in pd.unique(written)
            }
        )
        tags = when(text(frame, "civilian_targeting") != "", join_text(tags, ";civilian targeting"), tags)
        source = text(frame, "source")

        return {
            "original_id": ids,
            "event_date": event_date,
            "time_precision": coded(frame, "time_precision", problems, TIME_PRECISION),
            "country": country,
            "admin1": admin1,
            "location": location,
            "latitude": parse_numbers(frame, "latitude", problems, minimum=-90, maximum=90),
            "longitude": parse_numbers(frame, "longitude", problems, minimum=-180, maximum=180),
            "geo_precision": coded(frame, "geo_precision", problems, GEO_PRECISION),
            "event_type": event_type,
            "sub_event_type": sub_type,
            "actor1": actor1,
            "actor2": actor2,
            "fatalities": fatalities,
            "notes": notes.where(notes != "", generated),
            "source": source.where(source != "", "ACLED"),
            "source_title": join_text("[ACLED event ", ids, "]"),
            # ACLED gives no report date: the event date stands in for it.
            "source_date": event_date,
            "confidence": pd.Series("medium", index=frame.index),
            "tags": tags.str.strip(";"),
            "actor1_family": actors.families(actor1, _kind_families(frame, "inter1", actor1)),
            "actor2_family": actors.families(actor2, _kind_families(frame, "inter2", actor2)),
        }

    def revision(self, frame: pd.DataFrame) -> pd.Series:
        """A revised event keeps its id with a newer `timestamp`: the newest row is kept."""
        return pd.to_numeric(text(frame, "timestamp"), errors="coerce").fillna(-np.inf)
