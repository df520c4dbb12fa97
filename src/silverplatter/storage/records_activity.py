"""Statements for opportunities and meetings as the API lists them, and for recording meetings.

Both lists are newest first, keyset-paginated on the id; a salesperson sees
the ones they own and those at accounts they own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, Table, or_, select

from silverplatter.domain.record_filters import Cursor
from silverplatter.storage.keyset_pages import Page, SortKey, run_page
from silverplatter.storage.rows import IN_CHUNK
from silverplatter.storage.schema import (
    accounts,
    contacts,
    meeting_attendees,
    meetings,
    opportunities,
    users,
)

o, m, at = opportunities.c, meetings.c, meeting_attendees.c
owner = users.alias("owner")


def _opportunities(owned_by: int | None) -> Select[Any]:
    query = select(
        o.id,
        o.external_id,
        o.name,
        o.amount,
        o.currency,
        o.stage,
        o.status,
        o.lost_reason,
        o.created_at,
        o.closed_at,
        o.updated_at,
        o.account_id,
        accounts.c.name.label("account_name"),
        o.contact_id,
        contacts.c.email.label("contact_email"),
        o.owner_id,
        owner.c.name.label("owner_name"),
        owner.c.email.label("owner_email"),
    ).select_from(
        opportunities.join(accounts, accounts.c.id == o.account_id)
        .outerjoin(contacts, contacts.c.id == o.contact_id)
        .outerjoin(owner, owner.c.id == o.owner_id)
    )
    if owned_by is not None:
        query = query.where(or_(o.owner_id == owned_by, accounts.c.owner_id == owned_by))
    return query


def opportunity_page(
    connection: Connection,
    *,
    account_id: int | None,
    status: str | None,
    cursor: Cursor | None,
    limit: int,
    owned_by: int | None,
) -> Page:
    """Deals newest first, optionally of one account or in one status."""
    query = _opportunities(owned_by)
    if account_id is not None:
        query = query.where(o.account_id == account_id)
    if status is not None:
        query = query.where(o.status == status)
    sort = SortKey((o.id,), (int,))
    return run_page(
        connection, query, sort, sort_name="id", cursor=cursor, descending=True, limit=limit
    )


def opportunities_by_id(connection: Connection, ids: Sequence[int]) -> list[Row[Any]]:
    wanted = [i for i in ids if i is not None]
    rows = {row.id: row for row in connection.execute(_opportunities(None).where(o.id.in_(wanted)))}
    return [rows[i] for i in wanted if i in rows]


def _meetings(owned_by: int | None) -> Select[Any]:
    query = select(
        m.id,
        m.occurred_at,
        m.subject,
        m.notes,
        m.created_at,
        m.account_id,
        accounts.c.name.label("account_name"),
        m.owner_id,
        owner.c.name.label("owner_name"),
        owner.c.email.label("owner_email"),
    ).select_from(
        meetings.outerjoin(accounts, accounts.c.id == m.account_id).outerjoin(
            owner, owner.c.id == m.owner_id
        )
    )
    if owned_by is not None:
        query = query.where(or_(m.owner_id == owned_by, accounts.c.owner_id == owned_by))
    return query


def meeting_page(
    connection: Connection,
    *,
    account_id: int | None,
    cursor: Cursor | None,
    limit: int,
    owned_by: int | None,
) -> Page:
    """Meetings newest recorded first, optionally of one account."""
    query = _meetings(owned_by)
    if account_id is not None:
        query = query.where(m.account_id == account_id)
    sort = SortKey((m.id,), (int,))
    return run_page(
        connection, query, sort, sort_name="id", cursor=cursor, descending=True, limit=limit
    )


def meeting_by_id(connection: Connection, meeting_id: int) -> Row[Any] | None:
    return connection.execute(_meetings(None).where(m.id == meeting_id)).first()


def attendees_of(connection: Connection, meeting_ids: Iterable[int]) -> dict[int, list[Row[Any]]]:
    """Each meeting's attendees, in the order they were recorded."""
    wanted = sorted(set(meeting_ids))
    found: dict[int, list[Row[Any]]] = defaultdict(list)
    query = (
        select(
            at.meeting_id,
            at.contact_id,
            contacts.c.email.label("contact_email"),
            at.user_id,
            users.c.name.label("user_name"),
            at.name,
        )
        .select_from(
            meeting_attendees.outerjoin(contacts, contacts.c.id == at.contact_id).outerjoin(
                users, users.c.id == at.user_id
            )
        )
        .order_by(at.meeting_id, at.id)
    )
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start : start + IN_CHUNK]
        for row in connection.execute(query.where(at.meeting_id.in_(chunk))):
            found[row.meeting_id].append(row)  # type: ignore[arg-type]
    return found


def insert_meeting(
    connection: Connection,
    *,
    account_id: int | None,
    owner_id: int | None,
    occurred_at: datetime,
    subject: str | None,
    notes: str | None,
    attendees: Sequence[dict[str, Any]],
    now: datetime,
) -> int:
    """Store a meeting and its attendees (``contact_id``, ``user_id``, ``name`` each)."""
    meeting_id = connection.execute(
        meetings.insert()
        .values(
            account_id=account_id,
            owner_id=owner_id,
            occurred_at=occurred_at,
            subject=subject,
            notes=notes,
            bant={},
            created_at=now,
        )
        .returning(m.id)
    ).scalar_one()
    if attendees:
        connection.execute(
            meeting_attendees.insert(),
            [
                {
                    "meeting_id": meeting_id,
                    "contact_id": person.get("contact_id"),
                    "user_id": person.get("user_id"),
                    "name": person.get("name"),
                }
                for person in attendees
            ],
        )
    return int(meeting_id)


def ids_by_key(
    connection: Connection, table: Table, key: str, values: Iterable[Any]
) -> dict[Any, int]:
    """``{value: id}`` for the rows of ``table`` whose ``key`` column is one of ``values``."""
    wanted = sorted({value for value in values if value is not None}, key=str)
    column = table.c[key]
    found: dict[Any, int] = {}
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start : start + IN_CHUNK]
        for row in connection.execute(select(column, table.c.id).where(column.in_(chunk))):
            found[row[0]] = int(row[1])
    return found
