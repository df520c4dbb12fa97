"""The demo seller's capture forms: a newsletter with strategic questions (soft call to
action, double opt-in) and a demo request (hard call to action).

Their slugs are the form keys of the demo's own ``form_submit`` events, so the
scoring rules and timelines of the generated history speak of the same forms.
They are made once, after the demo world exists, and never overwritten: a
form changed in the UI stays as it was changed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection, select

from silverplatter.services.audit import Actor
from silverplatter.services.demo.accounts import CHANNEL_PREFERENCES
from silverplatter.services.demo.content import CONSENT_WORDINGS, WORRIES
from silverplatter.services.forms import create_form, find_form
from silverplatter.storage.schema import property_definitions, workspace

#: Pages that may embed the demo's forms: the seller's site and a page served locally.
DEMO_ORIGINS: Final = (
    "https://www.silverplatter-demo.example",
    "http://localhost:8080",
    "http://127.0.0.1:8080",
)
_CURRENT_WORDING: Final = CONSENT_WORDINGS[-1][2]

DEMO_FORMS: Final[tuple[dict[str, Any], ...]] = (
    {
        "slug": "newsletter",
        "name": "Newsletter",
        "fields": [
            {"name": "email", "label": "Work e-mail", "required": True},
            {"name": "first_name"},
            {"name": "company"},
        ],
        "questions": [
            {
                "key": "topics_of_interest",
                "label": "Which topic matters most to you right now?",
                "choices": list(WORRIES.values()),
                "property": "topics_of_interest",
            },
            {
                "key": "responsibilities",
                "label": "What are you responsible for?",
                "choices": ["IT", "Operations", "Finance", "Purchasing", "Management"],
            },
            {
                "key": "current_situation",
                "label": "Where are you with your systems?",
                "choices": [
                    "Just keeping informed",
                    "Planning a project within a year",
                    "Comparing vendors now",
                ],
            },
            {
                "key": "preferred_channels",
                "label": "How would you like to hear from us?",
                "choices": list(CHANNEL_PREFERENCES),
                "property": "preferred_channel",
            },
        ],
        "consent_wording": _CURRENT_WORDING,
        "cta_kind": "soft",
        "double_opt_in": True,
        "allowed_origins": list(DEMO_ORIGINS),
        "success_message": (
            "Thank you! Please confirm your address with the link we just sent you."
        ),
    },
    {
        "slug": "demo_request",
        "name": "Request a demo meeting",
        "fields": [
            {"name": "email", "label": "Work e-mail", "required": True},
            {"name": "first_name", "required": True},
            {"name": "last_name", "required": True},
            {"name": "company", "required": True},
            {"name": "title"},
            {"name": "phone"},
        ],
        "questions": [
            {
                "key": "current_situation",
                "label": "When do you plan to decide?",
                "choices": ["Within 3 months", "Within a year", "Not decided"],
                "required": True,
            }
        ],
        "consent_wording": (
            "Yes, contact me about my request, and email me invitations and offers that "
            "match my interests. I can unsubscribe at any time."
        ),
        "cta_kind": "hard",
        "double_opt_in": False,
        "allowed_origins": list(DEMO_ORIGINS),
        "success_message": "Thank you! Your account manager will call you within one working day.",
    },
)


def ensure_demo_forms(connection: Connection, *, now: datetime) -> list[str]:
    """Make the demo's forms that do not exist yet, in a demo workspace; their slugs."""
    is_demo = connection.execute(select(workspace.c.demo_completed_at)).scalar()
    if is_demo is None:
        return []
    defined = set(
        connection.execute(
            select(property_definitions.c.name).where(
                property_definitions.c.object_type == "contact"
            )
        ).scalars()
    )
    made = []
    for raw in DEMO_FORMS:
        if find_form(connection, raw["slug"]) is not None:
            continue
        questions = [
            q if q.get("property") in (None, *defined) else {**q, "property": None}
            for q in raw["questions"]
        ]
        create_form(connection, {**raw, "questions": questions}, actor=Actor(None), now=now)
        made.append(raw["slug"])
    return made
