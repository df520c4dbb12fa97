"""Channel, owned or bought, and bots: the rules of domain/traffic.py on fixed visits."""

from __future__ import annotations

import pytest

from silverplatter.domain.traffic import (
    PAID_MEDIUMS,
    Attribution,
    TrafficClass,
    attribution_of,
    classify,
    host_of,
    is_bot,
    site_name,
)
from silverplatter.domain.vocabulary import CHANNELS

SITE = "https://seller.example/pricing"


def _class(url: str, referrer: str | None = None) -> tuple[str, str]:
    found = classify(attribution_of(url, referrer))
    return (found.channel, found.traffic)


@pytest.mark.parametrize(
    ("query", "referrer", "expected"),
    [
        # campaign tags: paid mediums
        ("utm_source=google&utm_medium=cpc", None, ("paid_search", "bought")),
        ("utm_source=bing&utm_medium=PPC", None, ("paid_search", "bought")),
        ("utm_source=google&utm_medium=paidsearch", None, ("paid_search", "bought")),
        ("utm_source=google&utm_medium=paid-search", None, ("paid_search", "bought")),
        ("utm_source=linkedin&utm_medium=cpc", None, ("paid_social", "bought")),
        ("utm_source=facebook&utm_medium=paid_social", None, ("paid_social", "bought")),
        ("utm_source=linkedin&utm_medium=Paid Social", None, ("paid_social", "bought")),
        ("utm_source=facebook.com&utm_medium=paid", None, ("paid_social", "bought")),
        ("utm_source=google&utm_medium=paid", None, ("paid_search", "bought")),
        ("utm_source=adwords&utm_medium=ads", None, ("paid_search", "bought")),
        ("utm_source=newsportal&utm_medium=paid", None, ("display", "bought")),
        ("utm_source=dv360&utm_medium=display", None, ("display", "bought")),
        ("utm_source=criteo&utm_medium=retargeting", None, ("display", "bought")),
        ("utm_source=adnet&utm_medium=cpm", None, ("display", "bought")),
        ("utm_source=adnet&utm_medium=banner", None, ("display", "bought")),
        # campaign tags: owned mediums
        ("utm_source=newsletter&utm_medium=email&utm_campaign=march", None, ("email", "owned")),
        ("utm_source=crm&utm_medium=E-Mail", None, ("email", "owned")),
        ("utm_source=linkedin&utm_medium=social", None, ("organic_social", "owned")),
        ("utm_source=twitter&utm_medium=social-media", None, ("organic_social", "owned")),
        ("utm_source=google&utm_medium=organic", None, ("organic_search", "owned")),
        ("utm_source=blog.partner.example&utm_medium=referral", None, ("referral", "owned")),
        ("utm_source=reseller&utm_medium=affiliate", None, ("partner", "owned")),
        ("utm_source=expo&utm_medium=event", None, ("event", "owned")),
        ("utm_source=qr&utm_medium=print", None, ("other", "owned")),
        ("utm_medium=print", None, ("other", "owned")),
        # a source without a (known) medium
        ("utm_source=newsletter", None, ("email", "owned")),
        ("utm_source=mail.google.com", None, ("email", "owned")),
        ("utm_source=linkedin", None, ("organic_social", "owned")),
        ("utm_source=www.google.de", None, ("organic_search", "owned")),
        ("utm_source=podcast", None, ("other", "owned")),
        # tags win over the referrer
        ("utm_source=newsletter&utm_medium=email", "https://www.google.com/", ("email", "owned")),
        # ad click ids: always bought
        ("gclid=Cj0KCQ", None, ("paid_search", "bought")),
        ("msclkid=abc", None, ("paid_search", "bought")),
        ("fbclid=IwAR1", "https://l.facebook.com/", ("paid_social", "bought")),
        ("li_fat_id=9f2", None, ("paid_social", "bought")),
        ("ttclid=E.C.P", None, ("paid_social", "bought")),
        ("gclid=x&utm_source=google&utm_medium=display", None, ("display", "bought")),
        ("gclid=x&utm_source=newsletter&utm_medium=email", None, ("paid_search", "bought")),
        ("GCLID=x", None, ("paid_search", "bought")),
        ("gclid=", None, ("direct", "owned")),
        # a tracked mail link
        ("sp_c=token", None, ("email", "owned")),
        ("sp_c=token&utm_source=bing&utm_medium=cpc", None, ("paid_search", "bought")),
        ("utm_source=x&utm_medium=cpc", None, ("paid_social", "bought")),
        # referrers
        ("", None, ("direct", "owned")),
        ("", "", ("direct", "owned")),
        ("", "https://seller.example/blog", ("direct", "owned")),
        ("", "https://www.seller.example/blog", ("direct", "owned")),
        ("", "https://www.google.com/", ("organic_search", "owned")),
        ("", "https://www.google.co.uk/", ("organic_search", "owned")),
        ("", "https://google.de/", ("organic_search", "owned")),
        ("", "https://www.bing.com/search?q=leads", ("organic_search", "owned")),
        ("", "https://duckduckgo.com/", ("organic_search", "owned")),
        ("", "https://search.yahoo.com/", ("organic_search", "owned")),
        ("", "https://yandex.ru/", ("organic_search", "owned")),
        ("", "https://www.ecosia.org/", ("organic_search", "owned")),
        ("", "https://search.brave.com/", ("organic_search", "owned")),
        ("", "https://www.linkedin.com/feed/", ("organic_social", "owned")),
        ("", "https://lnkd.in/abc", ("organic_social", "owned")),
        ("", "https://t.co/xyz", ("organic_social", "owned")),
        ("", "https://x.com/someone", ("organic_social", "owned")),
        ("", "https://m.facebook.com/", ("organic_social", "owned")),
        ("", "https://www.youtube.com/watch", ("organic_social", "owned")),
        ("", "https://old.reddit.com/r/sales", ("organic_social", "owned")),
        ("", "https://www.xing.com/", ("organic_social", "owned")),
        ("", "https://mail.google.com/mail/u/0/", ("email", "owned")),
        ("", "https://outlook.office.com/mail/", ("email", "owned")),
        ("", "https://news.ycombinator.com/item?id=1", ("referral", "owned")),
        ("", "https://partner.example/tools", ("referral", "owned")),
        ("", "android-app://com.slack/", ("referral", "owned")),
        ("", "not a url", ("direct", "owned")),
    ],
)
def test_classify(query: str, referrer: str | None, expected: tuple[str, str]) -> None:
    url = f"{SITE}?{query}" if query else SITE
    assert _class(url, referrer) == expected
    assert expected[0] in CHANNELS


