"""Recording bounces and complaints: the report, the send, the event, the suppression list.

Each bounce (from the bounce mailbox, ``services/bounce_mailbox.py``, or a
provider's webhook, ``web/capture/bounces.py``) is matched to the message it
is about — by its Message-ID, else the newest message handed over to that
address — and then:

* a ``bounce_reports`` row (kind, status code, diagnostic, source);
* the send is marked ``bounced`` (a hard or soft failure; not a delay notice
  and not a complaint, whose message did arrive);
* an ``email_bounce`` event (``email_complaint`` for a complaint) on the
  contact's timeline, with the kind, status and the send's id;
* a **hard** bounce or a **complaint** puts the address on the suppression
  list (``hard_bounce`` / ``complaint``); so does a soft bounce that is the
  ``soft_limit``-th soft bounce of the address within ``SOFT_WINDOW`` —
  repeated soft bounces count as hard, and the report records it as hard.

Webhook payloads (``bounces_from_payload``):

``generic``  ``{"email": ..., "type": "hard"|"soft"|"complaint", "status":
             "5.1.1", "diagnostic": "...", "message_id": "<...>"}`` or a list of
             them (``type`` may be left out when ``status`` tells).
``ses``      Amazon SES notifications delivered by SNS: the SNS envelope
             (``Type: Notification``) whose ``Message`` is the SES event with
             ``notificationType`` (or ``eventType``) ``Bounce`` or ``Complaint``.
             ``Permanent`` bounces are hard, ``Transient`` and ``Undetermined``
             soft; the original Message-ID is read from ``mail.headers`` when
             SES includes them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, cast

from sqlalchemy import Connection, func, insert, select

from silverplatter.domain.bounces import KINDS, Bounce, Kind, classify
from silverplatter.domain.identity import InvalidValue, normalise_email
from silverplatter.services.ingest import ingest_events
from silverplatter.services.suppression import suppress
from silverplatter.storage import mail_sends as ledger
from silverplatter.storage.nurture_schema import bounce_reports
from silverplatter.storage.schema import contacts

SOFT_WINDOW: Final = timedelta(days=30)
SOURCES: Final = ("mailbox", "webhook", "manual")
PROVIDERS: Final = ("generic", "ses")


class BounceError(ValueError):
    """A webhook payload that cannot be read; ``field`` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Recorded:
    report_id: int
    kind: str
    send_id: int | None
    contact_id: int | None
    suppressed: bool


def _key(address: str | None) -> str | None:
    if not address or "\x00" in address:
        return None
    try:
        return normalise_email(address)[1]
    except InvalidValue:
        return address.strip().lower()[:320] or None


def _find_send(connection: Connection, bounce: Bounce, key: str | None) -> Any:
    if bounce.message_id:
        found = ledger.send_by_message_id(connection, bounce.message_id.strip())
        if found is not None:
            return found
    if key is None:
        return None
    ids = list(
        connection.execute(select(contacts.c.id).where(contacts.c.email_key == key)).scalars()
    )
    return ledger.latest_send_to(connection, [int(value) for value in ids])


def _soft_count(connection: Connection, key: str, now: datetime) -> int:
    return int(
        connection.execute(
            select(func.count())
            .select_from(bounce_reports)
            .where(
                bounce_reports.c.email_key == key,
                bounce_reports.c.kind == "soft",
                bounce_reports.c.received_at > now - SOFT_WINDOW,
            )
        ).scalar_one()
    )


def record_bounce(
    connection: Connection, bounce: Bounce, *, source: str, now: datetime, soft_limit: int = 3
) -> Recorded:
    """Record one bounce in the caller's transaction (see the module's documentation)."""
    send = _find_send(connection, bounce, _key(bounce.recipient))
    contact_id = int(send.contact_id) if send is not None and send.contact_id else None
    address = bounce.recipient
    if address is None and contact_id is not None:
        address = connection.execute(
            select(contacts.c.email).where(contacts.c.id == contact_id)
        ).scalar()
    key = _key(address)
    kind: str = bounce.kind
    repeated = kind == "soft" and key is not None and not bounce.delayed
    if repeated and key is not None and _soft_count(connection, key, now) + 1 >= soft_limit:
        kind = "hard"
    report_id = connection.execute(
        insert(bounce_reports)
        .values(
            send_id=send.id if send is not None else None,
            email_key=key,
            kind=kind,
            status_code=(bounce.status or "").replace("\x00", "")[:20] or None,
            diagnostic=(bounce.diagnostic or "").replace("\x00", "")[:2000] or None,
            source=source[:20],
            received_at=now,
        )
        .returning(bounce_reports.c.id)
    ).scalar_one()
    if send is not None and kind in ("hard", "soft") and not bounce.delayed:
        ledger.settle(connection, int(send.id), status="bounced")
    suppressed = False
    if address and kind in ("hard", "complaint"):
        reason = "hard_bounce" if kind == "hard" else "complaint"
        suppressed = suppress(
            connection, address, reason=reason, source=f"{source}: {bounce.status or kind}", now=now
        )
    if contact_id is not None:
        _event(connection, int(report_id), kind, bounce, send, contact_id, now)
    return Recorded(
        int(report_id), kind, send.id if send is not None else None, contact_id, suppressed
    )


