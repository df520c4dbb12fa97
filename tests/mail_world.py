"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, keeping what it receives.

``Inbox`` starts on a free port (or a given one, to bring a server "back up"
where the product expected it) and can refuse chosen recipients with a given
reply, the way a receiving server refuses an unknown mailbox.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Inbox:
    """What the server received, as parsed messages with their envelope recipients."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        #: recipient address → the reply that refuses it, e.g. "550 5.1.1 no such user"
        self.refuse: dict[str, str] = {}
        #: After this many messages, refuse the sender the way a server going down does.
        self.closing_after: int | None = None
        #: The client's address and port of each message: one per connection.
        self.peers: list[Any] = []
        #: Offer PIPELINING (RFC 2920) in the answer to EHLO.
        self.pipelining = False
        #: For each MAIL: whether RCPT and DATA had arrived with it, in the same write.
        self.pipelined: list[bool] = []
        self.port = 0

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        if self.pipelining:
            responses.insert(1, "250-PIPELINING")
        return responses

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.closing_after is not None and len(self.messages) >= self.closing_after:
            return "421 4.3.2 shutting down"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        # What the server has read but not yet handled (aiosmtpd's stream reader).
        waiting = bytes(getattr(server._reader, "_buffer", b""))
        self.pipelined.append(waiting.startswith(b"RCPT") and b"\r\nDATA\r\n" in waiting)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content.replace(b"\r\n", b"\n")
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.peers.append(session.peer)
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


@contextmanager
def smtp_server(port: int | None = None, inbox: Inbox | None = None) -> Iterator[Inbox]:
    """An SMTP server on 127.0.0.1 for the duration of the block."""
    inbox = inbox or Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    inbox.port = controller.port
    try:
        yield inbox
    finally:
        controller.stop()
