"""Where a web visit came from: its channel, whether the traffic is owned or bought, bots.

Traffic is **bought** when it was paid for: the campaign tags name a paid
medium (``utm_medium=cpc``, ``display``, ``paid_social`` …) or the link
carries an advertising platform's click id (``gclid``, ``fbclid``,
``msclkid``, ``li_fat_id``, ``ttclid``).  Everything else is **owned**:
people on the list coming from mail, organic search and social, referrals,
direct visits (domain §2).

The channel is decided, in order, by the campaign tags, by a click id, by a
tracked mail link (``sp_c``), and then by the referring site: a known search
engine, social network or web-mail host, another site (a referral), or none
(direct).  Views inside the site carry the attribution of the visit's
landing page (the snippet remembers it), so a paid visitor's fifth page is
still bought.

Pure functions: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final, Literal
from urllib.parse import parse_qsl, urlsplit

from crawlerdetect import CrawlerDetect

TrafficKind = Literal["owned", "bought"]

UTM_FIELDS: Final = ("source", "medium", "campaign", "term", "content")

#: Advertising click ids and the channel a click carrying one came from.
CLICK_IDS: Final[Mapping[str, str]] = {
    "gclid": "paid_search",  # Google Ads
    "msclkid": "paid_search",  # Microsoft Advertising
    "fbclid": "paid_social",  # Meta
    "li_fat_id": "paid_social",  # LinkedIn
    "ttclid": "paid_social",  # TikTok
}

#: The URL parameter a tracked mail link carries (a signed token naming the contact).
MAIL_TOKEN_PARAMETER: Final = "sp_c"

#: Campaign mediums (normalised: lower case, ``-`` and spaces as ``_``) by channel.
_MEDIUM_CHANNELS: Final[Mapping[str, str]] = {
    **dict.fromkeys(("cpc", "ppc", "paidsearch", "paid_search", "sem"), "paid_search"),
    **dict.fromkeys(
        ("paid_social", "paidsocial", "social_paid", "socialpaid", "social_ads"), "paid_social"
    ),
    **dict.fromkeys(
        (
            "display",
            "cpm",
            "cpv",
            "banner",
            "retargeting",
            "remarketing",
            "programmatic",
            "native",
            "video_ads",
        ),
        "display",
    ),
    **dict.fromkeys(("email", "e_mail", "mail", "newsletter"), "email"),
    **dict.fromkeys(("organic", "seo"), "organic_search"),
    **dict.fromkeys(
        ("social", "social_media", "social_network", "sm", "organic_social"), "organic_social"
    ),
    **dict.fromkeys(("referral", "link"), "referral"),
    **dict.fromkeys(("affiliate", "partner", "partners"), "partner"),
    **dict.fromkeys(("event", "events", "webinar", "trade_show"), "event"),
}

#: Mediums that mean the click was paid for but say nothing of where.
_GENERIC_PAID: Final = frozenset({"paid", "ads", "ad", "cpa", "paid_media", "sponsored"})

#: Every medium that makes traffic bought.
PAID_MEDIUMS: Final = frozenset(
    _GENERIC_PAID
    | {
        medium
        for medium, channel in _MEDIUM_CHANNELS.items()
        if channel in ("paid_search", "paid_social", "display")
    }
)

#: Search engines, by the name of their site (``google`` covers google.de, google.co.uk …).
SEARCH_ENGINES: Final = frozenset(
    {
        "google",
        "bing",
        "yahoo",
        "duckduckgo",
        "yandex",
        "baidu",
        "ecosia",
        "qwant",
        "startpage",
        "brave",
        "naver",
        "seznam",
        "ask",
        "aol",
        "sogou",
        "so",
        "mojeek",
        "kagi",
    }
)

#: Social networks, by the name of their site (``t`` is t.co, ``lnkd`` is lnkd.in …).
SOCIAL_NETWORKS: Final = frozenset(
    {
        "facebook",
        "fb",
        "instagram",
        "linkedin",
        "lnkd",
        "twitter",
        "t",
        "x",
        "youtube",
        "youtu",
        "reddit",
        "pinterest",
        "tiktok",
        "xing",
        "threads",
        "bsky",
        "mastodon",
        "whatsapp",
        "telegram",
        "vk",
        "weibo",
        "quora",
        "discord",
        "snapchat",
        "slack",
    }
)

#: Web-mail hosts: a visit from one came from a mail message.
WEBMAIL_HOSTS: Final = frozenset(
    {
        "mail.google.com",
        "outlook.live.com",
        "outlook.office.com",
        "outlook.office365.com",
        "mail.yahoo.com",
        "mail.aol.com",
        "mail.proton.me",
        "mail.zoho.com",
        "webmail.gmx.net",
        "navigator-bs.gmx.com",
        "web.de",
        "mail.yandex.ru",
        "icloud.com",
    }
)

#: Second-level labels of country domains: google.co.uk is "google", not "co".
_SECOND_LEVEL: Final = frozenset({"co", "com", "org", "net", "ac", "gov", "ne", "or", "edu"})


@dataclass(frozen=True, slots=True)
class Attribution:
    """What a visit says about where it came from."""

    utm: Mapping[str, str] = field(default_factory=dict)
    click_ids: Mapping[str, str] = field(default_factory=dict)
    referrer_host: str | None = None
    site_host: str | None = None
    mail_link: bool = False


@dataclass(frozen=True, slots=True)
class TrafficClass:
    channel: str
    traffic: TrafficKind


def host_of(url: str | None) -> str | None:
    """The lower-case host of a URL, without a leading ``www.``; None when there is none."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host.removeprefix("www.")


