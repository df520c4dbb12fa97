"""The courier: delivers the outbox while the web app runs.

A thread of the web process (started when ``SILVERPLATTER_SMTP_URL`` is set)
that runs ``outbox.deliver_pending`` every few seconds, and at once when
woken — a form that queued a confirmation wakes it, so the mail leaves in
the same second.  Several web processes may each run one: claiming a
message is a conditional update, so none is sent twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

from silverplatter.services.outbox import (
    DeliveryReport,
    SmtpTarget,
    SmtpTransport,
    Transport,
    deliver_pending,
)
from silverplatter.services.signing import signer_for
from silverplatter.settings import Settings

log = logging.getLogger(__name__)

#: Seconds between passes when nobody wakes the courier.
INTERVAL = 5.0


class MailCourier:
    """A thread that hands queued mail to the SMTP server, every ``interval`` or when woken."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        clock: Callable[[], datetime],
        *,
        transport: Transport | None = None,
        interval: float = INTERVAL,
    ) -> None:
        if transport is None:
            if settings.smtp_url is None or not settings.smtp_url.get_secret_value():
                raise ValueError("set SILVERPLATTER_SMTP_URL to deliver mail")
            transport = SmtpTransport(SmtpTarget.from_url(settings.smtp_url.get_secret_value()))
        self._engine = engine
        self._settings = settings
        self._clock = clock
        self._transport = transport
        self._interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mail-courier", daemon=True)
        #: The last pass's report, for the curious (tests, health pages).
        self.last: DeliveryReport | None = None

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        """Deliver now rather than at the next tick (after a message was queued)."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)

    def deliver_once(self) -> DeliveryReport:
        """One pass over what is due."""
        with self._engine.connect() as connection:
            signer = signer_for(connection, self._settings)
        return deliver_pending(
            self._engine,
            self._transport,
            sender=self._settings.mail_from,
            clock=self._clock,
            signer=signer,
            public_url=self._settings.public_url,
        )

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                report = self.deliver_once()
                self.last = report
            except Exception:  # the thread must outlive a database hiccup or a bug
                log.exception("delivering the outbox failed; trying again shortly")
                report = DeliveryReport()
            if report.handled and report.stopped is None:
                continue  # there may be more due right away
            self._wake.wait(timeout=self._interval)
