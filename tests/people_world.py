"""A small fixed world for the contact and account pages, built through the services.

Users come from ``web_world.seed_users``: 1 Admin User, 2 Marketing User,
3 Sales User.  At :data:`NOW` (lead_world's moment):

* **Acme Machinery Oy** (gold) belongs to the sales user.  Its CEO Aino
  Virtanen (decision maker) has 25 events: a guide download 200 days ago, 22
  daily blog visits 100–121 days ago, an email click 30 days ago and a pricing
  page visit 10 days ago; two consent records and a complete BANT.  Olli Ops
  (champion) has no events.  Acme runs an ERP that went live in 2019 and has a
  maintenance contract ending 2026-12-31; one open and one lost opportunity.
* **Pohja Metals Oy** (silver) belongs to marketing.  Its director is named
  ``<script>alert(1)</script>`` and belongs to the sales user; Pia Buyer has
  no owner, so the sales user may not open her.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Connection, Engine, insert, select

from lead_world import NOW, event
from silverplatter.domain.qualification import Bant
from silverplatter.domain.records import AccountFields, ContactFields, OpportunityFields
from silverplatter.services.buying_windows import refresh_buying_windows
from silverplatter.services.ingest import ingest_events
from silverplatter.services.opportunities import upsert_opportunities
from silverplatter.services.qualification import record_qualification
from silverplatter.services.records import upsert_accounts, upsert_contacts
from silverplatter.storage.schema import (
    accounts,
    consent_records,
    contacts,
    installed_solutions,
    supplier_contracts,
)
from web_world import ROLE_EMAILS, seed_users

SCRIPT = [
    event("form_submit", "ceo@acme.fi", 200, cta="soft", form="guide_download"),
    *[event("page_view", "ceo@acme.fi", 100 + day, url=f"/blog/{day}") for day in range(22)],
    event("email_click", "ceo@acme.fi", 30, url="/guides/erp"),
    event("page_view", "ceo@acme.fi", 10, url="/pricing"),
]


def build_people_world(engine: Engine) -> dict[str, int]:
    """Users, accounts, contacts, events and facts; returns ids by email and by domain."""
    seed_users(engine, now=NOW - timedelta(days=400))
    with engine.begin() as connection:
        return _build(connection)


def _build(connection: Connection) -> dict[str, int]:
    before = NOW - timedelta(days=400)
    upsert_accounts(
        connection,
        [
            AccountFields(
                name="Acme Machinery Oy", domain="acme.fi", industry="Industrial machinery",
                annual_revenue=80_000_000, employees=400, country="FI", value_tier="gold",
                owner_email=ROLE_EMAILS["sales"],
            ),
            AccountFields(
                name="Pohja Metals Oy", domain="pohja.fi", industry="Metal products",
                annual_revenue=12_000_000, employees=60, country="FI", value_tier="silver",
                owner_email=ROLE_EMAILS["marketing"],
            ),
        ],
        now=before,
    )  # fmt: skip
    upsert_contacts(
        connection,
        [
            ContactFields(
                email="ceo@acme.fi", first_name="Aino", last_name="Virtanen",
                title="Chief Executive Officer", seniority="C-level",
                department="Executive management", decision_role="decision_maker",
                country="FI", account_domain="acme.fi",
            ),
            ContactFields(
                email="ops@acme.fi", first_name="Olli", last_name="Ops", title="Plant manager",
                seniority="Manager", department="Operations", decision_role="champion",
                country="FI", account_domain="acme.fi",
            ),
            ContactFields(
                email="director@pohja.fi", first_name="<script>alert(1)</script>",
                seniority="Director", department="Production", decision_role="influencer",
                country="FI", account_domain="pohja.fi", owner_email=ROLE_EMAILS["sales"],
            ),
            ContactFields(
                email="buyer@pohja.fi", first_name="Pia", last_name="Buyer",
                decision_role="user", country="FI", account_domain="pohja.fi",
            ),
        ],
        now=before,
    )  # fmt: skip
    result = ingest_events(connection, SCRIPT, now=NOW)
    assert result.errors == []
    ids = {row.email: row.id for row in connection.execute(select(contacts.c.email, contacts.c.id))}
    ids |= {
        row.domain: row.id for row in connection.execute(select(accounts.c.domain, accounts.c.id))
    }
    ceo, acme = ids["ceo@acme.fi"], ids["acme.fi"]
    connection.execute(
        insert(consent_records),
        [
            {"contact_id": ceo, "channel": "email", "action": "granted", "source": "guide form",
             "wording": "Send me the guide and news", "wording_version": "v2",
             "occurred_at": NOW - timedelta(days=200)},
            {"contact_id": ceo, "channel": "email", "action": "confirmed",
             "source": "double opt-in link", "wording": None, "wording_version": None,
             "occurred_at": NOW - timedelta(days=199)},
        ],
    )  # fmt: skip
    record_qualification(
        connection,
        ceo,
        Bant(budget="200k", authority="decides", need="faster deliveries",
             timeline=date(2026, 9, 1), current_supplier="OldSoft", satisfaction=4),
        user_id=3,
        now=NOW - timedelta(days=5),
    )  # fmt: skip
    connection.execute(
        insert(installed_solutions).values(
            account_id=acme, category="ERP", vendor="OldSoft", product="Classic",
            go_live_date=date(2019, 5, 1), typical_lifetime_years=7, created_at=before,
        )
    )  # fmt: skip
    connection.execute(
        insert(supplier_contracts).values(
            account_id=acme, category="ERP maintenance", supplier="OldSoft",
            end_date=date(2026, 12, 31), satisfaction=4, notes="slow support",
            created_at=before,
        )
    )  # fmt: skip
    refresh_buying_windows(connection, today=NOW.date(), now=NOW, account_ids=[acme])
    upsert_opportunities(
        connection,
        [
            OpportunityFields(
                name="Line 3 automation", account_domain="acme.fi", contact_email="ceo@acme.fi",
                amount=Decimal("120000"), stage="Proposal", owner_email=ROLE_EMAILS["sales"],
                created_at=NOW - timedelta(days=4),
            ),
            OpportunityFields(
                name="Spare parts portal", account_domain="acme.fi", amount=Decimal("30000"),
                stage="Closed lost", status="lost", lost_reason="no budget",
                created_at=NOW - timedelta(days=300), closed_at=NOW - timedelta(days=250),
            ),
        ],
        now=NOW - timedelta(days=4),
    )  # fmt: skip
    return ids
