"""Statements for segments and their member lists."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, delete, func, insert, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.schema import accounts, contacts, users
from silverplatter.storage.segment_schema import needs_segments, segment_members, segments
from silverplatter.storage.types import UtcDateTime

c, m, g = contacts.c, segment_members.c, segments.c
author = users.alias("author")


def _segments() -> Select[Any]:
    return select(segments, author.c.name.label("author_name")).outerjoin(
        author, author.c.id == g.created_by
    )


def segment_rows(connection: Connection) -> list[Row[Any]]:
    """Every segment, by name."""
    return list(connection.execute(_segments().order_by(func.lower(g.name), g.id)))


def segment_row(connection: Connection, segment_id: int) -> Row[Any] | None:
    return connection.execute(_segments().where(g.id == segment_id)).first()


def segment_by_slug(connection: Connection, slug: str) -> Row[Any] | None:
    return connection.execute(_segments().where(g.slug == slug)).first()


def slug_taken(connection: Connection, slug: str) -> bool:
    return connection.execute(select(g.id).where(g.slug == slug)).first() is not None


def insert_segment(connection: Connection, values: dict[str, Any]) -> int:
    segment_id: int = connection.execute(
        insert(segments).values(**values).returning(g.id)
    ).scalar_one()
    return segment_id


def update_segment(connection: Connection, segment_id: int, values: dict[str, Any]) -> None:
    connection.execute(update(segments).where(g.id == segment_id).values(**values))


def delete_segment(connection: Connection, segment_id: int) -> None:
    connection.execute(delete(segments).where(g.id == segment_id))


def needs_segments_using(connection: Connection, segment_id: int) -> list[str]:
    """Names of the needs segments defined by this segment."""
    n = needs_segments.c
    query = select(n.name).where(n.segment_id == segment_id).order_by(n.position, n.id)
    return list(connection.execute(query).scalars())


def store_count(connection: Connection, segment_id: int, count: int, now: datetime) -> None:
    connection.execute(
        update(segments).where(g.id == segment_id).values(member_count=count, counted_at=now)
    )


def without_jit(connection: Connection) -> None:
    """No JIT compilation for the rest of this transaction, on PostgreSQL.

    A segment's count over a million contacts is costed high enough for
    PostgreSQL to JIT-compile it, which took 1.9 s of a 4.5 s count in the
    benchmark, more than the compiled code saved.
    """
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL jit = off")


def count_of(connection: Connection, ids: Select[Any]) -> int:
    """How many rows a select of contact ids gives."""
    counted = select(func.count()).select_from(ids.subquery())
    return int(connection.execute(counted).scalar_one())


def listed_ids(segment_id: int) -> Select[Any]:
    """The contact ids kept in a segment's member list."""
    return select(m.contact_id.label("id")).where(m.segment_id == segment_id)


def replace_members(
    connection: Connection, segment_id: int, ids: Select[Any], now: datetime
) -> int:
    """The member list becomes exactly ``ids``: one DELETE and one INSERT … SELECT."""
    connection.execute(delete(segment_members).where(m.segment_id == segment_id))
    chosen = ids.subquery()
    rows = select(
        literal(segment_id).label("segment_id"),
        chosen.c.id,
        literal(now, UtcDateTime).label("added_at"),
    )
    connection.execute(
        insert(segment_members).from_select(["segment_id", "contact_id", "added_at"], rows)
    )
    return count_of(connection, listed_ids(segment_id))


def add_members(
    connection: Connection, segment_id: int, contact_ids: Sequence[int], now: datetime
) -> int:
    """Add contacts to a member list (those already in it stay); how many were new."""
    if not contact_ids:
        return 0
    dialect = connection.dialect.name
    statement: Any = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(
        segment_members
    )
    statement = statement.on_conflict_do_nothing(index_elements=["segment_id", "contact_id"])
    present = select(c.id).where(c.id.in_(sorted(set(contact_ids))))
    existing = set(connection.execute(present).scalars())
    before = count_of(connection, listed_ids(segment_id))
    if existing:
        connection.execute(
            statement,
            [
                {"segment_id": segment_id, "contact_id": contact_id, "added_at": now}
                for contact_id in sorted(existing)
            ],
        )
    return count_of(connection, listed_ids(segment_id)) - before


def remove_members(connection: Connection, segment_id: int, contact_ids: Sequence[int]) -> int:
    result = connection.execute(
        delete(segment_members).where(
            m.segment_id == segment_id, m.contact_id.in_(sorted(set(contact_ids)))
        )
    )
    return int(result.rowcount or 0)


def id_page(connection: Connection, ids: Select[Any], *, after: int, limit: int) -> list[int]:
    """Up to ``limit`` member ids after ``after``, ascending (a keyset page)."""
    column = ids.selected_columns[0]
    query = ids.where(column > after).order_by(column).limit(limit)
    return [int(value) for value in connection.execute(query).scalars()]


def member_rows(connection: Connection, contact_ids: Sequence[int]) -> list[Row[Any]]:
    """What a member list shows of each contact, in id order."""
    if not contact_ids:
        return []
    a, s = accounts.c, contact_scores.c
    query = (
        select(
            c.id,
            c.email,
            c.first_name,
            c.last_name,
            c.title,
            c.country,
            c.lifecycle_stage,
            a.name.label("account_name"),
            s.grade,
            s.score,
        )
        .select_from(
            contacts.outerjoin(accounts, a.id == c.account_id).outerjoin(
                contact_scores, s.contact_id == c.id
            )
        )
        .where(c.id.in_(list(contact_ids)))
        .order_by(c.id)
    )
    return list(connection.execute(query))
