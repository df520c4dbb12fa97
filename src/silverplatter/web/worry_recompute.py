"""Recomputing worry profiles after a tag changes, in the background of the web process.

A tag added or removed in the UI or the API must count everything people
read before (``services/worry_profiles.recompute_worry_profiles``), which
reads the whole event log: seconds at 100,000 contacts, a minute or more at
a million — too long for a request.  The request saves the tag and asks this
runner, kept on ``app.state.worry_recompute`` (made on first use), to
recompute the worries concerned in a thread; requests that arrive while it
runs are gathered into the next run.  Until a run has committed, pages show
the profiles as they were.  The command line recomputes in the foreground.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import datetime

from fastapi import Request
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from silverplatter.services.worry_profiles import recompute_worry_profiles

log = logging.getLogger(__name__)
_made = threading.Lock()


class WorryRecompute:
    """One recompute at a time; what is asked for meanwhile runs next, merged."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self._engine = engine
        self._clock = clock
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self._pending: set[int] | None = set()
        self._asked = False
        self.last_error: str | None = None

    @property
    def running(self) -> bool:
        return not self._idle.is_set()

    def request(self, worry_ids: Iterable[int] | None) -> None:
        """Recompute these worries (all with None) soon."""
        with self._lock:
            if worry_ids is None or self._pending is None:
                self._pending = None
            else:
                self._pending.update(worry_ids)
            self._asked = True
            if not self._idle.is_set():
                return
            self._idle.clear()
        threading.Thread(target=self._run, name="worry-recompute", daemon=True).start()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until nothing is left to do; False when ``timeout`` ran out first."""
        return self._idle.wait(timeout)

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._asked:
                    self._idle.set()
                    return
                wanted, self._pending, self._asked = self._pending, set(), False
            try:
                with self._engine.begin() as connection:
                    recompute_worry_profiles(
                        connection,
                        now=self._clock(),
                        worry_ids=None if wanted is None else sorted(wanted),
                    )
                self.last_error = None
            except SQLAlchemyError as error:
                log.exception("recomputing worry profiles failed")
                self.last_error = type(error).__name__


def recompute_runner(request: Request) -> WorryRecompute:
    """This application's runner."""
    state = request.app.state
    with _made:
        runner: WorryRecompute | None = getattr(state, "worry_recompute", None)
        if runner is None:
            runner = WorryRecompute(state.engine, state.clock)
            state.worry_recompute = runner
    return runner


__all__ = ["WorryRecompute", "recompute_runner"]
