"""The migrations create exactly the schema the code declares."""

from __future__ import annotations

import warnings
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from silverplatter.storage.engine import (
    current_revision,
    head_revision,
    is_initialised,
    make_engine,
)
from silverplatter.storage.schema import metadata


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as connection, warnings.catch_warnings():
        # Expression indexes are not reflected; the next test checks them by name.
        warnings.filterwarnings("ignore", message=".*expression-based index")
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_expression_indexes_exist(engine: Engine) -> None:
    declared = {
        index.name
        for table in metadata.tables.values()
        for index in table.indexes
        if any(not hasattr(part, "table") for part in index.expressions)
    }
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            query = "SELECT name FROM sqlite_master WHERE type = 'index'"
        else:
            query = "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"
        present = set(connection.exec_driver_sql(query).scalars())
    assert declared == {
        "ix_contacts_name_sort",
        "ix_contacts_first_name_search",
        "ix_contacts_email_name",
        "ix_accounts_name_sort",
    }
    assert declared <= present


def test_database_is_at_head(engine: Engine) -> None:
    assert current_revision(engine) == head_revision(engine)
    assert is_initialised(engine)


def test_every_declared_table_exists(engine: Engine) -> None:
    present = set(inspect(engine).get_table_names())
    assert {table.name for table in metadata.sorted_tables} <= present


def test_a_database_before_its_first_migration_is_at_no_revision(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    assert current_revision(engine) is None
    assert not is_initialised(engine)
    engine.dispose()
