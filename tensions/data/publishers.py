"""Each publisher's own web domains, so a `source_url` can be checked against the row's `source`.

A link is accepted only on the publisher's own site (any subdomain of a domain listed here); a mirror or
an aggregator's copy of the same story is not the publisher's page. A wire story carried by another outlet
is that outlet's page: its `source` names the outlet, optionally with the wire in brackets, e.g.
"Dawn (AFP)" for an AFP story on dawn.com.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

PUBLISHER_DOMAINS: dict[str, tuple[str, ...]] = {
    # Wire services and broadcasters
    "AFP": ("afp.com",),
    "Associated Press": ("apnews.com",),
    "Reuters": ("reuters.com",),
    "Al Jazeera": ("aljazeera.com", "aljazeera.net"),
    "BBC": ("bbc.com", "bbc.co.uk"),
    "CNN": ("cnn.com",),
    "DW": ("dw.com",),
    "France 24": ("france24.com",),
    "CGTN": ("cgtn.com",),
    "TRT World": ("trtworld.com",),
    "TRT Haber": ("trthaber.com",),
    "Xinhua": ("news.cn", "xinhuanet.com"),
    "UPI": ("upi.com",),
    "RFE/RL": ("rferl.org",),
    "Europa Press": ("europapress.es",),
    "Belga News Agency": ("belganewsagency.eu",),
    "NAMPA": ("nampa.org",),
    "WAM": ("wam.ae",),
    "Channel Africa": ("channelafrica.co.za",),
    "GB News": ("gbnews.com",),
    "LBC": ("lbc.co.uk",),
    "Public Radio of Armenia": ("1lurer.am",),
    # Middle East outlets
    "A News": ("anews.com.tr",),
    "Ahram Online": ("ahram.org.eg",),
    "Al Arabiya": ("alarabiya.net",),
    "Al Bawaba": ("albawaba.com", "albawaba.me", "albawaba.net"),
    "Al-Monitor": ("al-monitor.com",),
    "An-Nahar": ("annahar.com",),
    "Arab News": ("arabnews.com", "arabnews.pk"),
    "Asharq Al-Awsat": ("aawsat.com",),
    "Gulf News": ("gulfnews.com",),
    "Haaretz": ("haaretz.com",),
    "Hurriyet Daily News": ("hurriyetdailynews.com",),
    "i24NEWS": ("i24news.tv",),
    "Iraqi News Agency": ("ina.iq",),
    "Israel Hayom": ("israelhayom.com",),
    "Jerusalem Post": ("jpost.com",),
    "Jewish Insider": ("jewishinsider.com",),
    "Jewish Press": ("jewishpress.com",),
    "Khaleej Times": ("khaleejtimes.com",),
    "Kurdistan24": ("kurdistan24.net",),
    "L'Orient Today": ("lorientlejour.com",),
    "LBCI": ("lbcgroup.tv",),
    "Middle East Eye": ("middleeasteye.net",),
    "Naharnet": ("naharnet.com",),
    "Okaz": ("okaz.com.sa",),
    "Press TV": ("presstv.ir",),
    "Rudaw": ("rudaw.net",),
    "Saudi Gazette": ("saudigazette.com.sa",),
    "Shafaq News": ("shafaq.com",),
    "The Arab American News": ("arabamericannews.com",),
    "The Media Line": ("themedialine.org",),
    "The National": ("thenationalnews.com",),
    "The New Arab": ("newarab.com",),
    "The New Region": ("thenewregion.com",),
    "The Peninsula": ("thepeninsula.qa", "thepeninsulaqatar.com"),
    "Times of Israel": ("timesofisrael.com",),
    "Ya Libnan": ("yalibnan.com",),
    "Ynetnews": ("ynetnews.com",),
    "Zawya": ("zawya.com",),
    # Other newspapers and broadcasters (often carrying wire stories)
    "AsiaOne": ("asiaone.com",),
    "Business Recorder": ("brecorder.com",),
    "Business Standard": ("business-standard.com",),
    "BusinessDay": ("businessday.co.za",),
    "Butler Eagle": ("butlereagle.com",),
    "CityNews Toronto": ("citynews.ca",),
    "CNA": ("channelnewsasia.com",),
    "Cyprus Mail": ("cyprus-mail.com",),
    "Dawn": ("dawn.com",),
    "Dayton Daily News": ("daytondailynews.com",),
    "Denver7": ("denver7.com",),
    "Dhaka Tribune": ("dhakatribune.com",),
    "Firstpost": ("firstpost.com",),
    "gCaptain": ("gcaptain.com",),
    "Global News": ("globalnews.ca",),
    "Hindustan Times": ("hindustantimes.com",),
    "India TV": ("indiatvnews.com",),
    "Infobae": ("infobae.com",),
    "KBZK": ("kbzk.com",),
    "Long War Journal": ("longwarjournal.org",),
    "Los Angeles Times": ("latimes.com",),
    "Manila Bulletin": ("mb.com.ph",),
    "MercoPress": ("mercopress.com",),
    "Millennium Post": ("millenniumpost.in",),
    "Nation Thailand": ("nationthailand.com",),
    "NDTV Profit": ("ndtvprofit.com",),
    "Newsbeast": ("newsbeast.gr",),
    "NewsX": ("newsx.com",),
    "Outlook India": ("outlookindia.com",),
    "PerthNow": ("perthnow.com.au",),
    "Punch": ("punchng.com",),
    "RTL Belgium": ("rtl.be",),
    "Shropshire Star": ("shropshirestar.com",),
    "Siasat Daily": ("siasat.com",),
    "Stars and Stripes": ("stripes.com",),
    "The New Indian Express": ("newindianexpress.com",),
    "The Star": ("thestar.com.my",),
    "The Straits Times": ("straitstimes.com",),
    "The Washington Times": ("washtimes.com",),
    "TheJournal.ie": ("thejournal.ie",),
    "TimesLIVE": ("timeslive.co.za",),
    "Vatican News": ("vaticannews.va",),
    "WION": ("wionews.com",),
    "WWNO": ("wwno.org",),
    # Governments and international bodies
    "IAEA": ("iaea.org",),
    "Israel Defense Forces": ("idf.il",),
    "The White House": ("whitehouse.gov",),
    "United Nations": ("un.org",),
    "US Central Command": ("centcom.mil",),
    "US Department of Defense": ("defense.gov",),
    "US Department of State": ("state.gov",),
    "US Department of the Treasury": ("treasury.gov",),
}

_CARRIED_WIRE = re.compile(r"\s*\([^)]*\)\s*$")


def publisher_of(source: str) -> str:
    """The publisher named by a `source` cell, without a carried wire in brackets ("Dawn (AFP)" → "Dawn")."""
    return _CARRIED_WIRE.sub("", source).strip()


def url_problem(source: str, url: str) -> str | None:
    """Why `url` cannot be `source`'s own page, or None when it can."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return f"{url!r} is not a web address"
    publisher = publisher_of(source)
    domains = PUBLISHER_DOMAINS.get(publisher)
    if domains is None:
        return f"publisher {publisher!r} has no domains listed in tensions/data/publishers.py"
    host = parts.hostname.lower()
    if any(host == domain or host.endswith("." + domain) for domain in domains):
        return None
    return f"{parts.hostname} is not a site of {publisher} ({', '.join(domains)})"
