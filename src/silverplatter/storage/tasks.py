"""Statements of the tasks aggregate (``planning_schema.tasks``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from silverplatter.storage.planning_schema import tasks
from silverplatter.storage.schema import accounts, contacts, users


def insert_tasks(connection: Connection, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` (columns of ``tasks``); their new ids in order."""
    if not rows:
        return []
    result = connection.execute(insert(tasks).returning(tasks.c.id), list(rows))
    return [int(row[0]) for row in result]


def _listing() -> Any:
    return (
        select(
            tasks,
            contacts.c.email.label("contact_email"),
            accounts.c.name.label("account_name"),
            users.c.name.label("owner_name"),
        )
        .outerjoin(contacts, contacts.c.id == tasks.c.contact_id)
        .outerjoin(accounts, accounts.c.id == tasks.c.account_id)
        .outerjoin(users, users.c.id == tasks.c.owner_id)
    )


def task(connection: Connection, task_id: int) -> Row[Any] | None:
    return connection.execute(_listing().where(tasks.c.id == task_id)).first()


def open_tasks(
    connection: Connection, *, owner_id: int | None = None, limit: int = 200
) -> list[Row[Any]]:
    """Open tasks, due first (undated last), of ``owner_id`` or of everyone."""
    statement = _listing().where(tasks.c.status == "open")
    if owner_id is not None:
        statement = statement.where(tasks.c.owner_id == owner_id)
    statement = statement.order_by(tasks.c.due_on.is_(None), tasks.c.due_on, tasks.c.id)
    return list(connection.execute(statement.limit(limit)))


def tasks_about(
    connection: Connection,
    *,
    contact_id: int | None = None,
    account_id: int | None = None,
    status: str | None = None,
    limit: int = 50,
) -> list[Row[Any]]:
    """Tasks about a contact or an account (of one ``status`` if given), newest first."""
    statement = _listing()
    if status is not None:
        statement = statement.where(tasks.c.status == status)
    if contact_id is not None:
        statement = statement.where(tasks.c.contact_id == contact_id)
    if account_id is not None:
        statement = statement.where(tasks.c.account_id == account_id)
    return list(connection.execute(statement.order_by(tasks.c.id.desc()).limit(limit)))


def mark_done(connection: Connection, task_id: int, now: datetime) -> bool:
    """Close an open task; whether one was closed."""
    result = connection.execute(
        update(tasks)
        .where(tasks.c.id == task_id, tasks.c.status == "open")
        .values(status="done", done_at=now)
    )
    return result.rowcount == 1
