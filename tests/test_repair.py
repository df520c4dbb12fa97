"""Restoring indexes and foreign keys that a killed bulk load dropped."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, inspect
from sqlalchemy.schema import DropConstraint

from silverplatter.services.workspace import init_workspace
from silverplatter.storage.repair import restore_declared_indexes
from silverplatter.storage.schema import events


def test_nothing_to_restore_on_a_fresh_workspace(engine: Engine) -> None:
    with engine.begin() as connection:
        assert restore_declared_indexes(connection) == []


def test_init_puts_back_dropped_event_indexes_and_keys(engine: Engine, backend: str) -> None:
    with engine.begin() as connection:
        for index in events.indexes:
            index.drop(connection)
        if backend == "postgresql":
            for key in events.foreign_key_constraints:
                connection.execute(DropConstraint(key))
    init_workspace(engine, name="Again", now=datetime(2026, 1, 1, tzinfo=UTC))
    inspector = inspect(engine)
    assert {i["name"] for i in inspector.get_indexes("events")} >= {
        "ix_events_account_time",
        "ix_events_contact_time",
        "ix_events_visitor",
    }
    assert len(inspector.get_foreign_keys("events")) == 2
    with engine.begin() as connection:
        assert restore_declared_indexes(connection) == []
