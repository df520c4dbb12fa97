"""Statements for the scoring backlog: queue appended events, take the oldest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Row,
    bindparam,
    cast,
    delete,
    func,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import OperationalError

from silverplatter.storage import writer_locks
from silverplatter.storage.contention import is_contention
from silverplatter.storage.engagement_schema import scoring_backlog
from silverplatter.storage.rows import one_of
from silverplatter.storage.schema import events

#: Any constant: the PostgreSQL advisory lock that lets one folder of events work at a time.
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


def queue_ids(connection: Connection, event_ids: Sequence[int], now: datetime) -> None:
    """Queue the events with these ids, just appended (PostgreSQL returns their ids).

    The ids travel as one JSON array: psycopg adapts a list parameter element
    by element in Python.
    """
    if event_ids:
        chosen = select(
            cast(func.jsonb_array_elements_text(bindparam("ids", type_=JSONB)), BigInteger),
            literal(now, scoring_backlog.c.queued_at.type),
        )
        connection.execute(
            scoring_backlog.insert().from_select(["event_id", "queued_at"], chosen),
            {"ids": list(event_ids)},
        )


def try_scorer_lock(connection: Connection) -> bool:
    """Take the scorer's lock for this transaction, to fold events; False if another holds it.

    One folder at a time: the backlog scorer and every fold in line read the
    stored state and write it back folded, so two at once would each
    overwrite the other's.  A folder never waits (a fold in line queues its
    events instead).  On SQLite the lock is the database's write lock, taken
    by a write that changes nothing, so that what the folder reads next cannot
    change before it commits; False when the busy timeout passes first.
    """
    try:
        return writer_locks.take(connection, SCORER_LOCK, scoring_backlog, wait=False)
    except OperationalError as error:
        if not is_contention(error):  # SQLite's busy timeout passed: another holds it
            raise
        return False


def keep_scorers_out(connection: Connection) -> None:
    """Keep the scorer and every fold in line out until this transaction ends.

    For the recompute and for model changes, before they read or write
    anything: waits for a folder at work to commit.  On PostgreSQL the
    scorer's advisory lock (folders only ever try it, so no cycle of waits
    forms); on SQLite the write lock.
    """
    writer_locks.take(connection, SCORER_LOCK, scoring_backlog)


def any_queued(connection: Connection) -> bool:
    """Whether any event waits for the scorer (read without taking its lock)."""
    return connection.execute(select(scoring_backlog.c.event_id).limit(1)).first() is not None


def waiting_for_scorer(connection: Connection) -> int:
    """The backlog's length, with PostgreSQL's statistics of it brought up to date.

    The recompute plans its pass over the log by this length and the
    planner's estimate of it; the backlog fills and empties faster than
    autovacuum analyses it.
    """
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("ANALYZE scoring_backlog")
    return size(connection)


def oldest(connection: Connection, limit: int) -> list[Row[Any]]:
    """The oldest queued events, whole rows, in the order they were appended.

    The queued ids are chosen first, in their own statement part with its
    limit, so the events are then read by primary key: the backlog fills and
    empties faster than the planner's statistics follow, and with a join the
    planner could expect an empty backlog and scan the whole event log.
    """
    oldest_ids = (
        select(scoring_backlog.c.event_id)
        .order_by(scoring_backlog.c.event_id)
        .limit(limit)
        .subquery("queued")
    )
    chosen = (
        select(events).join(oldest_ids, oldest_ids.c.event_id == events.c.id).order_by(events.c.id)
    )
    return list(connection.execute(chosen))


def hold_anonymous(
    connection: Connection, event_ids: Sequence[int]
) -> dict[int, tuple[int | None, int | None]]:
    """Lock these events read without a contact; ``(contact, account)`` of each as it is now.

    Stitching may give such an event to a contact while the scorer works on
    it, and skips queuing it again since it is still queued: the scorer would
    then fold it for no one and remove it from the queue.  Locked here
    (``FOR SHARE``), stitching waits for the scorer's commit and then finds it
    unqueued and queues it; stitched just before, it is read here with its
    contact.  On SQLite the scorer holds the write lock: nothing changes.
    """
    if connection.dialect.name != "postgresql" or not event_ids:
        return {}
    statement = (
        select(events.c.id, events.c.contact_id, events.c.account_id)
        .where(one_of(connection, events.c.id))
        .order_by(events.c.id)
        .with_for_update(read=True, of=events)
    )
    found = connection.execute(statement, {"keys": list(event_ids)})
    return {row.id: (row.contact_id, row.account_id) for row in found}


def remove(connection: Connection, event_ids: Sequence[int]) -> None:
    if event_ids:
        connection.execute(
            delete(scoring_backlog).where(one_of(connection, scoring_backlog.c.event_id)),
            {"keys": list(event_ids)},
        )


def size(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(scoring_backlog)).scalar_one())
