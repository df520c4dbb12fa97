"""Sliding-window rate limits for public endpoints (sign-in, forms, tracking).

:class:`RateLimiter` keeps its window in the process's memory: right for one
web process, the default deployment.  ``silverplatter serve --workers N``
runs several processes behind one port, and the kernel hands each
connection to any of them: a client could then get up to N times a limit.
There the sign-in and form limits are a :class:`SharedRateLimiter`, whose
window is kept in a small SQLite file beside the server's lease, one for all
its processes (``web/serving.py``).  Several machines behind a load balancer
each keep their own.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Protocol

log = logging.getLogger(__name__)


class Limiter(Protocol):
    def hit(self, key: str, at: float) -> float | None:
        """Count a hit; None when allowed, else the seconds until one is."""


@dataclass
class RateLimiter:
    """At most ``limit`` hits per ``window`` seconds for each key."""

    limit: int
    window: float
    _hits: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(self, key: str, at: float) -> float | None:
        """Count a hit; None when allowed, else the seconds until one is."""
        with self._lock:
            recent = self._hits.setdefault(key, deque())
            while recent and recent[0] <= at - self.window:
                recent.popleft()
            if len(recent) >= self.limit:
                return recent[0] + self.window - at
            recent.append(at)
            if len(self._hits) > 100_000:  # forget idle keys, bounded memory
                for stale in [k for k, v in self._hits.items() if not v]:
                    del self._hits[stale]
            return None


#: Hits between two sweeps of every key's expired hits out of the shared file.
SWEEP_EVERY: Final = 1000
#: How long a hit waits for another process's (microseconds-long) turn at the file.
BUSY_SECONDS: Final = 2.0

_SCHEMA: Final = (
    "CREATE TABLE IF NOT EXISTS hits (limiter TEXT NOT NULL, key TEXT NOT NULL, at REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ix_hits ON hits (limiter, key, at)",
)


def open_limits(path: Path) -> sqlite3.Connection:
    """A connection to the shared limits file, its table made if it is new.

    Switching a new file to WAL takes an exclusive lock for which SQLite does
    not always wait (processes starting at once could see "database is
    locked"), so the set-up is tried again for up to ``BUSY_SECONDS``.  The
    serve command prepares the file before it starts its processes.
    """
    connection = sqlite3.connect(
        path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False
    )
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = OFF")  # a window lost in a crash is harmless
            for statement in _SCHEMA:
                connection.execute(statement)
            return connection
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                connection.close()
                raise
            time.sleep(0.01)


class SharedRateLimiter:
    """:class:`RateLimiter`'s window, kept in a SQLite file that several processes share.

    Each hit is one short write transaction (``BEGIN IMMEDIATE``: the processes
    take turns), so the count a process reads is the count every process has
    made.  Meant for limits of a few hits a minute (sign-in, form
    submissions), not for every page view.  ``name`` keeps limiters apart in
    one file.  The file belongs in a directory only the server may write
    (``web/serving.py``).  If the file cannot be written the limiter logs
    why and counts in this process's memory instead: a broken file must not
    stop anybody signing in.
    """

    def __init__(self, limit: int, window: float, path: Path, name: str) -> None:
        self.limit = limit
        self.window = window
        self.path = path
        self.name = name
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._hits_since_sweep = 0
        self._fallback = RateLimiter(limit, window)

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            self._connection = open_limits(self.path)
        return self._connection

    def hit(self, key: str, at: float) -> float | None:
        """Count a hit; None when allowed, else the seconds until one is."""
        with self._lock:  # one connection per limiter and process; the file serialises anyway
            try:
                return self._hit(self._connect(), key, at)
            except sqlite3.Error as error:
                log.warning(
                    "rate limit %r: %s in %s; counting in this process", self.name, error, self.path
                )
                return self._fallback.hit(key, at)

    def _hit(self, connection: sqlite3.Connection, key: str, at: float) -> float | None:
        connection.execute("BEGIN IMMEDIATE")
        try:
            self._hits_since_sweep += 1
            if self._hits_since_sweep >= SWEEP_EVERY:
                self._hits_since_sweep = 0
                connection.execute(
                    "DELETE FROM hits WHERE limiter = ? AND at <= ?", (self.name, at - self.window)
                )
            else:
                connection.execute(
                    "DELETE FROM hits WHERE limiter = ? AND key = ? AND at <= ?",
                    (self.name, key, at - self.window),
                )
            count, oldest = connection.execute(
                "SELECT count(*), min(at) FROM hits WHERE limiter = ? AND key = ?",
                (self.name, key),
            ).fetchone()
            wait: float | None = None
            if count >= self.limit:
                wait = (float(oldest) if oldest is not None else at) + self.window - at
            else:
                connection.execute(
                    "INSERT INTO hits (limiter, key, at) VALUES (?, ?, ?)", (self.name, key, at)
                )
            connection.execute("COMMIT")
            return wait
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise


__all__ = ["Limiter", "RateLimiter", "SharedRateLimiter", "open_limits"]
