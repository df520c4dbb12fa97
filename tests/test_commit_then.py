"""Committing and acting on the commit: ``then`` runs once, the rows are committed after;
on PostgreSQL a commit that does not commit raises after ``then`` has run."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, Engine, func, insert, select, text

from silverplatter.storage.commit_then import commit_then
from silverplatter.storage.engine import make_engine
from silverplatter.storage.schema import users

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def _count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(users)).scalar_one())


def _add_user(connection: Connection, email: str) -> None:
    connection.execute(
        insert(users).values(
            email=email, email_key=email, name="Uma", role="sales", active=True, created_at=NOW
        )
    )


@pytest.mark.storage
def test_then_runs_once_and_the_commit_holds(engine: Engine) -> None:
    calls: list[str] = []
    with engine.connect() as connection:
        _add_user(connection, "uma@seller.example")
        commit_then(connection, lambda: calls.append("then"))
    assert calls == ["then"]
    assert _count(engine) == 1


def test_an_aborted_transaction_answers_rollback_after_then_ran(postgres_url: str) -> None:
    """PostgreSQL alone: SQLite has no aborted transactions (a failed statement is undone
    by itself); what the test wrote is rolled back."""
    engine = make_engine(postgres_url)
    calls: list[str] = []
    try:
        with engine.connect() as connection:
            _add_user(connection, "uma@seller.example")
            with pytest.raises(Exception, match="no_such_table"):
                connection.execute(text("SELECT * FROM no_such_table"))
            with pytest.raises(RuntimeError, match="the server answered ROLLBACK"):
                commit_then(connection, lambda: calls.append("then"))
            connection.rollback()
        assert calls == ["then"]
        assert _count(engine) == 0
    finally:
        engine.dispose()
