"""UCDP GED: the Georeferenced Event Dataset's CSV, as a full release or as HDX's per-country files.

HDX's files add a second header row of HXL hashtags (`#geo+lat`), which the reader skips.
Mapping: `date_start`/`date_end` → the middle of the period, with `date_prec` (1 day; 2-3 within a
week; 4-5 a month or longer) → day/week/month; `where_prec` (1 exact; 2 near; 3 district; 4-7 province,
region, country or sea) → geo precision 1/2/2/3/3/3/3; `type_of_violence` 1 and 2 → Battles/Armed
clash, 3 (one-sided) → Violence against civilians/Attack; `side_a`/`side_b` → actors; `best` → fatalities;
`source_office`/`source_headline`/`source_date` → source (UCDP leaves them blank for many events: the
source is then "UCDP GED" and the headline a bracketed description).
"""

from __future__ import annotations

import pandas as pd

from tensions.ingest.importers.base import (
    Importer,
    RowProblems,
    coded,
    country_names,
    join_text,
    parse_dates,
    parse_numbers,
    required_text,
    strict_dates,
    text,
    tidy_admin,
    when,
)
from tensions.ingest.importers.matching import ActorMatcher, civilian_or
from tensions.ingest.importers.reading import RawTable

TYPE_OF_VIOLENCE: dict[str, tuple[str, str, str]] = {
    "1": ("Battles", "Armed clash", "state-based armed conflict"),
    "2": ("Battles", "Armed clash", "non-state conflict"),
    "3": ("Violence against civilians", "Attack", "one-sided violence against civilians"),
}
DATE_PRECISION: dict[str, str] = {"1": "day", "2": "week", "3": "week", "4": "month", "5": "month"}
WHERE_PRECISION: dict[str, int] = {"1": 1, "2": 2, "3": 2, "4": 3, "5": 3, "6": 3, "7": 3}
CLARITY: dict[str, str] = {"1": "high", "2": "medium"}


