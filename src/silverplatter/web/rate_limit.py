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

import sqlite3
import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Protocol


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

_SCHEMA: Final = (
    "CREATE TABLE IF NOT EXISTS hits (limiter TEXT NOT NULL, key TEXT NOT NULL, at REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ix_hits ON hits (limiter, key, at)",
)


class SharedRateLimiter:
    """:class:`RateLimiter`'s window, kept in a SQLite file that several processes share.

    Each hit is one short write transaction (``BEGIN IMMEDIATE``: the processes
    take turns), so the count a process reads is the count every process has
    made.  Meant for limits of a few hits a minute (sign-in, form
    submissions), not for every page view.  ``name`` keeps limiters apart in
    one file.
    """

    def __init__(self, limit: int, window: float, path: Path, name: str) -> None:
        self.limit = limit
        self.window = window
        self.path = path
        self.name = name
        self._local = threading.local()
        self._hits_since_sweep = 0

    def _connection(self) -> sqlite3.Connection:
        found: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if found is None:
            found = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
            found.execute("PRAGMA journal_mode = WAL")
            found.execute("PRAGMA synchronous = OFF")  # a lost window after a crash is harmless
            for statement in _SCHEMA:
                found.execute(statement)
            self._local.connection = found
        return found

    def hit(self, key: str, at: float) -> float | None:
        """Count a hit; None when allowed, else the seconds until one is."""
        connection = self._connection()
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
            if count >= self.limit:
                connection.execute("COMMIT")
                return float(oldest) + self.window - at
            connection.execute(
                "INSERT INTO hits (limiter, key, at) VALUES (?, ?, ?)", (self.name, key, at)
            )
            connection.execute("COMMIT")
            return None
        except BaseException:
            connection.execute("ROLLBACK")
            raise


__all__ = ["Limiter", "RateLimiter", "SharedRateLimiter"]
