"""Watching PostgreSQL row locks from a test: which writer waits, and what it already holds."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError


def assert_holds_contact_while_waiting(engine: Engine, contact_id: int, *, strength: str) -> None:
    """Once one session of the test database waits for a lock, contact ``contact_id`` is held.

    ``strength`` is the lock the probe asks for (``UPDATE``, ``NO KEY UPDATE``): ask
    for the writer's own, since a weaker one it holds (a foreign key's) may also refuse.
    """
    with engine.connect() as probe:
        waiting = 0
        for _attempt in range(500):  # until the writer waits for the other's row
            waiting = probe.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            ).scalar_one()
            if waiting:
                break
            probe.rollback()  # pg_stat_activity is read once per transaction
            time.sleep(0.01)
        assert waiting == 1
        with pytest.raises(OperationalError, match="could not obtain lock"):
            probe.exec_driver_sql(
                f"SELECT id FROM contacts WHERE id = {int(contact_id)} FOR {strength} NOWAIT"
            )


def assert_writes_in_id_order(
    engine: Engine, write: Callable[[Connection], None], *, strength: str
) -> None:
    """``write``, in a transaction of its own, takes contact 1 before it waits for contact 2.

    Contact 2 is held by another transaction meanwhile; the test has placed
    contact 1's rows after contact 2's, so that a writer locking in the order
    it reads would wait for 2 first.  Returns once ``write`` has committed.
    """
    holder = engine.connect()
    holder.begin()
    holder.exec_driver_sql("SELECT id FROM contacts WHERE id = 2 FOR NO KEY UPDATE")

    def move() -> None:
        with engine.begin() as connection:
            write(connection)

    mover = threading.Thread(target=move)
    mover.start()
    try:
        assert_holds_contact_while_waiting(engine, 1, strength=strength)
    finally:
        holder.rollback()
        holder.close()
        mover.join(timeout=10)
