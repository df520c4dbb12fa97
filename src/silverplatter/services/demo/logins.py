"""Sign-ins for the demo workspace: one user per role with a published password.

Only the demo's own users get a password, and only while they have none, so
a password changed in the UI is never reset by the next ``make run``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import Connection

from silverplatter.services.demo.people import STAFF
from silverplatter.services.users import hash_password, verify_password
from silverplatter.storage import users as store

DEMO_PASSWORD: Final = "silverplatter-demo"


@dataclass(frozen=True, slots=True)
class DemoLogin:
    email: str
    role: str
    password: str | None  # None when someone has changed it since


def ensure_demo_logins(connection: Connection, *, now: datetime) -> list[DemoLogin]:
    """Give the demo's admin, marketing and sales users the demo password if they have none."""
    logins = []
    for member in STAFF[:3]:
        row = store.user_by_email(connection, member.email)
        if row is None:
            continue
        if row.password_hash is None:
            store.update_user(connection, row.id, password_hash=hash_password(DEMO_PASSWORD))
            logins.append(DemoLogin(row.email, row.role, DEMO_PASSWORD))
        else:
            known = _still_demo(row.password_hash)
            logins.append(DemoLogin(row.email, row.role, DEMO_PASSWORD if known else None))
    return logins


def _still_demo(stored: str) -> bool:
    return verify_password(stored, DEMO_PASSWORD)
