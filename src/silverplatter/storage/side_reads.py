"""Reads that run beside the caller's statement, each on a connection of its own.

Gathering every contact's features reads the contacts' profiles, their
events grouped by type and (in training) their engagement as of the cut-off
— three statements that do not depend on each other, each seconds long at
100,000 contacts.  On a database with more than one core they finish
sooner side by side: SQLite's readers in WAL mode do not wait for one
another (and Python's ``sqlite3`` lets go of the interpreter while a
statement steps), PostgreSQL gives each connection a process of its own.

A side read sees the committed database, not what the caller's transaction
has written and not yet committed: only for reads of what that transaction
leaves alone (the event log).  Where a second connection would not reach
the same database — SQLite in memory — the reads run one after the other
on the caller's connection, when their results are asked for.

On SQLite a read of many rows stays on the caller's connection too: Python's
``sqlite3`` lets go of the interpreter for each row it steps and takes it
back to build the row, so two threads stepping rows hand the interpreter to
each other row by row.  Measured at 100,000 contacts: the grouped events
(a million rows) beside the profiles took more CPU (14.3 s against 8.6 s)
than it saved in time; the engagement as of the cut-off (SQLite's own work,
80,000 rows) runs beside with no such cost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Final, Protocol, TypeVar

from sqlalchemy import Connection

T = TypeVar("T")

#: Side reads at once (besides the caller's own statement).
SIDE_READS: Final = 2


class Start(Protocol):
    """Starts a read (given a connection to read on); returns what waits for its result.

    ``many_rows``: the read returns many rows for its work (see above).
    """

    def __call__(
        self, work: Callable[[Connection], T], *, many_rows: bool = False
    ) -> Callable[[], T]: ...


def _reaches_same_database(connection: Connection) -> bool:
    if connection.dialect.name == "postgresql":
        return True
    database = connection.engine.url.database
    return bool(database) and database != ":memory:" and "mode=memory" not in str(database)


@contextmanager
def side_reads(connection: Connection, *, apart: bool = True) -> Iterator[Start]:
    """Start reads beside ``connection``'s work; each result is waited for when asked.

    ``apart=False`` (few rows to read: threads would cost more than they
    save) runs each read on ``connection`` itself when its result is asked
    for.  Leaving the block waits for every read started.
    """

    def later(work: Callable[[Connection], T], *, many_rows: bool = False) -> Callable[[], T]:
        return lambda: work(connection)

    if not apart or not _reaches_same_database(connection):
        yield later
        return
    sqlite = connection.dialect.name == "sqlite"
    engine = connection.engine

    def on_own(work: Callable[[Connection], T]) -> T:
        with engine.connect() as own:
            return work(own)

    pool = ThreadPoolExecutor(max_workers=SIDE_READS, thread_name_prefix="side-read")

    def start(work: Callable[[Connection], T], *, many_rows: bool = False) -> Callable[[], T]:
        if many_rows and sqlite:
            return later(work)
        return pool.submit(on_own, work).result

    try:
        yield start
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


__all__ = ["SIDE_READS", "Start", "side_reads"]
