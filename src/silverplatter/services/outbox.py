"""The outbox: the one way the product's own mail (opt-in confirmations, downloads) leaves.

Marketing mail — broadcasts and programme steps — goes through the send ledger
(``services/sending.py``) instead; both follow the one suppression policy,
``suppression.blocking``.

Mail is queued in the same transaction as what caused it (a form submission
queues its opt-in confirmation), so it is never lost when the SMTP server is
down: ``deliver_pending`` hands queued messages to the server later, retrying
with backoff.  Queueing is idempotent by ``dedupe_key``.  The suppression
list is checked when a message is queued and again when it is claimed for
sending; no other code talks SMTP (``services/smtp.py`` is its transport).

Delivery claims up to ``CLAIM_BATCH`` messages (``queued`` → ``sending``) in
one transaction before talking to the server, hands them over one SMTP
connection, and marks each ``sent`` in its own transaction as soon as the
server accepted it (one commit per message, not three: on a disk that syncs
each commit this is what sets the pace).  A worker that crashes between
handing over and marking leaves a ``sending`` row; after ``STALE_CLAIM`` it
is queued again (at-least-once; the Message-ID is derived from the dedupe
key so receiving systems can recognise a repeat).

A message the server refuses for good (every recipient refused with a 5xx
code, or the message itself refused with one) is marked ``failed``; anything
else — the server down, slow, refusing the sender or the sign-in, a 4xx — is
tried again after the next wait of ``BACKOFF``, and when the server itself is
the trouble the pass stops there rather than knocking on its door once per
message.  Every message to a contact carries ``List-Unsubscribe`` with a
signed one-click link (RFC 8058).
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, func, select, update

from silverplatter.services.signing import Signer, signer_for
from silverplatter.services.smtp import SmtpTarget, SmtpTransport
from silverplatter.services.suppression import (
    RESUBSCRIBING_KINDS,
    blocking,
    is_suppressed,
    suppressed_reasons,
)
from silverplatter.settings import get_settings
from silverplatter.storage.capture_schema import outbound_mail
from silverplatter.storage.rows import insert_if_new

log = logging.getLogger(__name__)

#: Waits between attempts; after the last one the message is marked failed.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
STALE_CLAIM = timedelta(minutes=10)
#: Messages claimed in one transaction; each is still settled on its own once sent.
CLAIM_BATCH = 20


@dataclass(frozen=True)
class OutgoingMail:
    kind: str
    dedupe_key: str
    to_address: str
    subject: str
    text_body: str
    html_body: str | None = None
    contact_id: int | None = None


def queue_mail(connection: Connection, mail: OutgoingMail, *, now: datetime) -> str:
    """Queue a message; returns its status: ``queued``, ``suppressed`` or ``duplicate``."""
    reason = blocking(is_suppressed(connection, mail.to_address), mail.kind)
    status = "suppressed" if reason else "queued"
    added = insert_if_new(
        connection,
        outbound_mail,
        {
            "dedupe_key": mail.dedupe_key[:200],
            "kind": mail.kind,
            "contact_id": mail.contact_id,
            "to_address": mail.to_address,
            "subject": mail.subject[:300],
            "text_body": mail.text_body,
            "html_body": mail.html_body,
            "status": status,
            "attempts": 0,
            "last_error": f"suppressed: {reason}" if reason else None,
            "not_before": now,
            "created_at": now,
        },
        ["dedupe_key"],
    )
    return status if added else "duplicate"


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


@dataclass
class DeliveryReport:
    sent: int = 0
    suppressed: int = 0
    retried: int = 0
    failed: int = 0
    #: Why the pass stopped early: the SMTP server's trouble, in its words.
    stopped: str | None = None

    @property
    def handled(self) -> int:
        return self.sent + self.suppressed + self.retried + self.failed


@dataclass(frozen=True)
class MailLinks:
    """What a message needs to carry links back to the app: the signer and the public URL."""

    signer: Signer
    public_url: str

    def unsubscribe_url(self, contact_id: int, now: datetime) -> str:
        from silverplatter.services.unsubscribe import unsubscribe_url

        return unsubscribe_url(self.signer, self.public_url, contact_id, now=now)


def _message(row: Any, sender: str, now: datetime, links: MailLinks) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = format_datetime(now)
    digest = hashlib.sha256(row.dedupe_key.encode("utf-8")).hexdigest()[:32]
    domain = sender.rsplit("@", 1)[-1].strip("> ") or "localhost"
    message["Message-ID"] = f"<{digest}@{domain}>"
    if row.contact_id is not None:
        message["List-Unsubscribe"] = f"<{links.unsubscribe_url(int(row.contact_id), now)}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(row.text_body)
    if row.html_body:
        message.add_alternative(row.html_body, subtype="html")
    return message


def _permanent(error: OSError) -> bool:
    """Whether the server refused this message for good (a 5xx for it, not for the server)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return False


