"""A fixed world of champion moves, shared by the service, web and API tests.

Four accounts: Old Oy (owner Sam, sales), New AB (owner Olle, sales), Third
GmbH (no owner) and Look Oy (owner Mia, marketing).  At ``T0`` four people
work at Old Oy.  At ``T1`` three new records arrive:

* Jane Doe's new address at New AB, her LinkedIn profile spelt differently
  (a move by LinkedIn; she is a decision maker, so a champion);
* Matti Meikalainen as "MATTI Meikäläinen" at Third GmbH, owned by Mia
  (a move by name and the new e-mail domain; Third has no owner, so Mia,
  the record's owner, gets the opening);
* Anna Smith at Look Oy with another LinkedIn profile (a look-alike: no move).

Pia Virta is marked by hand as moved to Third GmbH (nobody to alert there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine

from silverplatter.domain.records import AccountFields, ContactFields
from silverplatter.services.audit import Actor
from silverplatter.services.records import upsert_accounts, upsert_contacts
from silverplatter.services.users import create_user
from web_world import PASSWORD

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
T1 = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class World:
    users: dict[str, int]
    accounts: dict[str, int]
    contacts: dict[str, int]


def _user(connection: Connection, email: str, name: str, role: str) -> int:
    return create_user(
        connection, email=email, name=name, role=role, password=PASSWORD, now=T0, actor=Actor(None)
    ).id


def build_accounts(connection: Connection, users: dict[str, str]) -> dict[str, int]:
    """The four accounts; ``users`` maps account domains to their owners' e-mail."""
    items = [
        AccountFields(name="Old Oy", domain="old.example", owner_email=users.get("old.example")),
        AccountFields(name="New AB", domain="new.example", owner_email=users.get("new.example")),
        AccountFields(name="Third GmbH", domain="third.example"),
        AccountFields(name="Look Oy", domain="look.example", owner_email=users.get("look.example")),
    ]
    ids = upsert_accounts(connection, items, now=T0).ids
    assert None not in ids, ids
    return dict(zip(("old", "new", "third", "look"), (int(i or 0) for i in ids), strict=True))


OLD_PEOPLE = [
    ContactFields(
        email="jane@old.example",
        first_name="Jane",
        last_name="Doe",
        title="CFO",
        decision_role="decision_maker",
        linkedin_url="https://www.linkedin.com/in/jane-doe",
        account_domain="old.example",
        created_at=T0,
    ),
    ContactFields(
        email="matti@old.example",
        first_name="Matti",
        last_name="Meikalainen",
        title="Buyer",
        account_domain="old.example",
        created_at=T0,
    ),
    ContactFields(
        email="pia@old.example",
        first_name="Pia",
        last_name="Virta",
        decision_role="champion",
        account_domain="old.example",
        created_at=T0,
    ),
    ContactFields(
        email="anna@old.example",
        first_name="Anna",
        last_name="Smith",
        linkedin_url="https://www.linkedin.com/in/anna-smith-1",
        account_domain="old.example",
        created_at=T0,
    ),
]

NEW_PEOPLE = [
    ContactFields(
        email="jd@new.example",
        first_name="J.",
        last_name="Doe",
        title="CEO",
        linkedin_url="http://LinkedIn.com/in/Jane-Doe/",
        account_domain="new.example",
        created_at=T1,
    ),
    ContactFields(
        email="matti.meikalainen@third.example",
        first_name="MATTI",
        last_name=" Meikäläinen ",
        owner_email="mia@example.com",
        account_domain="third.example",
        created_at=T1,
    ),
    ContactFields(
        email="anna.smith@look.example",
        first_name="Anna",
        last_name="Smith",
        linkedin_url="https://www.linkedin.com/in/anna-smith-2",
        account_domain="look.example",
        created_at=T1,
    ),
]


def build(engine: Engine, *, with_new_people: bool = True) -> World:
    """The world before detection ran (no moves recorded yet)."""
    with engine.begin() as connection:
        users = {
            "sam": _user(connection, "sam@example.com", "Sam Sales", "sales"),
            "olle": _user(connection, "olle@example.com", "Olle Owner", "sales"),
            "mia": _user(connection, "mia@example.com", "Mia Marketing", "marketing"),
        }
        accounts = build_accounts(
            connection,
            {
                "old.example": "sam@example.com",
                "new.example": "olle@example.com",
                "look.example": "mia@example.com",
            },
        )
        people = list(OLD_PEOPLE) + (list(NEW_PEOPLE) if with_new_people else [])
        ids = upsert_contacts(connection, people, now=T1).ids
        assert None not in ids, ids
        names = ["jane", "matti", "pia", "anna", "jane2", "matti2", "anna2"]
        contacts = dict(zip(names, (int(i or 0) for i in ids), strict=False))
    return World(users=users, accounts=accounts, contacts=contacts)
