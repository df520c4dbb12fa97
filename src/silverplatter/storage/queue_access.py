"""Who a sales-queue card belongs to: one statement, for checking access before acting."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, Select, func, select

from silverplatter.storage.handover_schema import handovers
from silverplatter.storage.schema import contacts


def card_subject(connection: Connection, contact_id: int) -> Row[Any] | None:
    """The contact's name, stage and card owner (the open handover's, else the contact's)."""
    c = contacts.c
    opened = handovers.alias("opened")
    owner_of = func.coalesce(opened.c.owner_id, c.owner_id)
    query: Select[Any] = (
        select(
            c.id,
            c.first_name,
            c.last_name,
            c.email,
            c.lifecycle_stage,
            owner_of.label("owner_id"),
        )
        .select_from(
            contacts.outerjoin(opened, (opened.c.contact_id == c.id) & opened.c.acted_at.is_(None))
        )
        .where(c.id == contact_id)
    )
    return connection.execute(query).first()


__all__ = ["card_subject"]
