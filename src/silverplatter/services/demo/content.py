"""What the demo seller publishes: worries, content pieces, web pages, forms, campaigns, webinars.

Content is tagged with the worry it answers (domain §9), so what a contact reads
reveals what worries them.  Event properties that repeat (a page, a form, a
campaign) are serialised to JSON once here and shared by every event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Final

from silverplatter.services.demo.timeline import DAY, HOUR, MONTH, WINDOW


def to_json(document: dict[str, Any] | list[Any]) -> str:
    """A JSON document as stored in a JSON column (compact, as ingestion stores it)."""
    return json.dumps(document, separators=(",", ":"))


#: The worries the seller's content answers; also the values of ``topics_of_interest``.
WORRIES: Final = {
    "delivery_reliability": "Delivery reliability",
    "cost_control": "Cost control",
    "integration": "Integration and data",
    "production_visibility": "Production visibility",
    "ageing_systems": "Ageing systems",
    "growth": "Scaling growth",
    "compliance": "Compliance and reporting",
}
WORRY_KEYS: Final = tuple(WORRIES)

#: The needs segment (domain §8) a worry belongs to.
SEGMENT_OF_WORRY: Final = {
    "delivery_reliability": "Delivery reliability",
    "production_visibility": "Delivery reliability",
    "cost_control": "Cost efficiency",
    "compliance": "Cost efficiency",
    "integration": "Growth and integration",
    "growth": "Growth and integration",
    "ageing_systems": "Growth and integration",
}


@dataclass(frozen=True)
class ContentPiece:
    id: str
    title: str
    worry: str
    url: str
    download_json: str = field(init=False)

    def __post_init__(self) -> None:
        document = {"content_id": self.id, "title": self.title, "topic": self.worry}
        object.__setattr__(self, "download_json", to_json(document))


CONTENT: Final = (
    ContentPiece("guide-delivery-delays", "Guide: halving delivery delays in make-to-order",
                 "delivery_reliability", "/guides/delivery-delays"),
    ContentPiece("case-metals-lead-times", "Case study: a metals company cut lead times 30 %",
                 "delivery_reliability", "/customers/metals-lead-times"),
    ContentPiece("benchmark-erp-tco", "Benchmark: ERP total cost of ownership in the Nordics",
                 "cost_control", "/benchmarks/erp-tco"),
    ContentPiece("benchmark-margin-leakage", "Benchmark: margin leakage in quoting and pricing",
                 "cost_control", "/benchmarks/margin-leakage"),
    ContentPiece("video-shopfloor-integration", "Video: joining the shop floor to the ERP",
                 "integration", "/videos/shopfloor-integration"),
    ContentPiece("guide-master-data", "Guide: master data that people trust",
                 "integration", "/guides/master-data"),
    ContentPiece("guide-production-visibility", "Guide: real-time production visibility",
                 "production_visibility", "/guides/production-visibility"),
    ContentPiece("checklist-erp-end-of-life", "Checklist: seven signs your ERP is at its end",
                 "ageing_systems", "/checklists/erp-end-of-life"),
    ContentPiece("guide-several-plants", "Guide: several plants and countries in one system",
                 "growth", "/guides/several-plants"),
    ContentPiece("guide-sustainability-reporting", "Guide: sustainability figures from operations",
                 "compliance", "/guides/sustainability-reporting"),
    ContentPiece("case-food-traceability", "Case study: traceability in food production",
                 "compliance", "/customers/food-traceability"),
)  # fmt: skip
CONTENT_BY_WORRY: Final = {
    worry: tuple(piece for piece in CONTENT if piece.worry == worry) for worry in WORRY_KEYS
}


@dataclass(frozen=True)
class Page:
    url: str
    worry: str | None = None
    intent: bool = False  # a page people visit when they think of buying
    view_json: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "view_json", to_json({"url": self.url}))


GENERAL_PAGES: Final = (
    Page("/"),
    Page("/solutions/erp", "ageing_systems"),
    Page("/solutions/production", "production_visibility"),
    Page("/solutions/integration", "integration"),
    Page("/customers"),
    Page("/webinars"),
    Page("/about"),
    Page("/careers"),
)
BLOG_PAGES: Final = tuple(
    Page(f"/blog/{slug}", worry)
    for worry, slug in (
        ("delivery_reliability", "why-deliveries-slip"),
        ("delivery_reliability", "promise-dates-you-can-keep"),
        ("cost_control", "the-hidden-cost-of-spreadsheets"),
        ("cost_control", "pricing-discipline-in-manufacturing"),
        ("integration", "one-version-of-the-truth"),
        ("production_visibility", "what-is-really-happening-on-the-floor"),
        ("ageing_systems", "when-to-replace-your-erp"),
        ("ageing_systems", "upgrading-without-a-big-bang"),
        ("growth", "growing-into-new-markets"),
        ("compliance", "csrd-for-manufacturers"),
    )
)
CONTENT_PAGES: Final = tuple(Page(piece.url, piece.worry) for piece in CONTENT)
INTENT_PAGES: Final = (
    Page("/pricing", intent=True),
    Page("/pricing/enterprise", intent=True),
    Page("/demo", intent=True),
    Page("/contact", intent=True),
)
LANDING_PAGES: Final = GENERAL_PAGES + BLOG_PAGES + CONTENT_PAGES
PAGES_BY_WORRY: Final = {
    worry: tuple(page for page in BLOG_PAGES + CONTENT_PAGES if page.worry == worry)
    for worry in WORRY_KEYS
}


@dataclass(frozen=True)
class Form:
    key: str
    cta: str  # "soft" or "hard" (domain §3)


FORMS: Final = {
    form.key: form
    for form in (
        Form("newsletter", "soft"),
        Form("guide_download", "soft"),
        Form("webinar_registration", "soft"),
        Form("demo_request", "hard"),
        Form("contact_request", "hard"),
        Form("quote_request", "hard"),
    )
}
HARD_FORMS: Final = ("demo_request", "contact_request", "quote_request")


@lru_cache(maxsize=256)
def form_json(form: str, content_id: str | None) -> str:
    """Properties of a ``form_submit``: which form, soft or hard, and for what content."""
    return to_json({"cta": FORMS[form].cta, "form": form, "content_id": content_id})


#: Consent wording shown on forms, by version; a version applies from its age in days.
CONSENT_WORDINGS: Final = (
    (4 * 365, "2019-1", "Send me news and offers by email."),
    (2 * 365, "2021-2", "Yes, send me the newsletter and relevant offers by email."),
    (365, "2023-1", "Yes, send me the newsletter and offers that match my interests. "
                    "I can unsubscribe at any time."),
    (0, "2024-3", "Yes, email me guides, invitations and offers that match my interests. "
                  "I can unsubscribe at any time from any message."),
)  # fmt: skip


@dataclass(frozen=True)
class Campaign:
    id: str
    name: str
    worry: str | None  # None for the newsletter that goes to everyone
    sent_at: int
    content: ContentPiece
    message_json: str = field(init=False)
    click_json: str = field(init=False)

    def __post_init__(self) -> None:
        message = {"campaign_id": self.id, "campaign": self.name}
        click = {"campaign_id": self.id, "url": self.content.url}
        object.__setattr__(self, "message_json", to_json(message))
        object.__setattr__(self, "click_json", to_json(click))


@dataclass(frozen=True)
class Webinar:
    id: str
    title: str
    worry: str
    held_at: int
    properties_json: str = field(init=False)

    def __post_init__(self) -> None:
        document = {"webinar_id": self.id, "title": self.title, "topic": self.worry}
        object.__setattr__(self, "properties_json", to_json(document))


WEBINAR_TITLES: Final = {
    "delivery_reliability": "Live: from late deliveries to promise dates you keep",
    "cost_control": "Live: where the margin leaks in a manufacturing company",
    "integration": "Live: one version of the truth from shop floor to finance",
    "production_visibility": "Live: seeing production as it happens",
    "ageing_systems": "Live: replacing an ERP without stopping the plant",
    "growth": "Live: adding a plant or a country in weeks, not years",
    "compliance": "Live: CSRD reporting straight from operational data",
}


@dataclass(frozen=True)
class Calendar:
    """The seller's marketing over the 24 months: monthly newsletters, nurture mails, webinars."""

    campaigns: tuple[Campaign, ...]
    webinars: tuple[Webinar, ...]


