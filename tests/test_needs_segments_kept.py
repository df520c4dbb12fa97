"""The worker keeps needs segments defined by a worry rule current: accounts leave and join
as worry profiles fade and grow, once a person has asked for rule-based assignment; until
then a needs segment imported from a CRM is left alone.

The world (worry half-life 10 days, day 0 = 2026-01-01 00:00 UTC; one tag: a page under
/guides/delivery-* answers "Delivery reliability" with weight 1; the needs segment
"Delivery reliability" is everyone with ``contact.worry.delivery-reliability`` ≥ 0.5):

anna (Nordtek)  one delivery guide on day 0    day 5: 2^-0.5 = 0.707   day 15: 2^-1.5 = 0.354
eva (Aalto)     two delivery guides on day 0   day 5: 2·2^-0.5 = 1.414 day 15: 2·2^-1.5 = 0.707
finn (Birch)    one delivery guide on day 12                           day 15: 2^-0.3 = 0.812
Cedar           nobody reads; imported needs segment "Enterprise"
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select, update

from silverplatter.domain.records import AccountFields, ContactFields
from silverplatter.jobs import make_queue
from silverplatter.services.audit import Actor
from silverplatter.services.ingest import ingest_events
from silverplatter.services.needs_segments import (
    assign_needs_segments,
    create_needs_segment,
    delete_needs_segment,
    keep_needs_segments_current,
)
from silverplatter.services.records import upsert_accounts, upsert_contacts
from silverplatter.services.segments import create_segment, draft_of
from silverplatter.services.worries import add_tag, create_worry
from silverplatter.settings import Settings, get_settings
from silverplatter.storage.access_schema import audit_log
from silverplatter.storage.schema import accounts
from web_world import Clock

DAY0 = datetime(2026, 1, 1, tzinfo=UTC)
PERSON = Actor(None)


@pytest.fixture(autouse=True)
def ten_day_half_life(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SILVERPLATTER_WORRY_HALF_LIFE_DAYS", "10")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _read(who: str, day: float, page: str) -> dict[str, Any]:
    return {
        "type": "page_view",
        "email": who,
        "occurred_at": (DAY0 + timedelta(days=day)).isoformat(),
        "properties": {"url": page},
    }


def _world(engine: Engine) -> None:
    with engine.begin() as connection:
        upsert_accounts(
            connection,
            [
                AccountFields(name="Nordtek", domain="nordtek.fi"),
                AccountFields(name="Aalto", domain="aalto.fi"),
                AccountFields(name="Birch", domain="birch.fi"),
                AccountFields(name="Cedar", domain="cedar.fi", needs_segment="Enterprise"),
            ],
            now=DAY0,
        )
        upsert_contacts(
            connection,
            [
                ContactFields(email="anna@nordtek.fi", account_domain="nordtek.fi"),
                ContactFields(email="eva@aalto.fi", account_domain="aalto.fi"),
                ContactFields(email="finn@birch.fi", account_domain="birch.fi"),
                ContactFields(email="carl@cedar.fi", account_domain="cedar.fi"),
            ],
            now=DAY0,
        )
        worry = create_worry(
            connection,
            {"name": "Delivery reliability", "talking_point": "Ask about late deliveries"},
            actor=PERSON,
            now=DAY0,
        )
        add_tag(
            connection,
            worry.slug,
            {"kind": "url_pattern", "target": "/guides/delivery-*", "weight": 1},
            actor=PERSON,
            now=DAY0,
        )
        rule = {"field": f"contact.worry.{worry.slug}", "op": "gte", "value": 0.5}
        create_segment(
            connection,
            draft_of({"slug": "delivery-worriers", "name": "Delivery worriers", "rule": rule}),
            actor=PERSON,
            now=DAY0,
        )
        create_needs_segment(
            connection, {"name": "Delivery reliability", "segment": "delivery-worriers"}, now=DAY0
        )
        reads = [
            _read("anna@nordtek.fi", 0, "/guides/delivery-delays"),
            _read("eva@aalto.fi", 0, "/guides/delivery-delays"),
            _read("eva@aalto.fi", 0, "/guides/delivery-times"),
        ]
        assert ingest_events(connection, reads, now=DAY0).errors == []


def _placed(engine: Engine) -> dict[str, str | None]:
    with engine.connect() as connection:
        rows = connection.execute(select(accounts.c.name, accounts.c.needs_segment))
        return {row.name: row.needs_segment for row in rows}


def _audit(engine: Engine) -> list[tuple[str, Any, Any, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                audit_log.c.action, audit_log.c.user_id, audit_log.c.ip_address, audit_log.c.details
            ).order_by(audit_log.c.id)
        )
        return [
            (row.action, row.user_id, row.ip_address, row.details)
            for row in rows
            if row.action == "needs_segments.assigned"
        ]


def test_the_worker_leaves_imported_needs_segments_alone_until_a_person_assigns(
    engine: Engine, database_url: str
) -> None:
    _world(engine)
    clock = Clock(DAY0 + timedelta(days=5))
    queue = make_queue(Settings(database_url=database_url), engine, clock=clock, immediate=True)
    assert queue.runtime.assign_needs() is None
    queue.tasks["assign_needs"]()
    assert _placed(engine) == {
        "Nordtek": None,
        "Aalto": None,
        "Birch": None,
        "Cedar": "Enterprise",
    }
    assert _audit(engine) == []


def test_the_worker_keeps_rule_based_needs_segments_current(
    engine: Engine, database_url: str
) -> None:
    _world(engine)
    clock = Clock(DAY0 + timedelta(days=1))
    with engine.begin() as connection:
        first = assign_needs_segments(connection, now=clock(), actor=PERSON)
    assert first.moved == 3  # Nordtek and Aalto in, Cedar's imported value replaced
    queue = make_queue(Settings(database_url=database_url), engine, clock=clock, immediate=True)

    clock.advance(days=4)  # day 5: anna 0.707, eva 1.414: nothing moves, nothing audited
    assert queue.runtime.assign_needs() == 0
    assert _placed(engine) == {
        "Nordtek": "Delivery reliability",
        "Aalto": "Delivery reliability",
        "Birch": None,
        "Cedar": None,
    }
    assert len(_audit(engine)) == 1

    with engine.begin() as connection:  # finn reads on day 12
        reads = [_read("finn@birch.fi", 12, "/guides/delivery-times")]
        assert ingest_events(connection, reads, now=DAY0 + timedelta(days=12)).errors == []
    clock.advance(days=10)  # day 15: anna faded to 0.354, finn grew to 0.812
    queue.tasks["assign_needs"]()
    assert _placed(engine) == {
        "Nordtek": None,
        "Aalto": "Delivery reliability",
        "Birch": "Delivery reliability",
        "Cedar": None,
    }
    assert _audit(engine)[1:] == [
        (
            "needs_segments.assigned",
            None,
            "system",
            {"accounts_moved": 2, "accounts": {"Delivery reliability": 2, "": 2}},
        )
    ]
    with engine.connect() as connection:
        moved_at = connection.execute(
            select(accounts.c.name)
            .where(accounts.c.updated_at == clock())
            .order_by(accounts.c.name)
        )
        assert list(moved_at.scalars()) == ["Birch", "Nordtek"]

    clock.advance(days=10)  # day 25: eva 2·2^-2.5 = 0.354, finn 2^-1.3 = 0.406: all leave
    assert queue.runtime.assign_needs() == 2
    assert set(_placed(engine).values()) == {None}


def test_the_worker_does_nothing_without_needs_segments(engine: Engine) -> None:
    _world(engine)
    now = DAY0 + timedelta(days=1)
    with engine.begin() as connection:
        assign_needs_segments(connection, now=now, actor=PERSON)
        delete_needs_segment(connection, "delivery-reliability", now=now)
        connection.execute(
            update(accounts).where(accounts.c.name == "Cedar").values(needs_segment="Enterprise")
        )
        assert keep_needs_segments_current(connection, now=now + timedelta(hours=1)) is None
    assert _placed(engine)["Cedar"] == "Enterprise"
    assert len(_audit(engine)) == 1
