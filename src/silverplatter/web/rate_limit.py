"""Sliding-window rate limits for public endpoints (sign-in, later forms and tracking).

Kept in the process's memory: one web process per machine is the default
deployment; behind a load balancer the limit applies per process.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field


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
