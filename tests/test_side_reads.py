"""Reads beside the caller's statement: each on its own connection where that reaches the
same database, on the caller's own otherwise; a failed read's error reaches the caller."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Connection, Engine, text

from silverplatter.storage.engine import make_engine
from silverplatter.storage.side_reads import side_reads


def _where(connection: Connection) -> tuple[str, int]:
    value = connection.execute(text("SELECT 41 + 1")).scalar_one()
    return threading.current_thread().name, int(value)


@pytest.mark.storage
def test_reads_run_beside_on_connections_of_their_own(engine: Engine) -> None:
    seen: list[Connection] = []

    def read(connection: Connection) -> tuple[str, int]:
        seen.append(connection)
        return _where(connection)

    with engine.connect() as connection, side_reads(connection) as start:
        first, second = start(read), start(read)
        results = [first(), second()]
    assert [value for _thread, value in results] == [42, 42]
    assert all(thread.startswith("side-read") for thread, _value in results)
    assert all(reader is not connection for reader in seen)


@pytest.mark.storage
def test_few_rows_read_on_the_callers_connection_when_asked(engine: Engine) -> None:
    order: list[str] = []
    with engine.connect() as connection, side_reads(connection, apart=False) as start:

        def read(reader: Connection) -> bool:
            order.append("read")
            return reader is connection

        later = start(read)
        order.append("started")
        assert later() is True
    assert order == ["started", "read"]


def test_sqlite_in_memory_reads_on_the_callers_connection() -> None:
    memory = make_engine("sqlite://")
    try:
        with memory.connect() as connection, side_reads(connection) as start:
            result = start(_where)()
        assert result == (threading.current_thread().name, 42)
    finally:
        memory.dispose()


@pytest.mark.storage
def test_a_failed_read_raises_where_its_result_is_asked_for(engine: Engine) -> None:
    with engine.connect() as connection, side_reads(connection) as start:
        broken = start(lambda reader: reader.execute(text("SELECT * FROM no_such_table")))
        with pytest.raises(Exception, match="no_such_table"):
            broken()


@pytest.mark.storage
def test_many_rows_stay_on_the_callers_connection_on_sqlite(engine: Engine) -> None:
    with engine.connect() as connection, side_reads(connection) as start:
        many = start(lambda reader: reader is connection, many_rows=True)
        few = start(lambda reader: reader is connection)
        assert (many(), few()) == (engine.dialect.name == "sqlite", False)
