"""A fixed world for value tiers and needs segments: eight accounts, their deals and people.

Revenue with us over the last 24 months before :data:`NOW` (won deals only):
Aalto 400k, Dune 200k, Birch 150k, Grove 150k, Fjord 20k; Cedar's only win is
30 months old and Elm and Harbor never bought.  Annual revenue: Aalto 900 M,
Birch and Harbor 120 M, Cedar and Dune 45 M, Elm 8 M, Grove 3 M, Fjord unknown.
The number property ``potential``: Aalto 9, Birch 5, Cedar 5, Dune 2.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, insert, select

from silverplatter.domain.segment_fields import field_catalogue
from silverplatter.domain.segment_rules import parse_rule, rule_document
from silverplatter.storage.properties import all_definitions
from silverplatter.storage.schema import accounts, contacts, opportunities, property_definitions
from silverplatter.storage.segment_schema import segment_members, segments

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
CREATED = NOW - timedelta(days=900)

#: name → (annual revenue, tier now, custom, people: (email local part, custom topic))
ACCOUNTS: dict[str, tuple[int | None, str, dict[str, Any], tuple[tuple[str, str | None], ...]]] = {
    "Aalto": (900_000_000, "gold", {"potential": 9}, (("anna", "cost"), ("antti", "delivery"))),
    "Birch": (120_000_000, "silver", {"potential": 5}, (("bea", "delivery"),)),
    "Cedar": (45_000_000, "silver", {"potential": 5}, (("cai", None), ("cid", "growth"))),
    "Dune": (45_000_000, "bronze", {"potential": 2}, (("dan", "cost"),)),
    "Elm": (8_000_000, "bronze", {}, (("eva", None), ("eli", None), ("emil", "delivery"))),
    "Fjord": (None, "unclassified", {"note": "x"}, (("fia", "growth"),)),
    "Grove": (3_000_000, "unclassified", {}, ()),
    "Harbor": (120_000_000, "silver", {}, (("hugo", "cost"),)),
}

#: (account, amount, status, days before NOW it closed)
DEALS = (
    ("Aalto", "400000.00", "won", 60),
    ("Birch", "100000.00", "won", 300),
    ("Birch", "50000.00", "won", 20),
    ("Birch", "75000.00", "lost", 10),
    ("Cedar", "80000.00", "won", 900),
    ("Dune", "200000.00", "won", 30),
    ("Fjord", "20000.00", "won", 90),
    ("Grove", "150000.00", "won", 150),
    ("Grove", "999999.00", "open", 0),
)


def build(connection: Connection) -> dict[str, int]:
    """The accounts, people and deals; returns account name → id and email → id."""
    ids: dict[str, int] = {}
    connection.execute(
        insert(property_definitions),
        [
            {
                "object_type": "account",
                "name": "potential",
                "label": "Potential",
                "type": "number",
                "created_at": CREATED,
            },
            {
                "object_type": "account",
                "name": "note",
                "label": "Note",
                "type": "text",
                "created_at": CREATED,
            },
            {
                "object_type": "contact",
                "name": "topic",
                "label": "Topic",
                "type": "text",
                "created_at": CREATED,
            },
        ],
    )
    for name, (revenue, tier, custom, people) in ACCOUNTS.items():
        ids[name] = connection.execute(
            insert(accounts)
            .values(
                name=f"{name} Oy",
                domain=f"{name.lower()}.example",
                annual_revenue=revenue,
                value_tier=tier,
                custom=custom,
                created_at=CREATED,
                updated_at=CREATED,
            )
            .returning(accounts.c.id)
        ).scalar_one()
        for local, topic in people:
            email = f"{local}@{name.lower()}.example"
            ids[email] = connection.execute(
                insert(contacts)
                .values(
                    email=email,
                    email_key=email,
                    account_id=ids[name],
                    custom={"topic": topic} if topic else {},
                    created_at=CREATED,
                    updated_at=CREATED,
                )
                .returning(contacts.c.id)
            ).scalar_one()
    ids["loner@nowhere.example"] = connection.execute(
        insert(contacts)
        .values(
            email="loner@nowhere.example",
            email_key="loner@nowhere.example",
            custom={"topic": "cost"},
            created_at=CREATED,
            updated_at=CREATED,
        )
        .returning(contacts.c.id)
    ).scalar_one()
    for number, (name, amount, status, days) in enumerate(DEALS):
        closed = NOW - timedelta(days=days)
        connection.execute(
            insert(opportunities).values(
                account_id=ids[name],
                name=f"Deal {number}",
                amount=Decimal(amount),
                stage="Closed" if status != "open" else "Proposal",
                status=status,
                created_at=closed - timedelta(days=30),
                closed_at=closed if status != "open" else None,
                updated_at=closed,
            )
        )
    return ids


def add_segment(
    connection: Connection,
    slug: str,
    rule: dict[str, Any] | None = None,
    *,
    members: tuple[int, ...] = (),
) -> int:
    """A dynamic segment with ``rule``, or a static one holding ``members``."""
    kind = "dynamic" if rule is not None else "static"
    fields = field_catalogue(all_definitions(connection))
    document = rule_document(parse_rule(rule, fields)) if rule is not None else {"all": []}
    segment_id = int(
        connection.execute(
            insert(segments)
            .values(
                slug=slug,
                name=slug.replace("-", " ").title(),
                kind=kind,
                rule=document,
                created_at=CREATED,
                updated_at=CREATED,
            )
            .returning(segments.c.id)
        ).scalar_one()
    )
    for contact_id in members:
        connection.execute(
            insert(segment_members).values(
                segment_id=segment_id, contact_id=contact_id, added_at=CREATED
            )
        )
    return segment_id


def topic_rule(topic: str) -> dict[str, Any]:
    return {"field": "contact.custom.topic", "op": "equals", "value": topic}


def tiers_and_needs(connection: Connection) -> dict[str, tuple[str, str | None]]:
    rows = connection.execute(
        select(accounts.c.name, accounts.c.value_tier, accounts.c.needs_segment)
    )
    return {row.name.removesuffix(" Oy"): (row.value_tier, row.needs_segment) for row in rows}
