"""Recomputing worry profiles after a tag changes, in the background of the web process.

A tag added or removed in the UI or the API must count everything people
read before (``services/worry_profiles.recompute_worry_profiles``), which
reads the whole event log: seconds at 100,000 contacts, a minute or more at
a million — too long for a request.  The request saves the tag and asks this
runner, kept on ``app.state.worry_recompute`` (made on first use), to
recompute the worries concerned in a thread (``web/background.py``);
requests that arrive while it runs are gathered into the next run.  Until a
run has committed, pages show the profiles as they were.  The command line
recomputes in the foreground.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import datetime

from fastapi import Request
from sqlalchemy import Engine

from silverplatter.services.worry_profiles import recompute_worry_profiles
from silverplatter.web.background import Coalescing

_made = threading.Lock()

#: The worries to recompute; None means every worry.
Wanted = frozenset[int] | None


def _merged(first: Wanted, second: Wanted) -> Wanted:
    return None if first is None or second is None else first | second


class WorryRecompute(Coalescing[Wanted]):
    """One recompute at a time; what is asked for meanwhile runs next, merged."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        def recompute(wanted: Wanted) -> None:
            with engine.begin() as connection:
                recompute_worry_profiles(
                    connection,
                    now=clock(),
                    worry_ids=None if wanted is None else sorted(wanted),
                )

        super().__init__("worry-recompute", recompute, _merged)

    def request(self, worry_ids: Iterable[int] | None) -> None:
        """Recompute these worries (all with None) soon."""
        super().request(None if worry_ids is None else frozenset(worry_ids))


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
