"""Opening a workspace database: the SQLite library must be new enough for the statements."""

from __future__ import annotations

import pytest

from silverplatter.storage import engine as storage_engine
from silverplatter.storage.engine import OLDEST_SQLITE, SqliteTooOld, check_sqlite_version


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
