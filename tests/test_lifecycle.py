"""Moving contacts through the lifecycle, by hand and by the rules, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, event, select

from silverplatter.domain.lifecycle import LifecycleError, StageChange
from silverplatter.domain.qualification import Bant
from silverplatter.domain.records import ContactFields
from silverplatter.services.lifecycle import record_automatic_changes, stage_history, transition
from silverplatter.services.qualification import record_qualification
from silverplatter.services.records import upsert_contacts
from silverplatter.storage.lifecycle_schema import stage_transitions
from silverplatter.storage.schema import contacts
from silverplatter.storage.users import create_user

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
COMPLETE = Bant(
    budget="about 200 k€",
    authority="CFO decides",
    need="replace the ERP",
    timeline=date(2026, 12, 31),
)


def _contacts(connection: Connection, count: int) -> list[int]:
    people = [ContactFields(email=f"person{n}@nordtek.fi") for n in range(count)]
    result = upsert_contacts(connection, people, now=NOW)
    return [int(contact_id) for contact_id in result.ids if contact_id is not None]


def _stages(connection: Connection) -> list[tuple[str, datetime | None]]:
    rows = connection.execute(
        select(contacts.c.lifecycle_stage, contacts.c.stage_changed_at).order_by(contacts.c.id)
    )
    return [(row.lifecycle_stage, row.stage_changed_at) for row in rows]


@contextmanager
def _statements(connection: Connection) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]).split()[0])

    event.listen(connection, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", count)


def test_a_user_moves_a_contact_and_the_history_says_who_why_and_when(engine: Engine) -> None:
    with engine.begin() as connection:
        (contact,) = _contacts(connection, 1)
        user = create_user(connection, email="sara@seller.fi", name="Sara", role="sales", now=NOW)
        assert _stages(connection) == [("subscriber", None)]
        transition(connection, contact, "lead", reason="asked for the price list", now=NOW)
        later = NOW + timedelta(days=2)
        change = transition(
            connection, contact, "recycled", reason="budget frozen", now=later, user_id=user
        )
        history = stage_history(connection, contact)
        stages = _stages(connection)
    assert change == StageChange(contact, "lead", "recycled", "recycle", "budget frozen")
    assert stages == [("recycled", later)]
    assert [
        (r.from_stage, r.to_stage, r.transition, r.actor, r.user_id, r.reason, r.occurred_at)
        for r in history
    ] == [
        ("subscriber", "lead", "become_lead", "user", None, "asked for the price list", NOW),
        ("lead", "recycled", "recycle", "user", user, "budget frozen", later),
    ]


def test_a_refused_move_changes_nothing(engine: Engine) -> None:
    with engine.begin() as connection:
        (contact,) = _contacts(connection, 1)
        with pytest.raises(LifecycleError) as refused:
            transition(connection, contact, "customer", reason="", now=NOW)
        with pytest.raises(LifecycleError, match=r"^recycle to recycled needs a reason$"):
            transition(connection, contact, "recycled", reason=" ", now=NOW)
        with pytest.raises(LifecycleError, match=r"^no contact with id 999$"):
            transition(connection, 999, "lead", reason="", now=NOW)
        assert _stages(connection) == [("subscriber", None)]
        assert stage_history(connection, contact) == []
    assert str(refused.value) == (
        "cannot move from subscriber to customer; from subscriber the allowed moves are: "
        "become_lead → lead, qualify_as_mql → mql, hand_over_as_sql → sql, "
        "recycle → recycled, disqualify → disqualified"
    )


def test_becoming_sql_without_a_hard_cta_needs_a_complete_bant(engine: Engine) -> None:
    with engine.begin() as connection:
        asked, qualified, half = _contacts(connection, 3)
        record_qualification(connection, qualified, COMPLETE, user_id=None, now=NOW)
        record_qualification(connection, half, Bant(need="replace the ERP"), user_id=None, now=NOW)
        with pytest.raises(LifecycleError) as refused:
            transition(connection, half, "sql", reason="", now=NOW)
        with pytest.raises(LifecycleError, match="missing: budget, authority"):
            transition(connection, asked, "sql", reason="", now=NOW)
        transition(connection, asked, "sql", reason="asked for a demo", now=NOW, has_hard_cta=True)
        transition(connection, qualified, "sql", reason="", now=NOW)
        assert [stage for stage, _ in _stages(connection)] == ["sql", "sql", "subscriber"]
    assert str(refused.value) == (
        f"contact {half} cannot become SQL: without a hard call to action, a contact needs a "
        "complete BANT qualification (budget, authority, need, timeline) before becoming SQL; "
        "missing: budget, authority (who decides), timeline (when they intend to buy)"
    )


def test_the_latest_qualification_counts_for_sql(engine: Engine) -> None:
    with engine.begin() as connection:
        (contact,) = _contacts(connection, 1)
        record_qualification(connection, contact, COMPLETE, user_id=None, now=NOW)
        record_qualification(
            connection, contact, Bant(need="not now"), user_id=None, now=NOW + timedelta(days=1)
        )
        with pytest.raises(LifecycleError, match="cannot become SQL"):
            transition(connection, contact, "sql", reason="", now=NOW)


def test_the_rules_move_many_contacts_in_two_statements(engine: Engine) -> None:
    with engine.begin() as connection:
        a, b, c = _contacts(connection, 3)
        transition(connection, c, "lead", reason="", now=NOW)
        changes = [
            StageChange(a, "subscriber", "lead", "become_lead", "score 12 ≥ lead threshold 10"),
            StageChange(b, "subscriber", "mql", "qualify_as_mql", "score 64 ≥ MQL threshold 60"),
            # c moved meanwhile: it is no longer a subscriber, so this one is skipped
            StageChange(c, "subscriber", "lead", "become_lead", "score 11 ≥ lead threshold 10"),
        ]
        later = NOW + timedelta(hours=1)
        with _statements(connection) as statements:
            applied = record_automatic_changes(connection, changes, later)
        assert statements == ["INSERT", "UPDATE"]
        assert applied == 2
        assert _stages(connection) == [("lead", later), ("mql", later), ("lead", NOW)]
        rows = connection.execute(
            select(
                stage_transitions.c.contact_id,
                stage_transitions.c.transition,
                stage_transitions.c.actor,
                stage_transitions.c.reason,
            ).order_by(stage_transitions.c.contact_id, stage_transitions.c.id)
        ).all()
    assert [tuple(row) for row in rows] == [
        (a, "become_lead", "rule", "score 12 ≥ lead threshold 10"),
        (b, "qualify_as_mql", "rule", "score 64 ≥ MQL threshold 60"),
        (c, "become_lead", "user", "Showed interest beyond subscribing."),
    ]


def test_the_rules_name_their_transitions_correctly(engine: Engine) -> None:
    with engine.begin() as connection:
        a, b = _contacts(connection, 2)
        wrong = StageChange(a, "subscriber", "mql", "become_lead", "score")
        with pytest.raises(LifecycleError) as misnamed:
            record_automatic_changes(connection, [wrong], NOW)
        twice = [
            StageChange(b, "subscriber", "lead", "become_lead", "score"),
            StageChange(b, "lead", "mql", "qualify_as_mql", "score"),
        ]
        with pytest.raises(LifecycleError, match=rf"^contact {b} appears twice in one batch$"):
            record_automatic_changes(connection, twice, NOW)
        silent = StageChange(a, "subscriber", "recycled", "recycle", "")
        with pytest.raises(LifecycleError, match=rf"^contact {a}: recycle to recycled needs"):
            record_automatic_changes(connection, [silent], NOW)
        assert record_automatic_changes(connection, [], NOW) == 0
        assert [stage for stage, _ in _stages(connection)] == ["subscriber", "subscriber"]
    assert str(misnamed.value) == (
        f"contact {a}: subscriber → mql is the transition qualify_as_mql, not become_lead"
    )


def test_deleting_a_contact_deletes_its_history(engine: Engine) -> None:
    with engine.begin() as connection:
        (contact,) = _contacts(connection, 1)
        transition(connection, contact, "lead", reason="", now=NOW)
        connection.execute(contacts.delete())
        assert connection.execute(select(stage_transitions)).all() == []
