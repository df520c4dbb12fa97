"""Statements that read what programme steps need to know about a batch of contacts.

One statement reads every contact's stage, owner, buying window, score and
grade; one statement per distinct event condition counts their events in
its window (through the index on the contact and time).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, Select, func, select

from silverplatter.storage.capture_schema import suppressions
from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.lifecycle_schema import buying_windows
from silverplatter.storage.rows import one_of
from silverplatter.storage.schema import accounts, contacts, events


def contact_rows(connection: Connection, contact_ids: Sequence[int]) -> dict[int, Row[Any]]:
    """Each contact's address, stage, owner (else the account's), window, score and grade."""
    if not contact_ids:
        return {}
    c, a, w, s = contacts.c, accounts.c, buying_windows.c, contact_scores.c
    query: Select[Any] = (
        select(
            c.id,
            c.email,
            c.email_key,
            c.lifecycle_stage,
            func.coalesce(c.owner_id, a.owner_id).label("owner_id"),
            w.opens_on,
            w.closes_on,
            s.score,
            s.grade_level,
        )
        .select_from(contacts)
        .outerjoin(accounts, a.id == c.account_id)
        .outerjoin(buying_windows, w.account_id == c.account_id)
        .outerjoin(contact_scores, s.contact_id == c.id)
        .where(one_of(connection, c.id))
    )
    rows = connection.execute(query, {"keys": sorted(set(contact_ids))})
    return {int(row.id): row for row in rows}


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


__all__ = ["contact_rows", "event_counts", "suppression_reasons"]
