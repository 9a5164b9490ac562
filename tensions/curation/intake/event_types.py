"""The event type a sentence suggests, from keyword rules (most specific first)."""

from __future__ import annotations

import re

# (pattern, event type, sub-event type), most specific first: the first rule that fires names the type.
TYPE_RULES: tuple[tuple[str, str, str], ...] = (
    (r"\bclaim(?:ed|s|ing)? responsibility\b", "Threats and warnings", "Claim of responsibility"),
    (r"\b(?:ceasefire|cease-fire|truce)s?\b", "Agreements", "Ceasefire or truce"),
    (
        r"\b(?:disarm\w*|demobili[sz]\w*|lay down (?:their )?arms|hand over (?:their )?weapons"
        r"|integrat\w+ (?:them |the groups |the factions )?into the (?:\w+ )?(?:armed|security) forces)",
        "Agreements",
        "Disarmament or demobilisation",
    ),
    (
        r"\b(?:hostages? (?:were |was )?(?:released|freed)|released \w+ hostages|prisoner (?:swap|exchange|release))",
        "Agreements",
        "Hostage or prisoner release",
    ),
    (
        r"\b(?:ordered departure|evacuat\w+ (?:of )?(?:the |its |their )?(?:embassy|diplomats|staff|citizens|nationals|personnel))",
        "Evacuations",
        "Ordered departure or evacuation",
    ),
    (
        r"\b(?:evacuated|withdr[ae]w\w*|withdrawn|pull(?:ed|ing)? (?:out|back)|relocat\w+|reduced their presences?)\b",
        "Troop movements",
        "Withdrawal or relocation",
    ),
    (
        r"\b(?:deploy\w*|reinforc\w*|sent (?:an? |two |more )?(?:aircraft carriers?|warships?|troops|bombers|jets))",
        "Troop movements",
        "Deployment or reinforcement",
    ),
    (
        r"\b(?:ultimatums?|warn(?:ed|ing|ings|s)?|told [^.;]{0,120}?\bto (?:prevent|stop|halt|rein|end|cease|curb|disband|withdraw|leave))\b",
        "Threats and warnings",
        "Warning or ultimatum",
    ),
    (r"\b(?:threaten\w*|could target|vow\w* (?:to )?retaliat\w*)\b", "Threats and warnings", "Threat of force"),
    (r"\b(?:sanction\w*|designat\w+ [^.;]{0,40}?terror\w*)\b", "Diplomacy and talks", "Sanctions or designation"),
    (r"\bsuicide (?:bomb\w*|attack\w*)\b", "Explosions/Remote violence", "Suicide bomb"),
    (
        r"\b(?:roadside bombs?|IEDs?|improvised explosive|landmines?|car bombs?)\b",
        "Explosions/Remote violence",
        "Remote explosive/landmine/IED",
    ),
    (
        r"\b(?:drone strikes?|air ?strikes?|air attacks?|air raids?|drones?|bombed|bombing raids?|warplanes?)\b",
        "Explosions/Remote violence",
        "Air/drone strike",
    ),
    (
        r"\b(?:rockets?|missiles?|mortars?|shell(?:ed|ing)|artillery)\b",
        "Explosions/Remote violence",
        "Shelling/artillery/missile attack",
    ),
    (r"\b(?:condemn\w*|denounc\w*)\b", "Diplomacy and talks", "Official statement"),
    (r"\b(?:strik(?:e|es|ing)|struck)\b", "Explosions/Remote violence", "Air/drone strike"),
    (r"\b(?:clash\w*|gunfights?|firefights?|fought|battles?)\b", "Battles", "Armed clash"),
    (r"\b(?:protest\w*|demonstrat(?:ion|ions|ors|ed))\b", "Protests", "Peaceful protest"),
    (r"\b(?:riot\w*)\b", "Riots", "Violent demonstration"),
    (r"\b(?:kidnap\w*|abduct\w*)\b", "Violence against civilians", "Abduction/forced disappearance"),
    (r"\b(?:arrest\w*|detain\w*)\b", "Strategic developments", "Arrests"),
    (r"\b(?:mediat\w*|de-escalat\w*|urg\w+ restraint|calls? for calm)\b", "Diplomacy and talks", "Mediation or de-escalation call"),
    (r"\b(?:talks|negotiat\w+|discussions|phone call|met with|meeting with)\b", "Diplomacy and talks", "Talks or negotiations"),
    (r"\b(?:issued a statement|in a statement|announced)\b", "Diplomacy and talks", "Official statement"),
)  # fmt: skip
_TYPE_PATTERNS = [(re.compile(p, re.IGNORECASE), t, s) for p, t, s in TYPE_RULES]


def guess_type(sentence: str) -> tuple[str, str, re.Match[str]] | None:
    """The event type and sub-type the sentence's first matching keyword rule suggests, with the keyword."""
    for pattern, event_type, sub_event_type in _TYPE_PATTERNS:
        found = pattern.search(sentence)
        if found:
            return event_type, sub_event_type, found
    return None
