"""Read statements for contacts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, func, or_, select

from silverplatter.storage.schema import accounts, contacts


def page_of_contacts(
    connection: Connection, *, after_id: int | None, limit: int, search: str | None
) -> list[Row[Any]]:
    """Contacts in id order after ``after_id`` (keyset pagination), optionally searched."""
    query = (
        select(
            contacts.c.id,
            contacts.c.email,
            contacts.c.first_name,
            contacts.c.last_name,
            contacts.c.title,
            contacts.c.seniority,
            contacts.c.decision_role,
            contacts.c.country,
            accounts.c.name.label("account"),
        )
        .select_from(contacts.outerjoin(accounts, accounts.c.id == contacts.c.account_id))
        .order_by(contacts.c.id)
        .limit(limit)
    )
    if after_id is not None:
        query = query.where(contacts.c.id > after_id)
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(
            or_(
                contacts.c.email_key.like(pattern),
                func.lower(func.coalesce(contacts.c.last_name, "")).like(pattern),
                func.lower(func.coalesce(contacts.c.first_name, "")).like(pattern),
            )
        )
    return list(connection.execute(query))
