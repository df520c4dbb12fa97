"""Handing messages to the SMTP server exactly once, even when the worker is killed.

The order for each message (RFC 5321 DATA phase):

1. ``MAIL FROM``, ``RCPT TO`` and ``DATA`` (the server answers 354), then the
   whole dot-stuffed body — **without** the final ``.`` line;
2. the caller commits ``status='sent'`` (with the Message-ID) for the message;
3. the terminating ``.`` is written and the server's reply read.

Killed before step 2 commits: the server never saw the end of the data and
throws the message away when the connection drops, and the ledger row is
still ``sending``, so it is sent again after the claim times out.  Killed
after the commit: the terminator is written with one ``send()`` and the
kernel flushes what the process wrote even when it dies, so the server
takes the message and the row already says sent.  The only window left is
between the commit returning and that one ``send()`` of each message.

Up to one message per connection is staged at a time and every step runs
across all connections before the next (``MAIL`` on each, then each reply,
and so on), so N connections share one database commit, their round trips
overlap and the server gets N commands at once.  While the server answers a
step, the worker takes the next round's messages ahead of their turn (for
the sending pass that is claiming and composing them), as long as the last
connection written has no reply yet and up to one message a connection: the
rendering that used to leave the server idle between rounds now happens
while it works — what matters with a single-threaded server that does not
pipeline (aiosmtpd).  A server that offers PIPELINING (RFC 2920) gets
``MAIL``, ``RCPT`` and ``DATA`` in one write and answers them together: one
round trip instead of three before the body.  A 4xx or 5xx reply to the
terminator comes after the commit: the caller re-settles those rows (queued
again, or failed).
"""

from __future__ import annotations

import logging
import re
import select
import smtplib
import socket
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr

from silverplatter.domain.mail_message import dot_stuffed
from silverplatter.services.smtp import SmtpTarget, connect

log = logging.getLogger(__name__)

TERMINATOR = b".\r\n"

#: What may stand between ``<`` and ``>`` in a pipelined command: ASCII, no spaces, no line
#: breaks, no angle brackets (the one-command-at-a-time path leaves this to ``smtplib``).
_ENVELOPE_ADDRESS = re.compile(r"[!-;=?-~]+")

#: A step of the conversation: it yields (the connection written last) once its commands
#: are written, and goes on reading the replies when the worker has used the wait.
Step = Generator["Connection", None, list[tuple["Connection", "Outgoing"]]]


@dataclass
class Outgoing:
    """One message to hand over: its ledger id, envelope and bytes (before dot-stuffing)."""

    send_id: int
    recipient: str
    data: bytes
    #: Filled in by ``hand_over``: ``sent``, ``retry`` (4xx, the server away) or ``failed`` (5xx).
    outcome: str = ""
    #: The server's words when it did not take the message.
    error: str = ""
    #: Whether the trouble was the server's (down, refusing everyone) rather than the message's.
    server_trouble: bool = False


