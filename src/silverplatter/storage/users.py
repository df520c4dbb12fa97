"""Statements for users (the owners of accounts, contacts and deals)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, select

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
