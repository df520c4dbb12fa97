"""The migrations create exactly the schema the code declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from silverplatter.storage.engine import current_revision, head_revision, is_initialised
from silverplatter.storage.schema import metadata


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_database_is_at_head(engine: Engine) -> None:
    assert current_revision(engine) == head_revision(engine)
    assert is_initialised(engine)


def test_every_declared_table_exists(engine: Engine) -> None:
    present = set(inspect(engine).get_table_names())
    assert {table.name for table in metadata.sorted_tables} <= present
