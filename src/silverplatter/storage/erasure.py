"""Write statements of an erasure: rewrite rows in place, unlink, record that it happened.

Every function runs in the caller's transaction; ``services/privacy.py``
decides what each row becomes (``domain/privacy.py``) and calls these with
the changes, so an erasure is one transaction that either happens whole or
not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, update

from silverplatter.storage.capture_schema import erasures, visitors
from silverplatter.storage.rows import update_many
from silverplatter.storage.schema import consent_records, contacts, events

Change = tuple[int, dict[str, Any]]


def rewrite(connection: Connection, table: Table, changes: Iterable[Change]) -> int:
    """Apply ``(id, {column: value})`` changes to ``table``; how many rows changed."""
    listed = [(row_id, values) for row_id, values in changes if values]
    update_many(connection, table, listed)
    return len(listed)


def adopt_visitor_events(
    connection: Connection, contact_id: int, visitor_ids: Sequence[str]
) -> int:
    """Give the visitors' events that belong to nobody to the contact (before unlinking them)."""
    if not visitor_ids:
        return 0
    result = connection.execute(
        update(events)
        .where(events.c.visitor_id.in_(list(visitor_ids)), events.c.contact_id.is_(None))
        .values(contact_id=contact_id)
    )
    return int(result.rowcount)


def forget_visitors(connection: Connection, contact_id: int) -> int:
    """Delete the visitor rows identified as the contact; how many."""
    result = connection.execute(delete(visitors).where(visitors.c.contact_id == contact_id))
    return int(result.rowcount)


def start_erasure(
    connection: Connection, contact_id: int, *, erased_by: int | None, now: datetime
) -> int:
    """Record that the contact is being erased; the new erasure's id."""
    erasure_id: int = connection.execute(
        erasures.insert()
        .values(contact_id=contact_id, erased_at=now, erased_by=erased_by, summary={})
        .returning(erasures.c.id)
    ).scalar_one()
    return erasure_id


def finish_erasure(connection: Connection, erasure_id: int, summary: dict[str, int]) -> None:
    connection.execute(update(erasures).where(erasures.c.id == erasure_id).values(summary=summary))


def anonymise_consent(connection: Connection, contact_id: int, erasure_id: int) -> int:
    """Keep the contact's consent records as proof, tied to the erasure instead of the person."""
    result = connection.execute(
        update(consent_records)
        .where(consent_records.c.contact_id == contact_id)
        .values(contact_id=None, ip_address=None, erasure_id=erasure_id)
    )
    return int(result.rowcount)


def tombstone(connection: Connection, contact_id: int, address: str, now: datetime) -> None:
    """The contact row without anything that identifies the person."""
    connection.execute(
        update(contacts)
        .where(contacts.c.id == contact_id)
        .values(
            email=address,
            email_key=address,
            external_id=None,
            first_name=None,
            last_name=None,
            title=None,
            phone=None,
            linkedin_url=None,
            custom={},
            updated_at=now,
        )
    )


__all__ = [
    "Change",
    "adopt_visitor_events",
    "anonymise_consent",
    "finish_erasure",
    "forget_visitors",
    "rewrite",
    "start_erasure",
    "tombstone",
]
