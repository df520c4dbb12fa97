"""Sending nurture mail: the send ledger, and handing its messages over exactly once.

``queue_send`` puts one message to one contact in the ledger (``mail_sends``)
in the caller's transaction — a broadcast's recipient or a programme's
"send email" step.  It is idempotent by ``dedupe_key`` and enforces the
suppression list with the same policy as the outbox
(``suppression.blocking``); the message is rendered from its template only
when it is sent, so a fix to a template reaches what is still queued.

Delivery (``deliver_due``, run by the task queue's workers) claims due rows,
renders each message, and hands it over so that a worker killed at any
moment neither loses a message nor sends one twice (``services/handover.py``
explains the order of the SMTP DATA phase and the commit that makes this so).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import Connection, select

from silverplatter.services.suppression import blocking, is_suppressed
from silverplatter.storage import mail_sends as ledger
from silverplatter.storage.schema import contacts

#: The kind every nurture message has for the suppression policy: nothing
#: marketing sends reaches an address on the list, for whatever reason.
KIND: Final = "nurture"


@dataclass(frozen=True)
class Queued:
    """What ``queue_send`` did: ``queued``, ``suppressed`` or ``duplicate``, and the row's id
    (None for a duplicate)."""

    status: str
    send_id: int | None

    def __str__(self) -> str:
        return self.status


def recipient_domain(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    return email.rsplit("@", 1)[1].strip().lower()[:253] or None


def queue_send(
    connection: Connection,
    *,
    template_id: int,
    contact_id: int,
    dedupe_key: str,
    broadcast_id: int | None = None,
    enrolment_id: int | None = None,
    step: str | None = None,
    now: datetime,
) -> Queued:
    """Queue one message of ``template_id`` to ``contact_id``, due now.

    A contact whose address is suppressed (or who has none left: erased) gets a
    ``suppressed`` row, so the ledger shows why nothing went; a second call
    with the same ``dedupe_key`` changes nothing and answers ``duplicate``.
    """
    if len(dedupe_key) > 200 or not dedupe_key:
        raise ValueError("dedupe_key must be 1 to 200 characters long")
    email = connection.execute(select(contacts.c.email).where(contacts.c.id == contact_id)).scalar()
    reason = blocking(is_suppressed(connection, email), KIND) if email else "erased"
    status = "suppressed" if reason else "queued"
    send_id = ledger.add_send(
        connection,
        {
            "dedupe_key": dedupe_key,
            "template_id": template_id,
            "broadcast_id": broadcast_id,
            "enrolment_id": enrolment_id,
            "step": step,
            "contact_id": contact_id,
            "to_domain": recipient_domain(email),
            "status": status,
            "attempts": 0,
            "not_before": now,
            "last_error": f"suppressed: {reason}" if reason else None,
            "created_at": now,
        },
    )
    if send_id is None:
        return Queued("duplicate", None)
    return Queued(status, send_id)


__all__ = ["KIND", "Queued", "queue_send", "recipient_domain"]
