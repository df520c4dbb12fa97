"""Watching PostgreSQL row locks from a test: which writer waits, and what it already holds."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import Engine
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
