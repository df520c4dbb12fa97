"""One writer at a time for a kind of work, held until the transaction ends.

On PostgreSQL an advisory transaction lock named by a constant, so other work
goes on beside it; on SQLite, which has one writer anyway, the database's
write lock, taken by a write that changes nothing — so that what the holder
reads next cannot change before it commits (pysqlite begins a transaction
only at the first write).
"""

from __future__ import annotations

from sqlalchemy import Connection, Table, literal, text, update


def take(connection: Connection, key: int, table: Table, *, wait: bool = True) -> bool:
    """Take lock ``key`` for this transaction; False if another holds it and not ``wait``.

    On SQLite the write lock through a no-op update of ``table``: it waits for
    the busy timeout either way and raises when that passes.
    """
    if connection.dialect.name == "postgresql":
        if wait:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
            return True
        taken = connection.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key})
        return bool(taken.scalar_one())
    column = next(iter(table.primary_key.columns))
    connection.execute(update(table).where(literal(False)).values({column.name: column}))
    return True


__all__ = ["take"]
