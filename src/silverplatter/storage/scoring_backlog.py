"""Statements for the scoring backlog: queue appended events, take the oldest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, literal, select, text

from silverplatter.storage.engagement_schema import scoring_backlog
from silverplatter.storage.rows import one_of
from silverplatter.storage.schema import events

#: Any constant: the PostgreSQL advisory lock that lets one scorer work at a time.
SCORER_LOCK = 0x5C0BE


def queue_keys(connection: Connection, key_hashes: Sequence[int], now: datetime) -> None:
    """Queue the events with these key digests (just appended) for scoring."""
    if not key_hashes:
        return
    chosen = select(events.c.id, literal(now, scoring_backlog.c.queued_at.type)).where(
        one_of(connection, events.c.key_hash)
    )
    connection.execute(
        scoring_backlog.insert().from_select(["event_id", "queued_at"], chosen),
        {"keys": sorted(set(key_hashes))},
    )


def try_scorer_lock(connection: Connection) -> bool:
    """Take the scorer's lock for this transaction; SQLite's writes are serial anyway."""
    if connection.dialect.name != "postgresql":
        return True
    taken = connection.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": SCORER_LOCK})
    return bool(taken.scalar_one())


def oldest(connection: Connection, limit: int) -> list[Row[Any]]:
    """The oldest queued events, whole rows, in the order they were appended."""
    chosen = (
        select(events)
        .join(scoring_backlog, scoring_backlog.c.event_id == events.c.id)
        .order_by(scoring_backlog.c.event_id)
        .limit(limit)
    )
    return list(connection.execute(chosen))


def remove(connection: Connection, event_ids: Sequence[int]) -> None:
    if event_ids:
        connection.execute(
            delete(scoring_backlog).where(one_of(connection, scoring_backlog.c.event_id)),
            {"keys": list(event_ids)},
        )


def size(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(scoring_backlog)).scalar_one())
