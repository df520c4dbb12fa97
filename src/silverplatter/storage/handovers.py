"""Statements for handovers: open ones, new SQLs to hand over, the rotation, quasi-leads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Insert, Row, and_, bindparam, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from silverplatter.domain.handover import AccountOwner
from silverplatter.storage.handover_schema import handover_rotation, handovers
from silverplatter.storage.rows import IN_CHUNK
from silverplatter.storage.schema import accounts, contacts, users

#: The outcome a handover gets when its contact left SQL by another path, by the new stage.
OUTCOME_BY_STAGE = {
    "sal": "accepted",
    "opportunity": "opportunity",
    "customer": "opportunity",
    "recycled": "recycled",
    "disqualified": "disqualified",
}
WITHDRAWN = "withdrawn"

h = handovers.c
is_open = h.acted_at.is_(None)


@dataclass(frozen=True, slots=True)
class NewSql:
    """A contact at stage SQL without an open handover, with what assignment needs."""

    contact_id: int
    account_id: int | None
    contact_owner_id: int | None
    tier: str
    account_owner: AccountOwner | None


def sqls_without_open_handover(connection: Connection) -> list[NewSql]:
    """Every contact at stage SQL that has no open handover, by contact id."""
    owner = users.alias("account_owner")
    rows = connection.execute(
        select(
            contacts.c.id,
            contacts.c.account_id,
            contacts.c.owner_id,
            func.coalesce(accounts.c.value_tier, "unclassified").label("tier"),
            owner.c.id.label("account_owner_id"),
            owner.c.role,
            owner.c.active,
        )
        .select_from(
            contacts.outerjoin(accounts, accounts.c.id == contacts.c.account_id).outerjoin(
                owner, owner.c.id == accounts.c.owner_id
            )
        )
        .where(
            contacts.c.lifecycle_stage == "sql",
            ~exists().where(h.contact_id == contacts.c.id, is_open),
        )
        .order_by(contacts.c.id)
    )
    return [
        NewSql(
            row.id,
            row.account_id,
            row.owner_id,
            row.tier,
            AccountOwner(row.account_owner_id, row.role, bool(row.active))
            if row.account_owner_id is not None
            else None,
        )
        for row in rows
    ]


def close_departed(connection: Connection, *, now: datetime) -> int:
    """Close the open handovers whose contact has left SQL; return how many.

    The outcome follows the contact's new stage (``withdrawn`` when it went
    back to marketing); the handover counts as acted on when the stage changed.
    """
    rows = connection.execute(
        select(h.id, contacts.c.lifecycle_stage, contacts.c.stage_changed_at)
        .join(contacts, contacts.c.id == h.contact_id)
        .where(is_open, contacts.c.lifecycle_stage != "sql")
    ).all()
    if not rows:
        return 0
    connection.execute(
        update(handovers)
        .where(h.id == bindparam("p_id"), is_open)
        .values(acted_at=bindparam("p_at"), outcome=bindparam("p_outcome")),
        [
            {
                "p_id": row.id,
                "p_at": row.stage_changed_at or now,
                "p_outcome": OUTCOME_BY_STAGE.get(row.lifecycle_stage, WITHDRAWN),
            }
            for row in rows
        ],
    )
    return len(rows)


def active_sales_ids(connection: Connection) -> list[int]:
    """The ids of the active users with the role ``sales``, ascending."""
    query = select(users.c.id).where(users.c.role == "sales", users.c.active.is_(True))
    return list(connection.execute(query.order_by(users.c.id)).scalars())


def rotation(connection: Connection) -> dict[str, int]:
    """Per tier, the user the round-robin assigned last."""
    rows = connection.execute(select(handover_rotation.c.tier, handover_rotation.c.last_user_id))
    return {row.tier: row.last_user_id for row in rows}


def _upsert(connection: Connection) -> Insert:
    if connection.dialect.name == "postgresql":
        return postgresql.insert(handover_rotation)
    return sqlite.insert(handover_rotation)


def save_rotation(connection: Connection, last: Mapping[str, int], *, now: datetime) -> None:
    if not last:
        return
    statement: Any = _upsert(connection)
    statement = statement.on_conflict_do_update(
        index_elements=[handover_rotation.c.tier],
        set_={
            "last_user_id": statement.excluded.last_user_id,
            "updated_at": statement.excluded.updated_at,
        },
    )
    connection.execute(
        statement,
        [
            {"tier": tier, "last_user_id": user_id, "updated_at": now}
            for tier, user_id in sorted(last.items())
        ],
    )


def insert_handovers(connection: Connection, values: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert the handovers in one statement; return their ids in the given order."""
    if not values:
        return []
    result = connection.execute(
        handovers.insert().returning(h.id, sort_by_parameter_order=True), list(values)
    )
    return [int(row.id) for row in result]


