"""Statements for sessions, API tokens, login failures and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, select, update

from silverplatter.storage.access_schema import api_tokens, audit_log, login_failures, web_sessions
from silverplatter.storage.schema import users

# -- sessions ---------------------------------------------------------------


def insert_session(connection: Connection, **values: Any) -> None:
    connection.execute(web_sessions.insert().values(**values))


def session_with_user(connection: Connection, session_id: str) -> Row[Any] | None:
    """The session and its user's name, e-mail, role and active flag."""
    return connection.execute(
        select(
            web_sessions,
            users.c.name,
            users.c.email,
            users.c.role,
            users.c.active,
        )
        .join(users, users.c.id == web_sessions.c.user_id)
        .where(web_sessions.c.id == session_id)
    ).first()


def touch_session(connection: Connection, session_id: str, now: datetime) -> None:
    connection.execute(
        update(web_sessions).where(web_sessions.c.id == session_id).values(last_seen_at=now)
    )


def delete_session(connection: Connection, session_id: str) -> None:
    connection.execute(delete(web_sessions).where(web_sessions.c.id == session_id))


def delete_user_sessions(connection: Connection, user_id: int) -> int:
    result = connection.execute(delete(web_sessions).where(web_sessions.c.user_id == user_id))
    return result.rowcount


def delete_expired_sessions(connection: Connection, now: datetime) -> int:
    result = connection.execute(delete(web_sessions).where(web_sessions.c.expires_at <= now))
    return result.rowcount


# -- API tokens -------------------------------------------------------------


def insert_token(connection: Connection, **values: Any) -> int:
    result = connection.execute(api_tokens.insert().values(**values).returning(api_tokens.c.id))
    return int(result.scalar_one())


def token_with_user(connection: Connection, token_hash: str) -> Row[Any] | None:
    return connection.execute(
        select(api_tokens, users.c.name, users.c.email, users.c.role, users.c.active)
        .join(users, users.c.id == api_tokens.c.user_id)
        .where(api_tokens.c.token_hash == token_hash)
    ).first()


def token_by_id(connection: Connection, token_id: int) -> Row[Any] | None:
    return connection.execute(select(api_tokens).where(api_tokens.c.id == token_id)).first()


def tokens_of(connection: Connection, user_id: int | None) -> list[Row[Any]]:
    """Tokens of one user, or of everyone when ``user_id`` is None, newest first."""
    query = (
        select(api_tokens, users.c.name.label("user_name"))
        .join(users, users.c.id == api_tokens.c.user_id)
        .order_by(api_tokens.c.created_at.desc(), api_tokens.c.id.desc())
    )
    if user_id is not None:
        query = query.where(api_tokens.c.user_id == user_id)
    return list(connection.execute(query))


def update_token(connection: Connection, token_id: int, **values: Any) -> None:
    connection.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(**values))


# -- login failures ---------------------------------------------------------


def failures_of(connection: Connection, user_id: int) -> Row[Any] | None:
    return connection.execute(
        select(login_failures).where(login_failures.c.user_id == user_id)
    ).first()


def save_failures(
    connection: Connection,
    user_id: int,
    *,
    failures: int,
    at: datetime,
    locked_until: datetime | None,
) -> None:
    values = {"failures": failures, "last_failed_at": at, "locked_until": locked_until}
    changed = connection.execute(
        update(login_failures).where(login_failures.c.user_id == user_id).values(**values)
    )
    if changed.rowcount == 0:
        connection.execute(login_failures.insert().values(user_id=user_id, **values))


def clear_failures(connection: Connection, user_id: int) -> None:
    connection.execute(delete(login_failures).where(login_failures.c.user_id == user_id))


# -- audit log --------------------------------------------------------------


def insert_audit(connection: Connection, **values: Any) -> None:
    connection.execute(audit_log.insert().values(**values))


def audit_page(
    connection: Connection, *, before_id: int | None, limit: int, action: str | None = None
) -> list[Row[Any]]:
    """Audit entries newest first, keyset-paginated by id."""
    query = (
        select(audit_log, users.c.name.label("user_name"))
        .outerjoin(users, users.c.id == audit_log.c.user_id)
        .order_by(audit_log.c.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        query = query.where(audit_log.c.id < before_id)
    if action is not None:
        query = query.where(audit_log.c.action == action)
    return list(connection.execute(query))


def audit_count(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(audit_log)).scalar_one())
