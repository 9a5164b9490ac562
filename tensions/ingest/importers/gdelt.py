"""GDELT 2.0 events: raw export files (61 tab-separated columns, no header, often zipped) or CSV with a header.

GDELT is machine-coded from news and noisy: every event gets confidence "low". Mapping: `SQLDATE` →
date (day); the action's place (`ActionGeo_*`) → place, with `ActionGeo_Type` 1 (country) and 5
(province) being centroids → geo precision 3, city-level types 3 and 4 → 1; `Actor1Name`/`Actor2Name`
(or their codes) → actors; the CAMEO `EventCode` (kept as text, leading zero and all, in the tags)
→ our type and sub-type through its root code, with `QuadClass` as the fallback, so the escalation
direction follows (cooperation de-escalates, conflict escalates); no fatalities (unknown);
`SOURCEURL` → source link and its domain → source. Raw GDELT 1.0 rows (58 columns) are read too.
"""

from __future__ import annotations

import csv
import re

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
    strict_dates,
    text,
    title_if_shouting,
    when,
)
from tensions.ingest.importers.matching import ActorMatcher
from tensions.ingest.importers.reading import RawTable, TextSource, read_table

# GDELT 2.0's 61 columns, in file order (the codebook's names).
COLUMNS_V2: tuple[str, ...] = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode", "Actor1EthnicCode",
    "Actor1Religion1Code", "Actor1Religion2Code", "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode", "Actor2EthnicCode",
    "Actor2Religion1Code", "Actor2Religion2Code", "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code",
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode", "Actor1Geo_ADM1Code", "Actor1Geo_ADM2Code",
    "Actor1Geo_Lat", "Actor1Geo_Long", "Actor1Geo_FeatureID",
    "Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode", "Actor2Geo_ADM1Code", "Actor2Geo_ADM2Code",
    "Actor2Geo_Lat", "Actor2Geo_Long", "Actor2Geo_FeatureID",
    "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code", "ActionGeo_ADM2Code",
    "ActionGeo_Lat", "ActionGeo_Long", "ActionGeo_FeatureID",
    "DATEADDED", "SOURCEURL",
)  # fmt: skip
# GDELT 1.0 daily files: the same without the three ADM2 columns.
COLUMNS_V1: tuple[str, ...] = tuple(c for c in COLUMNS_V2 if not c.endswith("ADM2Code"))
DISPLAY_NAMES: dict[str, str] = {c.lower(): c for c in COLUMNS_V2} | {"cameocodedescription": "CAMEOCodeDescription"}

# FIPS 10-4 country codes (GDELT's geography) for the countries in our taxonomy.
FIPS_COUNTRIES: dict[str, str] = {
    "IZ": "Iraq", "SY": "Syria", "JO": "Jordan", "LE": "Lebanon", "IS": "Israel", "WE": "Palestine",
    "GZ": "Palestine", "YM": "Yemen", "IR": "Iran", "QA": "Qatar", "BA": "Bahrain", "KU": "Kuwait",
    "AE": "United Arab Emirates", "MU": "Oman", "SA": "Saudi Arabia", "EG": "Egypt", "TU": "Turkey",
    "CY": "Cyprus", "IT": "Italy", "SZ": "Switzerland", "US": "United States",
}  # fmt: skip
# ActionGeo_Type: 1 country, 2 US state, 3 US city, 4 world city, 5 world state (province). Centroids → 3.
GEO_TYPE_PRECISION: dict[str, int] = {"1": 3, "2": 3, "3": 1, "4": 1, "5": 3}

