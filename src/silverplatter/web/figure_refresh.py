"""Counting fresh figure snapshots in the background of the web process.

A page of a big workspace shows the latest snapshot of its figures
(``services/figure_snapshots.py``); when that is stale or missing the page
asks this runner, kept on ``app.state.figure_refresh`` (made on first use),
to count a fresh one in a thread (``web/background.py``).  One count runs at
a time; kinds asked for meanwhile are counted next, each once.  The command
line refreshes in the foreground (``silverplatter figures refresh``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from fastapi import Request
from sqlalchemy import Engine

from silverplatter.services.figure_snapshots import Kind, refresh
from silverplatter.web.background import Coalescing

_made = threading.Lock()

#: The kinds of figures to count, by snapshot name.
Wanted = Mapping[str, Kind[Any]]


class FigureRefresh:
    """One count at a time; what is asked for meanwhile is counted next, once."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        def count(wanted: Wanted) -> None:
            for kind in wanted.values():
                refresh(engine, kind, now=clock())

        self._runner = Coalescing[Wanted](
            "figure-refresh", count, lambda first, second: {**first, **second}
        )

    @property
    def running(self) -> bool:
        return self._runner.running

    @property
    def last_error(self) -> str | None:
        return self._runner.last_error

    def request(self, kind: Kind[Any]) -> None:
        """Count ``kind``'s figures soon (at once when nothing else is being counted)."""
        self._runner.request({kind.name: kind})

    def wait(self, timeout: float | None = None) -> bool:
        """Block until nothing is left to count; False when ``timeout`` ran out first."""
        return self._runner.wait(timeout)


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
