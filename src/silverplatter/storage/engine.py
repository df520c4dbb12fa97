"""Opening a workspace database: engine creation, pragmas and migrations."""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import ConnectionPoolEntry

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def normalise_url(url: str | URL) -> URL:
    """Use psycopg 3 for PostgreSQL URLs written without a driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


#: The oldest SQLite the statements run on: ``unixepoch``, ``->>`` on JSON (3.38),
#: ``UPDATE … FROM`` (3.33) and ``DROP COLUMN`` / ``MATERIALIZED`` (3.35).
OLDEST_SQLITE = (3, 38, 0)


class SqliteTooOld(RuntimeError):
    """The SQLite library this Python links is older than :data:`OLDEST_SQLITE`."""


def check_sqlite_version(version: tuple[int, int, int] = sqlite3.sqlite_version_info) -> None:
    """Refuse an SQLite older than the statements need, naming both versions."""
    if version < OLDEST_SQLITE:
        found = ".".join(map(str, version))
        oldest = ".".join(map(str, OLDEST_SQLITE))
        raise SqliteTooOld(
            f"SQLite {found} is too old: Silverplatter needs SQLite {oldest} or newer "
            "(use a newer Python build, or PostgreSQL through SILVERPLATTER_DATABASE_URL)"
        )


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.execute("PRAGMA cache_size = -131072")  # 128 MiB of pages: indexes stay hot
    # Checkpoint the WAL every ~40 MB rather than every 4 MB: batches of events
    # dirty many index pages, and a checkpoint inside a commit stalls the writer.
    cursor.execute("PRAGMA wal_autocheckpoint = 10000")
    cursor.close()


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """An engine for a workspace database.

    SQLite gets WAL journalling, foreign keys and a busy timeout on every
    connection; PostgreSQL is reached through psycopg 3.
    """
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        check_sqlite_version()
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False})
    engine = create_engine(parsed, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


_WRITERS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
_WRITERS_GUARD = threading.Lock()


@contextmanager
def one_writer(engine: Engine) -> Iterator[None]:
    """On SQLite, let one writing transaction of this process run at a time.

    SQLite has one writer at a time; a connection that finds the write lock
    taken waits in its busy handler, which sleeps 1, 2, 5 … up to 100 ms
    between tries, so under concurrent batches a writer often starts tens of
    milliseconds after the lock was freed.  Threads queued on this lock start
    as soon as the previous transaction ends.  PostgreSQL writes concurrently:
    there this holds nothing.
    """
    if engine.dialect.name != "sqlite":
        yield
        return
    with _WRITERS_GUARD:
        lock = _WRITERS.get(engine)
        if lock is None:
            lock = _WRITERS[engine] = threading.Lock()
    with lock:
        yield


def alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema up to ``revision`` (the latest by default)."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at; None before the first migration.

    Read with one plain statement: alembic's own reader builds and compiles a
    new statement on every call (about 1 ms of CPU), and ``/healthz``, which
    load balancers poll, asks on every request.
    """
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        try:
            found = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
        except SQLAlchemyError:
            found = None  # no version table yet: alembic's reader says what it says
        if found is not None and len(found) <= 1:
            return str(found[0][0]) if found else None
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine | None = None) -> str | None:
    """The newest migration this code knows (read from disk once per process)."""
    return _head_revision()


@lru_cache(maxsize=1)
def _head_revision() -> str | None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


def is_initialised(engine: Engine) -> bool:
    """Whether the database holds a workspace at the latest schema."""
    if not inspect(engine).has_table("alembic_version"):
        return False
    return current_revision(engine) == head_revision(engine)


def refresh_statistics(engine: Engine) -> None:
    """Let SQLite's planner know the tables' sizes (``ANALYZE``, sampled: ~50 ms at 1M).

    Without statistics SQLite guesses that an index range matches a quarter of
    a table, and walks a sort's index past a million contacts for a search
    that matches three.  PostgreSQL keeps its own statistics.
    """
    if engine.dialect.name != "sqlite":
        return
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA analysis_limit = 1000")
            connection.exec_driver_sql("ANALYZE")
    except SQLAlchemyError:
        pass  # an uninitialised or unreachable database: /healthz reports it
