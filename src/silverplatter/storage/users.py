"""Statements for users (the owners of accounts, contacts and deals)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select, update

from silverplatter.storage.schema import users


def ids_by_email(connection: Connection, email_keys: Iterable[str]) -> dict[str, int]:
    keys = sorted(set(email_keys))
    if not keys:
        return {}
    rows = connection.execute(
        select(users.c.email_key, users.c.id).where(users.c.email_key.in_(keys))
    )
    return {row.email_key: row.id for row in rows}


def create_user(
    connection: Connection,
    *,
    email: str,
    name: str,
    role: str,
    now: datetime,
    password_hash: str | None = None,
    active: bool = True,
) -> int:
    result = connection.execute(
        users.insert()
        .values(
            email=email,
            email_key=email.lower(),
            name=name,
            role=role,
            password_hash=password_hash,
            active=active,
            created_at=now,
        )
        .returning(users.c.id)
    )
    return int(result.scalar_one())


def user_by_email(connection: Connection, email: str) -> Row[Any] | None:
    return connection.execute(
        select(users).where(users.c.email_key == email.strip().lower())
    ).first()


def user_by_id(connection: Connection, user_id: int) -> Row[Any] | None:
    return connection.execute(select(users).where(users.c.id == user_id)).first()


def all_users(connection: Connection) -> list[Row[Any]]:
    return list(connection.execute(select(users).order_by(users.c.name, users.c.id)))


def update_user(connection: Connection, user_id: int, **values: Any) -> None:
    connection.execute(update(users).where(users.c.id == user_id).values(**values))
