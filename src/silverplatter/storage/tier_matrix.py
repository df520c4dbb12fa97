"""Statements of the tier × needs matrix: offer cells, care models, pyramid counts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from silverplatter.storage.schema import accounts, contacts
from silverplatter.storage.segment_schema import care_models, offer_cells


def cell_rows(connection: Connection) -> list[Row[Any]]:
    return list(connection.execute(select(offer_cells).order_by(offer_cells.c.id)))


def put_cell(
    connection: Connection,
    tier: str,
    needs_id: int,
    modules: list[str],
    notes: str | None,
    *,
    now: datetime,
) -> None:
    """Set one cell; a cell with no modules and no notes is removed."""
    where = (offer_cells.c.value_tier == tier, offer_cells.c.needs_segment_id == needs_id)
    if not modules and not notes:
        connection.execute(delete(offer_cells).where(*where))
        return
    changed = connection.execute(
        update(offer_cells).where(*where).values(modules=modules, notes=notes, updated_at=now)
    )
    if not changed.rowcount:
        connection.execute(
            insert(offer_cells).values(
                value_tier=tier,
                needs_segment_id=needs_id,
                modules=modules,
                notes=notes,
                updated_at=now,
            )
        )


def clear_cells(connection: Connection) -> None:
    connection.execute(delete(offer_cells))


def care_rows(connection: Connection) -> list[Row[Any]]:
    return list(connection.execute(select(care_models)))


def put_care_model(connection: Connection, tier: str, values: dict[str, Any]) -> None:
    changed = connection.execute(
        update(care_models).where(care_models.c.value_tier == tier).values(**values)
    )
    if not changed.rowcount:
        connection.execute(insert(care_models).values(value_tier=tier, **values))


def pyramid_counts(connection: Connection) -> list[tuple[str, str | None, int, int]]:
    """``(tier, needs segment, accounts, contacts)`` per pair that has accounts.

    Contacts are counted per account from the ``account_id`` index first, so
    the join is of accounts to one row each.
    """
    per_account = (
        select(contacts.c.account_id, func.count().label("people"))
        .where(contacts.c.account_id.is_not(None))
        .group_by(contacts.c.account_id)
        .subquery("people")
    )
    statement = (
        select(
            accounts.c.value_tier,
            accounts.c.needs_segment,
            func.count(),
            func.coalesce(func.sum(per_account.c.people), 0),
        )
        .select_from(accounts.outerjoin(per_account, per_account.c.account_id == accounts.c.id))
        .group_by(accounts.c.value_tier, accounts.c.needs_segment)
    )
    return [(row[0], row[1], int(row[2]), int(row[3])) for row in connection.execute(statement)]


def contacts_without_account(connection: Connection) -> int:
    statement = select(func.count()).select_from(contacts).where(contacts.c.account_id.is_(None))
    return int(connection.execute(statement).scalar_one())


__all__ = [
    "care_rows",
    "cell_rows",
    "clear_cells",
    "contacts_without_account",
    "put_care_model",
    "put_cell",
    "pyramid_counts",
]
