"""Marking messages sent: ``then`` runs once the commit is done (SQLite) or sent (PostgreSQL),
and the connection's settings are as before afterwards (``storage/mail_sends.settle_sent``)."""

from __future__ import annotations

from typing import Any

import psycopg
from sqlalchemy import Engine, event, select

from nurture_world import NOW, queue_sends, seed_world
from silverplatter.storage import mail_sends as ledger
from silverplatter.storage.engine import make_engine
from silverplatter.storage.nurture_schema import mail_sends


def _queued(engine: Engine) -> list[int]:
    return list(queue_sends(engine, seed_world(engine), ("lea", "olli"), prefix="settle").values())


def _statuses(engine: Engine) -> dict[int, tuple[str, str | None]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(mail_sends.c.id, mail_sends.c.status, mail_sends.c.message_id)
        )
        return {int(row.id): (str(row.status), row.message_id) for row in rows}


def test_then_runs_once_the_commit_is_done_or_on_its_way(engine: Engine) -> None:
    first, second = _queued(engine)
    seen: list[Any] = []
    raw: list[Any] = []

    @event.listens_for(engine, "checkout")
    def _remember(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        raw.append(dbapi_connection)

    def then() -> None:
        if engine.dialect.name == "sqlite":
            # committed: another connection already sees both rows sent
            seen.append(_statuses(engine))
        else:
            # ``COMMIT`` sent, its answer not read yet: the connection is busy with it
            seen.append(raw[-1].pgconn.transaction_status)

    ledger.settle_sent(
        engine,
        [
            {"b_id": first, "b_message_id": "<1@seller.example>"},
            {"b_id": second, "b_message_id": "<2@seller.example>"},
        ],
        sent_at=NOW,
        then=then,
    )
    event.remove(engine, "checkout", _remember)
    sent = {first: ("sent", "<1@seller.example>"), second: ("sent", "<2@seller.example>")}
    if engine.dialect.name == "sqlite":
        assert seen == [sent]
    else:
        assert seen == [psycopg.pq.TransactionStatus.ACTIVE]
    assert _statuses(engine) == sent


def test_the_connection_settings_are_restored(engine: Engine, database_url: str) -> None:
    first, _second = _queued(engine)
    sqlite = engine.dialect.name == "sqlite"
    # (The test databases commit without waiting for the disk; this engine waits, as
    # a workspace's does.)
    waiting = make_engine(
        database_url,
        pool_size=1,
        **({} if sqlite else {"connect_args": {"options": "-c synchronous_commit=on"}}),
    )
    question = "PRAGMA wal_autocheckpoint" if sqlite else "SHOW synchronous_commit"
    try:
        during: list[str] = []
        with waiting.connect() as connection:
            before = str(connection.exec_driver_sql(question).scalar())
            raw = connection.connection.dbapi_connection
        assert raw is not None

        def then() -> None:
            if not sqlite:
                return  # the connection is busy with the commit's answer
            cursor = raw.cursor()
            cursor.execute(question)
            row = cursor.fetchone()
            assert row is not None
            during.append(str(row[0]))
            cursor.close()

        ledger.settle_sent(
            waiting,
            [{"b_id": first, "b_message_id": "<1@seller.example>"}],
            sent_at=NOW,
            then=then,
        )
        # The pool hands the same connection back (it holds one): as it was before.
        with waiting.connect() as connection:
            after = str(connection.exec_driver_sql(question).scalar())
            assert connection.connection.dbapi_connection is raw
    finally:
        waiting.dispose()
    if sqlite:
        # No automatic checkpoint until ``then`` has run, the workspace's setting after.
        assert (before, during, after) == ("10000", ["0"], "10000")
    else:
        # ``SET LOCAL``: only the transaction that marked the rows did not wait.
        assert (before, during, after) == ("on", [], "on")
