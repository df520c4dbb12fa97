"""Reading the bounce mailbox over IMAP or POP3 (``SILVERPLATTER_BOUNCE_MAILBOX_URL``).

``imaps://user:password@host[:993]/Folder`` (``imap://`` for plain or
STARTTLS-less servers; the folder defaults to INBOX) or
``pop3s://user:password@host[:995]`` (``pop3://``).  Every message in the
mailbox is read; each is parsed (``domain/bounces.py``) and its bounces
recorded in a transaction of its own, and only then deleted from the
mailbox — a crash in between reads it again, and recording it twice adds a
second report but no second suppression.  Messages that are neither bounces
nor complaints are deleted as well: the mailbox is the product's own.
"""

from __future__ import annotations

import imaplib
import logging
import poplib
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote, urlsplit

from sqlalchemy import Engine

from silverplatter.domain.bounces import parse_report
from silverplatter.services.bounces import record_all

log = logging.getLogger(__name__)

#: Messages read in one pass at most (the next pass takes the rest).
BATCH = 500


@dataclass(frozen=True)
class Mailbox:
    scheme: str
    host: str
    port: int
    username: str
    password: str
    folder: str = "INBOX"

    @classmethod
    def from_url(cls, url: str) -> Mailbox:
        parts = urlsplit(url)
        defaults = {"imap": 143, "imaps": 993, "pop3": 110, "pop3s": 995}
        if parts.scheme not in defaults or not parts.hostname:
            raise ValueError(
                "SILVERPLATTER_BOUNCE_MAILBOX_URL must look like imaps://user:password@host/INBOX "
                "or pop3s://user:password@host"
            )
        if not parts.username:
            raise ValueError("SILVERPLATTER_BOUNCE_MAILBOX_URL needs a user name")
        try:
            port = parts.port or defaults[parts.scheme]
        except ValueError:
            message = "SILVERPLATTER_BOUNCE_MAILBOX_URL has a port that is not a number"
            raise ValueError(message) from None
        folder = unquote(parts.path.strip("/")) or "INBOX"
        return cls(
            parts.scheme,
            parts.hostname,
            port,
            unquote(parts.username),
            unquote(parts.password or ""),
            folder,
        )


Handle = Callable[[bytes], None]


@contextmanager
def _imap(mailbox: Mailbox, timeout: float) -> Iterator[Callable[[Handle], int]]:
    client: imaplib.IMAP4
    if mailbox.scheme == "imaps":
        client = imaplib.IMAP4_SSL(
            mailbox.host, mailbox.port, ssl_context=ssl.create_default_context(), timeout=timeout
        )
    else:
        client = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=timeout)
    try:
        client.login(mailbox.username, mailbox.password)
        client.select(mailbox.folder)

        def each(handle: Handle) -> int:
            _status, found = client.search(None, "ALL")
            numbers = (found[0] or b"").split()[:BATCH]
            for number in numbers:
                _status, data = client.fetch(number.decode(), "(RFC822)")
                raw = next((item[1] for item in data if isinstance(item, tuple)), b"")
                handle(raw)
                client.store(number.decode(), "+FLAGS", "\\Deleted")
            if numbers:
                client.expunge()
            return len(numbers)

        yield each
    finally:
        with suppress(OSError, imaplib.IMAP4.error):
            client.logout()


@contextmanager
def _pop3(mailbox: Mailbox, timeout: float) -> Iterator[Callable[[Handle], int]]:
    client: poplib.POP3
    if mailbox.scheme == "pop3s":
        client = poplib.POP3_SSL(
            mailbox.host, mailbox.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        client = poplib.POP3(mailbox.host, mailbox.port, timeout=timeout)
    try:
        client.user(mailbox.username)
        client.pass_(mailbox.password)

        def each(handle: Handle) -> int:
            count, _size = client.stat()
            numbers = list(range(1, count + 1))[:BATCH]
            for number in numbers:
                _response, lines, _octets = client.retr(number)
                handle(b"\r\n".join(lines) + b"\r\n")
                client.dele(number)
            return len(numbers)

        yield each
        client.quit()  # deletions take effect only on QUIT
    finally:
        with suppress(OSError):
            client.close()


def read_mailbox(
    engine: Engine, url: str, *, now: datetime, soft_limit: int = 3, timeout: float = 30.0
) -> int:
    """Read and empty the bounce mailbox once; how many messages were read."""
    mailbox = Mailbox.from_url(url)
    opener = _imap if mailbox.scheme.startswith("imap") else _pop3

    def handle(raw: bytes) -> None:
        bounces = parse_report(raw)
        if bounces:
            with engine.begin() as connection:
                record_all(connection, bounces, source="mailbox", now=now, soft_limit=soft_limit)

    with opener(mailbox, timeout) as each:
        return each(handle)


__all__ = ["Mailbox", "read_mailbox"]
