"""Alembic environment: runs migrations on the engine handed over by the caller."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from silverplatter.settings import get_settings
from silverplatter.storage.engine import make_engine
from silverplatter.storage.schema import metadata

config = context.config


def run_migrations() -> None:
    engine = config.attributes.get("engine")
    if not isinstance(engine, Engine):
        engine = make_engine(get_settings().database_url)
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        context.run_migrations()


run_migrations()
