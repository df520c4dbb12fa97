"""Statements of figure snapshots (``snapshot_schema.figure_snapshots``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from silverplatter.storage.schema import contacts
from silverplatter.storage.snapshot_schema import figure_snapshots


def snapshot(connection: Connection, name: str) -> Row[Any] | None:
    """The stored snapshot called ``name`` (as_of, seconds, figures), if any."""
    columns = figure_snapshots.c
    query: Any = select(columns.as_of, columns.seconds, columns.figures)
    found: Row[Any] | None = connection.execute(query.where(columns.name == name)).first()
    return found


def save_snapshot(
    connection: Connection, name: str, *, as_of: datetime, seconds: float, figures: Any
) -> None:
    """Store ``figures`` as the snapshot called ``name``, replacing an older one.

    A snapshot older than the stored one is dropped: two refreshes that
    overlap leave the newer figures.
    """
    columns = figure_snapshots.c
    values = {"as_of": as_of, "seconds": seconds, "figures": figures}
    changed = connection.execute(
        update(figure_snapshots)
        .where(columns.name == name, columns.as_of <= as_of)
        .values(**values)
    ).rowcount
    if changed == 0 and snapshot(connection, name) is None:
        connection.execute(insert(figure_snapshots).values(name=name, **values))


def contacts_high_water(connection: Connection) -> int:
    """The highest contact id: how big the list has grown, read from the index alone."""
    return int(connection.execute(select(func.coalesce(func.max(contacts.c.id), 0))).scalar_one())
