"""The fixed words of the domain: tiers, statuses, roles, event types, channels."""

from __future__ import annotations

import re
from typing import Final

VALUE_TIERS: Final = ("gold", "silver", "bronze", "unclassified")
ACCOUNT_STATUSES: Final = ("prospect", "customer", "former_customer", "partner", "competitor")
DECISION_ROLES: Final = (
    "decision_maker",
    "economic_buyer",
    "champion",
    "influencer",
    "user",
    "gatekeeper",
    "other",
)
SENIORITIES: Final = ("C-level", "VP", "Director", "Manager", "Specialist", "Other")
USER_ROLES: Final = ("admin", "marketing", "sales")
PROPERTY_TYPES: Final = ("text", "number", "date", "boolean", "choice")
OPPORTUNITY_STATUSES: Final = ("open", "won", "lost")
CONSENT_ACTIONS: Final = ("granted", "confirmed", "withdrawn")
CONSENT_CHANNELS: Final = ("email", "phone", "sms", "post")
TRAFFIC_KINDS: Final = ("owned", "bought")
CTA_KINDS: Final = ("soft", "hard")
#: What a campaign's answer may say: yes, no, or "not now, later" (domain §11).
CAMPAIGN_ANSWERS: Final = ("yes", "no", "later")

#: Event types the product itself emits or understands.  Integrators may send
#: others (any snake_case word); these are the ones with built-in meaning.
KNOWN_EVENT_TYPES: Final = (
    "page_view",
    "email_sent",
    "email_open",
    "email_click",
    "email_reply",
    "email_bounce",
    "email_unsubscribe",
    "email_opt_in_confirmed",
    "form_submit",
    "content_download",
    "webinar_registered",
    "webinar_attended",
    "meeting_held",
    "call_held",
    # an answer to a campaign's question; properties: "campaign", "answer" (one of
    # CAMPAIGN_ANSWERS) and, for "later", "later_on" (an ISO date) when they said when
    "campaign_answer",
    # account-level trigger events, usually from a data provider (domain §11)
    "executive_appointed",
    "project_announced",
    "funding_announced",
    "company_expanded",
)

#: Event types that may create a contact for an unknown email address: the
#: person gave the address themselves.
CONTACT_CREATING_EVENTS: Final = frozenset({"form_submit"})

CHANNELS: Final = (
    "email",
    "web",
    "organic_search",
    "paid_search",
    "organic_social",
    "paid_social",
    "display",
    "referral",
    "direct",
    "event",
    "phone",
    "sales",
    "partner",
    "data_provider",
    "other",
)

EVENT_TYPE_PATTERN: Final = re.compile(r"^[a-z][a-z0-9_]{1,59}$")
PROPERTY_NAME_PATTERN: Final = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
