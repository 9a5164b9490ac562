"""The one source of truth for categories: event types, sub-types, countries and theatres.

ACLED's six event types and their sub-types come first, unchanged, so ACLED exports map one to one;
the types after them cover what regional tension needs beyond violence. Every sub-type carries an
escalation direction (+1 escalatory, 0 neutral, -1 de-escalatory) used by the tension measures.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SubEventType:
    name: str
    event_type: str
    escalation: int
    description: str


@dataclass(frozen=True)
class Country:
    name: str
    iso3: str
    theatre: str
    # (min_lon, min_lat, max_lon, max_lat), generous by a few tenths of a degree so coastal and
    # border places are not rejected; seas are listed as "countries" because ACLED-style rows of
    # attacks on shipping need one.
    bbox: tuple[float, float, float, float]
    is_sea: bool = False
    # Talks and statements sometimes happen outside the region (Rome, Geneva, Washington).
    in_region: bool = True


_TYPES: dict[str, list[tuple[str, int, str]]] = {
    "Battles": [
        ("Armed clash", 1, "Armed, organised groups fight each other."),
        ("Government regains territory", 1, "A government force takes back territory."),
        ("Non-state actor overtakes territory", 1, "A non-state group seizes territory or a city."),
    ],
    "Explosions/Remote violence": [
        ("Air/drone strike", 1, "A strike from an aircraft or drone, including one-way drones."),
        ("Shelling/artillery/missile attack", 1, "Rockets, missiles, artillery or mortars."),
        ("Remote explosive/landmine/IED", 1, "A planted or remotely detonated explosive device."),
        ("Suicide bomb", 1, "An attacker detonates explosives on their person or vehicle."),
        ("Grenade", 1, "A thrown grenade."),
        ("Chemical weapon", 1, "Use of chemical weapons."),
    ],
    "Violence against civilians": [
        ("Attack", 1, "Deliberate violence against unarmed people."),
        ("Abduction/forced disappearance", 1, "People taken or held, including hostage-taking."),
        ("Sexual violence", 1, "Sexual violence used by an armed actor."),
    ],
    "Protests": [
        ("Peaceful protest", 0, "A demonstration without violence."),
        ("Protest with intervention", 0, "A peaceful protest that authorities try to disperse."),
        ("Excessive force against protesters", 1, "Lethal or serious force used on protesters."),
    ],
    "Riots": [
        ("Violent demonstration", 1, "Demonstrators engage in violence or vandalism."),
        ("Mob violence", 1, "A crowd attacks people or property."),
    ],
    "Strategic developments": [
        ("Agreement", -1, "An agreement between parties that is not a ceasefire."),
        ("Arrests", 0, "Detentions by state forces."),
        ("Change to group/activity", 0, "A group forms, splits, renames or changes its conduct."),
        ("Disrupted weapons use", 1, "A launched attack is intercepted or defused."),
        ("Headquarters or base established", 1, "A group sets up a base or headquarters."),
        ("Looting/property destruction", 1, "Property seized or destroyed without a clash."),
        ("Non-violent transfer of territory", 0, "Territory changes hands without fighting."),
        ("Other", 0, "A significant development that fits no other sub-type."),
    ],
    "Threats and warnings": [
        ("Threat of force", 1, "A party threatens military action or retaliation."),
        ("Warning or ultimatum", 1, "A deadline or demand backed by implied force."),
        ("Claim of responsibility", 1, "A group claims attacks as a campaign or announcement."),
    ],
    "Diplomacy and talks": [
        ("Talks or negotiations", -1, "Parties meet or negotiate, directly or through mediators."),
        ("Official statement", 0, "A government or group states a position."),
        ("Sanctions or designation", 1, "Sanctions, terrorist designations or other coercion."),
        ("Mediation or de-escalation call", -1, "A third party presses for restraint."),
    ],
    "Agreements": [
        ("Ceasefire or truce", -1, "A ceasefire, truce or pause in fighting takes effect."),
        ("Disarmament or demobilisation", -1, "A step to disarm, demobilise or integrate a group."),
        ("Hostage or prisoner release", -1, "Captives freed under a deal."),
        ("Security arrangement", -1, "An accord on forces' presence or conduct."),
    ],
    "Troop movements": [
        ("Deployment or reinforcement", 1, "Forces, ships or aircraft sent into the region."),
        ("Withdrawal or relocation", -1, "Forces or a group pull back, leave or relocate."),
    ],
    "Evacuations": [
        ("Ordered departure or evacuation", 1, "Diplomats, staff or civilians ordered to leave."),
    ],
}

SUB_EVENT_TYPES: tuple[SubEventType, ...] = tuple(
    SubEventType(name, event_type, escalation, description)
    for event_type, subs in _TYPES.items()
    for name, escalation, description in subs
)
EVENT_TYPES: tuple[str, ...] = tuple(_TYPES)
SUB_EVENT_TYPE_BY_NAME: dict[str, SubEventType] = {s.name: s for s in SUB_EVENT_TYPES}
ESCALATION_BY_SUB_EVENT_TYPE: dict[str, int] = {s.name: s.escalation for s in SUB_EVENT_TYPES}

# Event types whose deaths belong to the event itself: notes that report deaths need a figure (validate.py).
# Other types (statements, talks, agreements) mention killings that are other events.
VIOLENT_EVENT_TYPES: tuple[str, ...] = ("Battles", "Explosions/Remote violence", "Violence against civilians", "Riots")
VIOLENT_SUB_EVENT_TYPES: tuple[str, ...] = ("Excessive force against protesters",)

TIME_PRECISIONS: tuple[str, ...] = ("day", "week", "month")
GEO_PRECISIONS: tuple[int, ...] = (1, 2, 3)
GEO_PRECISION_MEANING: dict[int, str] = {
    1: "the named place",
    2: "near the named place, or its district",
    3: "only the province or region",
}
CONFIDENCES: tuple[str, ...] = ("high", "medium", "low")
ATTRIBUTIONS: tuple[str, ...] = ("claimed", "attributed", "unclaimed", "disputed")
ACTOR_KINDS: tuple[str, ...] = (
    "state",
    "state force",
    "armed group",
    "umbrella group",
    "coalition",
    "person",
    "political organisation",
    "international organisation",
    "civilians",
    "other",
)

# Theatres group countries for swimlanes and regional measures; order is display order.
THEATRES: tuple[str, ...] = (
    "Iraq",
    "Syria and Jordan",
    "Lebanon and Israel",
    "Gaza and West Bank",
    "Yemen and Red Sea",
    "Iran and the Gulf",
    "Elsewhere",
)

COUNTRIES: tuple[Country, ...] = (
    Country("Iraq", "IRQ", "Iraq", (38.7, 29.0, 48.8, 37.5)),
    Country("Syria", "SYR", "Syria and Jordan", (35.6, 32.2, 42.5, 37.4)),
    Country("Jordan", "JOR", "Syria and Jordan", (34.9, 29.1, 39.4, 33.5)),
    Country("Lebanon", "LBN", "Lebanon and Israel", (35.0, 33.0, 36.7, 34.8)),
    Country("Israel", "ISR", "Lebanon and Israel", (34.2, 29.4, 35.95, 33.5)),
    Country("Palestine", "PSE", "Gaza and West Bank", (34.1, 31.1, 35.7, 32.6)),
    Country("Yemen", "YEM", "Yemen and Red Sea", (41.7, 12.0, 54.6, 19.1)),
    Country("Iran", "IRN", "Iran and the Gulf", (43.9, 24.8, 63.4, 39.9)),
    Country("Qatar", "QAT", "Iran and the Gulf", (50.6, 24.4, 51.7, 26.3)),
    Country("Bahrain", "BHR", "Iran and the Gulf", (50.3, 25.7, 50.9, 26.4)),
    Country("Kuwait", "KWT", "Iran and the Gulf", (46.5, 28.5, 48.5, 30.2)),
    Country("United Arab Emirates", "ARE", "Iran and the Gulf", (51.5, 22.5, 56.5, 26.2)),
    Country("Oman", "OMN", "Iran and the Gulf", (51.8, 16.6, 59.9, 26.5)),
    Country("Saudi Arabia", "SAU", "Iran and the Gulf", (34.4, 16.3, 55.7, 32.2)),
    Country("Egypt", "EGY", "Elsewhere", (24.6, 21.9, 36.9, 31.7)),
    Country("Turkey", "TUR", "Elsewhere", (25.6, 35.8, 44.9, 42.2)),
    Country("Red Sea", "XRS", "Yemen and Red Sea", (32.3, 12.3, 43.6, 30.0), is_sea=True),
    Country("Gulf of Aden", "XGA", "Yemen and Red Sea", (42.5, 10.5, 52.0, 15.5), is_sea=True),
    Country("Arabian Sea", "XAS", "Yemen and Red Sea", (51.0, 8.0, 66.0, 25.0), is_sea=True),
    Country("Persian Gulf", "XPG", "Iran and the Gulf", (47.8, 23.8, 57.0, 30.5), is_sea=True),
    Country("Mediterranean Sea", "XMS", "Lebanon and Israel", (24.0, 30.5, 36.2, 37.5), True),
    Country("Cyprus", "CYP", "Elsewhere", (32.2, 34.5, 34.7, 35.8)),
    Country("Italy", "ITA", "Elsewhere", (6.6, 36.6, 18.6, 47.1), in_region=False),
    Country("Switzerland", "CHE", "Elsewhere", (5.9, 45.8, 10.5, 47.9), in_region=False),
    Country("United States", "USA", "Elsewhere", (-125.0, 24.0, -66.0, 49.5), in_region=False),
)
COUNTRY_BY_NAME: dict[str, Country] = {c.name: c for c in COUNTRIES}
COUNTRY_NAMES: tuple[str, ...] = tuple(c.name for c in COUNTRIES)
THEATRE_BY_COUNTRY: dict[str, str] = {c.name: c.theatre for c in COUNTRIES}

# The region every coordinate must fall in: (min_lon, min_lat, max_lon, max_lat).
REGION_BOUNDS: tuple[float, float, float, float] = (24.0, 8.0, 66.0, 42.5)

# Actor families colour the map and the swimlanes. An actor's family follows from the top of its
# affiliation chain in actors.csv: named roots first, otherwise the root's kind.
ACTOR_FAMILIES: tuple[str, ...] = (
    "Iran and the axis",
    "US and partners",
    "Israel",
    "Iraqi state",
    "Other states",
    "Other armed groups",
    "International bodies",
    "Civilians and shipping",
)
ACTOR_FAMILY_BY_ROOT: dict[str, str] = {
    "Iran": "Iran and the axis",
    "Axis of Resistance": "Iran and the axis",
    "United States": "US and partners",
    "United Kingdom": "US and partners",
    "France": "US and partners",
    "Israel": "Israel",
    "Iraq": "Iraqi state",
}
ACTOR_FAMILY_BY_ROOT_KIND: dict[str, str] = {
    "state": "Other states",
    "state force": "Other states",
    "person": "Other states",
    "armed group": "Other armed groups",
    "umbrella group": "Other armed groups",
    "coalition": "Other armed groups",
    "political organisation": "Other armed groups",
    "international organisation": "International bodies",
    "civilians": "Civilians and shipping",
    "other": "Civilians and shipping",
}
