"""Statements for web visitors: sightings, identification, and stitching their events.

A visitor is the anonymous id the tracking snippet keeps in a first-party
cookie.  ``seen`` records when each visitor was first and last seen (one
statement for a batch); ``identify`` ties a visitor to the contact they
turned out to be; ``attach_events`` hands a visitor's anonymous events to
that contact in one UPDATE.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, case, func, literal, select, update

from silverplatter.storage.capture_schema import visitors
from silverplatter.storage.engagement_schema import scoring_backlog
from silverplatter.storage.rows import one_of, rows_by
from silverplatter.storage.schema import contacts, events


def _upsert(connection: Connection) -> Any:
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(visitors)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(visitors)


def _later(connection: Connection, a: Any, b: Any) -> ColumnElement[Any]:
    name = "greatest" if connection.dialect.name == "postgresql" else "max"
    return getattr(func, name)(a, b)  # type: ignore[no-any-return]


_SEEN = {
    "sqlite": (
        "INSERT INTO visitors (id, first_seen_at, last_seen_at) VALUES (?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET "
        "first_seen_at = min(visitors.first_seen_at, excluded.first_seen_at), "
        "last_seen_at = max(visitors.last_seen_at, excluded.last_seen_at)"
    ),
    "postgresql": (
        "INSERT INTO visitors (id, first_seen_at, last_seen_at) "
        "SELECT * FROM unnest(%s::text[], %s::timestamptz[], %s::timestamptz[]) "
        "ON CONFLICT (id) DO UPDATE SET "
        "first_seen_at = least(visitors.first_seen_at, excluded.first_seen_at), "
        "last_seen_at = greatest(visitors.last_seen_at, excluded.last_seen_at)"
    ),
}


def seen(connection: Connection, sightings: Iterable[tuple[str, datetime]]) -> None:
    """Record sightings ``(visitor_id, at)``: create new visitors, widen first/last seen.

    One statement for the batch, sent to the driver as it is (the tracking
    endpoint's hot path, like the event append): on SQLite an executemany,
    on PostgreSQL one insert of arrays.
    """
    spans: dict[str, tuple[datetime, datetime]] = {}
    for visitor_id, at in sightings:
        first, last = spans.get(visitor_id, (at, at))
        spans[visitor_id] = (min(first, at), max(last, at))
    if not spans:
        return
    dialect = connection.dialect
    kind = visitors.c.first_seen_at.type.dialect_impl(dialect)
    as_time: Callable[[Any], Any] = kind.bind_processor(dialect) or _as_is
    # In id order, so two writers upserting overlapping batches cannot deadlock.
    rows = [
        (visitor_id, as_time(first), as_time(last))
        for visitor_id, (first, last) in sorted(spans.items())
    ]
    if dialect.name == "postgresql":
        columns = tuple(list(column) for column in zip(*rows, strict=True))
        connection.exec_driver_sql(_SEEN["postgresql"], columns)
    else:
        connection.exec_driver_sql(_SEEN["sqlite"], rows)


def _as_is(value: Any) -> Any:
    return value


def identify(connection: Connection, visitor_id: str, contact_id: int, now: datetime) -> None:
    """The visitor is this contact from now on (the latest identification wins).

    ``identified_at`` is kept when the visitor was already this contact.
    """
    statement = _upsert(connection).values(
        id=visitor_id,
        contact_id=contact_id,
        first_seen_at=now,
        last_seen_at=now,
        identified_at=now,
    )
    statement = statement.on_conflict_do_update(
        index_elements=[visitors.c.id],
        set_={
            "contact_id": statement.excluded.contact_id,
            "identified_at": case(
                (visitors.c.contact_id == statement.excluded.contact_id, visitors.c.identified_at),
                else_=statement.excluded.identified_at,
            ),
            "last_seen_at": _later(
                connection, visitors.c.last_seen_at, statement.excluded.last_seen_at
            ),
        },
    )
    connection.execute(statement)


def contacts_of(connection: Connection, visitor_ids: Iterable[str]) -> dict[str, int]:
    """The contact of each of these visitors that has been identified."""
    found = rows_by(connection, visitors, visitors.c.id, visitor_ids, [visitors.c.contact_id])
    return {key: row.contact_id for key, row in found.items() if row.contact_id is not None}


def account_of(connection: Connection, contact_id: int) -> tuple[bool, int | None]:
    """Whether the contact exists, and its account."""
    row = connection.execute(
        select(contacts.c.account_id).where(contacts.c.id == contact_id)
    ).first()
    return (row is not None, row.account_id if row is not None else None)


def attach_events(
    connection: Connection, visitor_id: str, contact_id: int, account_id: int | None
) -> list[int]:
    """Give the visitor's anonymous events to the contact (one UPDATE); their ids."""
    statement = (
        update(events)
        .where(events.c.visitor_id == visitor_id, events.c.contact_id.is_(None))
        .values(contact_id=contact_id, account_id=account_id)
        .returning(events.c.id)
    )
    return [int(event_id) for event_id in connection.execute(statement).scalars()]


def queue_for_scoring(connection: Connection, event_ids: Sequence[int], now: datetime) -> None:
    """Queue these events for the scorer, skipping any already waiting."""
    if not event_ids:
        return
    waiting = select(scoring_backlog.c.event_id).where(scoring_backlog.c.event_id == events.c.id)
    chosen = select(events.c.id, literal(now, scoring_backlog.c.queued_at.type)).where(
        one_of(connection, events.c.id), ~waiting.exists()
    )
    connection.execute(
        scoring_backlog.insert().from_select(["event_id", "queued_at"], chosen),
        {"keys": sorted(event_ids)},
    )
