"""Writing the demo world: bulk inserts in foreign-key order, committed every ~200k events.

Rows arrive already in stored form (``stored.py``):

* SQLite: ``executemany`` of the INSERT that SQLAlchemy compiles for the table.
* PostgreSQL: ``COPY … FROM STDIN`` rows written by psycopg (values travel
  apart from the command, as with a parameterised statement).

The event indexes are dropped while loading and rebuilt at the end: building
an index once is several times faster than updating it row by row.  On
PostgreSQL the events' foreign keys go too and come back validated in one pass
(a per-row check costs more than the insert itself); on SQLite they stay.  Commits
come every few batches because each one rewrites every page of the unique
``key_hash`` index that the batch touched (digests fall all over the index).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, cast

from sqlalchemy import Connection, ForeignKeyConstraint, Table, func, inspect, select
from sqlalchemy.schema import DropConstraint

from silverplatter.services.demo.plans import NextIds
from silverplatter.services.demo.rows import ROW_FIELDS, Tables
from silverplatter.services.demo.stored import Values, insert_fields
from silverplatter.storage import schema
from silverplatter.storage.copy_in import copy_rows
from silverplatter.storage.repair import restore_declared_indexes

BATCH_ROWS: Final = 10_000  # rows per executemany
COMMIT_EVENTS: Final = 200_000  # commit once this many events are pending
FILLED_TABLES: Final = tuple(ROW_FIELDS)
#: SQLite settings while loading: a page cache (KiB) that keeps most of the unique
#: indexes in memory, no fsync per commit and fewer WAL checkpoints.  The previous
#: values come back at the end, followed by a checkpoint that does sync (a demo
#: interrupted by a power cut is started again from an empty workspace anyway).
SQLITE_LOAD_PRAGMAS: Final = {
    "cache_size": -262_144,
    "synchronous": 0,
    "wal_autocheckpoint": 10_000,
}


def read_next_ids(connection: Connection) -> NextIds:
    """The first free id of every table the demo fills (they may already hold rows)."""
    ids = NextIds()
    for name in FILLED_TABLES:
        table = schema.metadata.tables[name]
        highest = connection.execute(select(func.max(table.c.id))).scalar()
        setattr(ids, name, int(highest or 0) + 1)
    return ids


class DemoWriter:
    """Loads batches of demo rows into one workspace database over one connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.backend = connection.dialect.name
        self._saved_pragmas: dict[str, int] = {}
        self._pending_events = 0
        self._statements: dict[str, str] = {}
        for name in FILLED_TABLES:
            table = schema.metadata.tables[name]
            fields = insert_fields(name)
            compiled = table.insert().compile(dialect=connection.dialect, column_keys=fields)
            if compiled.positiontup is not None and tuple(compiled.positiontup) != fields:
                raise RuntimeError(f"{name}: the row's fields are not in the table's order")
            self._statements[name] = str(compiled)

    def _event_foreign_keys(self) -> list[ForeignKeyConstraint]:
        """The events' foreign keys that PostgreSQL checks row by row while loading."""
        if self.backend != "postgresql":
            return []
        return sorted(schema.events.foreign_key_constraints, key=lambda key: str(key.name))

    def _present_foreign_keys(self) -> set[str]:
        found = inspect(self.connection).get_foreign_keys(schema.events.name)
        return {str(key["name"]) for key in found}

    def begin_load(self) -> None:
        """Drop the event indexes (and foreign keys on PostgreSQL); on SQLite, switch to
        loading settings."""
        with self.connection.begin():
            for index in sorted(schema.events.indexes, key=lambda index: str(index.name)):
                index.drop(self.connection, checkfirst=True)
            present = self._present_foreign_keys()
            for key in self._event_foreign_keys():
                if str(key.name) in present:
                    self.connection.execute(DropConstraint(key))
        if self.backend == "sqlite":
            for name, value in SQLITE_LOAD_PRAGMAS.items():
                self._saved_pragmas[name] = self._pragma(name)
                self._pragma(name, value)

    def _pragma(self, name: str, value: int | None = None) -> int:
        """Read, or set and return, an integer SQLite setting named in this module."""
        if name not in SQLITE_LOAD_PRAGMAS:
            raise ValueError(f"unexpected SQLite setting {name!r}")
        if value is not None:
            self.connection.exec_driver_sql(f"PRAGMA {name} = {int(value)}").close()
        current = self.connection.exec_driver_sql(f"PRAGMA {name}").scalar()
        self.connection.commit()
        return int(current) if current is not None else 0

    def write(self, tables: Tables) -> None:
        """Insert one batch (stored values per table, in foreign-key order); commit every
        ``COMMIT_EVENTS`` events."""
        if not self.connection.in_transaction():
            self.connection.begin()
        for name, rows in tables:
            if rows:
                self._insert(name, rows)
                if name == "events":
                    self._pending_events += len(rows)
        if self._pending_events >= COMMIT_EVENTS:
            self.commit()

    def commit(self) -> None:
        """Commit what has been written so far."""
        if self.connection.in_transaction():
            self.connection.commit()
        self._pending_events = 0

    def _insert(self, name: str, rows: Sequence[Values]) -> None:
        table = schema.metadata.tables[name]
        for offset in range(0, len(rows), BATCH_ROWS):
            chunk = rows[offset : offset + BATCH_ROWS]
            if self.backend == "postgresql":
                self._copy(table, chunk)
            else:
                self.connection.exec_driver_sql(self._statements[name], cast(Any, chunk))

    def _copy(self, table: Table, rows: Sequence[Values]) -> None:
        copy_rows(self.connection, table.name, insert_fields(table.name), rows)

    def end_load(self) -> None:
        """Restore settings, rebuild the event indexes and, on PostgreSQL, move the id
        sequences past the demo's rows so that later inserts get fresh ids and refresh
        the planner's statistics.  Anything written but not committed (after a
        failure) is rolled back."""
        if self.connection.in_transaction():
            self.connection.rollback()
        for name, value in self._saved_pragmas.items():
            self._pragma(name, value)
        if self._saved_pragmas:
            self.connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").close()
            self.connection.commit()
        with self.connection.begin():
            restore_declared_indexes(self.connection)
            if self.backend == "postgresql":
                for name in FILLED_TABLES:
                    table = schema.metadata.tables[name]
                    highest = select(func.max(table.c.id)).scalar_subquery()
                    sequence = func.pg_get_serial_sequence(name, "id")
                    start = func.coalesce(highest, 1)
                    self.connection.execute(
                        select(func.setval(sequence, start, highest.isnot(None)))
                    )
                self.connection.exec_driver_sql("ANALYZE")
