"""Statements for the lifecycle: stage moves, their history and BANT qualifications."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Row,
    String,
    Subquery,
    Text,
    and_,
    bindparam,
    cast,
    func,
    literal,
    or_,
    select,
    update,
)

from silverplatter.domain.lifecycle import StageChange
from silverplatter.domain.qualification import Bant
from silverplatter.storage.lifecycle_schema import qualifications, stage_transitions
from silverplatter.storage.rows import IN_CHUNK
from silverplatter.storage.schema import contacts
from silverplatter.storage.types import UtcDateTime


@dataclass(frozen=True, slots=True)
class StageRecord:
    """One recorded move in a contact's stage history."""

    from_stage: str
    to_stage: str
    transition: str
    actor: str
    user_id: int | None
    reason: str
    occurred_at: datetime


def current_stage(connection: Connection, contact_id: int, *, lock: bool = False) -> str | None:
    """The contact's stage (row-locked on PostgreSQL with ``lock``), ``None`` if no contact."""
    query = select(contacts.c.lifecycle_stage).where(contacts.c.id == contact_id)
    if lock:
        query = query.with_for_update()
    stage: str | None = connection.execute(query).scalar_one_or_none()
    return stage


def apply_stage_changes(
    connection: Connection,
    changes: Sequence[StageChange],
    *,
    actor: str,
    now: datetime,
    user_id: int | None = None,
) -> int:
    """Record and apply ``changes`` with one INSERT and one UPDATE for the whole batch.

    A change applies only while the contact is still at its ``from_stage``;
    both statements carry that condition, so the history records exactly the
    moves that were made.  Returns how many were.
    """
    if not changes:
        return 0
    parameters = [
        {
            "p_contact": change.contact_id,
            "p_from": change.from_stage,
            "p_to": change.to_stage,
            "p_transition": change.transition,
            "p_reason": change.reason,
        }
        # In id order: the contacts' rows are locked as the statements step
        # through the list, and every writer of contacts locks in id order.
        for change in sorted(changes, key=lambda change: change.contact_id)
    ]
    still_at_origin = and_(
        contacts.c.id == bindparam("p_contact"),
        contacts.c.lifecycle_stage == bindparam("p_from"),
    )
    moves = select(
        contacts.c.id,
        contacts.c.lifecycle_stage,
        cast(bindparam("p_to"), String(20)),
        cast(bindparam("p_transition"), String(40)),
        literal(actor, String(10)),
        literal(user_id, Integer),
        cast(bindparam("p_reason"), Text),
        literal(now, UtcDateTime),
    ).where(still_at_origin)
    columns = ["contact_id", "from_stage", "to_stage", "transition", "actor", "user_id"]
    connection.execute(
        stage_transitions.insert().from_select([*columns, "reason", "occurred_at"], moves),
        parameters,
    )
    result = connection.execute(
        update(contacts)
        .where(still_at_origin)
        .values(lifecycle_stage=bindparam("p_to"), stage_changed_at=now),
        parameters,
    )
    return int(result.rowcount)


def stage_history(connection: Connection, contact_id: int) -> list[StageRecord]:
    """The contact's moves, oldest first."""
    t = stage_transitions.c
    rows = connection.execute(
        select(t.from_stage, t.to_stage, t.transition, t.actor, t.user_id, t.reason, t.occurred_at)
        .where(t.contact_id == contact_id)
        .order_by(t.occurred_at, t.id)
    )
    return [StageRecord(*row) for row in rows]


def insert_qualification(
    connection: Connection,
    contact_id: int,
    bant: Bant,
    *,
    user_id: int | None,
    now: datetime,
    opportunity_id: int | None = None,
) -> int:
    result = connection.execute(
        qualifications.insert()
        .values(
            contact_id=contact_id,
            opportunity_id=opportunity_id,
            budget=bant.budget,
            budget_amount=bant.budget_amount,
            authority=bant.authority,
            need=bant.need,
            timeline=bant.timeline,
            current_supplier=bant.current_supplier,
            contract_end=bant.contract_end,
            satisfaction=bant.satisfaction,
            recorded_by=user_id,
            recorded_at=now,
        )
        .returning(qualifications.c.id)
    )
    return int(result.scalar_one())


def bant_of(row: Row[Any]) -> Bant:
    return Bant(
        budget=row.budget,
        budget_amount=row.budget_amount,
        authority=row.authority,
        need=row.need,
        timeline=row.timeline,
        current_supplier=row.current_supplier,
        contract_end=row.contract_end,
        satisfaction=row.satisfaction,
    )


def latest_qualification(connection: Connection, contact_id: int) -> Bant | None:
    """The contact's most recently recorded qualification."""
    row = connection.execute(
        select(qualifications)
        .where(qualifications.c.contact_id == contact_id)
        .order_by(qualifications.c.id.desc())
        .limit(1)
    ).first()
    return bant_of(row) if row is not None else None


def latest_qualifications(*where: ColumnElement[bool]) -> Subquery:
    """The latest qualification record of each contact (optionally of some contacts only)."""
    latest = (
        select(func.max(qualifications.c.id).label("id"))
        .where(*where)
        .group_by(qualifications.c.contact_id)
        .scalar_subquery()
    )
    return select(qualifications).where(qualifications.c.id.in_(latest)).subquery("latest")


def _given(text: ColumnElement[Any]) -> ColumnElement[bool]:
    return func.coalesce(func.trim(text), "") != ""


def bant_complete_subquery(*where: ColumnElement[bool]) -> Subquery:
    """Ids (``contact_id``) of the contacts whose latest qualification is complete."""
    latest = latest_qualifications(*where)
    complete = and_(
        or_(_given(latest.c.budget), latest.c.budget_amount.is_not(None)),
        _given(latest.c.authority),
        _given(latest.c.need),
        latest.c.timeline.is_not(None),
    )
    return select(latest.c.contact_id).where(complete).subquery("bant_complete")


def bant_complete_among(connection: Connection, contact_ids: Iterable[int]) -> set[int]:
    wanted = sorted(set(contact_ids))
    found: set[int] = set()
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start : start + IN_CHUNK]
        complete = bant_complete_subquery(qualifications.c.contact_id.in_(chunk))
        found.update(connection.execute(select(complete.c.contact_id)).scalars())
    return found
