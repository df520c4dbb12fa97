"""Ingesting events: validation per item, idempotency, contact creation rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select

from silverplatter.domain.records import AccountFields, ContactFields
from silverplatter.services.ingest import ItemError, ingest_events
from silverplatter.services.records import upsert_accounts, upsert_contacts
from silverplatter.storage.schema import contacts, events

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _seed(engine: Engine) -> None:
    with engine.begin() as connection:
        upsert_accounts(
            connection, [AccountFields(name="Nordtek Oy", domain="nordtek.fi")], now=NOW
        )
        upsert_contacts(
            connection,
            [ContactFields(email="anna@nordtek.fi", account_domain="nordtek.fi")],
            now=NOW,
        )


def _batch() -> list[dict[str, Any]]:
    return [
        {
            "type": "page_view",
            "occurred_at": "2026-02-27T10:00:00Z",
            "email": "ANNA@nordtek.fi",
            "properties": {"url": "https://nordtek.example/pricing"},
            "channel": "web",
            "traffic": "owned",
        },
        {"type": "page_view", "occurred_at": "2026-02-27T10:05:00+02:00", "visitor_id": "v-123"},
        {
            "type": "executive_appointed",
            "occurred_at": "2026-02-20T00:00:00Z",
            "account_domain": "nordtek.fi",
            "properties": {"role": "CFO"},
        },
        {
            "type": "form_submit",
            "occurred_at": "2026-02-28T08:00:00Z",
            "email": "new.person@vasa.se",
            "properties": {"cta": "hard"},
            "contact": {"first_name": "Nils", "country": "Sweden"},
        },
        {"type": "email_click", "occurred_at": "2026-02-28T08:00:00Z", "email": "stranger@x.fi"},
        {"type": "Page View", "occurred_at": "2026-02-28T08:00:00"},
        {"type": "page_view", "occurred_at": "2026-02-28T08:00:00Z"},
        {"type": "page_view", "occurred_at": "2026-02-28T08:00:00Z", "account_domain": "nope.fi"},
        {
            "type": "email_open",
            "occurred_at": "2026-02-28T09:00:00Z",
            "email": "anna@nordtek.fi",
            "idempotency_key": "esp-42",
        },
        {
            "type": "email_open",
            "occurred_at": "2026-02-28T09:00:00Z",
            "email": "anna@nordtek.fi",
            "idempotency_key": "esp-42",
        },
    ]


def test_a_batch_accepts_good_items_and_names_each_bad_field(engine: Engine) -> None:
    _seed(engine)
    with engine.begin() as connection:
        result = ingest_events(connection, _batch(), now=NOW)
    assert (result.accepted, result.duplicates, result.contacts_created) == (5, 1, 1)
    assert result.errors == [
        ItemError(
            4,
            "email",
            "no contact with email stranger@x.fi; only form_submit events create contacts",
        ),
        ItemError(
            5,
            "type",
            "type: must be a snake_case word such as page_view or form_submit, got 'Page View'; "
            "occurred_at: Input should have timezone info",
        ),
        ItemError(
            6,
            None,
            "record: an event needs a subject: email, contact_id, visitor_id, "
            "account_domain or account_id",
        ),
        ItemError(7, "account_domain", "no account with domain nope.fi"),
    ]
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                events.c.type, events.c.contact_id, events.c.account_id, events.c.visitor_id
            ).order_by(events.c.id)
        ).all()
        nils = connection.execute(
            select(contacts.c.first_name, contacts.c.country).where(
                contacts.c.email_key == "new.person@vasa.se"
            )
        ).one()
    assert [tuple(row) for row in rows] == [
        ("page_view", 1, 1, None),
        ("page_view", None, None, "v-123"),
        ("executive_appointed", None, 1, None),
        ("form_submit", 2, None, None),
        ("email_open", 1, 1, None),
    ]
    assert tuple(nils) == ("Nils", "SE")


def test_resending_a_batch_adds_nothing(engine: Engine) -> None:
    _seed(engine)
    with engine.begin() as connection:
        ingest_events(connection, _batch(), now=NOW)
    with engine.begin() as connection:
        again = ingest_events(connection, _batch(), now=NOW)
        total = connection.execute(select(func.count()).select_from(events)).scalar()
    assert (again.accepted, again.duplicates, again.contacts_created) == (0, 6, 0)
    assert total == 5


def test_times_are_stored_as_aware_utc(engine: Engine) -> None:
    _seed(engine)
    with engine.begin() as connection:
        ingest_events(
            connection,
            [
                {
                    "type": "page_view",
                    "occurred_at": "2026-02-27T12:00:00+02:00",
                    "email": "anna@nordtek.fi",
                }
            ],
            now=NOW,
        )
        stored = connection.execute(select(events.c.occurred_at)).scalar_one()
    assert stored == datetime(2026, 2, 27, 10, 0, tzinfo=UTC)
    assert stored.tzinfo is not None and stored.utcoffset() is not None


def test_an_event_on_a_boundary_compares_on_the_right_side(engine: Engine) -> None:
    """Whole-second times are stored like every other time, so text comparison holds."""
    _seed(engine)
    midnight = datetime(2026, 3, 1, tzinfo=UTC)
    with engine.begin() as connection:
        ingest_events(
            connection,
            [
                {
                    "type": "page_view",
                    "occurred_at": "2026-03-01T00:00:00Z",
                    "email": "anna@nordtek.fi",
                },
                {
                    "type": "page_view",
                    "occurred_at": "2026-02-28T23:59:59.5Z",
                    "email": "anna@nordtek.fi",
                },
            ],
            now=NOW,
        )
        since = connection.execute(
            select(func.count()).select_from(events).where(events.c.occurred_at >= midnight)
        ).scalar_one()
        before = connection.execute(
            select(func.count()).select_from(events).where(events.c.occurred_at < midnight)
        ).scalar_one()
    assert (since, before) == (1, 1)


def test_values_no_database_stores_are_refused_per_item(engine: Engine) -> None:
    _seed(engine)
    at = "2026-02-27T10:00:00Z"
    batch: list[dict[str, Any]] = [
        {"type": "page_view", "occurred_at": at, "visitor_id": "v-\x00"},
        {
            "type": "page_view",
            "occurred_at": at,
            "visitor_id": "v-1",
            "properties": {"x": [1.5, float("nan")]},
        },
        {
            "type": "page_view",
            "occurred_at": at,
            "visitor_id": "v-2",
            "properties": {"u": {"a\x00": 1}},
        },
        {
            "type": "page_view",
            "occurred_at": at,
            "visitor_id": "v-3",
            "properties": {"n": 2.5, "s": "ä"},
        },
    ]
    with engine.begin() as connection:
        result = ingest_events(connection, batch, now=NOW)
    assert result.accepted == 1
    assert result.errors == [
        ItemError(0, "visitor_id", "visitor_id: contains a NUL character (\\u0000)"),
        ItemError(1, "properties", "properties: x[1] must be a finite number, got nan"),
        ItemError(2, "properties", "properties: u has a key with a NUL character: 'a\\x00'"),
    ]
    with engine.connect() as connection:
        stored = connection.execute(select(events.c.visitor_id, events.c.properties)).all()
    assert [tuple(row) for row in stored] == [("v-3", {"n": 2.5, "s": "ä"})]
