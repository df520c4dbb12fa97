"""Changing a user from the administration pages and the API: role and active flag.

One operation for both adapters, so the rule that an administrator cannot
demote or deactivate themselves (and so lock the workspace out of its own
administration) holds everywhere.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from silverplatter.services.audit import Actor
from silverplatter.services.users import User, UserError, change_role, set_active
from silverplatter.storage import users as store


def user_by_id(connection: Connection, user_id: int) -> User | None:
    row = store.user_by_id(connection, user_id)
    return None if row is None else User.of(row)


def change_user(
    connection: Connection,
    user_id: int,
    *,
    role: str | None = None,
    active: bool | None = None,
    now: datetime,
    actor: Actor,
) -> User:
    """Apply a new role and/or active flag; each change is audited by its service.

    Raises ``UserError`` naming the field; ``field == "user"`` means no such user.
    """
    if user_by_id(connection, user_id) is None:
        raise UserError("user", f"no user with id {user_id}")
    if user_id == actor.user_id:
        if role is not None and role != "admin":
            raise UserError("role", "you cannot change your own role; ask another administrator")
        if active is False:
            raise UserError("active", "you cannot deactivate yourself; ask another administrator")
    if role is not None:
        change_role(connection, user_id, role, now=now, actor=actor)
    if active is not None:
        set_active(connection, user_id, active, now=now, actor=actor)
    changed = user_by_id(connection, user_id)
    assert changed is not None
    return changed