def build_calendar(now: int) -> Calendar:
    start = now - WINDOW
    campaigns: list[Campaign] = []
    for month in range(24):
        first_day = start + month * MONTH
        label = datetime.fromtimestamp(first_day, UTC).strftime("%Y-%m")
        worry = WORRY_KEYS[month % len(WORRY_KEYS)]
        newsletter_content = CONTENT[month % len(CONTENT)]
        campaigns.append(
            Campaign(
                f"newsletter-{label}",
                f"Newsletter {label}",
                None,
                first_day + 3 * DAY + 7 * HOUR,
                newsletter_content,
            )
        )
        nurture_content = CONTENT_BY_WORRY[worry][month % len(CONTENT_BY_WORRY[worry])]
        campaigns.append(
            Campaign(
                f"nurture-{worry}-{label}",
                f"{WORRIES[worry]} ({label})",
                worry,
                first_day + 17 * DAY + 8 * HOUR,
                nurture_content,
            )
        )
    webinars = tuple(
        Webinar(
            f"webinar-{number + 1:02d}",
            WEBINAR_TITLES[WORRY_KEYS[number % len(WORRY_KEYS)]],
            WORRY_KEYS[number % len(WORRY_KEYS)],
            start + (number * 73 + 40) * DAY + 10 * HOUR,
        )
        for number in range(10)
    )
    return Calendar(tuple(campaigns), webinars)
