"""Read statements for accounts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, func, or_, select

from silverplatter.storage.schema import accounts, contacts, users


def page_of_accounts(
    connection: Connection, *, after_id: int | None, limit: int, search: str | None
) -> list[Row[Any]]:
    """Accounts in id order after ``after_id`` (keyset pagination), optionally searched."""
    people = (
        select(func.count())
        .select_from(contacts)
        .where(contacts.c.account_id == accounts.c.id)
        .scalar_subquery()
    )
    query = (
        select(
            accounts.c.id,
            accounts.c.name,
            accounts.c.domain,
            accounts.c.industry,
            accounts.c.country,
            accounts.c.employees,
            accounts.c.annual_revenue,
            accounts.c.value_tier,
            accounts.c.status,
            users.c.name.label("owner"),
            people.label("contacts"),
        )
        .select_from(accounts.outerjoin(users, users.c.id == accounts.c.owner_id))
        .order_by(accounts.c.id)
        .limit(limit)
    )
    if after_id is not None:
        query = query.where(accounts.c.id > after_id)
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(
            or_(func.lower(accounts.c.name).like(pattern), accounts.c.domain.like(pattern))
        )
    return list(connection.execute(query))