def _event(
    connection: Connection,
    report_id: int,
    kind: str,
    bounce: Bounce,
    send: Any,
    contact_id: int,
    now: datetime,
) -> None:
    event_type = "email_complaint" if kind == "complaint" else "email_bounce"
    properties: dict[str, Any] = {"kind": kind, "send_id": int(send.id)}
    if bounce.status:
        properties["status"] = bounce.status
    if send.broadcast_id is not None:
        properties["broadcast_id"] = int(send.broadcast_id)
    ingest_events(
        connection,
        [
            {
                "type": event_type,
                "occurred_at": now,
                "contact_id": contact_id,
                "channel": "email",
                "idempotency_key": f"{event_type}:report:{report_id}",
                "properties": properties,
            }
        ],
        now=now,
    )


def record_all(
    connection: Connection,
    bounces: Sequence[Bounce],
    *,
    source: str,
    now: datetime,
    soft_limit: int = 3,
) -> list[Recorded]:
    return [
        record_bounce(connection, bounce, source=source, now=now, soft_limit=soft_limit)
        for bounce in bounces
    ]


# ---------------------------------------------------------------- webhook payloads


def _generic(item: Any, where: str) -> Bounce:
    if not isinstance(item, Mapping):
        raise BounceError(where, "expected an object with email, type and status")
    email = item.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise BounceError(f"{where}.email", "expected the address that bounced")
    status = item.get("status")
    status = status if isinstance(status, str) else None
    diagnostic = item.get("diagnostic")
    diagnostic = diagnostic if isinstance(diagnostic, str) else None
    kind = item.get("type")
    if kind is None:
        kind = classify(status, None, diagnostic)
    if kind not in KINDS:
        raise BounceError(f"{where}.type", f"expected one of {', '.join(KINDS)}")
    message_id = item.get("message_id")
    return Bounce(
        email.strip().lower(),
        cast(Kind, kind),
        status,
        diagnostic,
        message_id if isinstance(message_id, str) else None,
    )


def _ses_message_id(mail: Mapping[str, Any]) -> str | None:
    for header in mail.get("headers") or []:
        if isinstance(header, Mapping) and str(header.get("name", "")).lower() == "message-id":
            return str(header.get("value"))
    return None


def _ses(document: Mapping[str, Any]) -> list[Bounce]:
    kind = document.get("Type")
    if kind == "SubscriptionConfirmation":
        return []
    if kind == "Notification":
        try:
            event = json.loads(str(document.get("Message")))
        except ValueError:
            raise BounceError("Message", "expected the SES notification as JSON") from None
    else:
        event = document
    if not isinstance(event, Mapping):
        raise BounceError("Message", "expected an SES notification object")
    what = event.get("notificationType") or event.get("eventType")
    found_mail = event.get("mail")
    mail: Mapping[str, Any] = found_mail if isinstance(found_mail, Mapping) else {}
    message_id = _ses_message_id(mail)
    if what == "Bounce":
        bounce = event.get("bounce") or {}
        hard = bounce.get("bounceType") == "Permanent"
        found = []
        for recipient in bounce.get("bouncedRecipients") or []:
            status = recipient.get("status")
            found.append(
                Bounce(
                    str(recipient.get("emailAddress", "")).lower() or None,
                    "hard" if hard else "soft",
                    status if isinstance(status, str) else None,
                    recipient.get("diagnosticCode") or bounce.get("bounceSubType"),
                    message_id,
                )
            )
        return found
    if what == "Complaint":
        complaint = event.get("complaint") or {}
        return [
            Bounce(
                str(recipient.get("emailAddress", "")).lower() or None,
                "complaint",
                None,
                f"feedback: {complaint.get('complaintFeedbackType') or 'abuse'}",
                message_id,
            )
            for recipient in complaint.get("complainedRecipients") or []
        ]
    if what in ("Delivery", "Send", "Open", "Click", "Reject", "DeliveryDelay"):
        return []
    raise BounceError("notificationType", "expected Bounce or Complaint")


def _without_nul(document: Any) -> Any:
    """The document with NUL characters taken out of every string (PostgreSQL cannot store them)."""
    if isinstance(document, str):
        return document.replace("\x00", "")
    if isinstance(document, list):
        return [_without_nul(item) for item in document]
    if isinstance(document, dict):
        return {key: _without_nul(value) for key, value in document.items()}
    return document


def bounces_from_payload(provider: str, document: Any) -> list[Bounce]:
    """The bounces a provider's webhook call reports (``BounceError`` names what is wrong)."""
    document = _without_nul(document)
    if provider == "generic":
        items = document if isinstance(document, list) else [document]
        return [_generic(item, f"[{index}]") for index, item in enumerate(items)]
    if provider == "ses":
        if not isinstance(document, Mapping):
            raise BounceError("body", "expected an SNS or SES JSON object")
        return _ses(document)
    raise BounceError("provider", f"expected one of {', '.join(PROVIDERS)}")


__all__ = [
    "PROVIDERS",
    "SOFT_WINDOW",
    "BounceError",
    "Recorded",
    "bounces_from_payload",
    "record_all",
    "record_bounce",
]
