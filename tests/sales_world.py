"""The lead world with a sales team: SQLs in every tier, handed over at :data:`NOW`.

Users (ids in creation order): 1 Aino (admin), 2 Sami (sales), 3 Sofia
(sales), 4 Mika (marketing).  Acme (gold) is Sofia's account, Pohja
(silver) is Mika's, the others have no owner.

* The engine makes ops@acme SQL (hard CTA yesterday) and director@pohja SQL
  (hard CTA at midnight) while ingesting; it hands both over at once.
* buyer@kauppa, cfo@unknown and solo@example.org are made SQL by hand and
  handed over at :data:`NOW` (cfo already belongs to Mika).
* With ``with_ceo``: ceo@acme gets a complete BANT and, an hour later, one
  more page view, which makes the CEO SQL and hands the CEO over.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Connection, update

from lead_world import NOW, build_world, event
from silverplatter.domain.qualification import Bant
from silverplatter.services.handover import hand_over_new_sqls
from silverplatter.services.ingest import ingest_events
from silverplatter.services.lifecycle import transition
from silverplatter.services.qualification import record_qualification
from silverplatter.storage.schema import accounts, contacts
from silverplatter.storage.users import create_user

SCRIPT = [
    event("page_view", "ceo@acme.fi", 3, url="/pricing"),
    event("page_view", "ceo@acme.fi", 2, url="/demo"),
    *[event("page_view", "ops@acme.fi", 10 - hour / 24, url=f"/blog/{hour}") for hour in range(7)],
    event("form_submit", "ops@acme.fi", 1, cta="hard", form="demo_request"),
    event("form_submit", "director@pohja.fi", 90, cta="soft", form="guide_download"),
    event("form_submit", "director@pohja.fi", 0.5, cta="hard", form="contact_us"),
    event("email_click", "buyer@kauppa.se", 20, url="/guides/x"),
    event("email_unsubscribe", "buyer@kauppa.se", 2),
]
HAND_SQLS = ("buyer@kauppa.se", "cfo@unknown.co.uk", "solo@example.org")
ADMIN, SAMI, SOFIA, MIKA = 1, 2, 3, 4


def build_sales_world(connection: Connection, *, with_ceo: bool = False) -> dict[str, int]:
    """Create the world; return contact ids by email."""
    ids = build_world(connection)
    for email, name, role in (
        ("aino@silverplatter.test", "Aino Admin", "admin"),
        ("sami@silverplatter.test", "Sami Sales", "sales"),
        ("sofia@silverplatter.test", "Sofia Sales", "sales"),
        ("mika@silverplatter.test", "Mika Marketing", "marketing"),
    ):
        create_user(connection, email=email, name=name, role=role, now=NOW - timedelta(days=500))
    for domain, owner in (("acme.fi", SOFIA), ("pohja.fi", MIKA)):
        connection.execute(
            update(accounts).where(accounts.c.domain == domain).values(owner_id=owner)
        )
    connection.execute(
        update(contacts).where(contacts.c.email == "cfo@unknown.co.uk").values(owner_id=MIKA)
    )
    result = ingest_events(connection, SCRIPT, now=NOW)
    assert result.errors == []
    for email in HAND_SQLS:
        transition(
            connection,
            ids[email],
            "sql",
            reason="asked at a trade fair",
            now=NOW,
            has_hard_cta=True,
        )
    hand_over_new_sqls(connection, now=NOW)
    if with_ceo:
        bant = Bant(budget="200k", authority="decides", need="delivery", timeline=date(2026, 9, 1))
        record_qualification(connection, ids["ceo@acme.fi"], bant, user_id=SOFIA, now=NOW)
        later = NOW + timedelta(hours=1)
        ingest_events(connection, [event("page_view", "ceo@acme.fi", 0, url="/about")], now=later)
    return ids
