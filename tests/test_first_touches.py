"""Each contact's first touch: kept as events arrive, moved only earlier, backfilled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, select

from row_locks import assert_writes_in_id_order
from silverplatter.domain.records import ContactFields
from silverplatter.services.ingest import ingest_events
from silverplatter.services.records import upsert_contacts
from silverplatter.services.stitching import stitch_visitor
from silverplatter.services.workspace import init_workspace
from silverplatter.storage import first_touches
from silverplatter.storage.engine import alembic_config, migrate
from silverplatter.storage.first_touches import earliest
from silverplatter.storage.schema import contacts, events

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def _event(n: int, at: datetime, channel: str | None, **subject: Any) -> dict[str, Any]:
    return {
        "type": "page_view",
        "occurred_at": at.isoformat(),
        "idempotency_key": f"touch-{n}",
        **({"channel": channel} if channel else {}),
        "properties": {"url": f"https://seller.example/{n}"},
        **subject,
    }


def _first_touch(engine: Engine, email: str) -> tuple[str | None, datetime | None]:
    with engine.connect() as connection:
        row = connection.execute(
            select(contacts.c.first_touch_channel, contacts.c.first_touch_at).where(
                contacts.c.email_key == email
            )
        ).one()
    return row.first_touch_channel, row.first_touch_at


def _people(engine: Engine, *emails: str) -> None:
    init_workspace(engine, name="Seller", now=NOW)
    with engine.begin() as connection:
        upsert_contacts(connection, [ContactFields(email=email) for email in emails], now=NOW)


def _ingest(engine: Engine, items: list[dict[str, Any]]) -> None:
    with engine.begin() as connection:
        result = ingest_events(connection, items, now=NOW, score=False)
    assert result.errors == []


def test_earliest_keeps_the_first_listed_of_a_moment() -> None:
    t = NOW
    touches = [
        (1, t, "email"),
        (1, t, "paid_search"),
        (2, t, None),
        (None, t, "email"),
        (1, t - timedelta(days=1), "organic_social"),
        (3, t, "direct"),
    ]
    assert earliest(touches) == [(1, t - timedelta(days=1), "organic_social"), (3, t, "direct")]


def test_the_first_touch_moves_only_earlier(engine: Engine) -> None:
    _people(engine, "ada@buyer.fi")
    ada = {"email": "ada@buyer.fi"}
    t2 = NOW - timedelta(days=20)
    _ingest(engine, [_event(1, t2, "email", **ada)])
    assert _first_touch(engine, "ada@buyer.fi") == ("email", t2)
    t1 = NOW - timedelta(days=30)
    # Later, an older event arrives (a history import): the first touch moves back.
    _ingest(engine, [_event(2, NOW - timedelta(days=5), "organic_search", **ada)])
    _ingest(engine, [_event(3, t1, "paid_search", **ada), _event(4, t1, "organic_social", **ada)])
    assert _first_touch(engine, "ada@buyer.fi") == ("paid_search", t1)
    # The same moment again, or an earlier event without a channel, changes nothing.
    _ingest(engine, [_event(5, t1, "referral", **ada)])
    _ingest(engine, [_event(6, t1 - timedelta(days=9), None, **ada)])
    assert _first_touch(engine, "ada@buyer.fi") == ("paid_search", t1)


def test_a_contact_without_channelled_events_has_no_first_touch(engine: Engine) -> None:
    _people(engine, "bo@buyer.fi")
    _ingest(engine, [_event(1, NOW - timedelta(days=2), None, email="bo@buyer.fi")])
    assert _first_touch(engine, "bo@buyer.fi") == (None, None)


def test_stitched_visits_can_be_the_first_touch(engine: Engine) -> None:
    _people(engine, "cy@buyer.fi")
    earlier = NOW - timedelta(days=40)
    _ingest(
        engine,
        [
            _event(1, earlier, "paid_social", visitor_id="v-1"),
            _event(2, NOW - timedelta(days=3), "email", email="cy@buyer.fi"),
        ],
    )
    assert _first_touch(engine, "cy@buyer.fi") == ("email", NOW - timedelta(days=3))
    with engine.begin() as connection:
        contact_id = connection.execute(
            select(contacts.c.id).where(contacts.c.email_key == "cy@buyer.fi")
        ).scalar_one()
        assert stitch_visitor(connection, visitor_id="v-1", contact_id=contact_id, now=NOW) == 1
    assert _first_touch(engine, "cy@buyer.fi") == ("paid_social", earlier)


def test_the_migration_fills_contacts_already_there(engine: Engine) -> None:
    init_workspace(engine, name="Seller", now=NOW)
    with engine.begin() as connection:
        upsert_contacts(
            connection,
            [ContactFields(email=e) for e in ("dee@buyer.fi", "eli@buyer.fi", "fay@buyer.fi")],
            now=NOW,
        )
        ids = {e: i for e, i in connection.execute(select(contacts.c.email_key, contacts.c.id))}
    config = alembic_config(engine)
    command.downgrade(config, "0018")
    try:
        t = NOW - timedelta(days=10)
        rows = [
            (ids["dee@buyer.fi"], t, "email"),
            (ids["dee@buyer.fi"], t - timedelta(days=1), None),
            (ids["dee@buyer.fi"], t, "organic_social"),
            (ids["dee@buyer.fi"], t + timedelta(days=1), "paid_search"),
            (ids["eli@buyer.fi"], t - timedelta(days=3), "organic_search"),
            (ids["fay@buyer.fi"], t, None),
        ]
        with engine.begin() as connection:
            for n, (contact_id, at, channel) in enumerate(rows):
                connection.execute(
                    events.insert().values(
                        key_hash=n + 1,
                        idempotency_key=f"old-{n}",
                        type="page_view",
                        occurred_at=at,
                        contact_id=contact_id,
                        channel=channel,
                        properties={},
                        received_at=NOW,
                    )
                )
    finally:
        migrate(engine)
    assert _first_touch(engine, "dee@buyer.fi") == ("email", t)
    assert _first_touch(engine, "eli@buyer.fi") == ("organic_search", t - timedelta(days=3))
    assert _first_touch(engine, "fay@buyer.fi") == (None, None)


@pytest.mark.parametrize("backend", ["postgresql"])  # SQLite serialises its writers
def test_first_touches_lock_their_contacts_in_id_order(engine: Engine) -> None:
    """Two batches moving the same contacts' first touches queue, never deadlock.

    Contact 2 is held by another transaction; a batch listing 2 before 1 must
    already hold 1 while it waits for 2 (id order), as every writer of
    contacts does.
    """
    _people(engine, "one@a.example", "two@a.example")
    with engine.begin() as connection:  # contact 1's row now lies after 2's in the table
        connection.exec_driver_sql("UPDATE contacts SET title = 'CFO' WHERE id = 1")
    touches = [(2, NOW, "email"), (1, NOW, "email")]
    assert_writes_in_id_order(
        engine, lambda connection: first_touches.note(connection, touches), strength="UPDATE"
    )
    assert _first_touch(engine, "one@a.example") == ("email", NOW)
    assert _first_touch(engine, "two@a.example") == ("email", NOW)
