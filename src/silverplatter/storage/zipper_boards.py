"""Statements of zipper boards and their saved versions (``understanding_schema``).

A save is optimistic: ``UPDATE … WHERE id = :id AND version = :seen`` moves the
board on by one version only when nobody saved since the editor read it; the
caller then writes the same document as a row of ``zipper_board_versions``.
The board editor also names worries by name; :func:`free_worry_slug` gives
the slug for one the editor types new (the worries service creates it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from silverplatter.domain.tier_matrix import slug_from
from silverplatter.storage.schema import users
from silverplatter.storage.segment_schema import needs_segments
from silverplatter.storage.understanding_schema import (
    worries,
    zipper_board_versions,
    zipper_boards,
)

b, v = zipper_boards.c, zipper_board_versions.c


def _boards() -> Any:
    return select(
        zipper_boards,
        needs_segments.c.slug.label("needs_slug"),
        needs_segments.c.name.label("needs_name"),
    ).select_from(
        zipper_boards.outerjoin(needs_segments, needs_segments.c.id == b.needs_segment_id)
    )


def board_rows(connection: Connection) -> list[Row[Any]]:
    """Every board by name, with its needs segment's slug and name."""
    return list(connection.execute(_boards().order_by(func.lower(b.name), b.id)))


def board_row(connection: Connection, slug: str) -> Row[Any] | None:
    found: Row[Any] | None = connection.execute(_boards().where(b.slug == slug)).first()
    return found


def slug_taken(connection: Connection, slug: str, besides: int | None = None) -> bool:
    statement = select(b.id).where(b.slug == slug)
    if besides is not None:
        statement = statement.where(b.id != besides)
    return connection.execute(statement.limit(1)).first() is not None


def insert_board(connection: Connection, values: Mapping[str, Any]) -> int:
    statement = insert(zipper_boards).values(**values).returning(b.id)
    return int(connection.execute(statement).scalar_one())


def save_document(
    connection: Connection,
    board_id: int,
    seen: int,
    document: Mapping[str, Any],
    *,
    now: datetime,
) -> bool:
    """Store ``document`` as version ``seen + 1`` if the board is still at ``seen``."""
    result = connection.execute(
        update(zipper_boards)
        .where(b.id == board_id, b.version == seen)
        .values(document=dict(document), version=seen + 1, updated_at=now)
    )
    return bool(result.rowcount)


def update_details(connection: Connection, board_id: int, values: Mapping[str, Any]) -> None:
    connection.execute(update(zipper_boards).where(b.id == board_id).values(**values))


def delete_board(connection: Connection, board_id: int) -> None:
    connection.execute(delete(zipper_board_versions).where(v.board_id == board_id))
    connection.execute(delete(zipper_boards).where(b.id == board_id))


def insert_version(
    connection: Connection,
    board_id: int,
    version: int,
    document: Mapping[str, Any],
    *,
    user_id: int | None,
    now: datetime,
) -> None:
    connection.execute(
        insert(zipper_board_versions).values(
            board_id=board_id,
            version=version,
            document=dict(document),
            created_by=user_id,
            created_at=now,
        )
    )


def version_rows(connection: Connection, board_id: int, *, limit: int = 200) -> list[Row[Any]]:
    """Saved versions, newest first, with the name of who saved each."""
    statement = (
        select(v.version, v.created_at, v.created_by, users.c.name.label("saved_by"))
        .select_from(zipper_board_versions.outerjoin(users, users.c.id == v.created_by))
        .where(v.board_id == board_id)
        .order_by(v.version.desc())
        .limit(limit)
    )
    return list(connection.execute(statement))


def version_document(connection: Connection, board_id: int, version: int) -> Row[Any] | None:
    statement = select(zipper_board_versions).where(v.board_id == board_id, v.version == version)
    found: Row[Any] | None = connection.execute(statement).first()
    return found


def needs_segment_id(connection: Connection, slug: str) -> int | None:
    found = connection.execute(
        select(needs_segments.c.id).where(needs_segments.c.slug == slug)
    ).scalar()
    return None if found is None else int(found)


# --- worries as the board names them ---------------------------------------------------


def worry_names(connection: Connection, ids: Iterable[int] | None = None) -> dict[int, str]:
    """Worry id → name (of ``ids``, or of every worry), ordered by name."""
    statement = select(worries.c.id, worries.c.name).order_by(
        func.lower(worries.c.name), worries.c.id
    )
    if ids is not None:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        statement = statement.where(worries.c.id.in_(wanted))
    return {int(row.id): str(row.name) for row in connection.execute(statement)}


def worry_named(connection: Connection, name: str) -> int | None:
    """The id of the worry called ``name`` (case ignored)."""
    found = connection.execute(
        select(worries.c.id).where(func.lower(worries.c.name) == name.lower()).limit(1)
    ).scalar()
    return None if found is None else int(found)


def free_worry_slug(connection: Connection, name: str) -> str:
    """A slug for a new worry called ``name``: made from the name, numbered when taken."""
    base = slug_from(name) or "worry"
    taken = set(
        connection.execute(
            select(worries.c.slug).where(worries.c.slug.like(f"{base[:90]}%"))
        ).scalars()
    )
    slug, number = base, 2
    while slug in taken:
        slug = f"{base[:90]}-{number}"
        number += 1
    return slug


__all__ = [
    "board_row",
    "board_rows",
    "delete_board",
    "free_worry_slug",
    "insert_board",
    "insert_version",
    "needs_segment_id",
    "save_document",
    "slug_taken",
    "update_details",
    "version_document",
    "version_rows",
    "worry_named",
    "worry_names",
]
