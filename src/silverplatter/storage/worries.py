"""Statements of worries and the tags that say which content answers them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from silverplatter.storage.capture_schema import forms, lead_magnets
from silverplatter.storage.nurture_schema import broadcasts, email_templates
from silverplatter.storage.understanding_schema import (
    account_worries,
    contact_worries,
    worries,
    worry_tags,
)

w, t = worries.c, worry_tags.c


def worry_rows(connection: Connection) -> list[Row[Any]]:
    """Every worry by name, with how many tags it has."""
    tags = (
        select(t.worry_id, func.count().label("tags")).group_by(t.worry_id).subquery("tag_counts")
    )
    statement = (
        select(worries, func.coalesce(tags.c.tags, 0).label("tags"))
        .outerjoin(tags, tags.c.worry_id == w.id)
        .order_by(func.lower(w.name), w.id)
    )
    return list(connection.execute(statement))


def worry_by_slug(connection: Connection, slug: str) -> Row[Any] | None:
    return connection.execute(select(worries).where(w.slug == slug)).first()


def worries_by_id(connection: Connection, ids: Iterable[int]) -> dict[int, Row[Any]]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {row.id: row for row in connection.execute(select(worries).where(w.id.in_(wanted)))}


def name_taken(connection: Connection, name: str, besides: int | None = None) -> bool:
    statement = select(w.id).where(func.lower(w.name) == name.lower())
    if besides is not None:
        statement = statement.where(w.id != besides)
    return connection.execute(statement.limit(1)).first() is not None


def slug_taken(connection: Connection, slug: str, besides: int | None = None) -> bool:
    statement = select(w.id).where(w.slug == slug)
    if besides is not None:
        statement = statement.where(w.id != besides)
    return connection.execute(statement.limit(1)).first() is not None


def insert_worry(connection: Connection, values: Mapping[str, Any], now: datetime) -> int:
    statement = insert(worries).values(**values, created_at=now, updated_at=now)
    return int(connection.execute(statement.returning(w.id)).scalar_one())


def update_worry(
    connection: Connection, worry_id: int, values: Mapping[str, Any], now: datetime
) -> None:
    connection.execute(update(worries).where(w.id == worry_id).values(**values, updated_at=now))


def delete_worry(connection: Connection, worry_id: int) -> None:
    # Tags and profile values go with it (ON DELETE CASCADE, and explicitly for SQLite
    # connections opened without foreign keys).
    for table in (worry_tags, contact_worries, account_worries):
        connection.execute(delete(table).where(table.c.worry_id == worry_id))
    connection.execute(delete(worries).where(w.id == worry_id))


def tag_rows(connection: Connection, worry_id: int | None = None) -> list[Row[Any]]:
    """Tags (of one worry, or all), with their worry's slug and name."""
    statement = select(worry_tags, w.slug.label("worry_slug"), w.name.label("worry_name")).join(
        worries, w.id == t.worry_id
    )
    if worry_id is not None:
        statement = statement.where(t.worry_id == worry_id)
    return list(connection.execute(statement.order_by(t.target_kind, t.target, t.id)))


def tag_exists(connection: Connection, worry_id: int, kind: str, target: str) -> bool:
    statement = select(t.id).where(
        t.worry_id == worry_id, t.target_kind == kind, t.target == target
    )
    return connection.execute(statement).first() is not None


def insert_tag(
    connection: Connection, worry_id: int, kind: str, target: str, weight: float, now: datetime
) -> int:
    statement = insert(worry_tags).values(
        worry_id=worry_id, target_kind=kind, target=target, weight=weight, created_at=now
    )
    return int(connection.execute(statement.returning(t.id)).scalar_one())


def tag_row(connection: Connection, tag_id: int) -> Row[Any] | None:
    return connection.execute(select(worry_tags).where(t.id == tag_id)).first()


def delete_tag(connection: Connection, tag_id: int) -> None:
    connection.execute(delete(worry_tags).where(t.id == tag_id))


def content_keys(connection: Connection) -> list[tuple[str, str, str]]:
    """(kind, key, name) of the workspace's own content a tag may name: lead magnets (by
    slug, and by content id, which their downloads carry too), forms, e-mail templates and
    broadcasts (``broadcast:<id>``, the campaign id their mails carry)."""
    magnets = connection.execute(select(lead_magnets.c.slug, lead_magnets.c.title)).all()
    found = [("lead_magnet", slug, title) for slug, title in magnets]
    found += [("content", slug, title) for slug, title in magnets]
    found += [
        ("form", slug, name)
        for slug, name in connection.execute(select(forms.c.slug, forms.c.name))
    ]
    templates = connection.execute(select(email_templates.c.slug, email_templates.c.name))
    found += [("email", slug, name) for slug, name in templates]
    sent = connection.execute(select(broadcasts.c.id, broadcasts.c.name))
    found += [("email", f"broadcast:{key}", name) for key, name in sent]
    return found


__all__ = [
    "content_keys",
    "delete_tag",
    "delete_worry",
    "insert_tag",
    "insert_worry",
    "name_taken",
    "slug_taken",
    "tag_exists",
    "tag_row",
    "tag_rows",
    "update_worry",
    "worries_by_id",
    "worry_by_slug",
    "worry_rows",
]
