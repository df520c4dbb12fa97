"""Telling a busy database from a broken one.

A statement that failed because other work held what it needed — SQLite's
write lock past the busy timeout (a full recompute holds it for minutes at a
million contacts), a PostgreSQL lock timeout, a deadlock or serialization
failure — or because the server is starting or shutting down, succeeds when
sent again a moment later: nothing of its transaction was kept.  Adapters
answer those with "busy, try again" rather than as a crash.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy.exc import DBAPIError

#: SQLSTATEs of PostgreSQL errors that passing work or a restart causes:
#: lock not available (lock_timeout), serialization failure, deadlock
#: detected, shutting down, cannot connect now (starting up).
_TRANSIENT_STATES: Final = frozenset({"55P03", "40001", "40P01", "57P01", "57P03"})

#: What SQLite says when the busy timeout passed with the lock still taken.
_SQLITE_BUSY: Final = ("database is locked", "database table is locked", "database is busy")


def is_contention(error: BaseException) -> bool:
    """Whether ``error`` is the database being busy or restarting, not the statement wrong."""
    if not isinstance(error, DBAPIError):
        return False
    original = error.orig
    state = getattr(original, "sqlstate", None)
    if state is not None:
        return str(state) in _TRANSIENT_STATES
    text = str(original).lower()
    return any(phrase in text for phrase in _SQLITE_BUSY)


__all__ = ["is_contention"]
