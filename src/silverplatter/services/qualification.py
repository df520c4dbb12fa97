"""Recording BANT qualifications and asking which contacts are fully qualified."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, Subquery, select

from silverplatter.domain.qualification import Bant
from silverplatter.storage import lifecycle as store
from silverplatter.storage.schema import contacts


def record_qualification(
    connection: Connection,
    contact_id: int,
    bant: Bant,
    *,
    user_id: int | None,
    now: datetime,
    opportunity_id: int | None = None,
) -> int:
    """Append a qualification to the contact's history; the latest one counts.  Returns its id."""
    known = connection.execute(select(contacts.c.id).where(contacts.c.id == contact_id)).first()
    if known is None:
        raise LookupError(f"contact_id: no contact with id {contact_id}")
    return store.insert_qualification(
        connection, contact_id, bant, user_id=user_id, now=now, opportunity_id=opportunity_id
    )


def latest_qualification(connection: Connection, contact_id: int) -> Bant | None:
    """The contact's most recently recorded qualification, if any."""
    return store.latest_qualification(connection, contact_id)


def bant_complete_contacts(connection: Connection, contact_ids: Iterable[int]) -> set[int]:
    """Those of ``contact_ids`` whose latest qualification is complete."""
    return store.bant_complete_among(connection, contact_ids)


def bant_complete_subquery() -> Subquery:
    """A selectable of ``contact_id`` whose latest qualification is complete, to join in bulk."""
    return store.bant_complete_subquery()


__all__ = [
    "bant_complete_contacts",
    "bant_complete_subquery",
    "latest_qualification",
    "record_qualification",
]
