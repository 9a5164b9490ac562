"""Synthetic events for the benchmark: realistic shapes over our taxonomy, countries, places and actors.

Nothing here is a real event; `notes` say so. The distributions mimic what imported data looks like:
most events in Iraq, Syria, Yemen, Gaza and Lebanon; strikes and clashes most common; bursts of activity
over a quiet baseline; many places around the gazetteer's towns, a few province-only and month-only;
fatalities mostly unknown or zero with a long tail; a few hundred actor names, a handful very active.
Columns and dtypes are exactly those of imported events (`importers.base.EVENT_COLUMNS`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tensions.data import taxonomy
from tensions.data.actors import family_by_actor
from tensions.data.paths import data_dir as default_data_dir
from tensions.data.schema import ACTORS, PLACES, to_typed
from tensions.data.validate import read_raw_table
from tensions.ingest.importers.base import EVENT_COLUMNS

START = pd.Timestamp("2023-10-07")
END = pd.Timestamp("2025-06-30")

COUNTRY_WEIGHTS: dict[str, float] = {
    "Iraq": 20, "Syria": 18, "Yemen": 12, "Palestine": 14, "Lebanon": 11, "Israel": 9, "Iran": 5,
    "Jordan": 2, "Red Sea": 2.5, "Gulf of Aden": 1.5, "Saudi Arabia": 1.5, "Persian Gulf": 0.6,
    "United Arab Emirates": 0.4, "Kuwait": 0.3, "Bahrain": 0.3, "Qatar": 0.4, "Oman": 0.3,
    "Egypt": 0.6, "Turkey": 0.6, "Mediterranean Sea": 0.3, "Arabian Sea": 0.3, "Cyprus": 0.1,
}  # fmt: skip
TYPE_WEIGHTS: dict[str, float] = {
    "Explosions/Remote violence": 34, "Battles": 18, "Violence against civilians": 10, "Protests": 12,
    "Riots": 3, "Strategic developments": 9, "Threats and warnings": 4, "Diplomacy and talks": 5,
    "Agreements": 1, "Troop movements": 3, "Evacuations": 1,
}  # fmt: skip
DATASET_WEIGHTS: dict[str, float] = {"acled": 45, "gdelt": 30, "ucdp": 20, "curated": 5}
PUBLISHERS = (
    "Reuters", "Associated Press", "Agence France-Presse", "Al Jazeera", "BBC News", "Shafaq News",
    "Rudaw", "The National", "Al-Monitor", "Times of Israel", "Haaretz", "L'Orient-Le Jour", "Saba",
    "Al Masirah", "IRNA", "Tasnim", "SANA", "Syrian Observatory for Human Rights", "Kurdistan24",
    "US Central Command", "Israel Defense Forces", "UN OCHA", "Anadolu Agency", "Arab News", "Asharq Al-Awsat",
)  # fmt: skip
GENERIC_ACTORS = (
    "Unidentified armed group ({})",
    "Civilians ({})",
    "Protesters ({})",
    "Military Forces of {}",
    "Police Forces of {}",
    "Rioters ({})",
    "Tribal militia ({})",
)
GENERIC_FAMILIES = (
    "Other armed groups",
    "Civilians and shipping",
    "Civilians and shipping",
    "Other states",
    "Other states",
    "Civilians and shipping",
    "Other armed groups",
)
SITES_PER_COUNTRY = 250


def read_curated_table(folder: Path, spec) -> pd.DataFrame | None:
    try:
        return to_typed(read_raw_table(folder / spec.file_name), spec)
    except (OSError, ValueError, KeyError):
        return None


def _sites(places: pd.DataFrame | None, rng: np.random.Generator) -> pd.DataFrame:
    """Per country, SITES_PER_COUNTRY named sites scattered around its gazetteer places (or its bbox)."""
    rows = []
    for country in taxonomy.COUNTRIES:
        if country.name not in COUNTRY_WEIGHTS:
            continue
        min_lon, min_lat, max_lon, max_lat = country.bbox
        anchors = places[places["country"].astype("string") == country.name] if places is not None else pd.DataFrame()
        if anchors.empty:
            anchors = pd.DataFrame(
                {
                    "place": [country.name],
                    "latitude": [(min_lat + max_lat) / 2],
                    "longitude": [(min_lon + max_lon) / 2],
                    "admin1": [pd.NA],
                }
            )
        # The gazetteer's own places first, then sites scattered around them.
        exact = min(len(anchors), SITES_PER_COUNTRY)
        pick = np.concatenate([np.arange(exact), rng.integers(0, len(anchors), SITES_PER_COUNTRY - exact)])
        spread = np.where(np.arange(SITES_PER_COUNTRY) < exact, 0.0, 0.02 if country.is_sea else 0.35)
        anchor_lat = anchors["latitude"].to_numpy(float)[pick]
        anchor_lon = anchors["longitude"].to_numpy(float)[pick]
        lat = np.clip(anchor_lat + rng.normal(0, 1, SITES_PER_COUNTRY) * spread, min_lat, max_lat)
        lon = np.clip(anchor_lon + rng.normal(0, 1, SITES_PER_COUNTRY) * spread, min_lon, max_lon)
        admin = anchors["admin1"].astype("string").fillna(country.name).to_numpy(object)[pick]
        names = anchors["place"].astype("string").to_numpy(object)[pick]
        for k in range(SITES_PER_COUNTRY):
            name = str(names[k]) if k < exact else f"{names[k]} area {k}"
            rows.append((country.name, name, str(admin[k]), lat[k], lon[k], anchor_lat[k], anchor_lon[k]))
    return pd.DataFrame(rows, columns=["country", "location", "admin1", "lat", "lon", "province_lat", "province_lon"])


def _actor_pool(actors: pd.DataFrame | None) -> tuple[list[str], list[str]]:
    names, families = [], []
    if actors is not None:
        by_actor = family_by_actor(actors)
        names += list(by_actor)
        families += list(by_actor.values())
    for country in COUNTRY_WEIGHTS:
        for template, family in zip(GENERIC_ACTORS, GENERIC_FAMILIES, strict=True):
            if template.format(country) not in names:
                names.append(template.format(country))
                families.append(family)
    for k in range(300):  # a long tail of small, local groups
        names.append(f"Local armed group {k + 1}")
        families.append("Other armed groups")
    return names, families


def _zipf_weights(n: int, rng: np.random.Generator, exponent: float = 1.1) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    rng.shuffle(weights)
    return weights / weights.sum()


def _dates(n: int, rng: np.random.Generator) -> np.ndarray:
    """Day offsets from START: a steady baseline plus a dozen bursts of a few weeks."""
    days = (END - START).days
    baseline = rng.integers(0, days + 1, n)
    burst_centres = rng.integers(0, days + 1, 12)
    in_burst = rng.random(n) < 0.45
    centres = burst_centres[rng.integers(0, 12, n)]
    bursts = np.clip(np.round(rng.normal(centres, 9)), 0, days).astype(np.int64)
    return np.where(in_burst, bursts, baseline)


def _categorical(codes: np.ndarray, categories: list) -> pd.Categorical:
    return pd.Categorical.from_codes(codes.astype(np.int32), categories=categories)


def synthetic_events(n: int, *, seed: int = 7, data_dir: Path | None = None) -> pd.DataFrame:
    """`n` synthetic events, sorted by date, in the columns and dtypes of imported events."""
    rng = np.random.default_rng(seed)
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    sites = _sites(read_curated_table(folder, PLACES), rng)
    actor_names, actor_families = _actor_pool(read_curated_table(folder, ACTORS))

    countries = list(COUNTRY_WEIGHTS)
    weights = np.array(list(COUNTRY_WEIGHTS.values()))
    country_pick = rng.choice(len(countries), n, p=weights / weights.sum())
    # A site in that country: each country's SITES_PER_COUNTRY sites are contiguous rows of `sites`.
    first_site = {c: sites.index[sites["country"] == c][0] for c in countries}
    site_weights = _zipf_weights(SITES_PER_COUNTRY, rng, 0.9)
    site = np.array([first_site[c] for c in countries])[country_pick] + rng.choice(SITES_PER_COUNTRY, n, p=site_weights)

    geo_precision = rng.choice([1, 2, 3], n, p=[0.72, 0.18, 0.10])
    province_only = geo_precision == 3
    lat = np.where(province_only, sites["province_lat"].to_numpy()[site], sites["lat"].to_numpy()[site])
    lon = np.where(province_only, sites["province_lon"].to_numpy()[site], sites["lon"].to_numpy()[site])

    types = list(TYPE_WEIGHTS)
    type_weights = np.array(list(TYPE_WEIGHTS.values()))
    type_pick = rng.choice(len(types), n, p=type_weights / type_weights.sum())
    sub_names = [s.name for s in taxonomy.SUB_EVENT_TYPES]
    subs_of_type = [[sub_names.index(s.name) for s in taxonomy.SUB_EVENT_TYPES if s.event_type == t] for t in types]
    sub_pick = np.empty(n, dtype=np.int64)
    for t, subs in enumerate(subs_of_type):
        rows = np.flatnonzero(type_pick == t)
        sub_weights = _zipf_weights(len(subs), rng, 1.0)
        sub_pick[rows] = np.array(subs)[rng.choice(len(subs), len(rows), p=sub_weights)]
    type_codes = np.array([taxonomy.EVENT_TYPES.index(t) for t in types])[type_pick]

    actor_weights = _zipf_weights(len(actor_names), rng, 1.05)
    actor1 = rng.choice(len(actor_names), n, p=actor_weights)
    actor2 = rng.choice(len(actor_names), n, p=actor_weights)
    actor2 = np.where(rng.random(n) < 0.3, -1, actor2)
    family_codes = np.array([taxonomy.ACTOR_FAMILIES.index(f) for f in actor_families])

    day = _dates(n, rng)
    order = np.argsort(day, kind="stable")
    event_date = (START + pd.to_timedelta(day, unit="D")).to_numpy().astype("datetime64[us]")
    time_precision = rng.choice([0, 1, 2], n, p=[0.9, 0.06, 0.04])

    fatalities = np.where(rng.random(n) < 0.45, 0, np.minimum(rng.geometric(0.25, n), 500))
    fatalities_unknown = rng.random(n) < 0.35
    dataset_names = list(DATASET_WEIGHTS)
    dataset_weights = np.array(list(DATASET_WEIGHTS.values()))
    dataset = rng.choice(len(dataset_names), n, p=dataset_weights / dataset_weights.sum())
    ids = pd.Series(np.arange(1, n + 1).astype(str), dtype="string")

    location_codes, location_names = pd.factorize(sites["location"])
    admin_codes, admin_names = pd.factorize(sites["admin1"])
    country_codes = np.array([taxonomy.COUNTRY_NAMES.index(c) for c in countries])[country_pick]
    location = location_codes[site]
    admin = admin_codes[site]
    location_text = pd.Series(np.asarray(location_names, dtype=object)[location], dtype="string")
    sub_text = pd.Series(np.array(sub_names, dtype=object)[sub_pick], dtype="string")
    actor_text = pd.Series(np.array(actor_names, dtype=object)[actor1], dtype="string")
    key = np.zeros(n, dtype=bool)
    key[rng.choice(n, min(n, 12), replace=False)] = True

    events = pd.DataFrame(
        {
            "event_id": "syn:" + ids,
            "event_date": event_date,
            "time_precision": _categorical(time_precision, list(taxonomy.TIME_PRECISIONS)),
            "country": _categorical(country_codes, list(taxonomy.COUNTRY_NAMES)),
            "theatre": pd.Categorical(
                [taxonomy.THEATRE_BY_COUNTRY[c] for c in np.array(countries, dtype=object)[country_pick]],
                categories=list(taxonomy.THEATRES),
            ),
            "admin1": _categorical(admin, list(admin_names)),
            "location": _categorical(location, list(location_names)),
            "latitude": lat.astype("float64"),
            "longitude": lon.astype("float64"),
            "geo_precision": pd.array(geo_precision, dtype="Int64"),
            "event_type": _categorical(type_codes, list(taxonomy.EVENT_TYPES)),
            "sub_event_type": _categorical(sub_pick, sub_names),
            "actor1": _categorical(actor1, actor_names),
            "actor2": _categorical(actor2, actor_names),
            "fatalities": pd.arrays.IntegerArray(fatalities.astype("int64"), fatalities_unknown),
            "attribution": pd.Series(pd.NA, index=range(n), dtype="string"),
            "notes": "Synthetic event " + ids + " for the benchmark: " + actor_text + ", " + sub_text.str.lower()
            + " near " + location_text + ". Not a real event.",
            "source": _categorical(rng.integers(0, len(PUBLISHERS), n), list(PUBLISHERS)),
            "source_title": "[Synthetic report " + ids + "]",
            "source_date": event_date + rng.integers(0, 3, n).astype("timedelta64[D]"),
            "source_url": pd.Series(pd.NA, index=range(n), dtype="string"),
            "confidence": _categorical(rng.choice([0, 1, 2], n, p=[0.55, 0.35, 0.10]), list(taxonomy.CONFIDENCES)),
            "tags": pd.Series(np.where(key, "key", None), dtype="string"),
            "label": pd.Series(np.where(key, "Synthetic key event", None), dtype="string"),
            "escalation": pd.array(
                np.array([s.escalation for s in taxonomy.SUB_EVENT_TYPES])[sub_pick], dtype="Int64"
            ),
            "actor1_family": _categorical(family_codes[actor1], list(taxonomy.ACTOR_FAMILIES)),
            "actor2_family": _categorical(
                np.where(actor2 >= 0, family_codes[np.maximum(actor2, 0)], -1), list(taxonomy.ACTOR_FAMILIES)
            ),
            "dataset": _categorical(dataset, dataset_names),
            "original_id": ids,
        }
    )  # fmt: skip
    events = events.take(order).reset_index(drop=True)
    return events[list(EVENT_COLUMNS)]
