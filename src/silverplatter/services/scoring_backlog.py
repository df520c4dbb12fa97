"""Scoring moments after acceptance: the backlog the API's ingest fills.

The HTTP ingest answers as soon as a batch is durably stored; the events are
queued in the same transaction, and ``score_backlog`` folds them into the
scores in the order they arrived — the same fold ``ingest_events`` does in
line, so the result is the same as scoring at once (tested).  Each call is
one transaction: the events it scores leave the backlog with their scores
written, so a crash scores nothing twice and loses nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from silverplatter.services.predictive import rescore_contacts
from silverplatter.services.scoring import score_events
from silverplatter.storage import scoring_backlog as store
from silverplatter.storage.engine import one_writer
from silverplatter.storage.events import NewEvent

log = logging.getLogger(__name__)

BATCH = 5000
#: On SQLite a run holds the database's write lock while it folds (the scorer's lock
#: there), and every other writer waits: shorter runs keep those waits short.
SQLITE_BATCH = 2000


def run_size(engine: Engine) -> int:
    """How many queued events one run folds on this database."""
    return SQLITE_BATCH if engine.dialect.name == "sqlite" else BATCH


@dataclass(frozen=True, slots=True)
class BacklogRun:
    scored: int
    stage_changes: int
    busy: bool = False  # another scorer holds the lock


def score_backlog(connection: Connection, *, now: datetime, limit: int = BATCH) -> BacklogRun:
    """Score up to ``limit`` of the oldest queued events in the caller's transaction."""
    if not store.any_queued(connection):  # idle: leave the lock to folds in line
        return BacklogRun(0, 0)
    if not store.try_scorer_lock(connection):
        return BacklogRun(0, 0, busy=True)
    rows = store.oldest(connection, limit)
    if not rows:
        return BacklogRun(0, 0)
    fresh = store.hold_anonymous(connection, [row.id for row in rows if row.contact_id is None])
    pending = [
        NewEvent(
            idempotency_key=row.idempotency_key,
            type=row.type,
            occurred_at=row.occurred_at,
            contact_id=fresh[row.id][0] if row.id in fresh else row.contact_id,
            visitor_id=row.visitor_id,
            account_id=fresh[row.id][1] if row.id in fresh else row.account_id,
            channel=row.channel,
            traffic=row.traffic,
            properties=dict(row.properties or {}),
            received_at=row.received_at,
        )
        for row in rows
    ]
    outcome = score_events(connection, pending, now=now)
    rescore_contacts(connection, [e.contact_id for e in pending if e.contact_id], now=now)
    store.remove(connection, [row.id for row in rows])
    return BacklogRun(len(rows), len(outcome.stage_changes))


def backlog_size(connection: Connection) -> int:
    return store.size(connection)


class BacklogScorer:
    """A thread that drains the backlog whenever it is woken, and every second."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self._engine = engine
        self._clock = clock
        self._limit = run_size(engine)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="backlog-scorer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                # On SQLite a run holds the write lock from its first read (the
                # scorer's lock there), so it queues with the API's batches
                # (one_writer) and starts when one ends, not after the busy
                # handler's sleeps; its runs are short (SQLITE_BATCH) so that the
                # batches behind it wait little.  PostgreSQL: one_writer holds nothing.
                with one_writer(self._engine), self._engine.begin() as connection:
                    run = score_backlog(connection, now=self._clock(), limit=self._limit)
            except SQLAlchemyError:
                log.exception("scoring the backlog failed; retrying in a second")
                run = BacklogRun(0, 0)
            if run.scored == 0:
                self._wake.wait(timeout=1.0)
                self._wake.clear()
