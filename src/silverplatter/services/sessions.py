"""Browser sessions: a random cookie value, stored only as its SHA-256 digest.

Signing in always starts a *new* session (the old one, if any, is deleted):
a session id fixed before sign-in can never become an authenticated one.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import Connection

from silverplatter.domain.access import permissions_of
from silverplatter.storage import access as store

LIFETIME: Final = timedelta(hours=12)
#: Refresh ``last_seen_at`` at most this often, not on every request.
TOUCH_EVERY: Final = timedelta(minutes=5)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class SessionStarted:
    cookie: str
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: a signed-in user or the holder of an API token."""

    user_id: int
    name: str
    email: str
    role: str
    permissions: frozenset[str]
    via: str  # "session" or "token"
    csrf_token: str | None = None

    def may(self, permission: str) -> bool:
        return permission in self.permissions


def start_session(
    connection: Connection,
    user_id: int,
    *,
    now: datetime,
    replacing: str | None = None,
    ip_address: str | None = None,
) -> SessionStarted:
    if replacing:
        store.delete_session(connection, digest(replacing))
    cookie = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = now + LIFETIME
    store.insert_session(
        connection,
        id=digest(cookie),
        user_id=user_id,
        csrf_token=csrf,
        created_at=now,
        expires_at=expires,
        last_seen_at=now,
        ip_address=ip_address,
    )
    return SessionStarted(cookie, csrf, expires)


def session_principal(connection: Connection, cookie: str, *, now: datetime) -> Principal | None:
    """The user behind a session cookie, or None when unknown, expired or deactivated."""
    row = store.session_with_user(connection, digest(cookie))
    if row is None or row.expires_at <= now or not row.active:
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        store.touch_session(connection, row.id, now)
    return Principal(
        user_id=row.user_id,
        name=row.name,
        email=row.email,
        role=row.role,
        permissions=permissions_of(row.role),
        via="session",
        csrf_token=row.csrf_token,
    )


def end_session(connection: Connection, cookie: str) -> None:
    store.delete_session(connection, digest(cookie))
