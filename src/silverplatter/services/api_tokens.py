"""API tokens for integrations: scoped, revocable, hashed at rest, last use recorded.

A token reads ``sp_<prefix>_<secret>``; it is shown once, when issued, and only
its SHA-256 digest is stored.  It acts with its scopes narrowed by its user's
current role, so demoting a user narrows their tokens at once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import Connection, Row

from silverplatter.domain.access import GRANTS, permissions_of, unknown_scopes
from silverplatter.services.audit import Actor, record
from silverplatter.services.sessions import Principal, digest
from silverplatter.services.users import UserError
from silverplatter.storage import access as store
from silverplatter.storage import users as user_store

#: Record ``last_used_at`` at most this often per token.
TOUCH_EVERY: Final = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    id: int
    token: str  # shown once
    prefix: str
    scopes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: int
    user_id: int
    user_name: str
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, row: Row[Any]) -> TokenInfo:
        return cls(
            row.id,
            row.user_id,
            row.user_name,
            row.name,
            row.prefix,
            tuple(row.scopes),
            row.created_at,
            row.expires_at,
            row.last_used_at,
            row.revoked_at,
        )


def issue_token(
    connection: Connection,
    user_id: int,
    *,
    name: str,
    scopes: list[str],
    now: datetime,
    actor: Actor,
    expires_at: datetime | None = None,
) -> IssuedToken:
    user = user_store.user_by_id(connection, user_id)
    if user is None:
        raise UserError("user", f"no user with id {user_id}")
    if not name.strip():
        raise UserError("name", "must not be empty")
    wanted = frozenset(scopes)
    if not wanted:
        raise UserError("scopes", "name at least one scope")
    if unknown := unknown_scopes(wanted):
        raise UserError("scopes", f"unknown scope(s): {', '.join(unknown)}")
    if beyond := sorted(wanted - GRANTS[user.role]):
        raise UserError("scopes", f"the {user.role} role cannot grant {', '.join(beyond)}")
    if expires_at is not None and expires_at <= now:
        raise UserError("expires_at", "must be in the future")
    prefix = secrets.token_hex(4)
    token = f"sp_{prefix}_{secrets.token_urlsafe(32)}"
    chosen = tuple(sorted(wanted))
    token_id = store.insert_token(
        connection,
        user_id=user_id,
        name=name.strip(),
        prefix=prefix,
        token_hash=digest(token),
        scopes=list(chosen),
        created_at=now,
        expires_at=expires_at,
    )
    details = {"token": prefix, "name": name.strip(), "scopes": list(chosen)}
    record(connection, "token.created", user.email, actor=actor, now=now, details=details)
    return IssuedToken(token_id, token, prefix, chosen)


def token_principal(connection: Connection, token: str, *, now: datetime) -> Principal | None:
    row = store.token_with_user(connection, digest(token))
    if row is None or row.revoked_at is not None or not row.active:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        store.update_token(connection, row.id, last_used_at=now)
    return Principal(
        user_id=row.user_id,
        name=row.name,
        email=row.email,
        role=row.role,
        permissions=permissions_of(row.role, frozenset(row.scopes)),
        via="token",
    )


def revoke_token(
    connection: Connection, token_id: int, *, now: datetime, actor: Actor, may_any: bool
) -> None:
    """Revoke a token: one's own, or anyone's when ``may_any`` (user managers)."""
    row = store.token_by_id(connection, token_id)
    if row is None or (not may_any and row.user_id != actor.user_id):
        raise UserError("token", f"no token with id {token_id}")
    if row.revoked_at is not None:
        return
    store.update_token(connection, token_id, revoked_at=now)
    details = {"token": row.prefix, "name": row.name}
    record(connection, "token.revoked", row.name, actor=actor, now=now, details=details)


def list_tokens(connection: Connection, user_id: int | None) -> list[TokenInfo]:
    return [TokenInfo.of(row) for row in store.tokens_of(connection, user_id)]
