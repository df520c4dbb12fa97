"""A busy database answers 503 with Retry-After, keeps nothing, and the same request
succeeds once the other work is done (SQLite's write lock held past the busy timeout;
a PostgreSQL lock past the lock timeout)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url

from lead_world import event as lead_event
from silverplatter.settings import Settings
from silverplatter.storage.contention import is_contention
from silverplatter.storage.engine import make_engine
from silverplatter.web.app import create_app
from test_api_engine_world import TUESDAY, build, count_events
from web_world import Clock, signed_in

PROBLEM = "application/problem+json"


def _impatient(database_url: str) -> Engine:
    """The workspace's engine, giving up on a lock after 0.1 s instead of 10."""
    if make_url(database_url).get_backend_name() == "sqlite":
        engine = make_engine(database_url)

        @event.listens_for(engine, "connect")
        def _short(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA busy_timeout = 100")

        return engine
    return make_engine(database_url, connect_args={"options": "-c lock_timeout=100"})


@contextmanager
def _held(database_url: str) -> Iterator[None]:
    """Another program holds the lock the ingest needs."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        holder = sqlite3.connect(str(url.database), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    with psycopg.connect(
        host=url.host, port=url.port or 5432, user=url.username, dbname=url.database
    ) as locker:
        locker.execute("LOCK TABLE events IN EXCLUSIVE MODE")
        yield
        locker.rollback()


def test_a_busy_database_answers_503_and_the_retry_is_stored(
    engine: Engine, database_url: str
) -> None:
    build(engine, database_url)
    impatient = _impatient(database_url)
    try:
        app = create_app(
            Settings(database_url=database_url), impatient, clock=Clock(TUESDAY), background=False
        )
        client = signed_in(app, "marketing")
        batch = {
            "events": [
                lead_event("page_view", "ceo@acme.fi", 0.5, url="/pricing"),
                lead_event("email_open", "director@pohja.fi", 0.25),
            ]
        }
        headers = {"X-CSRF-Token": client.csrf}
        before = count_events(engine)
        with _held(database_url):
            busy = client.post("/api/v1/events", json=batch, headers=headers)
        assert busy.status_code == 503, busy.text
        assert busy.headers["content-type"] == PROBLEM
        assert busy.headers["retry-after"] == "2"
        assert "busy" in busy.json()["detail"]
        assert "try again in a moment" in busy.json()["detail"]
        assert count_events(engine) == before
        again = client.post("/api/v1/events", json=batch, headers=headers)
        assert again.status_code == 200, again.text
        assert again.json()["accepted"] == 2
        assert count_events(engine) == before + 2
    finally:
        impatient.dispose()


def test_only_contention_counts_as_busy() -> None:
    from sqlalchemy.exc import IntegrityError, OperationalError

    locked = OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))
    missing = OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x"))
    duplicate = IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed"))
    deadlock = OperationalError("UPDATE", {}, psycopg.errors.DeadlockDetected("deadlock"))
    unique = IntegrityError("INSERT", {}, psycopg.errors.UniqueViolation("duplicate key"))
    assert [is_contention(e) for e in (locked, missing, duplicate, deadlock, unique)] == [
        True,
        False,
        False,
        True,
        False,
    ]
    assert is_contention(ValueError("database is locked")) is False


def test_another_database_error_stays_a_server_error(engine: Engine, database_url: str) -> None:
    from fastapi.testclient import TestClient
    from sqlalchemy.exc import OperationalError

    app = create_app(Settings(database_url=database_url), engine, background=False)

    def broken() -> None:
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x"))

    app.add_api_route("/api/v1/broken", broken)
    answer = TestClient(app, raise_server_exceptions=False).get("/api/v1/broken")
    assert answer.status_code == 500
    assert answer.headers["content-type"] == PROBLEM
    # and it reaches the server (its log; a test client raises it)
    with pytest.raises(OperationalError, match="no such table"):
        TestClient(app).get("/api/v1/broken")
