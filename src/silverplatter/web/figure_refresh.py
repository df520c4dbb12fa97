"""Counting fresh figure snapshots in the background of the web process.

A page of a big workspace shows the latest snapshot of its figures
(``services/figure_snapshots.py``); when that is stale or missing the page
asks this runner, kept on ``app.state.figure_refresh`` (made on first use),
to count a fresh one in a thread.  One count runs at a time; kinds asked for
meanwhile are counted next, each once.  The command line refreshes in the
foreground (``silverplatter figures refresh``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import Request
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from silverplatter.services.figure_snapshots import Kind, refresh

log = logging.getLogger(__name__)
_made = threading.Lock()


class FigureRefresh:
    """One count at a time; what is asked for meanwhile is counted next, once."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self._engine = engine
        self._clock = clock
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self._pending: dict[str, Kind[Any]] = {}
        self.last_error: str | None = None

    @property
    def running(self) -> bool:
        return not self._idle.is_set()

    def request(self, kind: Kind[Any]) -> None:
        """Count ``kind``'s figures soon (at once when nothing else is being counted)."""
        with self._lock:
            self._pending.setdefault(kind.name, kind)
            if not self._idle.is_set():
                return
            self._idle.clear()
        threading.Thread(target=self._run, name="figure-refresh", daemon=True).start()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until nothing is left to count; False when ``timeout`` ran out first."""
        return self._idle.wait(timeout)

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    self._idle.set()
                    return
                _, kind = self._pending.popitem()
            try:
                refresh(self._engine, kind, now=self._clock())
                self.last_error = None
            except SQLAlchemyError as error:
                log.exception("counting the %s figures failed", kind.name)
                self.last_error = type(error).__name__


def figure_refresh(request: Request) -> FigureRefresh:
    """This application's runner."""
    state = request.app.state
    with _made:
        runner: FigureRefresh | None = getattr(state, "figure_refresh", None)
        if runner is None:
            runner = FigureRefresh(state.engine, state.clock)
            state.figure_refresh = runner
    return runner


__all__ = ["FigureRefresh", "figure_refresh"]
