"""Handing mail to an SMTP server: where and how (``SmtpTarget``), and the connection.

The outbox (``services/outbox.py``) sends through ``SmtpTransport``; nurture mail
(``services/mail_handover.py``) opens its connections with ``connect``.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit


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
        starttls = parse_qs(parts.query).get("starttls", [""])[-1].lower()
        if starttls in ("1", "true", "yes", "on"):
            tls = "starttls"
        try:
            port = parts.port
        except ValueError:
            raise ValueError("SILVERPLATTER_SMTP_URL has a port that is not a number") from None
        return cls(
            host=parts.hostname,
            port=port or (465 if tls == "ssl" else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            tls=tls,
        )


def connect(target: SmtpTarget, timeout: float = 30.0) -> smtplib.SMTP:
    """A signed-in connection to ``target`` (TLS as it asks), greeted with EHLO."""
    client: smtplib.SMTP
    if target.tls == "ssl":
        client = smtplib.SMTP_SSL(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(target.host, target.port, timeout=timeout)
    try:
        if target.tls == "starttls":
            client.starttls(context=ssl.create_default_context())
        if target.username:
            client.login(target.username, target.password or "")
        client.ehlo_or_helo_if_needed()
    except OSError:
        client.close()
        raise
    return client


#: Refusals after which smtplib resets the transaction: the connection stays usable.
_REFUSALS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


class SmtpTransport:
    """Sends over one SMTP connection (smtplib), opened at the first message of a pass.

    ``deliver_pending`` calls ``close`` when its pass ends.  A kept connection
    that broke (the server closed it while idle) is opened again once; a
    refusal of the message leaves it open, any other trouble drops it.
    """

    def __init__(self, target: SmtpTarget, timeout: float = 30.0) -> None:
        self._target = target
        self._timeout = timeout
        self._client: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        return connect(self._target, self._timeout)

    def _hand_over(self, client: smtplib.SMTP, message: EmailMessage) -> None:
        try:
            client.send_message(message)
        except _REFUSALS:
            raise
        except OSError:
            self.close()
            raise

    def send(self, message: EmailMessage) -> None:
        if self._client is not None:
            try:
                self._hand_over(self._client, message)
                return
            except _REFUSALS:
                raise
            except OSError:
                pass  # the kept connection broke (closed while idle): open a new one, once
        self._client = self._connect()
        self._hand_over(self._client, message)

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.quit()
            except OSError:
                client.close()
