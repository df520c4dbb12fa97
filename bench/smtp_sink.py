"""A counting SMTP sink for the sending benchmark: a measuring instrument, not product code.

The tests keep using aiosmtpd (a real, complete server).  The benchmark
needs a sink that costs far less than the worker it measures: aiosmtpd spends
about 0.65 ms of CPU per message, as much as the worker itself.  This one is
one ``asyncio.Protocol`` per connection that reads lines, answers each command
with a fixed reply (every reply of a pipelined group in one write), offers
``PIPELINING`` (RFC 2920) and counts the messages whose end of data it saw.
It keeps nothing of a message.

Several sink processes may share one port (``SO_REUSEPORT``): the kernel
spreads the connections over them.  On SIGTERM a sink prints how many
messages it took and exits.

Also here: ``blast``, the cheapest client that still speaks SMTP the way
the worker does (pipelined envelope, body, end of data) — what the sink can
absorb when the client costs next to nothing.
"""

from __future__ import annotations

import asyncio
import selectors
import signal
import socket
import sys
import time

_EHLO = b"250-sink.example\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n"
_REPLIES = {
    b"HELO": b"250 sink.example\r\n",
    b"MAIL": b"250 OK\r\n",
    b"RCPT": b"250 OK\r\n",
    b"RSET": b"250 OK\r\n",
    b"NOOP": b"250 OK\r\n",
    b"DATA": b"354 End data with <CR><LF>.<CR><LF>\r\n",
}
_END = b"\r\n.\r\n"


class _Session(asyncio.Protocol):
    received = 0

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.in_data = False
        self.scanned = 0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(b"220 sink.example ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        replies: list[bytes] = []
        while True:
            if self.in_data:
                if buffer.startswith(b".\r\n"):  # an empty message
                    end = -2
                else:
                    end = buffer.find(_END, self.scanned)
                    if end < 0:
                        self.scanned = max(0, len(buffer) - 4)
                        break
                del buffer[: end + 5]
                self.in_data = False
                self.scanned = 0
                _Session.received += 1
                replies.append(b"250 OK queued\r\n")
                continue
            line_end = buffer.find(b"\r\n")
            if line_end < 0:
                break
            verb = bytes(buffer[:4]).upper()
            del buffer[: line_end + 2]
            if verb == b"EHLO":
                replies.append(_EHLO)
            elif verb == b"QUIT":
                replies.append(b"221 Bye\r\n")
                assert self.transport is not None
                self.transport.write(b"".join(replies))
                self.transport.close()
                return
            else:
                replies.append(_REPLIES.get(verb, b"502 Command not implemented\r\n"))
                if verb == b"DATA":
                    self.in_data = True
                    self.scanned = 0
        if replies and self.transport is not None:
            self.transport.write(b"".join(replies))


def run_sink(port: int) -> None:
    """Serve on 127.0.0.1:``port`` until SIGTERM; then print the count and exit."""
    loop = asyncio.new_event_loop()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(256)
    server = loop.run_until_complete(loop.create_server(_Session, sock=listener))
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    try:
        loop.run_forever()
    finally:
        server.close()
        print(_Session.received, flush=True)


def _replies(client: socket.socket, wanted: int, pending: bytearray) -> None:
    """Read until ``wanted`` reply lines (single-line replies) have come."""
    while pending.count(b"\r\n") < wanted:
        chunk = client.recv(65536)
        if not chunk:
            raise ConnectionError("the sink closed the connection")
        pending += chunk
    for _ in range(wanted):
        line_end = pending.find(b"\r\n")
        if pending[:1] not in (b"2", b"3"):
            raise ConnectionError(f"the sink refused: {bytes(pending[:line_end])!r}")
        del pending[: line_end + 2]


def _greeted(port: int, connections: int) -> tuple[list[socket.socket], list[bytearray]]:
    """``connections`` connections past the greeting and EHLO (however many lines)."""
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(connections)]
    pending = [bytearray() for _ in clients]
    for client, buffer in zip(clients, pending, strict=True):
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        _replies(client, 1, buffer)
        client.sendall(b"EHLO blast.example\r\n")
        while True:  # the EHLO reply's lines, up to the last ("250 ", not "250-")
            line_end = buffer.find(b"\r\n")
            if line_end < 0:
                buffer += client.recv(65536)
                continue
            last = buffer[3:4] == b" "
            del buffer[: line_end + 2]
            if last:
                break
    return clients, pending


def blast(port: int, message: bytes, count: int, connections: int) -> float:
    """Send ``count`` copies of ``message`` over ``connections`` connections, the way the
    worker does (pipelined MAIL/RCPT/DATA, the body, the end of data, one step across
    every connection before the next); messages per second."""
    clients, pending = _greeted(port, connections)
    body = message if message.endswith(b"\r\n") else message + b"\r\n"
    started = time.perf_counter()
    sent = 0
    while sent < count:
        group = list(zip(clients, pending, strict=True))[: count - sent]
        for n, (client, _buffer) in enumerate(group):
            client.sendall(
                b"MAIL FROM:<news@seller.example>\r\n"
                + f"RCPT TO:<person{sent + n}@buyer.example>\r\n".encode("ascii")
                + b"DATA\r\n"
            )
        for client, buffer in group:
            _replies(client, 3, buffer)
        for client, _buffer in group:
            client.sendall(body + b".\r\n")
        for client, buffer in group:
            _replies(client, 1, buffer)
        sent += len(group)
    elapsed = time.perf_counter() - started
    for client in clients:
        client.sendall(b"QUIT\r\n")
        client.close()
    return count / elapsed


def blast_one_at_a_time(port: int, message: bytes, count: int, connections: int) -> float:
    """The bare client for a server that does not offer PIPELINING (aiosmtpd): every
    command waits for its reply, but each connection goes on as soon as its own reply
    comes (one ``select`` over all of them), so the server always has work; messages
    per second."""
    clients, pending = _greeted(port, connections)
    body = (message if message.endswith(b"\r\n") else message + b"\r\n") + b".\r\n"
    steps = [
        b"MAIL FROM:<news@seller.example>\r\n",
        b"RCPT TO:<person@buyer.example>\r\n",
        b"DATA\r\n",
        body,
    ]
    selector = selectors.DefaultSelector()
    step = dict.fromkeys(clients, 0)
    for client, buffer in zip(clients, pending, strict=True):
        selector.register(client, selectors.EVENT_READ, buffer)
    started = time.perf_counter()
    begun = done = 0
    for client in clients[:count]:
        client.sendall(steps[0])
        begun += 1
    while done < count:
        for key, _mask in selector.select():
            client, buffer = key.fileobj, key.data
            assert isinstance(client, socket.socket)
            chunk = client.recv(65536)
            if not chunk:
                raise ConnectionError("the sink closed the connection")
            buffer += chunk
            while (line_end := buffer.find(b"\r\n")) >= 0:
                if buffer[:1] not in (b"2", b"3"):
                    raise ConnectionError(f"the sink refused: {bytes(buffer[:line_end])!r}")
                del buffer[: line_end + 2]
                step[client] += 1
                if step[client] == len(steps):
                    done += 1
                    step[client] = 0
                    if begun == count:
                        continue
                    begun += 1
                client.sendall(steps[step[client]])
    elapsed = time.perf_counter() - started
    selector.close()
    for client in clients:
        client.sendall(b"QUIT\r\n")
        client.close()
    return count / elapsed


if __name__ == "__main__":
    run_sink(int(sys.argv[1]))