def give_owners(connection: Connection, owners: Mapping[int, int], *, now: datetime) -> None:
    """Set each contact's owner, where it has none yet (contact id → user id)."""
    if not owners:
        return
    connection.execute(
        update(contacts)
        .where(contacts.c.id == bindparam("p_contact"), contacts.c.owner_id.is_(None))
        .values(owner_id=bindparam("p_owner"), updated_at=now),
        [{"p_contact": cid, "p_owner": uid} for cid, uid in sorted(owners.items())],
    )


def close_open(
    connection: Connection, contact_id: int, outcome: str, *, user_id: int | None, now: datetime
) -> int | None:
    """Close the contact's open handover with ``outcome``; its id, or ``None`` if none was open."""
    closed = connection.execute(
        update(handovers)
        .where(h.contact_id == contact_id, is_open)
        .values(acted_at=now, acted_by=user_id, outcome=outcome)
        .returning(h.id)
    ).scalar_one_or_none()
    return None if closed is None else int(closed)


def overdue(
    connection: Connection, *, now: datetime, unalerted_only: bool = False
) -> list[Row[Any]]:
    """Open handovers past due whose contact is still at SQL, most overdue first."""
    owner = users.alias("owner")
    query = (
        select(
            h.id,
            h.contact_id,
            contacts.c.email,
            contacts.c.first_name,
            contacts.c.last_name,
            h.account_id,
            accounts.c.name.label("account_name"),
            h.tier,
            h.owner_id,
            owner.c.name.label("owner_name"),
            owner.c.email.label("owner_email"),
            h.handed_over_at,
            h.due_at,
            h.alerted_at,
        )
        .select_from(
            handovers.join(contacts, contacts.c.id == h.contact_id)
            .outerjoin(accounts, accounts.c.id == h.account_id)
            .outerjoin(owner, owner.c.id == h.owner_id)
        )
        .where(and_(is_open, h.due_at < now, contacts.c.lifecycle_stage == "sql"))
        .order_by(h.due_at, h.id)
    )
    if unalerted_only:
        query = query.where(h.alerted_at.is_(None))
    return list(connection.execute(query))


def active_admins(connection: Connection) -> list[Row[Any]]:
    """The active admin users (id, name, email), by id."""
    query = select(users.c.id, users.c.name, users.c.email).where(
        users.c.role == "admin", users.c.active.is_(True)
    )
    return list(connection.execute(query.order_by(users.c.id)))


def mark_alerted(
    connection: Connection, ids: Sequence[int], *, alert_to: int | None, now: datetime
) -> None:
    for start in range(0, len(ids), IN_CHUNK):
        connection.execute(
            update(handovers)
            .where(h.id.in_(list(ids[start : start + IN_CHUNK])), h.alerted_at.is_(None))
            .values(alerted_at=now, alert_to=alert_to)
        )


__all__ = [
    "NewSql",
    "active_admins",
    "active_sales_ids",
    "close_departed",
    "close_open",
    "give_owners",
    "insert_handovers",
    "mark_alerted",
    "overdue",
    "rotation",
    "save_rotation",
    "sqls_without_open_handover",
]