def _about_this_message(error: OSError) -> bool:
    """Whether the trouble is this message's (its recipients, its content), not the server's."""
    return isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError)


def _requeue_stale(connection: Connection, now: datetime) -> None:
    connection.execute(
        update(outbound_mail)
        .where(
            outbound_mail.c.status == "sending",
            outbound_mail.c.not_before <= now - STALE_CLAIM,
        )
        .values(status="queued")
    )


def _claim(engine: Engine, now: datetime, size: int) -> list[tuple[Any, str | None]]:
    """Take up to ``size`` of the oldest due messages for this worker, oldest first.

    Those whose address is suppressed by now are settled as suppressed in the
    same transaction; each comes back with the reason it was, or None.
    """
    m = outbound_mail.c
    with engine.begin() as connection:
        _requeue_stale(connection, now)
        due = (
            select(m.id)
            .where(m.status == "queued", m.not_before <= now)
            .order_by(m.not_before, m.id)
            .limit(size)
            .scalar_subquery()
        )
        claimed = (
            connection.execute(
                update(outbound_mail)
                .where(m.id.in_(due), m.status == "queued")
                .values(status="sending", not_before=now, attempts=m.attempts + 1)
                .returning(m.id)
            )
            .scalars()
            .all()
        )
        if not claimed:
            return []
        rows = connection.execute(
            select(outbound_mail).where(m.id.in_(claimed)).order_by(m.id)
        ).all()
        reasons = suppressed_reasons(connection, [r.to_address for r in rows if r.to_address])
        settled: list[tuple[Any, str | None]] = []
        for row in rows:
            reason = blocking(reasons.get(row.to_address), row.kind) if row.to_address else "erased"
            if reason:
                connection.execute(
                    update(outbound_mail)
                    .where(m.id == row.id)
                    .values(status="suppressed", last_error=f"suppressed: {reason}")
                )
            settled.append((row, reason))
        return settled


def _release(engine: Engine, claimed: list[tuple[Any, str | None]], now: datetime) -> None:
    """Give back claimed messages this pass did not try (the server went away)."""
    if claimed:
        with engine.begin() as connection:
            connection.execute(
                update(outbound_mail)
                .where(
                    outbound_mail.c.id.in_([row.id for row, _reason in claimed]),
                    outbound_mail.c.status == "sending",
                )
                .values(status="queued", not_before=now, attempts=outbound_mail.c.attempts - 1)
            )


def _links(engine: Engine, signer: Signer | None, public_url: str | None) -> MailLinks:
    if signer is None:
        with engine.connect() as connection:
            signer = signer_for(connection)
    return MailLinks(signer, public_url or get_settings().public_url)


def _settle(engine: Engine, message_id: int, **values: Any) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(outbound_mail).where(outbound_mail.c.id == message_id).values(**values)
        )