def test_inside_views_carry_the_landing_attribution() -> None:
    landing = attribution_of("https://seller.example/?utm_source=google&utm_medium=cpc", None)
    assert classify(landing) == TrafficClass("paid_search", "bought")
    inside = attribution_of("https://seller.example/pricing", "https://seller.example/")
    assert classify(inside) == TrafficClass("direct", "owned")


def test_attribution_reads_tags_click_ids_and_the_mail_token() -> None:
    found = attribution_of(
        "https://www.seller.example/a?utm_source=Google&utm_medium=cpc&utm_campaign=Spring%20Sale"
        "&utm_term=crm&utm_content=ad1&utm_id=7&gclid=abc&fbclid=&sp_c=t0k&x=1",
        "https://www.google.com/search?q=crm",
    )
    assert found == Attribution(
        utm={
            "source": "Google",
            "medium": "cpc",
            "campaign": "Spring Sale",
            "term": "crm",
            "content": "ad1",
        },
        click_ids={"gclid": "abc"},
        referrer_host="google.com",
        site_host="seller.example",
        mail_link=True,
    )


def test_hosts_and_site_names() -> None:
    assert host_of("https://WWW.Example.COM:8443/x") == "example.com"
    assert host_of("") is None
    assert host_of(None) is None
    assert host_of("/relative/path") is None
    assert host_of("http://[::1") is None
    assert [site_name(h) for h in ("news.google.co.uk", "t.co", "google.com", "localhost")] == [
        "google",
        "t",
        "google",
        "localhost",
    ]


def test_paid_mediums() -> None:
    assert sorted(PAID_MEDIUMS) == [
        "ad",
        "ads",
        "banner",
        "cpa",
        "cpc",
        "cpm",
        "cpv",
        "display",
        "native",
        "paid",
        "paid_media",
        "paid_search",
        "paid_social",
        "paidsearch",
        "paidsocial",
        "ppc",
        "programmatic",
        "remarketing",
        "retargeting",
        "sem",
        "social_ads",
        "social_paid",
        "socialpaid",
        "sponsored",
        "video_ads",
    ]


BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/23.0 Chrome/115.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 [LinkedInApp]",
]

BOTS = [
    "",
    "   ",
    None,
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; YandexBot/3.0)",
    "DuckDuckBot/1.1",
    "Mozilla/5.0 (compatible; GPTBot/1.0)",
    "ClaudeBot/1.0",
    "facebookexternalhit/1.1",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Twitterbot/1.0",
    "WhatsApp/2.23.20",
    "Discordbot/2.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Cypress/13.0 "
    "Chrome/118 Electron/26 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120 Safari/537.36 Chrome-Lighthouse",
    "PhantomJS/2.1.1",
    "curl/8.5.0",
    "python-httpx/0.27.0",
    "Go-http-client/1.1",
    "Wget/1.21",
]


@pytest.mark.parametrize("agent", BROWSERS)
def test_browsers_are_not_bots(agent: str) -> None:
    assert is_bot(agent) is False


@pytest.mark.parametrize("agent", BOTS)
def test_bots_are_bots(agent: str | None) -> None:
    assert is_bot(agent) is True


def test_a_very_long_agent_is_judged_by_its_start() -> None:
    assert is_bot(BROWSERS[0] + " x" * 10_000) is False
    assert is_bot("Googlebot " + "x" * 10_000) is True
