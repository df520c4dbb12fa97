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
between the commit taking effect and the ``send()`` of each terminator — so
the caller's commit calls ``release`` (which writes the terminators) the
moment it returns and keeps the commit itself short
(``storage/mail_sends.settle_sent``: a commit that waits for the disk is a
window as long as the wait, because the database keeps a commit the worker
was killed in the middle of), and the terminators are written to corked
sockets and let go together (``_terminate``), so that the server's work on
them cannot stretch the writes.

Up to one message per connection is staged at a time and every step runs
across all connections before the next (``MAIL`` on each, then each reply,
and so on), so N connections share one database commit and the round trips
overlap.  A server that offers PIPELINING (RFC 2920) gets ``MAIL``, ``RCPT``
and ``DATA`` in one write and answers them together: one round trip instead
of three before the body.  A 4xx or 5xx reply to the terminator comes after the commit: the
caller re-settles those rows (queued again, or failed).
"""

from __future__ import annotations

import logging
import re
import smtplib
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr

from silverplatter.domain.mail_message import dot_stuffed
from silverplatter.services.smtp import SmtpTarget, connect

log = logging.getLogger(__name__)

TERMINATOR = b".\r\n"

#: What may stand between ``<`` and ``>`` in a pipelined command: ASCII, no spaces, no line
#: breaks, no angle brackets (the one-command-at-a-time path leaves this to ``smtplib``).
_ENVELOPE_ADDRESS = re.compile(r"[!-;=?-~]+")


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
) -> list[tuple[Connection, Outgoing]]:
    """Send one command on every live connection, then read every reply; those still going."""
    sent: list[tuple[Connection, Outgoing]] = []
    for connection, item in live:
        try:
            command(connection, item)
            sent.append((connection, item))
        except (OSError, smtplib.SMTPException) as error:
            _broken(item, connection, error)
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


def _pipelined(
    live: list[tuple[Connection, Outgoing]], envelope_from: str
) -> list[tuple[Connection, Outgoing]]:
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


#: Marks the staged messages sent and calls ``release`` the moment its commit returns.
Commit = Callable[[Sequence[Outgoing], Callable[[], None]], None]


def hand_over(
    pool: Pool,
    items: Sequence[Outgoing],
    *,
    sender: str,
    commit: Commit,
) -> None:
    """Hand ``items`` (at most one per connection) over; ``commit`` marks the staged ones sent.

    Each item's ``outcome`` tells how it ended.  ``commit`` is called once,
    with the messages whose whole body the server has (possibly none), and
    must call ``release`` as soon as its commit has returned: ``release``
    writes each terminator.  If ``commit`` raises before releasing, the
    connections are dropped without the terminator — the server discards
    the messages — and the error propagates; after releasing, the messages
    are sent and their replies are read before the error propagates.
    """
    if len(items) > len(pool.connections):
        raise ValueError("more messages than connections")
    envelope_from = parseaddr(sender)[1]
    live: list[tuple[Connection, Outgoing]] = []
    for connection, item in zip(pool.connections, items, strict=False):
        try:
            connection.ready()
            live.append((connection, item))
        except (OSError, smtplib.SMTPException) as error:
            _broken(item, connection, error)

    def mail(connection: Connection, item: Outgoing) -> None:
        assert connection.client is not None
        connection.client.putcmd("mail", f"FROM:<{envelope_from}>")

    def rcpt(connection: Connection, item: Outgoing) -> None:
        assert connection.client is not None
        connection.client.putcmd("rcpt", f"TO:<{item.recipient}>")

    def data(connection: Connection, item: Outgoing) -> None:
        assert connection.client is not None
        connection.client.putcmd("data")

    pipelined = [(connection, item) for connection, item in live if connection.pipelining]
    live = [(connection, item) for connection, item in live if not connection.pipelining]
    live = _step(live, mail, lambda code: code == 250, server_step=True)
    live = _step(live, rcpt, lambda code: code in (250, 251))
    live = _step(live, data, lambda code: code == 354)
    live = _pipelined(pipelined, envelope_from) + live
    staged: list[tuple[Connection, Outgoing]] = []
    for connection, item in live:
        try:
            assert connection.client is not None
            connection.client.send(dot_stuffed(item.data))
            staged.append((connection, item))
        except (OSError, smtplib.SMTPException) as error:
            _broken(item, connection, error)
    written: list[tuple[Connection, Outgoing]] = []
    released = False

    def release() -> None:
        nonlocal released
        if not released:
            released = True
            _terminate(staged, written)

    try:
        commit([item for _connection, item in staged], release)
    except BaseException:
        # Not released: the server discards every staged message.  Released: those whose
        # terminator went out are sent; a connection the error left before its terminator
        # is dropped too, so no later command lands in a message's body.
        done = {id(connection) for connection, _item in written}
        for connection, _item in staged:
            if id(connection) not in done:
                connection.drop()
        for connection, _item in written:
            _cork(connection, False)
        _replies(written)
        raise
    release()  # a commit that had nothing to mark need not have called it
    _replies(written)


def _cork(connection: Connection, corked: bool) -> None:
    """Hold back (or let go of) what is written to the connection's socket (Linux's TCP_CORK)."""
    client = connection.client
    if client is None or client.sock is None or not hasattr(socket, "TCP_CORK"):
        return
    try:
        client.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, int(corked))
    except OSError:
        return  # a broken connection: the send finds it


def _terminate(
    staged: list[tuple[Connection, Outgoing]], written: list[tuple[Connection, Outgoing]]
) -> None:
    """Write each terminator (the rows already say sent); each connection written to is
    added to ``written`` as it is.

    Only system calls between the commit and the last terminator.  The
    sockets are corked meanwhile, so no terminator reaches the server
    before the last is written: otherwise each write wakes the server,
    which may take the processor from the worker — the writes then last as
    long as the server's handling of the messages, and a worker killed
    meanwhile (while it is busiest) leaves the rest unwritten.  What a
    corked socket holds still goes out when the worker dies: the kernel
    sends it as it closes the socket.
    """
    for connection, _item in staged:
        _cork(connection, True)
    for connection, item in staged:
        try:
            assert connection.client is not None
            connection.client.send(TERMINATOR)
            written.append((connection, item))
        except (OSError, smtplib.SMTPException) as error:
            # Nothing reached the server's end of data: it discards the message.
            _broken(item, connection, error)
            continue
        item.outcome = "sent"
    for connection, _item in written:
        _cork(connection, False)  # all of them go out now


def _replies(written: list[tuple[Connection, Outgoing]]) -> None:
    """Read each reply to a terminator: a refusal now undoes the sent of its row."""
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


__all__ = ["TERMINATOR", "Commit", "Connection", "Outgoing", "Pool", "hand_over"]
