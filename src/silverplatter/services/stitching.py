"""Stitching: an anonymous visitor becomes known, and their earlier visits join their history.

When a visitor identifies (a form submission, a tracked email link) every
event recorded under their visitor id while they were anonymous is given to
the contact and its account, and queued for the scorer: for the lead engine
they are late-arriving events, folded in at the time they happened.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from silverplatter.storage import first_touches
from silverplatter.storage import visitors as store

#: The longest visitor id stored (the column's width).
MAX_VISITOR_ID = 64


class UnknownContact(LookupError):
    """The contact a visitor was to be stitched to does not exist."""


def stitch_visitor(
    connection: Connection, *, visitor_id: str, contact_id: int, now: datetime
) -> int:
    """Record the visitor as this contact and attach their anonymous events; how many.

    Idempotent: a second call finds no anonymous events left and returns 0.
    Events already attached to someone (the visitor identified earlier as
    another person) stay where they are.  Runs in the caller's transaction.
    """
    if not visitor_id or len(visitor_id) > MAX_VISITOR_ID:
        raise ValueError(f"visitor_id must be 1 to {MAX_VISITOR_ID} characters")
    exists, account_id = store.account_of(connection, contact_id)
    if not exists:
        raise UnknownContact(f"no contact {contact_id}")
    store.identify(connection, visitor_id, contact_id, now)
    attached = store.attach_events(connection, visitor_id, contact_id, account_id)
    if attached:
        first_touches.refresh(connection, [contact_id])
    store.queue_for_scoring(connection, attached, now)
    return len(attached)