def site_name(host: str) -> str:
    """The registrable name of a host: ``news.google.co.uk`` → ``google``, ``t.co`` → ``t``."""
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else labels[0]


def attribution_of(url: str, referrer: str | None, site_host: str | None = None) -> Attribution:
    """The campaign tags, click ids and referrer of a page address and its referrer."""
    try:
        query = urlsplit(url).query
    except ValueError:
        query = ""
    utm: dict[str, str] = {}
    clicks: dict[str, str] = {}
    mail_link = False
    for name, value in parse_qsl(query, keep_blank_values=False):
        key = name.lower()
        if key.startswith("utm_") and key[4:] in UTM_FIELDS and key[4:] not in utm:
            utm[key[4:]] = value.strip()[:200]
        elif key in CLICK_IDS and key not in clicks:
            clicks[key] = value.strip()[:200]
        elif key == MAIL_TOKEN_PARAMETER:
            mail_link = True
    return Attribution(
        utm={k: v for k, v in utm.items() if v},
        click_ids={k: v for k, v in clicks.items() if v},
        referrer_host=host_of(referrer),
        site_host=site_host if site_host is not None else host_of(url),
        mail_link=mail_link,
    )


def normalise_medium(medium: str) -> str:
    return "_".join(medium.strip().lower().replace("-", " ").split())


def _source_site(source: str) -> str:
    """A campaign source as a site name: ``LinkedIn`` → ``linkedin``, ``google.de`` → ``google``."""
    name = source.strip().lower()
    return site_name(name.removeprefix("www.")) if "." in name else name


def _paid_channel(source: str) -> str:
    """The channel of a paid click whose medium does not say where: by its source."""
    site = _source_site(source)
    if site in SOCIAL_NETWORKS:
        return "paid_social"
    if site in SEARCH_ENGINES or site == "adwords":
        return "paid_search"
    return "display"


def _source_channel(source: str) -> str:
    """The channel a campaign source names when its medium is unknown or missing."""
    name = source.strip().lower()
    if name in ("email", "newsletter", "mail") or name.removeprefix("www.") in WEBMAIL_HOSTS:
        return "email"
    site = _source_site(source)
    if site in SEARCH_ENGINES:
        return "organic_search"
    if site in SOCIAL_NETWORKS:
        return "organic_social"
    return "other"


def _tagged_channel(medium: str, source: str) -> str | None:
    """The channel the campaign tags name; None without tags."""
    if medium in _GENERIC_PAID:
        return _paid_channel(source)
    if medium in _MEDIUM_CHANNELS:
        channel = _MEDIUM_CHANNELS[medium]
        if channel == "paid_search" and _paid_channel(source) == "paid_social":
            return "paid_social"  # utm_medium=cpc&utm_source=linkedin
        return channel
    if source:
        return _source_channel(source)
    return "other" if medium else None


def _referrer_channel(referrer_host: str | None, site_host: str | None) -> str:
    if not referrer_host or referrer_host == site_host:
        return "direct"
    if referrer_host in WEBMAIL_HOSTS:
        return "email"
    name = site_name(referrer_host)
    if name in SEARCH_ENGINES:
        return "organic_search"
    if name in SOCIAL_NETWORKS:
        return "organic_social"
    return "referral"


def classify(visit: Attribution) -> TrafficClass:
    """The channel of a visit and whether its traffic is owned or bought."""
    medium = normalise_medium(visit.utm.get("medium", ""))
    click = next(iter(visit.click_ids), None)
    channel = _tagged_channel(medium, visit.utm.get("source", ""))
    if click is not None and (channel is None or medium not in PAID_MEDIUMS):
        channel = CLICK_IDS[click]  # the ad platform's id outweighs an unpaid medium
    if channel is None and visit.mail_link:
        channel = "email"
    if channel is None:
        channel = _referrer_channel(visit.referrer_host, visit.site_host)
    bought = medium in PAID_MEDIUMS or click is not None
    return TrafficClass(channel, "bought" if bought else "owned")


# ---- Bots ----

#: Agents the maintained crawler list may not name: test browsers and automation.
OWN_BOT_MARKERS: Final = (
    "headless",
    "phantomjs",
    "selenium",
    "webdriver",
    "puppeteer",
    "playwright",
    "cypress",
    "lighthouse",
    "pagespeed",
    "prerender",
)

#: Longer agents are judged by their start: nothing real is longer, and regexes stay cheap.
_AGENT_CHARS: Final = 512


@lru_cache(maxsize=1)
def _detector() -> CrawlerDetect:
    return CrawlerDetect()


@lru_cache(maxsize=8192)
def is_bot(user_agent: str | None) -> bool:
    """Whether a user agent is a crawler, a link previewer, a headless or scripted browser.

    No agent at all is a bot: every browser sends one.  The crawler list is the
    maintained one of the ``crawlerdetect`` package (over a thousand patterns),
    plus a few markers of our own; results are remembered per agent string, so
    the cost (up to a millisecond for an unknown agent) is paid once.
    """
    agent = (user_agent or "").strip()[:_AGENT_CHARS]
    if not agent:
        return True
    lowered = agent.lower()
    if any(marker in lowered for marker in OWN_BOT_MARKERS):
        return True
    return bool(_detector().is_crawler(agent))