class UcdpImporter(Importer):
    dataset = "ucdp"
    title = "UCDP GED"
    attribution = (
        "UCDP Georeferenced Event Dataset (GED), Uppsala Conflict Data Program, licensed CC BY 4.0 "
        "(ucdp.uu.se). Cite: Sundberg, Ralph and Erik Melander (2013), Introducing the UCDP Georeferenced "
        "Event Dataset, Journal of Peace Research 50(4)."
    )
    signature_columns = frozenset({"type_of_violence", "side_a", "side_b"})
    required_columns = (
        "id",
        "type_of_violence",
        "side_a",
        "side_b",
        "where_prec",
        "latitude",
        "longitude",
        "country",
        "date_start",
        "date_end",
        "best",
    )
    optional_columns = (
        "date_prec",
        "adm_1",
        "where_coordinates",
        "dyad_name",
        "conflict_name",
        "source_office",
        "source_headline",
        "source_date",
        "event_clarity",
        "low",
        "high",
        "deaths_civilians",
    )

    def format_name(self, raw: RawTable) -> str:
        hxl = any("HXL" in note for note in raw.notes)
        return "UCDP GED CSV (HDX file with HXL row)" if hxl else "UCDP GED CSV"

    def normalise(self, frame: pd.DataFrame, problems: RowProblems, actors: ActorMatcher) -> dict[str, pd.Series]:
        ids = required_text(frame, "id", problems)
        start = parse_dates(frame, "date_start", problems)
        end = parse_dates(frame, "date_end", problems).fillna(start)
        problems.add(end < start, "date_end", text(frame, "date_end"), "{value} is before date_start")
        middle = (start + (end - start) / 2).dt.floor("D")
        span_days = (end - start).dt.days.fillna(0)
        inferred = pd.Series("month", index=frame.index).where(span_days > 7, "week").where(span_days > 0, "day")
        precision = coded(frame, "date_prec", problems, DATE_PRECISION, default="")
        precision = precision.where(precision != "", inferred)

        where = coded(frame, "where_prec", problems, WHERE_PRECISION)
        latitude = parse_numbers(frame, "latitude", problems, minimum=-90, maximum=90)
        longitude = parse_numbers(frame, "longitude", problems, minimum=-180, maximum=180)
        violence = coded(frame, "type_of_violence", problems, TYPE_OF_VIOLENCE)
        fatalities = parse_numbers(frame, "best", problems, minimum=0, whole=True)

        admin1 = tidy_admin(text(frame, "adm_1"))
        country = country_names(required_text(frame, "country", problems))
        # GED places Gaza and the West Bank under Israel; our taxonomy has Palestine for them.
        palestinian = (country == "Israel") & admin1.str.contains("Gaza|West Bank", case=False, regex=True)
        country = country.where(~palestinian, "Palestine")
        location = text(frame, "where_coordinates")
        location = location.where(location != "", admin1).where((location != "") | (admin1 != ""), country)

        side_a = actors.canonical(required_text(frame, "side_a", problems))
        side_b_raw = text(frame, "side_b")
        civilians_here = "Civilians (" + country.astype("str") + ")"
        side_b = side_b_raw.where(
            ~((side_b_raw == "Civilians") & actors.is_known(civilians_here)), actors.canonical(civilians_here)
        )
        side_b = actors.canonical(side_b)

        office = text(frame, "source_office")
        headline = text(frame, "source_headline")
        source_date_text = text(frame, "source_date").str.split(";").str[0].str.strip()
        source_date = strict_dates(source_date_text, "%Y-%m-%d")
        problems.add(
            (source_date_text != "") & source_date.isna(),
            "source_date",
            text(frame, "source_date"),
            "{value} is not a date (YYYY-MM-DD)",
        )
        dyad = text(frame, "dyad_name")
        dyad = dyad.where(dyad != "", side_a.astype("str") + " - " + side_b.astype("str"))

        words = violence.map(lambda v: v[2] if isinstance(v, tuple) else "")
        best = fatalities.astype("Int64").astype("string").fillna("?")
        low, high = text(frame, "low"), text(frame, "high")
        deaths = join_text("UCDP best estimate ", best, " deaths")
        ranged = (low != "") & (high != "") & ((low != best) | (high != best))
        deaths = when(ranged, join_text(deaths, " (low ", low, ", high ", high, ")"), deaths)
        civilians = text(frame, "deaths_civilians")
        some_civilians = (civilians != "") & (civilians != "0")
        deaths = when(some_civilians, join_text(deaths, "; civilian deaths: ", civilians), deaths)
        span = join_text("; between ", start.dt.strftime("%Y-%m-%d"), " and ", end.dt.strftime("%Y-%m-%d"))
        period = when(start != end, span)
        notes = join_text(dyad, ": ", words, ". ", deaths, period, ".")

        return {
            "original_id": ids,
            "event_date": middle,
            "time_precision": precision,
            "country": country,
            "admin1": admin1,
            "location": location,
            "latitude": latitude,
            "longitude": longitude,
            "geo_precision": where,
            "event_type": violence.map(lambda v: v[0] if isinstance(v, tuple) else None),
            "sub_event_type": violence.map(lambda v: v[1] if isinstance(v, tuple) else None),
            "actor1": side_a,
            "actor2": side_b,
            "fatalities": fatalities,
            "notes": notes,
            "source": office.where(office != "", "UCDP GED"),
            "source_title": headline.where(headline != "", join_text("[UCDP GED event ", ids, ": ", dyad, "]")),
            "source_date": source_date.fillna(end).astype("datetime64[us]"),
            "confidence": coded(frame, "event_clarity", problems, CLARITY, default="medium"),
            "tags": join_text(
                "type_of_violence:",
                text(frame, "type_of_violence"),
                ";where_prec:",
                text(frame, "where_prec"),
                ";date_prec:",
                text(frame, "date_prec"),
            ),
            "actor1_family": actors.families(side_a, civilian_or(side_a, "Other armed groups")),
            "actor2_family": actors.families(side_b, civilian_or(side_b, "Other armed groups")),
        }
