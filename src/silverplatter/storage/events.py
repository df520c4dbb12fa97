"""Statements for the append-only event log.

Appending is the hottest write path of the product, so it bypasses the ORM's
per-row parameter processing: values are converted once per row here and the
statement (parameterised, never string-built) goes to the driver — on SQLite
as an executemany, on PostgreSQL as one JSON document of the whole batch that
the server unpacks (``jsonb_array_elements``): psycopg adapts a list parameter
element by element in Python, which cost 16 ms for the eleven columns of a
batch of 500 against 1 ms for ``json.dumps`` of the batch (docs/benchmarks.md).
Uniqueness of the idempotency key is enforced on its 64-bit
digest ``key_hash``: an index over a small integer keeps appends fast where
one over long random strings does not (docs/benchmarks.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
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
    # One statement per batch: the rows travel as one JSON array of arrays, each
    # row's values in the column order of the insert (``_append_postgresql``).
    "postgresql": (
        "INSERT INTO events (key_hash, idempotency_key, type, occurred_at, contact_id, "
        "visitor_id, account_id, channel, traffic, properties, received_at) "
        "SELECT (r->>0)::bigint, r->>1, r->>2, (r->>3)::timestamptz, (r->>4)::int, r->>5, "
        "(r->>6)::int, r->>7, r->>8, r->9, (r->>10)::timestamptz "
        "FROM jsonb_array_elements(%(rows)s::jsonb) AS batch(r) "
        "ON CONFLICT (key_hash) DO NOTHING RETURNING id, key_hash"
    ),
}


@dataclass(frozen=True, slots=True)
class Appended:
    """The events whose keys were new, and — where the database says so — their ids."""

    rows: list[NewEvent]
    #: ``ids[i]`` is the id of ``rows[i]``; None where the insert does not return them (SQLite).
    ids: list[int] | None


def _as_is(value: Any) -> Any:
    return value


def append(connection: Connection, rows: Sequence[NewEvent]) -> Appended:
    """Append the events whose keys are new; return those that were appended.

    Rows must have distinct keys.  On PostgreSQL the insert itself reports
    which keys were new and their ids (no look-up first: the planner's
    statistics lag behind a table that grows by the batch).  SQLite, whose
    writes are serialised, looks the keys up first and inserts the rest.
    """
    if not rows:
        return Appended([], [] if connection.dialect.name == "postgresql" else None)
    if connection.dialect.name == "postgresql":
        return _append_postgresql(connection, rows)
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
    stored = existing_hashes(connection, (values[0] for values in parameters))
    fresh = [
        (row, values)
        for row, values in zip(rows, parameters, strict=True)
        if values[0] not in stored
    ]
    if fresh:
        connection.exec_driver_sql(_APPEND["sqlite"], [values for _row, values in fresh])
    return Appended([row for row, _values in fresh], None)


def _utc_text(moment: datetime) -> str:
    """An aware time as ISO text in UTC; a naive one is refused, as by the column's type."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: times must be timezone-aware")
    return moment.astimezone(UTC).isoformat()


def _append_postgresql(connection: Connection, rows: Sequence[NewEvent]) -> Appended:
    hashes = [key_hash(row.idempotency_key) for row in rows]
    document = json.dumps(
        [
            [
                digest,
                row.idempotency_key,
                row.type,
                _utc_text(row.occurred_at),
                row.contact_id,
                row.visitor_id,
                row.account_id,
                row.channel,
                row.traffic,
                row.properties,
                _utc_text(row.received_at),
            ]
            for digest, row in zip(hashes, rows, strict=True)
        ],
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    parameters = {"rows": document}
    new = dict(
        (digest, event_id)
        for event_id, digest in connection.exec_driver_sql(_APPEND["postgresql"], parameters)
    )
    # pop: of two keys sharing a digest (about 1e-14 a batch) only the stored one
    # is appended; the other is a duplicate, as ``key_hash`` promises.
    kept = [
        (row, new.pop(digest)) for row, digest in zip(rows, hashes, strict=True) if digest in new
    ]
    return Appended([row for row, _id in kept], [event_id for _row, event_id in kept])
