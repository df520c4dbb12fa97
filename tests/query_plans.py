"""The plan the database chose for a statement a service ran: tests that an index is used."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy import event as sql_event


def plan_of_last_statement(engine: Engine, run: Callable[[Connection], object]) -> str:
    """EXPLAIN of the last statement ``run`` executed, as one line of text.

    On PostgreSQL sequential scans are switched off first: the test tables are
    tiny, and the question is whether the index can serve the statement.
    """
    seen: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    with engine.connect() as connection:
        sql_event.listen(connection, "before_cursor_execute", capture)
        run(connection)
        sql_event.remove(connection, "before_cursor_execute", capture)
        statement, parameters = seen[-1]
        if engine.dialect.name == "sqlite":
            explain = "EXPLAIN QUERY PLAN "
        else:
            explain = "EXPLAIN "
            connection.exec_driver_sql("SET enable_seqscan = off")
        rows = connection.exec_driver_sql(explain + statement, parameters).all()
    return " ".join(str(row[-1]) for row in rows)
