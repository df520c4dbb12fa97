"""Statements for the append-only event log."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from silverplatter.storage.rows import IN_CHUNK
from silverplatter.storage.schema import events


def existing_keys(connection: Connection, keys: Iterable[str]) -> set[str]:
    """Which of these idempotency keys are already in the log."""
    wanted = sorted(set(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start : start + IN_CHUNK]
        found.update(
            connection.execute(
                select(events.c.idempotency_key).where(events.c.idempotency_key.in_(chunk))
            ).scalars()
        )
    return found


def append(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Append events; a key that arrived meanwhile (a concurrent batch) is skipped."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        statement: Any = postgresql.insert(events).on_conflict_do_nothing(
            index_elements=[events.c.idempotency_key]
        )
    else:
        statement = sqlite.insert(events).on_conflict_do_nothing(
            index_elements=[events.c.idempotency_key]
        )
    connection.execute(statement, list(rows))
