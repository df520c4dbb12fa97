"""Opening a workspace database: the SQLite library must be new enough for the statements;
SQLite writers of one process queue in turn."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine

from silverplatter.storage import engine as storage_engine
from silverplatter.storage.engine import (
    OLDEST_SQLITE,
    SqliteTooOld,
    check_sqlite_version,
    one_writer,
)


def test_an_sqlite_older_than_the_statements_need_is_refused_naming_both_versions() -> None:
    with pytest.raises(SqliteTooOld) as refused:
        check_sqlite_version((3, 37, 2))
    assert str(refused.value) == (
        "SQLite 3.37.2 is too old: Silverplatter needs SQLite 3.38.0 or newer "
        "(use a newer Python build, or PostgreSQL through SILVERPLATTER_DATABASE_URL)"
    )
    check_sqlite_version(OLDEST_SQLITE)
    check_sqlite_version((3, 45, 1))


def test_opening_a_workspace_checks_the_library(monkeypatch: pytest.MonkeyPatch) -> None:
    storage_engine.check_sqlite_version()  # the library this suite runs on is new enough

    def too_old() -> None:
        check_sqlite_version((3, 31, 1))

    monkeypatch.setattr(storage_engine, "check_sqlite_version", too_old)
    with pytest.raises(SqliteTooOld, match=r"SQLite 3\.31\.1 is too old"):
        storage_engine.make_engine("sqlite:///:memory:")
    storage_engine.make_engine("postgresql://postgres@127.0.0.1:5432/unused").dispose()


def test_one_writer_queues_a_processs_sqlite_writers_and_holds_nothing_on_postgresql(
    engine: Engine,
) -> None:
    """A second writer waits for the first on SQLite; on PostgreSQL it goes in at once."""
    steps: list[str] = []
    inside, release = threading.Event(), threading.Event()

    def first() -> None:
        with one_writer(engine):
            steps.append("first in")
            inside.set()
            release.wait(10)
            steps.append("first out")

    def second() -> None:
        with one_writer(engine):
            steps.append("second in")

    writers = [threading.Thread(target=first), threading.Thread(target=second)]
    writers[0].start()
    assert inside.wait(10)
    writers[1].start()
    writers[1].join(timeout=0.5)  # on SQLite it is still queued behind the first
    release.set()
    for writer in writers:
        writer.join(timeout=10)
    if engine.dialect.name == "sqlite":
        assert steps == ["first in", "first out", "second in"]
    else:
        assert steps == ["first in", "second in", "first out"]
