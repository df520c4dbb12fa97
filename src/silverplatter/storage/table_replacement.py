"""Replacing every row of a derived table (the recompute's scores) in one transaction.

On PostgreSQL the new rows are first written to a temporary table of the same
shape, while readers keep seeing the old rows, and published at the end:
``TRUNCATE`` then one ``INSERT … SELECT`` in key order.  Emptying with
``DELETE`` instead left a dead version of every row in the same transaction,
which each new row's unique check then visited: a million contact scores took
28 s to insert after a ``DELETE`` and 10 s after a ``TRUNCATE``
(docs/benchmarks.md).  ``TRUNCATE`` holds the table exclusively until commit,
so readers wait for the publishing and the rest of the transaction, not for
the whole computation.  On SQLite, whose writers are serialised anyway, the
rows are deleted up front and written in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, Table, column, delete, insert, select, table
from sqlalchemy.sql.expression import TableClause


@dataclass
class Replacement:
    """Where the new rows of ``live`` go (``target``) until ``publish`` makes them its rows."""

    live: Table
    target: TableClause
    staged: bool
    published: bool = field(default=False)


def begin(connection: Connection, live: Table) -> Replacement:
    """Start replacing every row of ``live``: write the new ones to ``.target``."""
    if connection.dialect.name != "postgresql":
        connection.execute(delete(live))
        return Replacement(live, live, staged=False)
    name = f"sp_new_{live.name}"
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {name} (LIKE {live.name} INCLUDING DEFAULTS)"
    )
    return Replacement(live, table(name, *(column(c.name) for c in live.c)), staged=True)


def publish(connection: Connection, *replacements: Replacement) -> None:
    """Make the staged rows the tables' rows (one ``TRUNCATE`` for them all)."""
    staged = [r for r in replacements if r.staged and not r.published]
    if staged:
        emptied = ", ".join(r.live.name for r in staged)
        connection.exec_driver_sql(f"TRUNCATE {emptied}")
    for replacement in staged:
        live, target = replacement.live, replacement.target
        names = [c.name for c in live.c]
        key = [target.c[c.name] for c in live.primary_key.columns]
        rows = select(*(target.c[name] for name in names)).order_by(*key)
        connection.execute(insert(live).from_select(names, rows))
        connection.exec_driver_sql(f"DROP TABLE {replacement.target.name}")
    for replacement in replacements:
        replacement.published = True


__all__ = ["Replacement", "begin", "publish"]
