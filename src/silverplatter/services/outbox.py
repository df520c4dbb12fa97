"""The outbox: the one way mail leaves the product.

Mail is queued in the same transaction as what caused it (a form submission
queues its opt-in confirmation), so it is never lost when the SMTP server is
down: ``deliver_pending`` hands queued messages to the server later, retrying
with backoff.  Queueing is idempotent by ``dedupe_key``.  The suppression
list is checked when a message is queued and again just before it is sent;
no other code talks SMTP.

Delivery claims a message (``queued`` → ``sending``) in its own transaction
before talking to the server and marks it ``sent`` after the server accepted
it.  A worker that crashes between the two leaves a ``sending`` row; after
``STALE_CLAIM`` it is queued again (at-least-once; the Message-ID is derived
from the dedupe key so receiving systems can recognise a repeat).
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from sqlalchemy import Connection, Engine, and_, func, select, update

from silverplatter.services.suppression import is_suppressed
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
    reason = is_suppressed(connection, mail.to_address)
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


@dataclass(frozen=True)
class SmtpTarget:
    """Where and how to hand mail over, parsed from ``SILVERPLATTER_SMTP_URL``."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    tls: str = "none"  # none | starttls | ssl

    @classmethod
    def from_url(cls, url: str) -> SmtpTarget:
        """``smtp://[user:pw@]host[:port][?starttls=1]`` or ``smtps://...``."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(
                "SILVERPLATTER_SMTP_URL must look like smtp://user:password@host:587?starttls=1 "
                "or smtps://user:password@host:465"
            )
        tls = "ssl" if parts.scheme == "smtps" else "none"
        if "starttls=1" in parts.query or "starttls=true" in parts.query:
            tls = "starttls"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if tls == "ssl" else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            tls=tls,
        )


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class SmtpTransport:
    """Sends each message over its own SMTP connection (smtplib)."""

    def __init__(self, target: SmtpTarget, timeout: float = 30.0) -> None:
        self._target = target
        self._timeout = timeout

    def send(self, message: EmailMessage) -> None:
        target = self._target
        client: smtplib.SMTP
        if target.tls == "ssl":
            client = smtplib.SMTP_SSL(
                target.host,
                target.port,
                timeout=self._timeout,
                context=ssl.create_default_context(),
            )
        else:
            client = smtplib.SMTP(target.host, target.port, timeout=self._timeout)
        with client:
            if target.tls == "starttls":
                client.starttls(context=ssl.create_default_context())
            if target.username:
                client.login(target.username, target.password or "")
            client.send_message(message)


@dataclass
class DeliveryReport:
    sent: int = 0
    suppressed: int = 0
    retried: int = 0
    failed: int = 0


def _message(row: Any, sender: str, now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = format_datetime(now)
    digest = hashlib.sha256(row.dedupe_key.encode("utf-8")).hexdigest()[:32]
    domain = sender.rsplit("@", 1)[-1].strip("> ") or "localhost"
    message["Message-ID"] = f"<{digest}@{domain}>"
    message.set_content(row.text_body)
    if row.html_body:
        message.add_alternative(row.html_body, subtype="html")
    return message


def _requeue_stale(connection: Connection, now: datetime) -> None:
    connection.execute(
        update(outbound_mail)
        .where(
            outbound_mail.c.status == "sending",
            outbound_mail.c.not_before <= now - STALE_CLAIM,
        )
        .values(status="queued")
    )


def _claim(engine: Engine, now: datetime) -> Any | None:
    """Take the oldest due message for this worker, or None when nothing is due."""
    with engine.begin() as connection:
        _requeue_stale(connection, now)
        candidates = connection.execute(
            select(outbound_mail.c.id)
            .where(outbound_mail.c.status == "queued", outbound_mail.c.not_before <= now)
            .order_by(outbound_mail.c.not_before, outbound_mail.c.id)
            .limit(5)
        ).scalars()
        for message_id in candidates:
            claimed = connection.execute(
                update(outbound_mail)
                .where(and_(outbound_mail.c.id == message_id, outbound_mail.c.status == "queued"))
                .values(status="sending", not_before=now, attempts=outbound_mail.c.attempts + 1)
            )
            if claimed.rowcount == 1:
                return connection.execute(
                    select(outbound_mail).where(outbound_mail.c.id == message_id)
                ).one()
    return None


def deliver_pending(
    engine: Engine,
    transport: Transport,
    *,
    sender: str,
    clock: Callable[[], datetime],
    limit: int = 200,
) -> DeliveryReport:
    """Hand up to ``limit`` due messages to the transport; safe to run in several workers."""
    report = DeliveryReport()
    for _ in range(limit):
        now = clock()
        row = _claim(engine, now)
        if row is None:
            break
        with engine.begin() as connection:
            reason = is_suppressed(connection, row.to_address) if row.to_address else "erased"
            if reason:
                connection.execute(
                    update(outbound_mail)
                    .where(outbound_mail.c.id == row.id)
                    .values(status="suppressed", last_error=f"suppressed: {reason}")
                )
                report.suppressed += 1
                continue
        try:
            transport.send(_message(row, sender, now))
        except (OSError, smtplib.SMTPException) as error:
            attempts = int(row.attempts)
            permanent = isinstance(error, smtplib.SMTPRecipientsRefused) or attempts > len(BACKOFF)
            with engine.begin() as connection:
                connection.execute(
                    update(outbound_mail)
                    .where(outbound_mail.c.id == row.id)
                    .values(
                        status="failed" if permanent else "queued",
                        last_error=str(error)[:1000],
                        not_before=now if permanent else now + BACKOFF[attempts - 1],
                    )
                )
            if permanent:
                report.failed += 1
            else:
                report.retried += 1
            log.warning("mail %s to the SMTP server failed: %s", row.id, error)
            continue
        with engine.begin() as connection:
            connection.execute(
                update(outbound_mail)
                .where(outbound_mail.c.id == row.id)
                .values(status="sent", sent_at=clock(), last_error=None)
            )
        report.sent += 1
    return report


def outbox_counts(connection: Connection) -> dict[str, int]:
    """How many messages are in each status."""
    return {
        status: int(count)
        for status, count in connection.execute(
            select(outbound_mail.c.status, func.count()).group_by(outbound_mail.c.status)
        )
    }
