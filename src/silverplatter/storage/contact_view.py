"""Read statements for the contact page: the header, who may see it, events, consent, handover."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Result, Row, and_, or_, select

from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.handover_schema import handovers
from silverplatter.storage.schema import accounts, consent_records, contacts, events, users
from silverplatter.storage.visibility import contact_visible

_contact_owner = users.alias("contact_owner")
_account_owner = users.alias("account_owner")


def contact_header(connection: Connection, contact_id: int) -> Row[Any] | None:
    """The contact with its account, both owners' names and its stored grade and score."""
    c, a = contacts.c, accounts.c
    query = (
        select(
            c.id,
            c.email,
            c.first_name,
            c.last_name,
            c.title,
            c.seniority,
            c.department,
            c.decision_role,
            c.country,
            c.lifecycle_stage,
            c.stage_changed_at,
            c.owner_id,
            _contact_owner.c.name.label("owner_name"),
            a.id.label("account_id"),
            a.name.label("account_name"),
            a.value_tier.label("account_tier"),
            a.owner_id.label("account_owner_id"),
            _account_owner.c.name.label("account_owner_name"),
            contact_scores.c.evaluated_at.label("scored_at"),
        )
        .select_from(
            contacts.outerjoin(accounts, a.id == c.account_id)
            .outerjoin(_contact_owner, _contact_owner.c.id == c.owner_id)
            .outerjoin(_account_owner, _account_owner.c.id == a.owner_id)
            .outerjoin(contact_scores, contact_scores.c.contact_id == c.id)
        )
        .where(c.id == contact_id)
    )
    found: Result[Any] = connection.execute(query)
    return found.first()


def owned_by(connection: Connection, contact_id: int, user_id: int) -> bool:
    """Whether the contact is this salesperson's (``storage/visibility.py``)."""
    return contact_visible(connection, contact_id, user_id)


def event_time(connection: Connection, contact_id: int, event_id: int) -> datetime | None:
    """When the contact's event ``event_id`` happened; ``None`` if it is not the contact's."""
    found: datetime | None = connection.execute(
        select(events.c.occurred_at).where(
            events.c.id == event_id, events.c.contact_id == contact_id
        )
    ).scalar_one_or_none()
    return found


def events_page(
    connection: Connection,
    contact_id: int,
    *,
    before: tuple[datetime, int] | None,
    limit: int,
) -> list[Row[Any]]:
    """The contact's events newest first, those older than ``before`` (time, id) only."""
    e = events.c
    query = (
        select(e.id, e.type, e.occurred_at, e.channel, e.traffic, e.properties)
        .where(e.contact_id == contact_id)
        .order_by(e.occurred_at.desc(), e.id.desc())
        .limit(limit)
    )
    if before is not None:
        moment, event_id = before
        query = query.where(
            or_(e.occurred_at < moment, and_(e.occurred_at == moment, e.id < event_id))
        )
    return list(connection.execute(query))


def consent_history(connection: Connection, contact_id: int) -> list[Row[Any]]:
    """Every consent given, confirmed or withdrawn by the contact, oldest first."""
    r = consent_records.c
    query = (
        select(r.channel, r.action, r.wording, r.wording_version, r.source, r.occurred_at)
        .where(r.contact_id == contact_id)
        .order_by(r.occurred_at, r.id)
    )
    return list(connection.execute(query))


def open_handover(connection: Connection, contact_id: int) -> Row[Any] | None:
    """The contact's open handover to sales with its owner's name, if one is open."""
    h = handovers.c
    query = (
        select(
            h.assignment,
            h.tier,
            h.handed_over_at,
            h.due_at,
            h.alerted_at,
            users.c.name.label("owner_name"),
        )
        .select_from(handovers.outerjoin(users, users.c.id == h.owner_id))
        .where(h.contact_id == contact_id, h.acted_at.is_(None))
    )
    found: Result[Any] = connection.execute(query)
    return found.first()


def user_names(connection: Connection, user_ids: Iterable[int | None]) -> dict[int, str]:
    wanted = sorted({user_id for user_id in user_ids if user_id is not None})
    if not wanted:
        return {}
    rows = connection.execute(select(users.c.id, users.c.name).where(users.c.id.in_(wanted)))
    return {row.id: row.name for row in rows}


__all__ = [
    "consent_history",
    "contact_header",
    "event_time",
    "events_page",
    "open_handover",
    "owned_by",
    "user_names",
]