def deliver_pending(
    engine: Engine,
    transport: Transport,
    *,
    sender: str,
    clock: Callable[[], datetime],
    signer: Signer | None = None,
    public_url: str | None = None,
    limit: int = 200,
    progress: Callable[[str], None] | None = None,
) -> DeliveryReport:
    """Hand up to ``limit`` due messages to the transport; safe to run in several workers.

    ``signer`` and ``public_url`` make the unsubscribe links (the workspace's
    signer and the configured URL when omitted); ``progress`` hears each
    message's outcome: ``sent``, ``suppressed``, ``retried`` or ``failed``.
    """
    report = DeliveryReport()
    links = _links(engine, signer, public_url)

    def done(outcome: str) -> None:
        setattr(report, outcome, getattr(report, outcome) + 1)
        if progress is not None:
            progress(outcome)

    try:
        while report.handled < limit and report.stopped is None:
            claimed = _claim(engine, clock(), min(CLAIM_BATCH, limit - report.handled))
            if not claimed:
                break
            for position, (row, reason) in enumerate(claimed):
                if report.stopped is not None:
                    _release(engine, claimed[position:], clock())
                    break
                if reason:
                    done("suppressed")
                    continue
                done(_deliver_one(engine, transport, row, sender, clock(), links, report))
    finally:
        close = getattr(transport, "close", None)
        if close is not None:
            close()
    return report


def _deliver_one(
    engine: Engine,
    transport: Transport,
    row: Any,
    sender: str,
    now: datetime,
    links: MailLinks,
    report: DeliveryReport,
) -> str:
    """Hand one claimed message over and settle it; its outcome."""
    try:
        message = _message(row, sender, now, links)
    except (ValueError, TypeError) as error:  # a header no server would take
        _settle(engine, row.id, status="failed", last_error=f"not sendable: {error}"[:1000])
        return "failed"
    try:
        transport.send(message)
    except OSError as error:  # smtplib's errors, refused connections, timeouts, TLS
        attempts = int(row.attempts)
        permanent = _permanent(error) or attempts > len(BACKOFF)
        _settle(
            engine,
            row.id,
            status="failed" if permanent else "queued",
            last_error=str(error)[:1000] or type(error).__name__,
            not_before=now if permanent else now + BACKOFF[attempts - 1],
        )
        log.warning("mail %s to the SMTP server failed: %s", row.id, error)
        if not _about_this_message(error):
            report.stopped = str(error) or type(error).__name__
        return "failed" if permanent else "retried"
    _settle(engine, row.id, status="sent", sent_at=now, last_error=None)
    return "sent"


def due_count(connection: Connection, now: datetime) -> int:
    """How many queued messages are due now."""
    return int(
        connection.execute(
            select(func.count())
            .select_from(outbound_mail)
            .where(outbound_mail.c.status == "queued", outbound_mail.c.not_before <= now)
        ).scalar_one()
    )


def retry_failed(connection: Connection, *, now: datetime) -> int:
    """Queue every failed message again, due now (after the cause was fixed); how many."""
    result = connection.execute(
        update(outbound_mail)
        .where(outbound_mail.c.status == "failed")
        .values(status="queued", attempts=0, not_before=now)
    )
    return int(result.rowcount)


STATUSES = ("queued", "sending", "sent", "suppressed", "failed")


def outbox_counts(connection: Connection) -> dict[str, int]:
    """How many messages are in each status (every status, zeros included)."""
    found = {
        str(status): int(count)
        for status, count in connection.execute(
            select(outbound_mail.c.status, func.count()).group_by(outbound_mail.c.status)
        )
    }
    return {status: found.get(status, 0) for status in STATUSES}


__all__ = [
    "BACKOFF",
    "RESUBSCRIBING_KINDS",
    "STALE_CLAIM",
    "DeliveryReport",
    "MailLinks",
    "OutgoingMail",
    "SmtpTarget",
    "SmtpTransport",
    "Transport",
    "blocking",
    "deliver_pending",
    "due_count",
    "outbox_counts",
    "queue_mail",
    "retry_failed",
]
