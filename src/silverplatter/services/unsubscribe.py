"""Unsubscribing through the signed link every message carries.

The link (``/capture/unsubscribe/{token}``, purpose ``unsubscribe``, payload
``{"c": contact_id}``) is the credential: no sign-in.  Honouring it puts the
address on the suppression list (reason ``unsubscribed``), appends a
``withdrawn`` record to the consent ledger and an ``email_unsubscribe`` event
to the person's timeline, which the scoring model weighs.  A second click,
or the mail provider's one-click POST racing the person's own, changes
nothing: the suppression list's unique digest decides who was first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import Connection, select

from silverplatter.services.ingest import ingest_events
from silverplatter.services.signing import InvalidLink, Signer
from silverplatter.services.suppression import is_suppressed, suppress
from silverplatter.storage import consent_ledger as ledger
from silverplatter.storage.schema import contacts

SOURCE: Final = "unsubscribe link"
EVENT: Final = "email_unsubscribe"


@dataclass(frozen=True)
class Recipient:
    """Whom a link speaks for, as the page may show it."""

    contact_id: int
    #: The address with most of its local part hidden; None when the person is gone.
    shown_address: str | None
    unsubscribed: bool


@dataclass(frozen=True)
class Unsubscribed:
    contact_id: int
    shown_address: str | None
    #: True when nothing changed: the address was already unsubscribed.
    already: bool


def unsubscribe_url(
    signer: Signer, public_url: str, contact_id: int, *, now: datetime, send_id: int | None = None
) -> str:
    """The link; a nurture message's link also names its send (``"s"``), so the
    unsubscribe counts for the broadcast or programme step that prompted it."""
    payload: dict[str, int] = {"c": contact_id}
    if send_id is not None:
        payload["s"] = send_id
    token = signer.sign("unsubscribe", payload, now=now)
    return f"{public_url.rstrip('/')}/capture/unsubscribe/{token}"


def link_send(signer: Signer, token: str, *, now: datetime) -> int | None:
    """The send an unsubscribe link came in, when it names one."""
    send_id = signer.verify("unsubscribe", token, now=now).get("s")
    return send_id if isinstance(send_id, int) and not isinstance(send_id, bool) else None


def read_link(signer: Signer, token: str, *, now: datetime) -> int:
    """The contact an unsubscribe link speaks for; ``InvalidLink`` when it cannot be honoured."""
    payload = signer.verify("unsubscribe", token, now=now)
    contact_id = payload.get("c")
    if not isinstance(contact_id, int) or isinstance(contact_id, bool):
        raise InvalidLink("This link is not valid: it was altered or not made by us.")
    return contact_id


def mask(email: str) -> str:
    """``lea.laine@buyer.example`` → ``l•••@buyer.example``: enough to recognise, not to harvest."""
    local, _at, domain = email.rpartition("@")
    return f"{local[:1]}•••@{domain}" if local else email


def _address(connection: Connection, contact_id: int) -> str | None:
    email = connection.execute(select(contacts.c.email).where(contacts.c.id == contact_id)).scalar()
    return str(email) if email else None


def recipient(connection: Connection, contact_id: int) -> Recipient:
    """Who the link is for and whether they are unsubscribed already (for the page)."""
    email = _address(connection, contact_id)
    if email is None:
        return Recipient(contact_id, None, True)
    return Recipient(contact_id, mask(email), is_suppressed(connection, email) == "unsubscribed")


def unsubscribe(
    connection: Connection,
    contact_id: int,
    *,
    now: datetime,
    ip_address: str | None = None,
    send_id: int | None = None,
) -> Unsubscribed:
    """Honour an unsubscribe link in the caller's transaction (idempotent)."""
    email = _address(connection, contact_id)
    if email is None:  # erased or deleted: there is no one left to mail
        return Unsubscribed(contact_id, None, already=True)
    shown = mask(email)
    if not suppress(connection, email, reason="unsubscribed", source=SOURCE, now=now):
        # Listed already.  Unsubscribed: nothing to add.  For another reason (a
        # bounce, a complaint, by hand): the withdrawal is still news, once.
        latest = ledger.latest_consent(connection, contact_id, "email")
        if is_suppressed(connection, email) == "unsubscribed" or (
            latest is not None and latest.action == "withdrawn"
        ):
            return Unsubscribed(contact_id, shown, already=True)
    record_id = ledger.record_consent(
        connection,
        contact_id=contact_id,
        channel="email",
        action="withdrawn",
        wording=None,
        wording_version=None,
        source=SOURCE,
        occurred_at=now,
        ip_address=ip_address,
    )
    ingest_events(
        connection,
        [
            {
                "type": EVENT,
                "occurred_at": now,
                "contact_id": contact_id,
                "channel": "email",
                "idempotency_key": f"{EVENT}:consent:{record_id}",
                "properties": {"reason": SOURCE}
                | ({"send_id": send_id} if send_id is not None else {}),
            }
        ],
        now=now,
    )
    return Unsubscribed(contact_id, shown, already=False)