class Connection:
    """One SMTP connection, opened when first needed and again after it broke."""

    def __init__(self, target: SmtpTarget, timeout: float) -> None:
        self._target = target
        self._timeout = timeout
        self.client: smtplib.SMTP | None = None

    def ready(self) -> smtplib.SMTP:
        if self.client is None:
            client = connect(self._target, self._timeout)
            if client.sock is not None:
                # Each command and the terminator go out at once, not held back
                # waiting for the acknowledgement of the last write (Nagle).
                client.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.client = client
        return self.client

    @property
    def pipelining(self) -> bool:
        """Whether the server offered PIPELINING in its answer to EHLO."""
        return self.client is not None and bool(self.client.has_extn("pipelining"))

    def drop(self) -> None:
        """Close the socket without a word: a message half-way in DATA is discarded."""
        client, self.client = self.client, None
        if client is not None:
            client.close()

    def quit(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()


@dataclass
class Pool:
    """The connections of one worker; ``close`` says goodbye to the server."""

    target: SmtpTarget
    size: int = 8
    timeout: float = 30.0
    connections: list[Connection] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.connections = [Connection(self.target, self.timeout) for _ in range(self.size)]

    def close(self) -> None:
        for connection in self.connections:
            connection.quit()


def _reply_text(message: bytes | str) -> str:
    return message.decode("utf-8", "replace") if isinstance(message, bytes) else message


def _fail(item: Outgoing, code: int, message: bytes | str, *, server: bool = False) -> None:
    item.outcome = "failed" if 500 <= code < 600 and not server else "retry"
    item.error = f"{code} {_reply_text(message)}".strip()
    item.server_trouble = server


def _broken(item: Outgoing, connection: Connection, error: BaseException) -> None:
    connection.drop()
    item.outcome = "retry"
    item.error = str(error) or type(error).__name__
    item.server_trouble = True


def _step(
    live: list[tuple[Connection, Outgoing]],
    command: Callable[[Connection, Outgoing], None],
    accept: Callable[[int], bool],
    *,
    server_step: bool = False,
) -> Step:
    """Send one command on every live connection, then read every reply; those still going."""
    sent: list[tuple[Connection, Outgoing]] = []
    for connection, item in live:
        try:
            command(connection, item)
            sent.append((connection, item))
        except (OSError, smtplib.SMTPException) as error:
            _broken(item, connection, error)
    if sent:
        yield sent[-1][0]
    going: list[tuple[Connection, Outgoing]] = []
    for connection, item in sent:
        try:
            assert connection.client is not None
            code, message = connection.client.getreply()
        except (OSError, smtplib.SMTPException) as error:
            _broken(item, connection, error)
            continue
        if accept(code):
            going.append((connection, item))
            continue
        _fail(item, code, message, server=server_step or code == 421)
        _reset(connection)
    return going


def _pipelined(live: list[tuple[Connection, Outgoing]], envelope_from: str) -> Step:
    """``MAIL``, ``RCPT`` and ``DATA`` in one write on every live connection, then their
    three replies on each; those whose server now waits for the body.

    Every reply is read and judged in order (RFC 2920): a refused sender or
    recipient fails the message even when ``DATA`` was accepted after it —
    then the connection is dropped, so the server, waiting for a body, keeps
    nothing.
    """
    sent: list[tuple[Connection, Outgoing]] = []
    for connection, item in live:
        if not _ENVELOPE_ADDRESS.fullmatch(item.recipient):
            item.outcome, item.error = "failed", f"not an address to send to: {item.recipient!r}"
            continue
        try:
            assert connection.client is not None
            connection.client.send(
                f"MAIL FROM:<{envelope_from}>\r\nRCPT TO:<{item.recipient}>\r\nDATA\r\n"
            )
            sent.append((connection, item))
        except (OSError, smtplib.SMTPException) as error:
            _broken(item, connection, error)
    if sent:
        yield sent[-1][0]
    going: list[tuple[Connection, Outgoing]] = []
    for connection, item in sent:
        try:
            assert connection.client is not None
            (mail, mail_says), (rcpt, rcpt_says), (data, data_says) = (
                connection.client.getreply() for _ in range(3)
            )
        except (OSError, smtplib.SMTPException) as error:
            _broken(item, connection, error)
            continue
        if mail == 250 and rcpt in (250, 251) and data == 354:
            going.append((connection, item))
            continue
        if mail != 250:
            _fail(item, mail, mail_says, server=True)
        elif rcpt not in (250, 251):
            _fail(item, rcpt, rcpt_says, server=rcpt == 421)
        else:
            _fail(item, data, data_says, server=data == 421)
        if data == 354:
            connection.drop()
        else:
            _reset(connection)
    return going


def _reset(connection: Connection) -> None:
    """RSET after a refusal so the connection can take the next message; drop it if that fails."""
    client = connection.client
    if client is None:
        return
    try:
        client.putcmd("rset")
        code, _message = client.getreply()
        if code != 250:
            connection.drop()
    except (OSError, smtplib.SMTPException):
        connection.drop()


def _mail(envelope_from: str) -> Callable[[Connection, Outgoing], None]:
    def mail(connection: Connection, item: Outgoing) -> None:
        assert connection.client is not None
        connection.client.putcmd("mail", f"FROM:<{envelope_from}>")

    return mail


def _rcpt(connection: Connection, item: Outgoing) -> None:
    assert connection.client is not None
    connection.client.putcmd("rcpt", f"TO:<{item.recipient}>")


def _data(connection: Connection, item: Outgoing) -> None:
    assert connection.client is not None
    connection.client.putcmd("data")


def _chunk(
    connections: Sequence[Connection],
    items: Sequence[Outgoing],
    envelope_from: str,
    commit: Callable[[Sequence[Outgoing]], None],
) -> Generator[Connection, None, None]:
    """One message on each of ``connections`` (as many as there are ``items``), in step."""
    live: list[tuple[Connection, Outgoing]] = []
    for connection, item in zip(connections, items, strict=False):
        try:
            connection.ready()
            live.append((connection, item))
        except (OSError, smtplib.SMTPException) as error:
            _broken(item, connection, error)
    pipelined = [(connection, item) for connection, item in live if connection.pipelining]
    live = [(connection, item) for connection, item in live if not connection.pipelining]
    live = yield from _step(live, _mail(envelope_from), lambda code: code == 250, server_step=True)
    live = yield from _step(live, _rcpt, lambda code: code in (250, 251))
    live = yield from _step(live, _data, lambda code: code == 354)
    live = (yield from _pipelined(pipelined, envelope_from)) + live
    staged: list[tuple[Connection, Outgoing]] = []
    for connection, item in live:
        try:
            assert connection.client is not None
            connection.client.send(dot_stuffed(item.data))
            staged.append((connection, item))
        except (OSError, smtplib.SMTPException) as error:
            _broken(item, connection, error)
    if staged:
        try:
            commit([item for _connection, item in staged])
        except BaseException:
            for connection, _item in staged:
                connection.drop()
            raise
    for _connection, item in staged:
        item.outcome = "sent"
    yield from _finish(staged)


def _finish(staged: list[tuple[Connection, Outgoing]]) -> Generator[Connection, None, None]:
    """Write each terminator, then read each reply (the rows already say sent)."""
    written: list[tuple[Connection, Outgoing]] = []
    for connection, item in staged:
        try:
            assert connection.client is not None
            connection.client.send(TERMINATOR)
            written.append((connection, item))
        except (OSError, smtplib.SMTPException) as error:
            # Nothing reached the server's end of data: it discards the message.
            _broken(item, connection, error)
    if written:
        yield written[-1][0]
    for connection, item in written:
        try:
            assert connection.client is not None
            code, message = connection.client.getreply()
        except (OSError, smtplib.SMTPException) as error:
            # The terminator went out; whether the server kept the message is unknown.
            # It most likely did: the row stays sent rather than risk a second copy.
            log.warning("no reply after the end of message %s: %s", item.send_id, error)
            connection.drop()
            continue
        if code != 250:
            _fail(item, code, message)


class _Ahead:
    """The messages to come, some taken (composed, when ``items`` is a generator that
    composes) ahead of their turn while the server answers."""

    def __init__(self, items: Iterator[Outgoing], most: int) -> None:
        self._items = items
        self._most = most
        self._ready: deque[Outgoing] = deque()
        self._more = True

    def _next(self) -> Outgoing | None:
        item = next(self._items, None) if self._more else None
        self._more = item is not None
        return item

    def take(self, count: int) -> list[Outgoing]:
        taken = [self._ready.popleft() for _ in range(min(count, len(self._ready)))]
        while len(taken) < count and (item := self._next()) is not None:
            taken.append(item)
        return taken

    def fill_while(self, waiting: Callable[[], bool]) -> None:
        """Take messages ahead while ``waiting`` says the server has not answered yet."""
        while len(self._ready) < self._most and waiting() and (item := self._next()) is not None:
            self._ready.append(item)


def _unanswered(connection: Connection) -> Callable[[], bool]:
    """Whether the server has not yet replied on ``connection`` (nothing to read)."""
    sock = connection.client.sock if connection.client is not None else None
    if sock is None:
        return lambda: False
    poll = select.poll()
    poll.register(sock, select.POLLIN)
    return lambda: not poll.poll(0)


def hand_over(
    pool: Pool,
    items: Iterable[Outgoing],
    *,
    sender: str,
    commit: Callable[[Sequence[Outgoing]], None],
    finished: Callable[[Outgoing], None] | None = None,
) -> None:
    """Hand ``items`` over on the pool's connections; ``commit`` marks staged ones sent.

    ``items`` is taken as the connections free up and, while the server has
    commands to answer, up to one message per connection ahead of its turn —
    so when it is a generator that claims and composes as it goes, that
    work overlaps the server's.  ``commit`` is called with the messages whose
    whole body the server has, one connection each; if it raises, every
    connection is dropped — the server discards the messages without a
    terminator — and the error propagates.  Each item's ``outcome`` tells
    how it ended; ``finished`` is called with the items of a round once their
    outcomes are final.
    """
    envelope_from = parseaddr(sender)[1]
    connections = pool.connections
    ahead = _Ahead(iter(items), len(connections))
    try:
        while chunk := ahead.take(len(connections)):
            for waited in _chunk(connections, chunk, envelope_from, commit):
                ahead.fill_while(_unanswered(waited))
            for item in chunk:
                if finished is not None:
                    finished(item)
    except BaseException:
        for connection in connections:
            connection.drop()
        raise


__all__ = ["TERMINATOR", "Connection", "Outgoing", "Pool", "hand_over"]
