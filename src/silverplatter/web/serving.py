"""Serving the app in several processes: ``silverplatter serve --workers N``.

uvicorn starts each process from an import string, so every process reads
its settings from the environment, where the serve command puts its own
options (``SILVERPLATTER_DATABASE_URL``).  Each process keeps its own:

* group commit for the tracking endpoint — its writes queue behind the other
  processes' on SQLite's one write lock (the busy timeout waits 10 s) and run
  side by side on PostgreSQL;
* mail courier — claiming a message is a conditional update, so none goes
  out twice, and a form's confirmation leaves from the process that queued it;
* the tracking endpoint's rate limiter and counters of dropped views — per
  process, so a client whose page views land on N processes can send up to
  N times that limit (it is there against floods, at thousands of views a
  second a shared count would cost more than it guards).

The sign-in and form-submission limits are the server's, not the process's:
they are kept in a small SQLite file (``rate-limits.sqlite``) beside the
lease, in the serve command's private directory, so the tenth failed sign-in
of a minute is the last whichever processes took the attempts.

One process only runs the background work that must not run twice: the
scoring backlog's scorer (two on SQLite could fold the same queued events
twice) and the embedded task queue's consumer (every consumer would queue
the periodic tasks again).  That process holds an exclusive lock on a file
the serve command made (the *lease*); the lock goes with the process, so
the process uvicorn starts in place of a dead one takes the lease over.
The others leave the scoring to it: what they queue is scored within its
one-second round instead of at once.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path
from typing import IO, Final

from fastapi import FastAPI
from starlette.types import ASGIApp

from silverplatter.settings import Settings
from silverplatter.web.app import LOGIN_ATTEMPTS, LOGIN_WINDOW, create_app
from silverplatter.web.capture.forms import PER_ADDRESS, PER_FORM, WINDOW, FormLimits
from silverplatter.web.capture.tracking import ahead_of
from silverplatter.web.rate_limit import SharedRateLimiter

#: The lease file's path, set by the serve command for its processes.
LEASE_VARIABLE: Final = "SILVERPLATTER_SERVE_LEASE"

log = logging.getLogger("uvicorn.error")


class BackgroundLease:
    """An exclusive lock on a file, held by one process of a server until it ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def take(self) -> bool:
        """Take the lease if no other process holds it; whether this process holds it."""
        if self._handle is not None:
            return True
        handle = self.path.open("ab")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._handle = handle
        return True

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def limits_path(lease: Path) -> Path:
    """The file of the server's shared rate limits, beside its lease.

    The serve command puts the lease in a directory of its own that only its
    user may enter, so nobody else can plant or read this file.
    """
    return lease.with_name("rate-limits.sqlite")


def share_limits(application: FastAPI, path: Path) -> None:
    """Sign-in and form limits counted in ``path``, for every process of the server."""
    application.state.login_limiter = SharedRateLimiter(LOGIN_ATTEMPTS, LOGIN_WINDOW, path, "login")
    application.state.form_limits = FormLimits(
        SharedRateLimiter(PER_FORM, WINDOW, path, "form"),
        SharedRateLimiter(PER_ADDRESS, WINDOW, path, "form_address"),
    )


def app_from_environment() -> ASGIApp:
    """The app of one server process (uvicorn's factory), settings from the environment."""
    settings = Settings()
    named = os.environ.get(LEASE_VARIABLE)
    lease = BackgroundLease(Path(named)) if named else None
    background = lease.take() if lease is not None else True
    application = create_app(settings, background=background)
    application.state.background_lease = lease
    if named:
        share_limits(application, limits_path(Path(named)))
    if background:
        log.info("Process %d runs the background work (scoring, task queue)", os.getpid())
    return ahead_of(application)


__all__ = [
    "LEASE_VARIABLE",
    "BackgroundLease",
    "app_from_environment",
    "limits_path",
    "share_limits",
]
