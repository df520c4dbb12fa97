"""Putting back what a bulk load takes away for speed.

Bulk loads (the demo world) drop the event indexes, and on PostgreSQL the
events' foreign keys, and rebuild them at the end.  A process killed in
between leaves them missing; every start of a load and every
``silverplatter init`` calls :func:`restore_declared_indexes` first.
"""

from __future__ import annotations

from sqlalchemy import Connection, inspect, text
from sqlalchemy.schema import AddConstraint

from silverplatter.storage.schema import events, metadata


def index_names(connection: Connection, table: str) -> set[str]:
    """Names of the table's indexes, expression indexes included (which reflection skips)."""
    if connection.dialect.name == "sqlite":
        query = text("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :t")
    else:
        query = text(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = :t"
        )
    return set(connection.execute(query, {"t": table}).scalars())


def restore_declared_indexes(connection: Connection) -> list[str]:
    """Create every declared index (and events foreign key) that is missing; name them."""
    restored: list[str] = []
    inspector = inspect(connection)
    for table in metadata.sorted_tables:
        present = index_names(connection, table.name)
        for index in sorted(table.indexes, key=lambda item: str(item.name)):
            if index.name not in present:
                index.create(connection)
                restored.append(str(index.name))
    if connection.dialect.name == "postgresql":
        keys = {key["name"] for key in inspector.get_foreign_keys(events.name)}
        for constraint in sorted(events.foreign_key_constraints, key=lambda key: str(key.name)):
            if constraint.name not in keys:
                connection.execute(AddConstraint(constraint))
                restored.append(str(constraint.name))
    return restored
