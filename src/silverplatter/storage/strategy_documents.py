"""Statements of strategy documents and their saved versions (``understanding_schema``).

Saving is optimistic like a zipper board's: the row moves on one version only
when it is still at the version the editor read.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update

from silverplatter.storage.schema import users
from silverplatter.storage.understanding_schema import (
    strategy_document_versions,
    strategy_documents,
)

d, v = strategy_documents.c, strategy_document_versions.c


def document_rows(connection: Connection, kind: str | None = None) -> list[Row[Any]]:
    """Documents (of one kind, or all) by kind, then oldest first."""
    statement = select(strategy_documents).order_by(d.kind, d.created_at, d.id)
    if kind is not None:
        statement = statement.where(d.kind == kind)
    return list(connection.execute(statement))


def document_row(connection: Connection, slug: str) -> Row[Any] | None:
    found: Row[Any] | None = connection.execute(
        select(strategy_documents).where(d.slug == slug)
    ).first()
    return found


def slug_taken(connection: Connection, slug: str) -> bool:
    return connection.execute(select(d.id).where(d.slug == slug).limit(1)).first() is not None


def insert_document(connection: Connection, values: Mapping[str, Any]) -> int:
    statement = insert(strategy_documents).values(**values).returning(d.id)
    return int(connection.execute(statement).scalar_one())


def save_body(
    connection: Connection,
    document_id: int,
    seen: int,
    values: Mapping[str, Any],
    *,
    now: datetime,
) -> bool:
    """Store the title and body as version ``seen + 1`` if the row is still at ``seen``."""
    result = connection.execute(
        update(strategy_documents)
        .where(d.id == document_id, d.version == seen)
        .values(**values, version=seen + 1, updated_at=now)
    )
    return bool(result.rowcount)


def delete_document(connection: Connection, document_id: int) -> None:
    connection.execute(delete(strategy_document_versions).where(v.document_id == document_id))
    connection.execute(delete(strategy_documents).where(d.id == document_id))


def insert_version(
    connection: Connection,
    document_id: int,
    version: int,
    body: Mapping[str, Any],
    *,
    user_id: int | None,
    now: datetime,
) -> None:
    connection.execute(
        insert(strategy_document_versions).values(
            document_id=document_id,
            version=version,
            body=dict(body),
            created_by=user_id,
            created_at=now,
        )
    )


def version_rows(connection: Connection, document_id: int, *, limit: int = 200) -> list[Row[Any]]:
    """Saved versions, newest first, with the name of who saved each."""
    statement = (
        select(v.version, v.created_at, v.created_by, users.c.name.label("saved_by"))
        .select_from(strategy_document_versions.outerjoin(users, users.c.id == v.created_by))
        .where(v.document_id == document_id)
        .order_by(v.version.desc())
        .limit(limit)
    )
    return list(connection.execute(statement))


def version_body(connection: Connection, document_id: int, version: int) -> Row[Any] | None:
    found: Row[Any] | None = connection.execute(
        select(strategy_document_versions).where(v.document_id == document_id, v.version == version)
    ).first()
    return found


__all__ = [
    "delete_document",
    "document_row",
    "document_rows",
    "insert_document",
    "insert_version",
    "save_body",
    "slug_taken",
    "version_body",
    "version_rows",
]
