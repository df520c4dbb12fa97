"""A light SMTP sink (aiosmtpd) that only counts: Message-ID and recipients of each message
it accepted, without parsing the message (fast enough for thousands a second)."""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiosmtpd.controller import Controller

from mail_world import free_port

_MESSAGE_ID = re.compile(rb"^Message-ID: (<[^>\r\n]+>)", re.MULTILINE | re.IGNORECASE)


class Sink:
    def __init__(self) -> None:
        self.message_ids: Counter[str] = Counter()
        self.recipients: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        found = _MESSAGE_ID.search(envelope.original_content or b"")
        with self.lock:
            self.message_ids[found.group(1).decode() if found else "?"] += 1
            for address in envelope.rcpt_tos:
                self.recipients[address] += 1
        return "250 OK"

    @property
    def received(self) -> int:
        with self.lock:
            return sum(self.message_ids.values())

    def wait_for(self, count: int, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while self.received < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.received


@contextmanager
def sink_server(port: int | None = None) -> Iterator[Sink]:
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    sink.port = controller.port
    try:
        yield sink
    finally:
        controller.stop()
