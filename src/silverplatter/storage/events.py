"""Statements for the append-only event log.

Appending is the hottest write path of the product, so it bypasses the ORM's
per-row parameter processing: values are converted once per row here and the
statement (parameterised, never string-built) goes to the driver's
executemany.  Uniqueness of the idempotency key is enforced on its 64-bit
digest ``key_hash``: an index over a small integer keeps appends fast where
one over long random strings does not (docs/benchmarks.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from silverplatter.storage.rows import one_of
from silverplatter.storage.schema import events


@dataclass(frozen=True, slots=True)
class NewEvent:
    """One row for the log, already validated and tied to its subjects."""

    idempotency_key: str
    type: str
    occurred_at: datetime
    contact_id: int | None
    visitor_id: str | None
    account_id: int | None
    channel: str | None
    traffic: str | None
    properties: dict[str, Any]
    received_at: datetime


def key_hash(idempotency_key: str) -> int:
    """The signed 64-bit digest under which a key is unique.

    Two different keys share a digest with probability about n²/2⁶⁵ (one in
    370,000 after ten million events); such an event would be reported as a
    duplicate, never silently dropped.
    """
    digest = hashlib.blake2b(idempotency_key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def existing_hashes(connection: Connection, hashes: Iterable[int]) -> set[int]:
    """Which of these key digests are already in the log."""
    wanted = sorted(set(hashes))
    if not wanted:
        return set()
    statement = select(events.c.key_hash).where(one_of(connection, events.c.key_hash))
    return set(connection.execute(statement, {"keys": wanted}).scalars())


_APPEND = {
    "sqlite": (
        "INSERT INTO events (key_hash, idempotency_key, type, occurred_at, contact_id, "
        "visitor_id, account_id, channel, traffic, properties, received_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key_hash) DO NOTHING"
    ),
    # One statement per batch: each column travels as one array parameter.
    "postgresql": (
        "INSERT INTO events (key_hash, idempotency_key, type, occurred_at, contact_id, "
        "visitor_id, account_id, channel, traffic, properties, received_at) "
        "SELECT * FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::timestamptz[], "
        "%s::int[], %s::text[], %s::int[], %s::text[], %s::text[], %s::jsonb[], "
        "%s::timestamptz[]) ON CONFLICT (key_hash) DO NOTHING RETURNING key_hash"
    ),
}


def _as_is(value: Any) -> Any:
    return value


def append(connection: Connection, rows: Sequence[NewEvent]) -> list[NewEvent]:
    """Append the events whose keys are new; return those that were appended.

    Rows must have distinct keys.  On PostgreSQL the insert itself reports
    which keys were new (no look-up first: the planner's statistics lag
    behind a table that grows by the batch).  SQLite, whose writes are
    serialised, looks the keys up first and inserts the rest.
    """
    if not rows:
        return []
    dialect = connection.dialect
    # The full chain (the UTC check and the dialect's own formatting), so SQLite gets the
    # same text as SQLAlchemy writes elsewhere: times compare correctly as text.
    kind = events.c.occurred_at.type.dialect_impl(dialect)
    as_time: Callable[[Any], Any] = kind.bind_processor(dialect) or _as_is
    dumps = json.dumps
    stamped = {moment: as_time(moment) for moment in {row.received_at for row in rows}}
    parameters = [
        (
            key_hash(row.idempotency_key),
            row.idempotency_key,
            row.type,
            as_time(row.occurred_at),
            row.contact_id,
            row.visitor_id,
            row.account_id,
            row.channel,
            row.traffic,
            dumps(row.properties, separators=(",", ":"), default=str),
            stamped[row.received_at],
        )
        for row in rows
    ]
    if dialect.name == "postgresql":
        columns = tuple(list(column) for column in zip(*parameters, strict=True))
        new = {row[0] for row in connection.exec_driver_sql(_APPEND["postgresql"], columns)}
        return [row for row, values in zip(rows, parameters, strict=True) if values[0] in new]
    stored = existing_hashes(connection, (values[0] for values in parameters))
    fresh = [
        (row, values)
        for row, values in zip(rows, parameters, strict=True)
        if values[0] not in stored
    ]
    if fresh:
        connection.exec_driver_sql(_APPEND["sqlite"], [values for _row, values in fresh])
    return [row for row, _values in fresh]