# CAMEO root codes: (description, our event type, our sub-type). The sub-type carries the escalation
# direction: cooperation (01-08) de-escalates or is neutral, conflict (10-20) escalates.
CAMEO_ROOTS: dict[str, tuple[str, str, str]] = {
    "01": ("Make public statement", "Diplomacy and talks", "Official statement"),
    "02": ("Appeal", "Diplomacy and talks", "Official statement"),
    "03": ("Express intent to cooperate", "Diplomacy and talks", "Talks or negotiations"),
    "04": ("Consult", "Diplomacy and talks", "Talks or negotiations"),
    "05": ("Engage in diplomatic cooperation", "Diplomacy and talks", "Talks or negotiations"),
    "06": ("Engage in material cooperation", "Strategic developments", "Agreement"),
    "07": ("Provide aid", "Strategic developments", "Other"),
    "08": ("Yield", "Strategic developments", "Agreement"),
    "09": ("Investigate", "Strategic developments", "Other"),
    "10": ("Demand", "Threats and warnings", "Warning or ultimatum"),
    "11": ("Disapprove", "Diplomacy and talks", "Official statement"),
    "12": ("Reject", "Diplomacy and talks", "Official statement"),
    "13": ("Threaten", "Threats and warnings", "Threat of force"),
    "14": ("Protest", "Protests", "Peaceful protest"),
    "15": ("Exhibit military posture", "Troop movements", "Deployment or reinforcement"),
    "16": ("Reduce relations", "Diplomacy and talks", "Sanctions or designation"),
    "17": ("Coerce", "Diplomacy and talks", "Sanctions or designation"),
    "18": ("Assault", "Violence against civilians", "Attack"),
    "19": ("Fight", "Battles", "Armed clash"),
    "20": ("Use unconventional mass violence", "Violence against civilians", "Attack"),
}
# Finer codes that have a closer match than their root.
CAMEO_CODES: dict[str, tuple[str, str, str]] = {
    "057": ("Sign formal agreement", "Strategic developments", "Agreement"),
    "0841": ("Return, release person(s)", "Agreements", "Hostage or prisoner release"),
    "0871": ("Declare truce, ceasefire", "Agreements", "Ceasefire or truce"),
    "0873": ("Demobilize armed forces", "Agreements", "Disarmament or demobilisation"),
    "0874": ("Retreat or surrender militarily", "Troop movements", "Withdrawal or relocation"),
    "145": ("Protest violently, riot", "Riots", "Violent demonstration"),
    "171": ("Seize or damage property", "Strategic developments", "Looting/property destruction"),
    "173": ("Arrest, detain, or charge with legal action", "Strategic developments", "Arrests"),
    "175": ("Use tactics of violent repression", "Violence against civilians", "Attack"),
    "181": ("Abduct, hijack, or take hostage", "Violence against civilians", "Abduction/forced disappearance"),
    "1821": ("Sexually assault", "Violence against civilians", "Sexual violence"),
    "183": ("Conduct non-military bombing", "Explosions/Remote violence", "Remote explosive/landmine/IED"),
    "1831": ("Carry out suicide bombing", "Explosions/Remote violence", "Suicide bomb"),
    "194": ("Fight with artillery and tanks", "Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "195": ("Employ aerial weapons", "Explosions/Remote violence", "Air/drone strike"),
    "2041": ("Use chemical, biological, or radiological weapons", "Explosions/Remote violence", "Chemical weapon"),
}
QUAD_CLASS: dict[str, tuple[str, str, str]] = {
    "1": ("Verbal cooperation", "Diplomacy and talks", "Official statement"),
    "2": ("Material cooperation", "Strategic developments", "Agreement"),
    "3": ("Verbal conflict", "Threats and warnings", "Threat of force"),
    "4": ("Material conflict", "Battles", "Armed clash"),
}

# CAMEO actor codes: a country (ISO 3166 alpha-3) then roles. Roles that say what kind of actor it is.
ARMED_ROLES = {"REB", "INS", "SEP", "RAD", "UAF", "MOD"}
CIVILIAN_ROLES = {"CVL", "REF", "BUS", "EDU", "MED", "HLH", "LAB", "AGR", "MNC", "NGO", "HRI", "REL", "ELI"}
STATE_ROLES = {"GOV", "MIL", "COP", "JUD", "LEG", "SPY", "PTY"}
INTERNATIONAL_ROLES = {"IGO", "UNO"}
ROLE_CODES = ARMED_ROLES | CIVILIAN_ROLES | INTERNATIONAL_ROLES
ISO3_COUNTRIES: dict[str, str] = {c.iso3: c.name for c in taxonomy.COUNTRIES if not c.is_sea} | {
    "GBR": "United Kingdom",
    "FRA": "France",
}


def cameo_mapping(code: str, root: str, quad: str) -> tuple[str, str, str] | None:
    """(description, event type, sub-type) for a CAMEO event code, its root code and QuadClass."""
    for prefix in (code[:4], code[:3]):
        if prefix in CAMEO_CODES:
            return CAMEO_CODES[prefix]
    root = root.zfill(2) if root.isdigit() else code[:2]
    return CAMEO_ROOTS.get(root) or QUAD_CLASS.get(quad)


def _domain(url: str) -> str:
    match = re.match(r"^https?://(?:www\.)?([^/:?#\s]+)", url)
    return match.group(1).lower() if match else ""


class GdeltImporter(Importer):
    dataset = "gdelt"
    title = "GDELT"
    attribution = (
        "Event data from the GDELT Project (gdeltproject.org), free for any use with attribution. "
        "Cite: Leetaru, Kalev and Philip A. Schrodt (2013), GDELT: Global Data on Events, Location and Tone, "
        "1979-2012, ISA Annual Convention. Machine-coded from news reports: unverified."
    )
    id_column = "GLOBALEVENTID"
    signature_columns = frozenset({"globaleventid", "sqldate"})
    required_columns = (
        "globaleventid",
        "sqldate",
        "eventcode",
        "eventrootcode",
        "quadclass",
        "actiongeo_type",
        "actiongeo_fullname",
        "actiongeo_countrycode",
        "actiongeo_lat",
        "actiongeo_long",
    )
    optional_columns = (
        "actor1code",
        "actor1name",
        "actor2code",
        "actor2name",
        "goldsteinscale",
        "numsources",
        "numarticles",
        "dateadded",
        "sourceurl",
        "cameocodedescription",
    )

    @staticmethod
    def _raw_width(text: str) -> int | None:
        """61 (2.0) or 58 (1.0) when the file's first lines are raw GDELT rows: tab-separated, an id first."""
        for line in text.split("\n", 5)[:5]:
            fields = line.rstrip("\r").split("\t")
            if len(fields) in (len(COLUMNS_V1), len(COLUMNS_V2)) and fields[0].strip().isdigit():
                return len(fields)
        return None

    def recognises(self, text: str) -> bool:
        # GDELT comes with a header (extracts) or as raw headerless 61-column files.
        return super().recognises(text) or self._raw_width(text) is not None

    def read(self, text: TextSource) -> RawTable:
        width = self._raw_width(text.head)
        columns = (*self.required_columns, *self.optional_columns)
        if width is None:
            raw = super().read(text)
        else:
            names = COLUMNS_V2 if width == len(COLUMNS_V2) else COLUMNS_V1
            raw = read_table(text, columns=columns, delimiter="\t", names=names, quoting=csv.QUOTE_NONE)
            raw.notes.append(f"raw GDELT {'2.0' if width == len(COLUMNS_V2) else '1.0'} rows, {width} columns")
        raw.display_names = DISPLAY_NAMES
        return raw

    def format_name(self, raw: RawTable) -> str:
        if any(note.startswith("raw GDELT") for note in raw.notes):
            version = "2.0" if any("2.0" in n for n in raw.notes) else "1.0"
            return f"GDELT {version} events, raw tab-separated"
        return "GDELT events CSV with header"

    def normalise(self, frame: pd.DataFrame, problems: RowProblems, actors: ActorMatcher) -> dict[str, pd.Series]:
        ids = required_text(frame, "globaleventid", problems)
        event_date = parse_dates(frame, "sqldate", problems, formats=("%Y%m%d",))
        added = text(frame, "dateadded").str[:8]
        source_date = strict_dates(added, "%Y%m%d")

        code = required_text(frame, "eventcode", problems)
        root, quad = text(frame, "eventrootcode"), text(frame, "quadclass")
        keys = code + "|" + root + "|" + quad
        mapping = {k: cameo_mapping(*k.split("|")) for k in pd.unique(keys)}
        cameo = keys.map(mapping)
        problems.add(cameo.isna() & (code != ""), "eventcode", code, "{value} is not a CAMEO event code")
        event_type = cameo.map(lambda m: m[1] if isinstance(m, tuple) else None)
        sub_type = cameo.map(lambda m: m[2] if isinstance(m, tuple) else None)
        description = text(frame, "cameocodedescription")
        description = description.where(description != "", cameo.map(lambda m: m[0] if isinstance(m, tuple) else ""))

        geo_precision = coded(frame, "actiongeo_type", problems, GEO_TYPE_PRECISION)
        latitude = parse_numbers(frame, "actiongeo_lat", problems, minimum=-90, maximum=90)
        longitude = parse_numbers(frame, "actiongeo_long", problems, minimum=-180, maximum=180)
        full_name = text(frame, "actiongeo_fullname")
        parts = full_name.str.split(", ")
        fips = text(frame, "actiongeo_countrycode")
        country = fips.map(FIPS_COUNTRIES)
        country = country.where(country.notna(), country_names(parts.str[-1].fillna("")))
        problems.add(country == "", "actiongeo_countrycode", fips, "{value} names no country")
        location = parts.str[0].fillna("")
        location = location.where(location != "", country)
        admin1 = when(
            parts.str.len() == 3,
            parts.str[1].astype("string").fillna(""),
            when(text(frame, "actiongeo_type") == "5", location),
        )

        actor1 = self._actor(frame, "actor1", actors)
        actor2 = self._actor(frame, "actor2", actors)
        actor2 = actor2.where(actor2 != "Unidentified actor", "")

        url = text(frame, "sourceurl")
        domain = url.map(_domain)
        articles = text(frame, "numarticles")
        goldstein = text(frame, "goldsteinscale")
        who = when(actor2 != "", join_text(actor1, " → ", actor2), actor1)
        notes = join_text(who, ": ", description.str.strip(), " (CAMEO ", code, ")")
        notes = when(articles != "", join_text(notes, "; ", articles, " articles"), notes)
        notes = join_text(notes, ". Machine-coded from news reports by GDELT; unverified.")
        tags = join_text("cameo:", code, ";quadclass:", quad)
        tags = when(goldstein != "", join_text(tags, ";goldstein:", goldstein), tags)

        return {
            "original_id": ids,
            "event_date": event_date,
            "time_precision": pd.Series("day", index=frame.index),
            "country": country,
            "admin1": admin1,
            "location": location,
            "latitude": latitude,
            "longitude": longitude,
            "geo_precision": geo_precision,
            "event_type": event_type,
            "sub_event_type": sub_type,
            "actor1": actor1,
            "actor2": actor2,
            "fatalities": pd.Series(pd.NA, index=frame.index, dtype="Int64"),
            "notes": notes,
            "source": domain.where(domain != "", "GDELT"),
            "source_title": join_text("[GDELT event ", ids, "]"),
            "source_date": source_date.fillna(event_date).astype("datetime64[us]"),
            "source_url": url.where(url.str.match(r"^https?://\S+$"), ""),
            "confidence": pd.Series("low", index=frame.index),
            "tags": tags,
            "actor1_family": self._families(actor1, text(frame, "actor1code"), actors),
            "actor2_family": self._families(actor2, text(frame, "actor2code"), actors),
        }

    @staticmethod
    def _actor(frame: pd.DataFrame, prefix: str, actors: ActorMatcher) -> pd.Series:
        """The actor's name in title case, else its CAMEO code, else "Unidentified actor"."""
        name = title_if_shouting(text(frame, f"{prefix}name"))
        name = name.where(name != "", text(frame, f"{prefix}code"))
        return actors.canonical(name.where(name != "", "Unidentified actor"))

    @classmethod
    def _families(cls, names: pd.Series, codes: pd.Series, actors: ActorMatcher) -> pd.Series:
        """A curated actor's family, except that a role in the code (rebels, civilians, an international
        body) outranks a country's name: "IRAQ" coded IRQREB is an Iraqi armed group, not the Iraqi state."""
        by_code = cls._code_families(codes, actors)
        has_role = codes.map(lambda c: bool({c[i : i + 3] for i in range(0, len(c), 3)} & ROLE_CODES))
        by_name = actors.families(names, by_code)
        return by_code.where(has_role & (actors.is_state(names) | ~actors.is_known(names)), by_name).where(names != "")

    @staticmethod
    def _code_families(codes: pd.Series, actors: ActorMatcher) -> pd.Series:
        """An actor's family from its CAMEO code: its roles (REB, CVL, GOV…) and country (IRN, USA…)."""

        def family(code: str) -> str:
            chunks = {code[i : i + 3] for i in range(0, len(code), 3)}
            country = ISO3_COUNTRIES.get(code[:3])
            if chunks & ARMED_ROLES:
                return "Other armed groups"
            if chunks & CIVILIAN_ROLES:
                return "Civilians and shipping"
            if chunks & INTERNATIONAL_ROLES:
                return "International bodies"
            if country:
                return actors.family(country) or (
                    "US and partners" if code[:3] in {"USA", "GBR", "FRA"} else "Other states"
                )
            if chunks & STATE_ROLES:
                return "Other states"
            return "Civilians and shipping"

        unique = pd.unique(codes)
        return codes.map({c: family(c) for c in unique})
