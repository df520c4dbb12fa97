"""Tables of access: browser sessions, API tokens, the audit log, login lockout.

Secrets are never stored: a session cookie and an API token are random strings
of which only a SHA-256 digest is kept, so a copy of the database lets nobody
log in.  Users' passwords are argon2 hashes in ``users.password_hash``.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table

from silverplatter.storage.schema import BigId, metadata
from silverplatter.storage.types import JsonDocument, UtcDateTime

#: One row per signed-in browser.  ``id`` is the digest of the cookie value.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("ip_address", String(45)),
    Index("ix_web_sessions_user_id", "user_id"),
)

#: Tokens for integrations: scoped, revocable, hashed at rest.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(100), nullable=False),
    # The first characters of the token, shown to tell tokens apart.
    Column("prefix", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("scopes", JsonDocument, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime),
    Column("last_used_at", UtcDateTime),
    Column("revoked_at", UtcDateTime),
    Index("ix_api_tokens_user_id", "user_id"),
)

#: Sensitive actions: who did what to what, when and from where.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("action", String(50), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("details", JsonDocument, nullable=False),
    Column("ip_address", String(45)),
    Index("ix_audit_log_occurred_at", "occurred_at"),
)

#: Failed sign-ins per user, for the lockout after repeated failures.
login_failures = Table(
    "login_failures",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failed_at", UtcDateTime, nullable=False),
    Column("locked_until", UtcDateTime),
)

__all__ = ["api_tokens", "audit_log", "login_failures", "web_sessions"]
