"""Statements that keep each contact's first touch: the channel and time of its
earliest event that has a channel.

Events arrive out of order (history imports, late batches, anonymous visits
stitched to a contact later), so a contact's first touch moves only to an
earlier time; between events of the same moment the one stored first stays.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Connection, and_, bindparam, select, update

from silverplatter.storage.schema import contacts, events

Touch = tuple[int, datetime, str]


def earliest(touches: Iterable[tuple[int | None, datetime, str | None]]) -> list[Touch]:
    """Each contact's earliest touch among these (contact, time, channel) triples.

    Touches without a contact or a channel are left out; of two at the same
    time the first listed wins, as the first stored wins in the log.
    """
    found: dict[int, Touch] = {}
    for contact_id, occurred_at, channel in touches:
        if contact_id is None or not channel:
            continue
        known = found.get(contact_id)
        if known is None or occurred_at < known[1]:
            found[contact_id] = (contact_id, occurred_at, channel)
    return sorted(found.values())


# One statement per batch, whatever its size: the touches travel as one
# parameter (a JSON array on SQLite, three arrays on PostgreSQL) and the
# database walks them in C, where an executemany converted every row in Python.
_MOVE_EARLIER = {
    "sqlite": (
        "UPDATE contacts SET first_touch_channel = touch.channel, first_touch_at = touch.at "
        "FROM (SELECT value ->> 0 AS id, value ->> 1 AS at, value ->> 2 AS channel "
        "FROM json_each(?)) AS touch "
        "WHERE contacts.id = touch.id "
        "AND (contacts.first_touch_at IS NULL OR contacts.first_touch_at > touch.at)"
    ),
    # The rows to move are locked first, in id order: two batches (or a batch and
    # the scorer's stage moves, also in id order) touching the same contacts
    # then queue behind each other instead of deadlocking, as an UPDATE … FROM
    # locks in whatever order its join plan reads.
    "postgresql": (
        "WITH touch AS MATERIALIZED ("
        "SELECT * FROM unnest(%s::int[], %s::timestamptz[], %s::text[]) AS t (id, at, channel)), "
        "locked AS MATERIALIZED ("
        "SELECT contacts.id FROM contacts JOIN touch ON contacts.id = touch.id "
        "WHERE contacts.first_touch_at IS NULL OR contacts.first_touch_at > touch.at "
        "ORDER BY contacts.id FOR NO KEY UPDATE OF contacts) "
        "UPDATE contacts SET first_touch_channel = touch.channel, first_touch_at = touch.at "
        "FROM touch WHERE contacts.id = touch.id AND contacts.id IN (SELECT id FROM locked) "
        "AND (contacts.first_touch_at IS NULL OR contacts.first_touch_at > touch.at)"
    ),
}


def note(connection: Connection, touches: Sequence[Touch]) -> None:
    """Move these contacts' first touches earlier where the new touch is earlier."""
    if not touches:
        return
    dialect = connection.dialect
    if dialect.name == "postgresql":
        columns = tuple(list(column) for column in zip(*touches, strict=True))
        connection.exec_driver_sql(_MOVE_EARLIER["postgresql"], columns)
        return
    # The stored text of a time, as SQLAlchemy writes it: times compare as text.
    kind = contacts.c.first_touch_at.type.dialect_impl(dialect)
    as_time = kind.bind_processor(dialect)
    assert as_time is not None
    listed = [[contact_id, as_time(at), channel] for contact_id, at, channel in touches]
    connection.exec_driver_sql(_MOVE_EARLIER["sqlite"], (json.dumps(listed),))


def _first_event() -> tuple[object, object]:
    candidate = events.alias("candidate")
    c = candidate.c
    first = (
        select(c.id)
        .where(c.contact_id == contacts.c.id, c.channel.is_not(None))
        .order_by(c.occurred_at, c.id)
        .limit(1)
        .correlate(contacts)
        .scalar_subquery()
    )
    e = events.c
    channel = select(e.channel).where(e.id == first).scalar_subquery()
    at = select(e.occurred_at).where(e.id == first).scalar_subquery()
    return channel, at


def refresh(connection: Connection, contact_ids: Sequence[int] | None = None) -> int:
    """Set the first touch from the event log: of these contacts, or of all; how many rows.

    The whole-table form is the backfill (the migration, the demo world);
    stitching uses it for the one contact whose anonymous visits it adopted.
    """
    channel, at = _first_event()
    statement = update(contacts).values(first_touch_channel=channel, first_touch_at=at)
    if contact_ids is not None:
        if not contact_ids:
            return 0
        statement = statement.where(and_(contacts.c.id.in_(bindparam("refreshed", expanding=True))))
        return int(connection.execute(statement, {"refreshed": sorted(set(contact_ids))}).rowcount)
    return int(connection.execute(statement).rowcount)


__all__ = ["Touch", "earliest", "note", "refresh"]
