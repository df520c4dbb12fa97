"""A small fixed world for the lead engine's tests: four accounts, six people."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from silverplatter.domain.records import AccountFields, ContactFields
from silverplatter.services.records import upsert_accounts, upsert_contacts
from silverplatter.storage.schema import contacts

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

ACCOUNTS = (
    # Grade parts: target industry +2/3, revenue >= 50 M +1, 100-5000 employees +1/3.
    AccountFields(
        name="Acme Machinery Oy", domain="acme.fi", industry="Industrial machinery",
        annual_revenue=80_000_000, employees=400, country="FI", value_tier="gold",
    ),
    AccountFields(
        name="Pohja Metals Oy", domain="pohja.fi", industry="Metal products",
        annual_revenue=12_000_000, employees=60, country="FI", value_tier="silver",
    ),
    AccountFields(
        name="Kauppa Retail AB", domain="kauppa.se", industry="Retail",
        annual_revenue=5_000_000, employees=30, country="SE", value_tier="bronze",
    ),
    AccountFields(name="Unknown Ltd", domain="unknown.co.uk", country="GB"),
)  # fmt: skip

CONTACTS = (
    # D + 2/3 + 1 + 1/3 (account) + 2/3 C-level + 1/3 Exec mgmt + 1/3 FI = 2 + 10 → A+ (12)
    ContactFields(
        email="ceo@acme.fi", seniority="C-level", department="Executive management",
        decision_role="decision_maker", country="FI", account_domain="acme.fi",
    ),
    # 2 + 6 (account) + 0 Manager + 1 Operations + 1 FI = 10 → A-
    ContactFields(
        email="ops@acme.fi", seniority="Manager", department="Operations",
        decision_role="champion", country="FI", account_domain="acme.fi",
    ),
    # 2 + 2 (target industry, small) + 2 Director + 1 Production + 1 FI = 8 → B
    ContactFields(
        email="director@pohja.fi", seniority="Director", department="Production",
        decision_role="influencer", country="FI", account_domain="pohja.fi",
    ),
    # 2 - 1 (not target) + 0 + 0 Sales + 1 SE = 2 → D
    ContactFields(
        email="buyer@kauppa.se", seniority="Manager", department="Sales",
        decision_role="user", country="SE", account_domain="kauppa.se",
    ),
    # 2 + 0 (industry unknown) + 2 VP + 1 Finance - 2 GB = 3 → D+
    ContactFields(
        email="cfo@unknown.co.uk", seniority="VP", department="Finance",
        decision_role="economic_buyer", country="GB", account_domain="unknown.co.uk",
    ),
    # no account: 2 + 0 + 0 + unknown country 0 = 2 → D
    ContactFields(email="solo@example.org", seniority="Specialist"),
)  # fmt: skip

EMAILS = tuple(contact.email for contact in CONTACTS)


def build_world(connection: Connection) -> dict[str, int]:
    """Create the accounts and contacts; return contact ids by email."""
    upsert_accounts(connection, ACCOUNTS, now=NOW - timedelta(days=400))
    upsert_contacts(connection, CONTACTS, now=NOW - timedelta(days=400))
    rows = connection.execute(select(contacts.c.email, contacts.c.id))
    return {row.email: row.id for row in rows}


def event(kind: str, who: str, days_ago: float, **properties: Any) -> dict[str, Any]:
    """An event ``days_ago`` days before :data:`NOW`; ``who`` is an email or ``@domain``."""
    item: dict[str, Any] = {
        "type": kind,
        "occurred_at": (NOW - timedelta(days=days_ago)).isoformat(),
        "properties": properties,
    }
    if who.startswith("@"):
        item["account_domain"] = who[1:]
    else:
        item["email"] = who
    return item
