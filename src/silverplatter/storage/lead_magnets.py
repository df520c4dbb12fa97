"""Statements for lead magnets: the file with its facts, and how often it was downloaded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select, update

from silverplatter.storage.capture_schema import lead_magnets
from silverplatter.storage.schema import events

#: Every column but the file itself, which only a download reads.
FACTS = tuple(column for column in lead_magnets.c if column.name != "content")

DOWNLOAD_EVENT = "content_download"


def insert(connection: Connection, values: dict[str, Any]) -> int:
    result = connection.execute(lead_magnets.insert().values(**values).returning(lead_magnets.c.id))
    return int(result.scalar_one())


def facts(connection: Connection, magnet_id: int) -> Row[Any] | None:
    return connection.execute(select(*FACTS).where(lead_magnets.c.id == magnet_id)).first()


def with_file(connection: Connection, magnet_id: int) -> Row[Any] | None:
    return connection.execute(select(lead_magnets).where(lead_magnets.c.id == magnet_id)).first()


def slug_taken(connection: Connection, slug: str) -> bool:
    found = connection.execute(select(lead_magnets.c.id).where(lead_magnets.c.slug == slug))
    return found.first() is not None


def change(connection: Connection, magnet_id: int, values: dict[str, Any], now: datetime) -> bool:
    result = connection.execute(
        update(lead_magnets).where(lead_magnets.c.id == magnet_id).values(**values, updated_at=now)
    )
    return bool(result.rowcount)


def listing(connection: Connection, *, active_only: bool = False) -> list[Row[Any]]:
    """Every magnet's facts, active ones first, then by title."""
    query = select(*FACTS).order_by(
        lead_magnets.c.active.desc(), lead_magnets.c.title, lead_magnets.c.id
    )
    if active_only:
        query = query.where(lead_magnets.c.active.is_(True))
    return list(connection.execute(query))


def download_counts(connection: Connection, slugs: list[str]) -> dict[str, int]:
    """Download events per magnet slug (one per person, magnet and day)."""
    if not slugs:
        return {}
    slug = events.c.properties["lead_magnet"].as_string()
    query = (
        select(slug, func.count())
        .where(events.c.type == DOWNLOAD_EVENT, slug.in_(slugs))
        .group_by(slug)
    )
    return {str(name): int(count) for name, count in connection.execute(query)}
