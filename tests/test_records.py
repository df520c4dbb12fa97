"""Upserting accounts and contacts on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, func, select

from silverplatter.domain.records import AccountFields, ContactFields
from silverplatter.services.records import upsert_accounts, upsert_contacts
from silverplatter.storage.properties import create_definition
from silverplatter.storage.schema import accounts, contacts
from silverplatter.storage.users import create_user

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_contacts_are_created_then_unchanged_then_updated(engine: Engine) -> None:
    batch = [
        ContactFields(
            email="Anna.Virtanen@Nordtek.fi", first_name="Anna", account_domain="nordtek.fi"
        ),
        ContactFields(email="bo@vasa-energi.se", first_name="Bo", account_domain="vasa-energi.se"),
    ]
    with engine.begin() as connection:
        first = upsert_contacts(connection, batch, now=NOW)
    assert (first.created, first.updated, first.unchanged, first.errors) == (2, 0, 0, {})
    with engine.begin() as connection:
        again = upsert_contacts(connection, batch, now=LATER)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert again.ids == first.ids
    changed = [ContactFields(email="anna.virtanen@nordtek.fi", title="CFO")]
    with engine.begin() as connection:
        third = upsert_contacts(connection, changed, now=LATER)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 0)
    with engine.connect() as connection:
        row = connection.execute(select(contacts).where(contacts.c.id == first.ids[0])).one()
        account_count = connection.execute(select(func.count()).select_from(accounts)).scalar()
    assert (row.email, row.first_name, row.title) == ("Anna.Virtanen@nordtek.fi", "Anna", "CFO")
    assert row.created_at == NOW and row.updated_at == LATER
    assert account_count == 2


def test_repeated_email_in_one_batch_is_rejected_naming_the_first(engine: Engine) -> None:
    batch = [ContactFields(email="a@x.fi"), ContactFields(email="A@X.FI")]
    with engine.begin() as connection:
        result = upsert_contacts(connection, batch, now=NOW)
    assert result.created == 1
    assert result.errors == {1: "email: a@x.fi repeats item 1 of the same batch"}
    assert result.ids[1] is None


def test_unknown_owner_and_undefined_property_are_reasons(engine: Engine) -> None:
    with engine.begin() as connection:
        create_user(connection, email="sales@nordtek.example", name="Sales", role="sales", now=NOW)
        create_definition(
            connection,
            object_type="contact",
            name="budget_owner",
            label="Budget owner",
            type="boolean",
            options=None,
            now=NOW,
        )
        result = upsert_contacts(
            connection,
            [
                ContactFields(email="a@x.fi", owner_email="nobody@x.fi"),
                ContactFields(email="b@x.fi", custom={"shoe_size": 42}),
                ContactFields(email="c@x.fi", custom={"budget_owner": "maybe"}),
                ContactFields(
                    email="d@x.fi",
                    owner_email="SALES@nordtek.example",
                    custom={"budget_owner": "yes"},
                ),
            ],
            now=NOW,
        )
        stored = connection.execute(select(contacts.c.owner_id, contacts.c.custom)).one()
    assert result.errors == {
        0: "owner_email: no user with email nobody@x.fi",
        1: "custom.shoe_size: no such contact property; define it first or import with "
        "unknown columns as new properties",
        2: "custom.budget_owner: expected yes/no or true/false, got 'maybe'",
    }
    assert result.created == 1
    assert stored.owner_id == 1 and stored.custom == {"budget_owner": True}


def test_accounts_match_by_external_id_then_domain_then_name(engine: Engine) -> None:
    with engine.begin() as connection:
        first = upsert_accounts(
            connection,
            [
                AccountFields(external_id="SF-1", name="Nordtek Oy", domain="nordtek.fi"),
                AccountFields(name="Vasa Energi AB"),
            ],
            now=NOW,
        )
        second = upsert_accounts(
            connection,
            [
                AccountFields(domain="https://www.nordtek.fi/", employees=250),
                AccountFields(name="Vasa Energi AB", domain="vasa-energi.se"),
            ],
            now=LATER,
        )
        conflict = upsert_accounts(
            connection, [AccountFields(external_id="SF-9", domain="nordtek.fi")], now=LATER
        )
        rows = connection.execute(select(accounts).order_by(accounts.c.id)).all()
    assert (first.created, second.created, second.updated) == (2, 0, 2)
    assert conflict.errors == {
        0: "external_id: account nordtek.fi already has external id SF-1",
    }
    assert [(r.name, r.domain, r.employees, r.value_tier) for r in rows] == [
        ("Nordtek Oy", "nordtek.fi", 250, "unclassified"),
        ("Vasa Energi AB", "vasa-energi.se", None, "unclassified"),
    ]


def test_contact_company_name_never_renames_an_existing_account(engine: Engine) -> None:
    with engine.begin() as connection:
        upsert_accounts(
            connection, [AccountFields(name="Nordtek Oy", domain="nordtek.fi")], now=NOW
        )
        upsert_contacts(
            connection,
            [ContactFields(email="a@nordtek.fi", account_domain="nordtek.fi", account_name="NT")],
            now=NOW,
        )
        names = connection.execute(select(accounts.c.name)).scalars().all()
    assert names == ["Nordtek Oy"]
