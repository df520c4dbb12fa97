"""Handover of SQLs to sales: owner, due time per tier, quasi-lead alerts, sales acting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, select, update

from lead_world import NOW, build_world
from sales_world import ADMIN, MIKA, SAMI, SCRIPT, SOFIA, build_sales_world
from silverplatter.domain.lifecycle import LifecycleError
from silverplatter.services.handover import (
    Recipient,
    accept,
    disqualify,
    hand_over_new_sqls,
    quasi_leads,
    raise_alerts,
    record_action,
    recycle,
)
from silverplatter.services.ingest import ingest_events
from silverplatter.services.lifecycle import transition
from silverplatter.services.recompute import recompute
from silverplatter.storage.handover_schema import handover_rotation, handovers
from silverplatter.storage.schema import contacts, users

MONDAY_NOON = NOW  # 2026-06-01 12:00 UTC


def day(number: int, hour: int = 12) -> datetime:
    return datetime(2026, 6, number, hour, tzinfo=UTC)


@pytest.fixture
def world(engine: Engine) -> Iterator[tuple[Connection, dict[str, int]]]:
    with engine.begin() as connection:
        yield connection, build_sales_world(connection)


def _handovers(connection: Connection) -> dict[str, Any]:
    rows = connection.execute(
        select(handovers, contacts.c.email)
        .join(contacts, contacts.c.id == handovers.c.contact_id)
        .order_by(handovers.c.id)
    )
    return {row.email: row for row in rows}


def test_every_sql_is_handed_over_with_an_owner_and_a_due_time_per_tier(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, _ids = world
    found = {
        email: (row.tier, row.owner_id, row.assignment, row.handed_over_at, row.due_at)
        for email, row in _handovers(connection).items()
    }
    assert found == {
        # The engine handed these over while ingesting: gold is due in 1 working day,
        "ops@acme.fi": ("gold", SOFIA, "account_owner", NOW, day(2)),
        # silver in 2; Pohja's owner is a marketer, so the silver rotation starts with Sami.
        "director@pohja.fi": ("silver", SAMI, "round_robin", NOW, day(3)),
        # bronze and unclassified in 5 working days (the weekend skipped), each tier rotating.
        "buyer@kauppa.se": ("bronze", SAMI, "round_robin", NOW, day(8)),
        "cfo@unknown.co.uk": ("unclassified", SAMI, "round_robin", NOW, day(8)),
        "solo@example.org": ("unclassified", SOFIA, "round_robin", NOW, day(8)),
    }
    owners = dict(connection.execute(select(contacts.c.email, contacts.c.owner_id)).all())
    # Contacts without an owner got the handover's owner; the cfo keeps Mika.
    assert owners == {
        "ceo@acme.fi": None,
        "ops@acme.fi": SOFIA,
        "director@pohja.fi": SAMI,
        "buyer@kauppa.se": SAMI,
        "cfo@unknown.co.uk": MIKA,
        "solo@example.org": SOFIA,
    }
    rotation = connection.execute(
        select(handover_rotation.c.tier, handover_rotation.c.last_user_id)
    )
    assert dict(rotation.all()) == {"silver": SAMI, "bronze": SAMI, "unclassified": SOFIA}
    assert hand_over_new_sqls(connection, now=NOW + timedelta(hours=2)) == []


def test_the_rotation_continues_and_passes_over_an_inactive_owner(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, ids = world
    recycle(connection, ids["solo@example.org"], user_id=SOFIA, now=day(1, 13), reason="no budget")
    friday = day(5, 16)
    transition(
        connection, ids["solo@example.org"], "sql", reason="called", now=friday, has_hard_cta=True
    )
    # The unclassified rotation gave Sofia the last lead: the next one is Sami's.
    [handed] = hand_over_new_sqls(connection, now=friday)
    assert (handed.contact_id, handed.owner_id, handed.assignment) == (
        ids["solo@example.org"],
        SAMI,
        "round_robin",
    )
    # Friday 16:00 + 5 working days: the next Friday 16:00.
    assert (handed.handed_over_at, handed.due_at) == (friday, day(12, 16))
    # The gold account's owner, deactivated, no longer takes the CEO: Sami does.
    connection.execute(update(users).where(users.c.id == SOFIA).values(active=False))
    transition(
        connection, ids["ceo@acme.fi"], "sql", reason="called", now=friday, has_hard_cta=True
    )
    [ceo] = hand_over_new_sqls(connection, now=friday)
    assert (ceo.tier, ceo.owner_id, ceo.assignment, ceo.due_at) == (
        "gold",
        SAMI,
        "round_robin",
        day(8, 16),
    )


def test_an_overdue_handover_becomes_a_quasi_lead_alerted_once(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, ids = world
    assert quasi_leads(connection, now=day(2)) == []  # due at exactly this instant
    later = day(2, 15)
    [ops] = quasi_leads(connection, now=later)
    admin = Recipient(ADMIN, "Aino Admin", "aino@silverplatter.test")
    assert (
        ops.contact_id,
        ops.contact_name,
        ops.account_name,
        ops.tier,
        ops.owner_id,
        ops.owner_name,
        ops.due_at,
        ops.days_overdue,
        ops.alert_to,
        ops.alerted_at,
    ) == (
        ids["ops@acme.fi"],
        "ops@acme.fi",
        "Acme Machinery Oy",
        "gold",
        SOFIA,
        "Sofia Sales",
        day(2),
        1,
        (admin,),
        None,
    )
    [alerted] = raise_alerts(connection, now=later)
    assert (alerted.contact_id, alerted.alerted_at) == (ids["ops@acme.fi"], later)
    assert raise_alerts(connection, now=later + timedelta(hours=1)) == []
    stored = _handovers(connection)["ops@acme.fi"]
    assert (stored.alerted_at, stored.alert_to, stored.acted_at) == (later, ADMIN, None)
    # Two days on the director is overdue too: only the director's alert is new.
    thursday = day(4, 13)
    assert [(q.contact_name, q.days_overdue) for q in quasi_leads(connection, now=thursday)] == [
        ("ops@acme.fi", 3),
        ("director@pohja.fi", 2),
    ]
    assert [q.contact_name for q in raise_alerts(connection, now=thursday)] == ["director@pohja.fi"]


def test_sales_acting_closes_the_handover(world: tuple[Connection, dict[str, int]]) -> None:
    connection, ids = world
    late = day(3, 9)
    change = accept(connection, ids["ops@acme.fi"], user_id=SOFIA, now=late)
    assert (change.from_stage, change.to_stage, change.transition) == ("sql", "sal", "accept")
    recycle(connection, ids["director@pohja.fi"], user_id=SAMI, now=late, reason="budget in 2027")
    disqualify(connection, ids["buyer@kauppa.se"], user_id=SAMI, now=late, reason="a reseller")
    found = {
        email: (row.outcome, row.acted_by, row.acted_at)
        for email, row in _handovers(connection).items()
    }
    assert found["ops@acme.fi"] == ("accepted", SOFIA, late)
    assert found["director@pohja.fi"] == ("recycled", SAMI, late)
    assert found["buyer@kauppa.se"] == ("disqualified", SAMI, late)
    assert found["cfo@unknown.co.uk"] == (None, None, None)
    stages = dict(connection.execute(select(contacts.c.email, contacts.c.lifecycle_stage)).all())
    assert (stages["ops@acme.fi"], stages["director@pohja.fi"]) == ("sal", "recycled")
    # ops was past due when accepted, but an accepted handover is no quasi-lead.
    assert quasi_leads(connection, now=day(4)) == []
    # A refused move leaves the handover open.
    with pytest.raises(LifecycleError, match="needs a reason"):
        recycle(connection, ids["cfo@unknown.co.uk"], user_id=SAMI, now=late, reason=" ")
    assert _handovers(connection)["cfo@unknown.co.uk"].acted_at is None
    assert (
        record_action(connection, ids["ops@acme.fi"], "accepted", user_id=SOFIA, now=late) is None
    )
    with pytest.raises(ValueError, match="outcome: expected one of"):
        record_action(connection, ids["cfo@unknown.co.uk"], "ignored", user_id=SAMI, now=late)


def test_a_contact_leaving_sql_another_way_closes_its_handover(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, ids = world
    back = day(2, 10)
    transition(connection, ids["cfo@unknown.co.uk"], "mql", reason="not ready", now=back)
    transition(connection, ids["solo@example.org"], "sal", reason="", now=back, user_id=SOFIA)
    assert hand_over_new_sqls(connection, now=day(2, 11)) == []
    found = {
        email: (row.outcome, row.acted_at)
        for email, row in _handovers(connection).items()
        if row.acted_at is not None
    }
    assert found == {
        "cfo@unknown.co.uk": ("withdrawn", back),
        "solo@example.org": ("accepted", back),
    }
    # Back at SQL later, the cfo is handed over anew.
    transition(
        connection, ids["cfo@unknown.co.uk"], "sql", reason="", now=day(3), has_hard_cta=True
    )
    [again] = hand_over_new_sqls(connection, now=day(3))
    assert (again.contact_id, again.owner_id, again.due_at) == (
        ids["cfo@unknown.co.uk"],
        SAMI,
        day(10),
    )


def test_the_batch_recompute_hands_over_too(engine: Engine) -> None:
    with engine.begin() as connection:
        build_world(connection)
        ingest_events(connection, SCRIPT, now=NOW, score=False)
        assert _handovers(connection) == {}
        recompute(connection, now=NOW)
        found = {
            email: (row.tier, row.owner_id, row.assignment, row.due_at)
            for email, row in _handovers(connection).items()
        }
    # Nobody works in sales yet: handed over unassigned, still with a due time.
    assert found == {
        "ops@acme.fi": ("gold", None, "unassigned", day(2)),
        "director@pohja.fi": ("silver", None, "unassigned", day(3)),
    }
