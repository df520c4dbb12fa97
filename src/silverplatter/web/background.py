"""Work a request asks for but should not wait for, run in a thread of the web process.

A :class:`Coalescing` runner does one run at a time in a daemon thread; what
is asked for while it runs is merged into the next run, so a burst of
requests costs one run more, not one each.  Until a run has committed,
pages show what was there before.  Database errors are logged and kept as
``last_error``; the next request runs again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

W = TypeVar("W")


class Coalescing(Generic[W]):
    """Runs ``work(wanted)``; requests made meanwhile are merged with ``merge`` and run next."""

    def __init__(self, name: str, work: Callable[[W], None], merge: Callable[[W, W], W]) -> None:
        self._name = name
        self._work = work
        self._merge = merge
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self._pending: list[W] = []
        self.last_error: str | None = None

    @property
    def running(self) -> bool:
        return not self._idle.is_set()

    def request(self, wanted: W) -> None:
        """Run ``wanted`` soon: at once when idle, else merged into the next run."""
        with self._lock:
            if self._pending:
                self._pending = [self._merge(self._pending[0], wanted)]
            else:
                self._pending = [wanted]
            if not self._idle.is_set():
                return
            self._idle.clear()
        threading.Thread(target=self._run, name=self._name, daemon=True).start()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until nothing is left to do; False when ``timeout`` ran out first."""
        return self._idle.wait(timeout)

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    self._idle.set()
                    return
                wanted, self._pending = self._pending[0], []
            try:
                self._work(wanted)
                self.last_error = None
            except SQLAlchemyError as error:
                log.exception("%s failed", self._name)
                self.last_error = type(error).__name__


__all__ = ["Coalescing"]
