"""Who owns contacts and accounts, and giving them to another owner."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, Table, select, update

from silverplatter.storage.rows import IN_CHUNK
from silverplatter.storage.schema import accounts, contacts, users


def _owners(connection: Connection, table: Table, ids: Sequence[int]) -> dict[int, int | None]:
    wanted = sorted(set(ids))
    found: dict[int, int | None] = {}
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start : start + IN_CHUNK]
        for row in connection.execute(
            select(table.c.id, table.c.owner_id).where(table.c.id.in_(chunk))
        ):
            found[int(row.id)] = row.owner_id
    return found


def contact_owners(
    connection: Connection, ids: Sequence[int]
) -> dict[int, tuple[int | None, int | None]]:
    """``{contact id: (owner id, owner id of the contact's account)}`` of those of ``ids``
    that exist."""
    wanted = sorted(set(ids))
    found: dict[int, tuple[int | None, int | None]] = {}
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start : start + IN_CHUNK]
        query = (
            select(contacts.c.id, contacts.c.owner_id, accounts.c.owner_id.label("account_owner"))
            .outerjoin(accounts, accounts.c.id == contacts.c.account_id)
            .where(contacts.c.id.in_(chunk))
        )
        for row in connection.execute(query):
            found[int(row.id)] = (row.owner_id, row.account_owner)
    return found


def account_owners(connection: Connection, ids: Sequence[int]) -> dict[int, int | None]:
    """``{account id: owner id}`` of those of ``ids`` that exist."""
    return _owners(connection, accounts, ids)


def active_user(connection: Connection, user_id: int) -> bool:
    found = connection.execute(
        select(users.c.id).where(users.c.id == user_id, users.c.active.is_(True))
    ).first()
    return found is not None


def _give(
    connection: Connection, table: Table, ids: Sequence[int], owner_id: int, now: datetime
) -> int:
    wanted = sorted(set(ids))
    changed = 0
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start : start + IN_CHUNK]
        result = connection.execute(
            update(table).where(table.c.id.in_(chunk)).values(owner_id=owner_id, updated_at=now)
        )
        changed += int(result.rowcount)
    return changed


def give_contacts(
    connection: Connection, ids: Sequence[int], owner_id: int, *, now: datetime
) -> int:
    """Make ``owner_id`` the owner of the contacts ``ids``; how many there were."""
    return _give(connection, contacts, ids, owner_id, now)


def give_accounts(
    connection: Connection, ids: Sequence[int], owner_id: int, *, now: datetime
) -> int:
    """Make ``owner_id`` the owner of the accounts ``ids``; how many there were."""
    return _give(connection, accounts, ids, owner_id, now)
