"""A small fixed world for e-mail: a workspace, an owner, two accounts, four contacts
and a newsletter template; helpers to read the send ledger.

Contacts are known by first name: lea (decision maker at buyer.example, owned by
Maija), olli (user at buyer.example), pia (champion at other.example, no first
name fallback test: her first name is empty) and sam (no account).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select

from silverplatter.domain.records import AccountFields, ContactFields
from silverplatter.services.records import upsert_accounts, upsert_contacts
from silverplatter.services.sending import queue_send
from silverplatter.services.workspace import init_workspace
from silverplatter.storage.nurture_schema import email_templates, mail_sends
from silverplatter.storage.schema import contacts, users

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SENDER = "Seller Oy <news@seller.example>"
PUBLIC_URL = "https://app.seller.example"

NEWSLETTER_HTML = (
    "<html><body><h1>Hello {{ contact.first_name | default('there') }}</h1>"
    "<p>News for {{ account.name | default('your company') }}.</p>"
    '<p><a href="https://seller.example/guide?x=1&amp;y=2">Read the guide</a></p>'
    '<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p></body></html>'
)


def seed_world(engine: Engine, now: datetime = NOW) -> dict[str, int]:
    """Workspace, owner, accounts and contacts; name → contact id (and "owner" → user id)."""
    init_workspace(engine, name="Seller Oy", now=now)
    with engine.begin() as connection:
        owner = connection.execute(
            insert(users)
            .values(
                email="maija@seller.example",
                email_key="maija@seller.example",
                name="Maija Myyjä",
                role="sales",
                active=True,
                created_at=now,
            )
            .returning(users.c.id)
        ).scalar_one()
        upsert_accounts(
            connection,
            [
                AccountFields(
                    name="Buyer Oy", domain="buyer.example", owner_email="maija@seller.example"
                ),
                AccountFields(name="Other Ab", domain="other.example"),
            ],
            now=now,
        )
        upsert_contacts(
            connection,
            [
                ContactFields(
                    email="lea@buyer.example",
                    first_name="Lea",
                    last_name="Laine",
                    decision_role="decision_maker",
                    account_domain="buyer.example",
                ),
                ContactFields(
                    email="olli@buyer.example",
                    first_name="Olli",
                    decision_role="user",
                    account_domain="buyer.example",
                ),
                ContactFields(
                    email="pia@other.example",
                    decision_role="champion",
                    account_domain="other.example",
                ),
                ContactFields(email="sam@solo.example", first_name="Sam"),
            ],
            now=now,
        )
        ids = {
            str(row.email).split("@")[0]: int(row.id)
            for row in connection.execute(select(contacts.c.id, contacts.c.email))
        }
    ids["owner"] = int(owner)
    return ids


def add_template(
    engine: Engine,
    slug: str = "newsletter",
    *,
    subject: str = "News for {{ contact.first_name | default('you') }}",
    html: str = NEWSLETTER_HTML,
    text: str = "",
    now: datetime = NOW,
) -> int:
    with engine.begin() as connection:
        return int(
            connection.execute(
                insert(email_templates)
                .values(
                    slug=slug,
                    name=slug.title(),
                    subject=subject,
                    html_body=html,
                    text_body=text,
                    version=1,
                    created_at=now,
                    updated_at=now,
                )
                .returning(email_templates.c.id)
            ).scalar_one()
        )


def queue_sends(
    engine: Engine, people: dict[str, int], names: tuple[str, ...], *, prefix: str
) -> dict[str, int]:
    """A queued send of a new newsletter template per name (dedupe key ``prefix:name``);
    name → send id."""
    template = add_template(engine)
    ids = {}
    with engine.begin() as connection:
        for name in names:
            queued = queue_send(
                connection,
                template_id=template,
                contact_id=people[name],
                dedupe_key=f"{prefix}:{name}",
                now=NOW,
            )
            assert queued.send_id is not None
            ids[name] = queued.send_id
    return ids


def ledger(engine: Engine) -> list[dict[str, Any]]:
    """Every send as a dict, in id order."""
    with engine.connect() as connection:
        return [
            dict(row._mapping)
            for row in connection.execute(select(mail_sends).order_by(mail_sends.c.id))
        ]
