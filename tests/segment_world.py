"""A small fixed world for segment rules: three accounts, six contacts, their scores,
consent, suppressions, buying windows, custom properties and events.

Every condition of the rule language has an exact expected member set here.
Contacts are known by first name (the last one has none: "lone").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, select

from silverplatter.services.suppression import suppress
from silverplatter.storage.engagement_schema import account_scores, contact_scores
from silverplatter.storage.lifecycle_schema import buying_windows
from silverplatter.storage.schema import (
    accounts,
    consent_records,
    contacts,
    events,
    property_definitions,
)
from web_world import NOW, seed_users

WHEN = datetime(2025, 1, 1, tzinfo=UTC)

#: name → (domain, industry, country, employees, revenue, tier, needs, status, custom)
ACCOUNTS: dict[str, tuple[Any, ...]] = {
    "nordtek": (
        "nordtek.fi",
        "Manufacturing",
        "FI",
        250,
        40_000_000,
        "gold",
        "growth",
        "customer",
        {"erp_vendor": "SAP", "target_account": True, "renewal": "2026-05-01"},
    ),
    "vasa": (
        "vasa-energi.se",
        "Energy",
        "SE",
        40,
        5_000_000,
        "silver",
        None,
        "prospect",
        {"erp_vendor": "Oracle%_Fusion", "target_account": False},
    ),
    "bergen": ("bergendata.no", None, "NO", None, None, "unclassified", None, "prospect", {}),
}

#: first name → (email, last, title, seniority, department, role, country, stage,
#: source, created, account, custom)
CONTACTS: dict[str, tuple[Any, ...]] = {
    "anna": (
        "anna@nordtek.fi",
        "Virtanen",
        "CTO",
        "C-level",
        "IT",
        "decision_maker",
        "FI",
        "mql",
        "form:guide",
        datetime(2025, 6, 1, tzinfo=UTC),
        "nordtek",
        {
            "budget": 50000,
            "topics": ["erp", "cloud"],
            "newsletter": True,
            "met_on": "2026-01-15",
            "nickname": "50%_off",
        },
    ),
    "pekka": (
        "pekka@nordtek.fi",
        "Korhonen",
        "Head of Sales",
        "VP",
        "Sales",
        "champion",
        "FI",
        "lead",
        "import:hubspot",
        datetime(2025, 12, 20, tzinfo=UTC),
        "nordtek",
        {"budget": 5000.5, "topics": [], "newsletter": False, "nickname": "50 off"},
    ),
    "erik": (
        "erik@vasa-energi.se",
        "Lind",
        "CFO",
        "C-level",
        "Finance",
        "economic_buyer",
        "SE",
        "sql",
        "api",
        datetime(2026, 2, 25, tzinfo=UTC),
        "vasa",
        {"topics": ["security"], "met_on": "2026-03-10"},
    ),
    "sara": (
        "sara@vasa-energi.se",
        "O'Brien",
        "O'Reilly; DROP TABLE contacts;--",
        "Manager",
        "Marketing",
        "influencer",
        "SE",
        "subscriber",
        "form:webinar",
        datetime(2026, 3, 1, tzinfo=UTC),
        "vasa",
        {"nickname": "50x_off", "budget": "lots"},
    ),
    "ola": (
        "ola@bergendata.no",
        "Nordmann",
        None,
        None,
        None,
        "user",
        "NO",
        "subscriber",
        None,
        datetime(2024, 1, 1, tzinfo=UTC),
        "bergen",
        {},
    ),
    "lone": (
        "lone@example.com",
        None,
        None,
        None,
        None,
        None,
        None,
        "subscriber",
        None,
        datetime(2026, 2, 1, tzinfo=UTC),
        None,
        {},
    ),
}

#: first name → (score, grade, level)
SCORES = {"anna": (80.0, "A", 11), "pekka": (45.0, "B-", 7), "erik": (62.0, "B+", 9)}
SCORES["sara"] = (30.0, "C", 5)
ACCOUNT_SCORES = {"nordtek": 70.0, "vasa": 20.0}
#: account → (opens, closes): Nordtek's opens in two months, Vasa's is open now.
WINDOWS = {
    "nordtek": (date(2026, 5, 1), date(2026, 11, 1)),
    "vasa": (date(2026, 1, 1), date(2026, 6, 30)),
}
#: first name → (channel, action) in time order
CONSENT = {
    "anna": (("email", "granted"), ("email", "confirmed")),
    "pekka": (("email", "granted"), ("email", "withdrawn")),
    "erik": (("email", "granted"),),
    "ola": (("phone", "granted"),),
}
SUPPRESSED = ("pekka", "lone")
#: first name → (type, days before NOW, channel, properties)
EVENTS: dict[str, tuple[tuple[Any, ...], ...]] = {
    "anna": (
        ("email_click", 10, "email", {}),
        ("page_view", 29, "web", {"path": "/pricing"}),
        ("page_view", 51, "web", {"path": "/pricing/enterprise"}),
        ("page_view", 5, "web", {"path": "/about"}),
    ),
    "pekka": (
        ("email_click", 60, "email", {}),
        ("page_view", 2, "web", {"path": "/Pricing"}),
    ),
    "erik": (
        ("email_click", 3, "email", {}),
        ("email_click", 2, "email", {}),
        ("email_click", 1, "email", {}),
        ("page_view", 4, "web", {"path": "/promo/50%_off", "url": "https://x.example/50%_off"}),
    ),
    "sara": (("page_view", 6, "web", {"path": "/promo/50x_off"}),),
    "ola": (("form_submit", 152, "web", {"form": "guide"}),),
}

PROPERTIES = (
    ("contact", "budget", "number", None),
    ("contact", "topics", "choice", {"choices": ["erp", "cloud", "security"], "multiple": True}),
    ("contact", "newsletter", "boolean", None),
    ("contact", "met_on", "date", None),
    ("contact", "nickname", "text", None),
    ("account", "erp_vendor", "text", None),
    ("account", "target_account", "boolean", None),
    ("account", "renewal", "date", None),
)


def build(engine: Engine) -> dict[str, int]:
    """The world; returns first name (or account name, or role) → id."""
    ids: dict[str, int] = dict(seed_users(engine))
    with engine.begin() as connection:
        for object_type, name, kind, options in PROPERTIES:
            connection.execute(
                insert(property_definitions).values(
                    object_type=object_type,
                    name=name,
                    label=name.replace("_", " ").title(),
                    type=kind,
                    options=options,
                    created_at=WHEN,
                )
            )
        for name, row in ACCOUNTS.items():
            domain, industry, country, employees, revenue, tier, needs, status, custom = row
            ids[name] = connection.execute(
                insert(accounts)
                .values(
                    name=name.title(),
                    domain=domain,
                    industry=industry,
                    country=country,
                    employees=employees,
                    annual_revenue=revenue,
                    value_tier=tier,
                    needs_segment=needs,
                    status=status,
                    custom=custom,
                    owner_id=ids["sales"] if name == "nordtek" else None,
                    created_at=WHEN,
                    updated_at=WHEN,
                )
                .returning(accounts.c.id)
            ).scalar_one()
        for first, row in CONTACTS.items():
            email, last, title, seniority, department, role, country, stage = row[:8]
            source, created, account, custom = row[8:]
            ids[first] = connection.execute(
                insert(contacts)
                .values(
                    email=email,
                    email_key=email,
                    first_name=None if first == "lone" else first.title(),
                    last_name=last,
                    title=title,
                    seniority=seniority,
                    department=department,
                    decision_role=role,
                    country=country,
                    lifecycle_stage=stage,
                    source=source,
                    account_id=ids[account] if account else None,
                    owner_id=ids["marketing"] if first in ("anna", "erik") else None,
                    custom=custom,
                    created_at=created,
                    updated_at=created,
                )
                .returning(contacts.c.id)
            ).scalar_one()
        _scores(connection, ids)
        _consent_and_suppression(connection, ids)
        _events(connection, ids)
    return ids


def _scores(connection: Any, ids: dict[str, int]) -> None:
    for first, (score, grade, level) in SCORES.items():
        connection.execute(
            insert(contact_scores).values(
                contact_id=ids[first],
                model_version=1,
                grade_level=level,
                grade=grade,
                score=score,
                evaluated_at=NOW,
                sums={},
                flags={},
                engaged=True,
                touches=0,
                recent_touches=[],
                silent=False,
                qualification="lead",
                needs_qualification=False,
            )
        )
    for name, score in ACCOUNT_SCORES.items():
        connection.execute(
            insert(account_scores).values(
                account_id=ids[name],
                model_version=1,
                evaluated_at=NOW,
                sums={},
                flags={},
                own_score=score,
                contacts_score=0.0,
                top_contact_score=0.0,
                engaged_contacts=0,
                roles_covered=[],
                score=score,
            )
        )
    for name, (opens, closes) in WINDOWS.items():
        connection.execute(
            insert(buying_windows).values(
                account_id=ids[name],
                opens_on=opens,
                closes_on=closes,
                source="manual",
                confidence=1.0,
                basis="told us",
                computed_at=NOW,
            )
        )


def _consent_and_suppression(connection: Any, ids: dict[str, int]) -> None:
    for first, actions in CONSENT.items():
        for n, (channel, action) in enumerate(actions):
            connection.execute(
                insert(consent_records).values(
                    contact_id=ids[first],
                    channel=channel,
                    action=action,
                    source="test",
                    occurred_at=WHEN + timedelta(days=n),
                )
            )
    for first in SUPPRESSED:
        suppress(connection, CONTACTS[first][0], reason="unsubscribed", source="test", now=WHEN)


def _events(connection: Any, ids: dict[str, int]) -> None:
    number = 0
    for first, items in EVENTS.items():
        for kind, days, channel, properties in items:
            number += 1
            connection.execute(
                insert(events).values(
                    key_hash=number,
                    idempotency_key=f"e{number}",
                    type=kind,
                    occurred_at=NOW - timedelta(days=days),
                    contact_id=ids[first],
                    channel=channel,
                    properties=properties,
                    received_at=NOW,
                )
            )
    # An anonymous visitor's click never counts for anyone.
    connection.execute(
        insert(events).values(
            key_hash=number + 1,
            idempotency_key="anonymous",
            type="email_click",
            occurred_at=NOW - timedelta(days=1),
            visitor_id="v1",
            properties={},
            received_at=NOW,
        )
    )


def names_of(engine: Engine, ids: list[int]) -> set[str]:
    """First names (``lone`` for the nameless) of contact ids."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(contacts.c.first_name, contacts.c.email).where(contacts.c.id.in_(ids))
        )
        return {(row.first_name or row.email.split("@")[0]).lower() for row in rows}
