"""Committing and acting on the commit with no wait between the two.

For work outside the database that must follow a commit and nothing else
(``storage/mail_sends.settle_sent``: the end of each message handed to the
SMTP server).  A process killed while its commit is on the way has still
committed: on PostgreSQL the server commits what it was sent, so the round
trip for its answer would be a window in which the commit holds and the
work never follows.
"""

from __future__ import annotations

import selectors
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection


def commit_then(connection: Connection, then: Callable[[], None]) -> None:
    """Commit and call ``then``; on PostgreSQL (psycopg), ``then`` runs while the commit
    is on its way: after ``COMMIT`` is sent, before its answer is read.

    The server commits what it was sent even when the sender dies waiting for
    the answer — a round trip that, on a loaded machine, lasts as long as the
    server takes to get a processor.  Doing the work meanwhile leaves no wait
    between the commit and it.  ``then`` runs whatever happens once
    ``COMMIT`` has left, so should the commit fail after all (the server
    gone), the work is done and the caller learns of the failure after it:
    at worst the work is done twice later, never committed and left undone.
    """
    raw = connection.connection.dbapi_connection
    pgconn = getattr(raw, "pgconn", None)
    if connection.dialect.name != "postgresql" or pgconn is None:
        connection.commit()
        then()
        return
    pgconn.send_query(b"COMMIT")
    try:
        while pgconn.flush():  # psycopg's connections do not block: wait until it is out
            _wait(pgconn.socket, selectors.EVENT_WRITE)
    finally:
        # Whatever happened since, COMMIT may have reached the server: act as if it had.
        try:
            then()
        finally:
            failure = _commit_answer(pgconn)
    if failure:
        raise RuntimeError(f"the commit failed: {failure}")
    connection.commit()  # the driver finds its connection idle: only the bookkeeping


def _wait(socket: int, events: int) -> None:
    """Until the connection's socket is ready (``selectors``: any descriptor number)."""
    with selectors.DefaultSelector() as selector:
        selector.register(socket, events)
        selector.select()


def _commit_answer(pgconn: Any) -> str:
    """Read the answers to ``COMMIT``: why it did not commit, or "" if it did.

    A transaction a failed statement left aborted answers ``ROLLBACK``
    without an error.
    """
    failure = "no answer"
    while True:
        while pgconn.is_busy():
            _wait(pgconn.socket, selectors.EVENT_READ)
            pgconn.consume_input()
        result = pgconn.get_result()
        if result is None:
            return failure
        if result.error_message:
            failure = result.error_message.decode("utf-8", "replace").strip()
        elif result.command_status == b"COMMIT":
            failure = ""
        else:
            failure = f"the server answered {result.command_status.decode()}"


__all__ = ["commit_then"]
