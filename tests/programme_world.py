"""A small fixed world for programmes: users, three accounts with buying windows, five
contacts, the e-mail templates the built-in programmes name, and helpers to send events
and read what the programmes did.

Contacts are known by first name.  Ada's account (Tampere Steel) opens its
buying window exactly 24 months after ``NOW``; Ben's (Oulu Paper) in 10
months; Cai's (Vaasa Grid) is open now; Dan and Eve have no account.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import count
from typing import Any

from sqlalchemy import Engine, insert, select

from silverplatter.services.audit import Actor
from silverplatter.services.ingest import ingest_events
from silverplatter.storage.lifecycle_schema import buying_windows
from silverplatter.storage.nurture_schema import (
    email_templates,
    enrolment_steps,
    enrolments,
    mail_sends,
)
from silverplatter.storage.schema import accounts, contacts
from web_world import NOW, seed_users

WHEN = datetime(2025, 1, 1, tzinfo=UTC)
ACTOR = Actor(None)
#: account → (domain, opens, closes)
ACCOUNTS = {
    "tampere-steel": ("tampere-steel.fi", date(2028, 3, 2), date(2028, 9, 1)),
    "oulu-paper": ("oulu-paper.fi", date(2027, 1, 2), date(2027, 6, 30)),
    "vaasa-grid": ("vaasa-grid.fi", date(2026, 1, 1), date(2026, 12, 31)),
}
#: first name → (account, stage, owned by sales)
CONTACTS = {
    "ada": ("tampere-steel", "lead", True),
    "ben": ("oulu-paper", "lead", False),
    "cai": ("vaasa-grid", "subscriber", False),
    "dan": (None, "recycled", False),
    "eve": (None, "subscriber", False),
}
TEMPLATES = (
    "nurture-1",
    "nurture-2",
    "nurture-3",
    "deal-1",
    "deal-2",
    "welcome",
    "welcome-2",
    "welcome-3",
    "re-permission",
    "refinery-1",
    "refinery-2",
    "refinery-3",
    "refinery-4",
)
_keys = count(1)


def build(engine: Engine) -> dict[str, int]:
    """The world; returns first name, account, template slug or role → id."""
    ids: dict[str, int] = dict(seed_users(engine))
    with engine.begin() as connection:
        for name, (domain, opens, closes) in ACCOUNTS.items():
            ids[name] = connection.execute(
                insert(accounts)
                .values(
                    name=name.replace("-", " ").title(),
                    domain=domain,
                    owner_id=ids["sales"],
                    created_at=WHEN,
                    updated_at=WHEN,
                )
                .returning(accounts.c.id)
            ).scalar_one()
            connection.execute(
                insert(buying_windows).values(
                    account_id=ids[name],
                    opens_on=opens,
                    closes_on=closes,
                    source="manual",
                    confidence=1.0,
                    basis="told by the customer",
                    computed_at=WHEN,
                )
            )
        for first, (account, stage, owned) in CONTACTS.items():
            email = f"{first}@{ACCOUNTS[account][0] if account else 'example.com'}"
            ids[first] = connection.execute(
                insert(contacts)
                .values(
                    email=email,
                    email_key=email,
                    first_name=first.title(),
                    account_id=ids[account] if account else None,
                    owner_id=ids["sales"] if owned else None,
                    lifecycle_stage=stage,
                    created_at=WHEN,
                    updated_at=WHEN,
                )
                .returning(contacts.c.id)
            ).scalar_one()
        for slug in TEMPLATES:
            ids[slug] = connection.execute(
                insert(email_templates)
                .values(
                    slug=slug,
                    name=slug.replace("-", " ").title(),
                    subject=f"About {slug}",
                    html_body=f"<p>{slug}</p>",
                    text_body=slug,
                    version=1,
                    created_at=WHEN,
                    updated_at=WHEN,
                )
                .returning(email_templates.c.id)
            ).scalar_one()
    return ids


def event(engine: Engine, contact_id: int, kind: str, at: datetime, **properties: Any) -> None:
    """One event of the contact at ``at``, ingested (and scored) at ``at``."""
    with engine.begin() as connection:
        result = ingest_events(
            connection,
            [
                {
                    "type": kind,
                    "occurred_at": at,
                    "idempotency_key": f"programme-world-{next(_keys)}",
                    "contact_id": contact_id,
                    "channel": "email" if kind.startswith("email") else "web",
                    "properties": properties,
                }
            ],
            now=at,
        )
    assert not result.errors, result.errors


def sends(engine: Engine, contact_id: int | None = None) -> list[tuple[str, str, str]]:
    """(day the message was queued, template slug, step) of each send, in order."""
    s, t = mail_sends.c, email_templates.c
    query = (
        select(s.created_at, t.slug, s.step)
        .join(email_templates, t.id == s.template_id)
        .order_by(s.created_at, s.id)
    )
    if contact_id is not None:
        query = query.where(s.contact_id == contact_id)
    with engine.connect() as connection:
        return [
            (row.created_at.date().isoformat(), row.slug, row.step or "")
            for row in connection.execute(query)
        ]


def enrolment_of(engine: Engine, programme_id: int, contact_id: int) -> Any:
    e = enrolments.c
    with engine.connect() as connection:
        return connection.execute(
            select(enrolments).where(e.programme_id == programme_id, e.contact_id == contact_id)
        ).first()


def history_of(engine: Engine, enrolment_id: int) -> list[tuple[str, str]]:
    h = enrolment_steps.c
    with engine.connect() as connection:
        rows = connection.execute(
            select(h.step, h.action).where(h.enrolment_id == enrolment_id).order_by(h.at, h.id)
        )
        return [(row.step, row.action) for row in rows]


__all__ = ["ACTOR", "NOW", "build", "enrolment_of", "event", "history_of", "sends"]
