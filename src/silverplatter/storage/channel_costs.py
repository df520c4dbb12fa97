"""Statements of the channel costs (``planning_schema.channel_costs``): one row per
channel and month, written over when entered again."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update

from silverplatter.storage.planning_schema import channel_costs


def cost_of(connection: Connection, channel: str, month: date) -> Row[Any] | None:
    c = channel_costs.c
    return connection.execute(
        select(channel_costs).where(c.channel == channel, c.month == month)
    ).first()


def save_cost(
    connection: Connection,
    *,
    channel: str,
    month: date,
    amount: Decimal,
    currency: str,
    note: str | None,
    now: datetime,
) -> tuple[int, bool]:
    """Insert or replace the channel's month; (id, True when it was new)."""
    values = {"amount": amount, "currency": currency, "note": note, "updated_at": now}
    found = cost_of(connection, channel, month)
    if found is not None:
        connection.execute(
            update(channel_costs).where(channel_costs.c.id == found.id).values(**values)
        )
        return int(found.id), False
    inserted = connection.execute(
        insert(channel_costs)
        .values(channel=channel, month=month, **values)
        .returning(channel_costs.c.id)
    ).scalar_one()
    return int(inserted), True


def delete_cost(connection: Connection, cost_id: int) -> Row[Any] | None:
    """Delete one row; the row as it was, or None when there was none."""
    found = connection.execute(select(channel_costs).where(channel_costs.c.id == cost_id)).first()
    if found is not None:
        connection.execute(delete(channel_costs).where(channel_costs.c.id == cost_id))
    return found


def costs_between(
    connection: Connection, start: date | None = None, end: date | None = None
) -> list[Row[Any]]:
    """Rows of the months from ``start`` up to and including ``end``, by month then channel."""
    c = channel_costs.c
    query = select(channel_costs).order_by(c.month, c.channel)
    if start is not None:
        query = query.where(c.month >= start)
    if end is not None:
        query = query.where(c.month <= end)
    return list(connection.execute(query))
