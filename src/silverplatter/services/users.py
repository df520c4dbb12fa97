"""Users: creation, roles, passwords (argon2), sign-in with lockout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Connection, Row

from silverplatter.domain.access import ROLES
from silverplatter.services.audit import Actor, record
from silverplatter.storage import access as access_store
from silverplatter.storage import users as store

#: Failed sign-ins in a row that lock a user out, and for how long.
LOCK_AFTER: Final = 5
LOCK_FOR: Final = timedelta(minutes=15)
MIN_PASSWORD: Final = 10

_hasher = PasswordHasher()
# Verifying against this keeps an unknown e-mail as slow as a wrong password.
_dummy_hash = _hasher.hash("not a password of anyone")


def use_hasher(hasher: PasswordHasher) -> None:
    """Replace the argon2 parameters (the test suite uses cheap ones)."""
    global _hasher, _dummy_hash
    _hasher = hasher
    _dummy_hash = hasher.hash("not a password of anyone")


class UserError(ValueError):
    """A user operation refused, naming the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class SignInRefused(Exception):
    """Wrong e-mail or password, an inactive user, or a locked one."""

    def __init__(self, reason: str, locked_until: datetime | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.locked_until = locked_until


@dataclass(frozen=True, slots=True)
class User:
    id: int
    email: str
    name: str
    role: str
    active: bool
    last_signed_in_at: datetime | None = None

    @classmethod
    def of(cls, row: Row[Any]) -> User:
        signed = row._mapping.get("last_signed_in_at")
        return cls(row.id, row.email, row.name, row.role, bool(row.active), signed)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError("password", f"must be at least {MIN_PASSWORD} characters long")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError("role", f"must be one of {', '.join(ROLES)}, not {role!r}")


def create_user(
    connection: Connection,
    *,
    email: str,
    name: str,
    role: str,
    password: str | None,
    now: datetime,
    actor: Actor,
) -> User:
    """Create a user; the password is hashed with argon2 before it is stored."""
    try:
        address = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise UserError("email", str(error)) from None
    if not name.strip():
        raise UserError("name", "must not be empty")
    _check_role(role)
    if password is not None:
        _check_password(password)
    if store.user_by_email(connection, address) is not None:
        raise UserError("email", f"a user with the e-mail {address} already exists")
    user_id = store.create_user(
        connection,
        email=address,
        name=name.strip(),
        role=role,
        now=now,
        password_hash=None if password is None else hash_password(password),
    )
    record(connection, "user.created", address, actor=actor, now=now, details={"role": role})
    return User(user_id, address, name.strip(), role, True)


def _existing(connection: Connection, user_id: int) -> Row[Any]:
    row = store.user_by_id(connection, user_id)
    if row is None:
        raise UserError("user", f"no user with id {user_id}")
    return row


def change_role(
    connection: Connection, user_id: int, role: str, *, now: datetime, actor: Actor
) -> None:
    _check_role(role)
    row = _existing(connection, user_id)
    if row.role == role:
        return
    store.update_user(connection, user_id, role=role)
    # A new role starts from a fresh sign-in: old sessions carry the old rights.
    access_store.delete_user_sessions(connection, user_id)
    details = {"from": row.role, "to": role}
    record(connection, "user.role_changed", row.email, actor=actor, now=now, details=details)


def set_active(
    connection: Connection, user_id: int, active: bool, *, now: datetime, actor: Actor
) -> None:
    row = _existing(connection, user_id)
    if bool(row.active) == active:
        return
    store.update_user(connection, user_id, active=active, deactivated_at=None if active else now)
    if not active:
        access_store.delete_user_sessions(connection, user_id)
    action = "user.reactivated" if active else "user.deactivated"
    record(connection, action, row.email, actor=actor, now=now)


def set_password(
    connection: Connection, user_id: int, password: str, *, now: datetime, actor: Actor
) -> None:
    _check_password(password)
    row = _existing(connection, user_id)
    store.update_user(connection, user_id, password_hash=hash_password(password))
    access_store.delete_user_sessions(connection, user_id)
    access_store.clear_failures(connection, user_id)
    record(connection, "user.password_changed", row.email, actor=actor, now=now)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches the argon2 hash; as slow for a missing hash."""
    try:
        return _hasher.verify(stored or _dummy_hash, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def authenticate(
    connection: Connection, email: str, password: str, *, now: datetime, ip_address: str | None
) -> User:
    """The user with this e-mail and password, or ``SignInRefused``.

    After ``LOCK_AFTER`` failures in a row the user is locked for ``LOCK_FOR``;
    a locked user is refused even with the right password.
    """
    row = store.user_by_email(connection, email)
    if row is None:
        verify_password(None, password)
        raise SignInRefused("wrong e-mail or password")
    failures = access_store.failures_of(connection, row.id)
    if failures is not None and failures.locked_until is not None and failures.locked_until > now:
        raise SignInRefused("locked", failures.locked_until)
    if not verify_password(row.password_hash, password):
        count = (failures.failures if failures is not None else 0) + 1
        locked = now + LOCK_FOR if count >= LOCK_AFTER else None
        access_store.save_failures(
            connection, row.id, failures=0 if locked else count, at=now, locked_until=locked
        )
        if locked is not None:
            actor = Actor(None, ip_address)
            details = {"failures": count}
            record(connection, "user.locked", row.email, actor=actor, now=now, details=details)
            raise SignInRefused("locked", locked)
        raise SignInRefused("wrong e-mail or password")
    if not row.active:
        raise SignInRefused("this user is deactivated")
    if failures is not None:
        access_store.clear_failures(connection, row.id)
    signed: dict[str, Any] = {"last_signed_in_at": now}
    if _hasher.check_needs_rehash(row.password_hash):
        signed["password_hash"] = hash_password(password)
    store.update_user(connection, row.id, **signed)
    return User.of(row)


def list_users(connection: Connection) -> list[User]:
    return [User.of(row) for row in store.all_users(connection)]
