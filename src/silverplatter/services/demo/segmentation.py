"""The demo seller's two-dimensional segmentation (domain §8): a value-tier policy, three
needs segments defined by segments, the offer matrix and a care model per tier.

Consistent with what the generator wrote: the policy's thresholds are the
annual revenues the generator placed accounts by (``catalogue.value_tier_for``),
so previewing it shows only the prospects the generator left unclassified
("not looked at yet"); the needs segments carry the names the generator gave
accounts (``content.SEGMENT_OF_WORRY``), and each is defined by the worries
its people named or read about.  Nothing is applied or assigned here, so the
generated tiers and needs segments stay as generated.  Made once, after the
demo world exists, and never overwritten: what is changed in the UI stays.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection

from silverplatter.services.audit import Actor
from silverplatter.services.demo.catalogue import BRONZE_REVENUE, GOLD_REVENUE, SILVER_REVENUE
from silverplatter.services.demo.content import SEGMENT_OF_WORRY, WORRIES
from silverplatter.services.needs_segments import create_needs_segment, list_needs_segments
from silverplatter.services.segments import create_segment, draft_of, segment_by_slug
from silverplatter.services.tier_matrix import care_models, set_care_model, set_offer_cell
from silverplatter.services.value_tiers import current_policy, save_policy

#: needs segment name → the slug of the segment that defines it
NEEDS: Final = {
    "Delivery reliability": "worried-about-delivery",
    "Cost efficiency": "worried-about-costs",
    "Growth and integration": "growing-and-integrating",
}
POLICY: Final = {
    "metric": "annual_revenue",
    "method": "thresholds",
    "bounds": {"gold": GOLD_REVENUE, "silver": SILVER_REVENUE, "bronze": BRONZE_REVENUE},
}
BASIC: Final = "ERP core (the basic offer)"
SEGMENT_MODULES: Final = {
    "Delivery reliability": ("Delivery planning", "Shop-floor tracking"),
    "Cost efficiency": ("Cost and margin analytics", "Compliance reporting"),
    "Growth and integration": ("Integration platform", "Multi-plant roll-out"),
}
SILVER_MODULE: Final = "Silver: quarterly process review"
GOLD_MODULE: Final = "Gold: tailored roadmap with an on-site team"
CARE: Final[dict[str, dict[str, Any]]] = {
    "gold": {
        "description": "Tailored: a named account team and an executive sponsor; "
        "a joint roadmap reviewed twice a year.",
        "touches_per_year": 24,
        "channels": ["Meetings", "Executive briefings", "Phone", "E-mail"],
        "owner_role": "sales",
    },
    "silver": {
        "description": "More face to face: an account manager, quarterly reviews, "
        "webinars and customer events.",
        "touches_per_year": 12,
        "channels": ["Meetings", "Webinars", "Phone", "E-mail"],
        "owner_role": "sales",
    },
    "bronze": {
        "description": "Standardised and online: self-service, the newsletter and "
        "nurture programmes.",
        "touches_per_year": 6,
        "channels": ["E-mail", "Web", "Webinars"],
        "owner_role": "marketing",
    },
    "unclassified": {
        "description": "Not looked at yet: nurtured by e-mail until classified.",
        "touches_per_year": 4,
        "channels": ["E-mail", "Web"],
        "owner_role": "marketing",
    },
}


def _worries_of(needs: str) -> list[str]:
    return [worry for worry, name in SEGMENT_OF_WORRY.items() if name == needs]


def _rule(needs: str) -> dict[str, Any]:
    """Named one of its worries as a topic of interest, or read about one in a year."""
    worries = _worries_of(needs)
    return {
        "any": [
            {
                "field": "contact.custom.topics_of_interest",
                "op": "in",
                "value": [WORRIES[worry] for worry in worries],
            },
            {
                "event": "content_download",
                "within_days": 365,
                "where": [{"property": "topic", "op": "in", "value": worries}],
            },
        ]
    }


def _modules(tier: str, needs: str) -> list[str]:
    modules = [BASIC, *SEGMENT_MODULES[needs]]
    if tier in ("silver", "gold"):
        modules.append(SILVER_MODULE)
    if tier == "gold":
        modules.append(GOLD_MODULE)
    return modules


def ensure_demo_segmentation(connection: Connection, *, now: datetime) -> list[str]:
    """Make what is missing of the demo's segmentation; returns what was made."""
    actor = Actor(None)
    made: list[str] = []
    for name, slug in NEEDS.items():
        if segment_by_slug(connection, slug) is None:
            draft = draft_of(
                {
                    "slug": slug,
                    "name": f"Worried about {name.lower()}",
                    "description": f"People who named or read about {name.lower()}.",
                    "rule": _rule(name),
                }
            )
            create_segment(connection, draft, actor=actor, now=now)
            made.append(f"segment {slug}")
    if not list_needs_segments(connection):
        for name, slug in NEEDS.items():
            created = create_needs_segment(
                connection,
                {
                    "name": name,
                    "segment": slug,
                    "description": "; ".join(WORRIES[w] for w in _worries_of(name)),
                },
                now=now,
            )
            for tier in ("gold", "silver", "bronze"):
                notes = "Sold as one solution by the account team." if tier == "gold" else None
                set_offer_cell(connection, tier, created.slug, _modules(tier, name), notes, now=now)
        made.append("needs segments and offer matrix")
    if current_policy(connection) is None:
        save_policy(connection, POLICY, now=now, actor=actor)
        made.append("value-tier policy")
    for tier, model in care_models(connection).items():
        if model.updated_at is None:
            set_care_model(connection, tier, CARE[tier], now=now)
            made.append(f"{tier} care model")
    return made


__all__ = ["ensure_demo_segmentation"]
