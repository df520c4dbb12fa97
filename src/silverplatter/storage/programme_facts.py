"""Statements that read what programme steps need to know about a batch of contacts.

Three look-ups by key read every contact's stage, owner, buying window,
score and grade; one statement per distinct event condition counts their
events in its window (through the index on the contact and time).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from silverplatter.storage.capture_schema import suppressions
from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.lifecycle_schema import buying_windows
from silverplatter.storage.rows import one_of
from silverplatter.storage.schema import accounts, contacts, events


@dataclass(frozen=True, slots=True)
class ContactRow:
    id: int
    email: str
    email_key: str
    lifecycle_stage: str
    #: The contact's owner, else the account's.
    owner_id: int | None
    opens_on: date | None
    closes_on: date | None
    score: float | None
    grade_level: int | None


def contact_rows(connection: Connection, contact_ids: Sequence[int]) -> dict[int, ContactRow]:
    """Each contact's address, stage, owner (else the account's), window, score and grade.

    Three look-ups by key (contacts, their scores, their accounts with their
    windows) rather than one join: PostgreSQL would hash-join a whole scores
    table for a thousand contacts.
    """
    if not contact_ids:
        return {}
    c, a, w, s = contacts.c, accounts.c, buying_windows.c, contact_scores.c
    wanted = {"keys": sorted(set(contact_ids))}
    people = list(
        connection.execute(
            select(c.id, c.email, c.email_key, c.lifecycle_stage, c.owner_id, c.account_id).where(
                one_of(connection, c.id)
            ),
            wanted,
        )
    )
    scores = {
        int(row.contact_id): row
        for row in connection.execute(
            select(s.contact_id, s.score, s.grade_level).where(one_of(connection, s.contact_id)),
            wanted,
        )
    }
    account_ids = sorted({int(row.account_id) for row in people if row.account_id is not None})
    places: dict[int, Any] = {}
    if account_ids:
        query = (
            select(a.id, a.owner_id, w.opens_on, w.closes_on)
            .outerjoin(buying_windows, w.account_id == a.id)
            .where(one_of(connection, a.id))
        )
        places = {int(row.id): row for row in connection.execute(query, {"keys": account_ids})}
    found = {}
    for row in people:
        place = places.get(row.account_id) if row.account_id is not None else None
        scored = scores.get(int(row.id))
        found[int(row.id)] = ContactRow(
            id=int(row.id),
            email=row.email,
            email_key=row.email_key,
            lifecycle_stage=row.lifecycle_stage,
            owner_id=row.owner_id
            if row.owner_id is not None
            else (place.owner_id if place else None),
            opens_on=place.opens_on if place else None,
            closes_on=place.closes_on if place else None,
            score=scored.score if scored else None,
            grade_level=scored.grade_level if scored else None,
        )
    return found


def event_counts(
    connection: Connection,
    contact_ids: Sequence[int],
    types: Sequence[str],
    *,
    within_days: int,
    now: datetime,
) -> dict[int, int]:
    """How many events of ``types`` each contact had in ``(now - within_days, now]``."""
    if not contact_ids:
        return {}
    v = events.c
    query = (
        select(v.contact_id, func.count())
        .where(
            one_of(connection, v.contact_id),
            v.type.in_(list(types)),
            v.occurred_at > now - timedelta(days=within_days),
            v.occurred_at <= now,
        )
        .group_by(v.contact_id)
    )
    rows = connection.execute(query, {"keys": sorted(set(contact_ids))})
    return {int(contact_id): int(count) for contact_id, count in rows}


def suppression_reasons(connection: Connection, digests: Sequence[str]) -> dict[str, str]:
    """The suppression list's reason for each listed digest among ``digests``."""
    if not digests:
        return {}
    s = suppressions.c
    query = select(s.address_hash, s.reason).where(one_of(connection, s.address_hash))
    rows = connection.execute(query, {"keys": sorted(set(digests))})
    return {str(digest): str(reason) for digest, reason in rows}


__all__ = ["ContactRow", "contact_rows", "event_counts", "suppression_reasons"]
