"""Sending nurture mail: the send ledger, and handing its messages over exactly once.

``queue_send`` puts one message to one contact in the ledger (``mail_sends``)
in the caller's transaction — a broadcast's recipient or a programme's
"send email" step.  It is idempotent by ``dedupe_key`` and enforces the
suppression list with the same policy as the outbox
(``suppression.blocking``); the message is rendered from its template only
when it is sent, so a fix to a template reaches what is still queued.

Delivery (``deliver_due``, run by the task queue's workers, ``jobs.py``)
claims due rows, asks the suppression list again, renders each message
(``services/mail_composer.py``) and hands it over so that a worker killed at
any moment neither loses a message nor sends one twice
(``services/mail_handover.py`` explains the order of the SMTP DATA phase and
the commit that makes this so).  Rows are claimed four per connection at a
time and composed one by one as the connections take them, so the worker
renders while the server reads the other group's commands; the rows that
did not go are settled in the transaction of the next commit or claim.  A
claim older than the claim timeout belongs to a worker that died: it is
queued again.  Finding those reads the whole ledger (no index has
``sending`` rows), so a pass looks at its start and then once every
``STALE_CHECK`` — not before each claim, where at 100,000 rows it cost about
as much CPU as rendering the 64 messages claimed.

Limits (per worker): ``send_rate`` messages per second in all, and
``send_domain_rate`` messages per minute to one recipient domain — a message
over its domain's limit goes back to the queue, due when the minute frees a
place.  A message the server refuses for now (4xx, or the server down) is
tried again after the next wait of ``BACKOFF``; a 5xx for the message, or
running out of waits, marks it failed.  When the server itself is the
trouble the pass stops and gives back what it had not tried.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import Connection, Engine, select

from silverplatter.domain.email_templates import RenderFailed
from silverplatter.domain.mail_message import BadHeader
from silverplatter.domain.privacy import is_erased_address
from silverplatter.services.mail_composer import Composer, stages_of
from silverplatter.services.mail_handover import Outgoing, Pool, hand_over
from silverplatter.services.outbox import BACKOFF
from silverplatter.services.suppression import blocking, is_suppressed, suppressed_reasons
from silverplatter.storage import mail_sends as ledger
from silverplatter.storage.schema import contacts

log = logging.getLogger(__name__)

#: The kind every nurture message has for the suppression policy: nothing
#: marketing sends reaches an address on the list, for whatever reason.
KIND: Final = "nurture"

#: How often a pass looks for claims of dead workers, after its first claim.
STALE_CHECK: Final = 60.0


@dataclass(frozen=True)
class Queued:
    """What ``queue_send`` did: ``queued``, ``suppressed`` or ``duplicate``, and the row's id
    (None for a duplicate)."""

    status: str
    send_id: int | None

    def __str__(self) -> str:
        return self.status


def recipient_domain(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    return email.rsplit("@", 1)[1].strip().lower()[:253] or None


def _reason(connection: Connection, email: str | None) -> str | None:
    """Why a contact's address may not get nurture mail (an erased person's tombstone
    address included), or None."""
    if not email or is_erased_address(email):
        return "erased"
    return blocking(is_suppressed(connection, email), KIND)


def queue_send(
    connection: Connection,
    *,
    template_id: int,
    contact_id: int,
    dedupe_key: str,
    broadcast_id: int | None = None,
    enrolment_id: int | None = None,
    step: str | None = None,
    now: datetime,
) -> Queued:
    """Queue one message of ``template_id`` to ``contact_id``, due now.

    A contact whose address is suppressed (or who has none left: erased) gets a
    ``suppressed`` row, so the ledger shows why nothing went; a second call
    with the same ``dedupe_key`` changes nothing and answers ``duplicate``.
    """
    if len(dedupe_key) > 200 or not dedupe_key:
        raise ValueError("dedupe_key must be 1 to 200 characters long")
    email = connection.execute(select(contacts.c.email).where(contacts.c.id == contact_id)).scalar()
    reason = _reason(connection, email)
    status = "suppressed" if reason else "queued"
    send_id = ledger.add_send(
        connection,
        {
            "dedupe_key": dedupe_key,
            "template_id": template_id,
            "broadcast_id": broadcast_id,
            "enrolment_id": enrolment_id,
            "step": step,
            "contact_id": contact_id,
            "to_domain": recipient_domain(email),
            "status": status,
            "attempts": 0,
            "not_before": now,
            "last_error": f"suppressed: {reason}" if reason else None,
            "created_at": now,
        },
    )
    if send_id is None:
        return Queued("duplicate", None)
    return Queued(status, send_id)


class Pace:
    """A worker's limits: messages per second in all, and per minute to one domain."""

    def __init__(
        self,
        rate: float = 0.0,
        domain_rate: int = 0,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self.domain_rate = domain_rate
        self._monotonic = monotonic
        self._sleep = sleep
        self._next = 0.0
        self._recent: dict[str, deque[float]] = defaultdict(deque)

    def wait_turn(self, count: int) -> None:
        """Sleep until ``count`` more messages fit in the overall rate."""
        if self.rate <= 0 or count <= 0:
            return
        now = self._monotonic()
        start = max(now, self._next)
        if start > now:
            self._sleep(start - now)
        self._next = start + count / self.rate

    def domain_wait(self, domain: str | None) -> float:
        """Seconds until ``domain`` may take another message (0: now); counts it when 0."""
        if self.domain_rate <= 0 or not domain:
            return 0.0
        now = self._monotonic()
        recent = self._recent[domain]
        while recent and recent[0] <= now - 60.0:
            recent.popleft()
        if len(recent) >= self.domain_rate:
            return recent[0] + 60.0 - now
        recent.append(now)
        return 0.0


@dataclass
class SendReport:
    sent: int = 0
    suppressed: int = 0
    retried: int = 0
    failed: int = 0
    #: Put back for later by a domain's limit.
    deferred: int = 0
    #: Why the pass stopped early: the SMTP server's trouble, in its words.
    stopped: str | None = None
    batches: int = 0
    commits: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.suppressed + self.retried + self.failed


@dataclass
class Delivery:
    """What a worker needs to deliver: the database, its connections, the composer, limits."""

    engine: Engine
    pool: Pool
    composer: Composer
    clock: Callable[[], datetime]
    pace: Pace = field(default_factory=Pace)
    claim_timeout: timedelta = timedelta(minutes=10)


def _later(row: Any, now: datetime, error: str) -> dict[str, Any]:
    """The settlement of a message to try again: queued after the next wait, or failed."""
    attempts = int(row.attempts)
    if attempts > len(BACKOFF):
        return {"status": "failed", "last_error": error[:1000], "claimed_at": None}
    return {
        "status": "queued",
        "last_error": error[:1000],
        "claimed_at": None,
        "not_before": now + BACKOFF[attempts - 1],
    }


class _Feed:
    """The messages of one pass, claimed and composed as the connections ask for them, and
    the settlements of those that did not go, written with the next commit or claim."""

    def __init__(
        self,
        delivery: Delivery,
        report: SendReport,
        limit: int,
        deadline: float | None,
        progress: Callable[[SendReport], None] | None,
    ) -> None:
        self.delivery = delivery
        self.report = report
        self.limit = limit
        self.deadline = deadline
        self.progress = progress
        self.size = len(delivery.pool.connections) * 4
        self.claimed = 0
        self.next_stale_check = time.monotonic()
        self.now = delivery.clock()
        self.rows: deque[Any] = deque()
        self.stages: dict[int, str | None] = {}
        #: The messages handed over and not yet finished: their rows and Message-IDs.
        self.going: dict[int, tuple[Any, str]] = {}
        self.broken: list[dict[str, Any]] = []
        self.waiting: list[dict[str, Any]] = []
        self.unsent: list[tuple[int, dict[str, Any]]] = []

    def messages(self) -> Iterator[Outgoing]:
        report = self.report
        while True:
            went, deferred = 0, report.deferred
            while self.rows and report.stopped is None:
                item = self._compose(self.rows.popleft())
                if item is not None:
                    went += 1
                    self.delivery.pace.wait_turn(1)
                    yield item
            if report.stopped is not None or (report.deferred > deferred and not went):
                return  # the server's trouble, or everything due waits for its domain's minute
            if not self._claim():
                return

    def _claim(self) -> bool:
        """Claim the next rows; False when none is due or the pass is over."""
        report = self.report
        if self.progress is not None and report.batches:
            self.progress(report)
        if self.claimed >= self.limit:
            return False
        if self.deadline is not None and time.monotonic() >= self.deadline:
            return False
        self.now = now = self.delivery.clock()
        requeue = time.monotonic() >= self.next_stale_check
        if requeue:
            self.next_stale_check = time.monotonic() + STALE_CHECK
        delivery = self.delivery
        with delivery.engine.begin() as connection:
            self._settle(connection)
            if requeue:
                ledger.requeue_stale(connection, now, delivery.claim_timeout)
            ids = ledger.claim_due(connection, now, min(self.size, self.limit - self.claimed))
            rows = ledger.claimed_rows(connection, ids)
            reasons = suppressed_reasons(connection, [row.email for row in rows if row.email])
            stopped: list[dict[str, Any]] = []
            for row in rows:
                erased = not row.email or is_erased_address(row.email)
                reason = "erased" if erased else blocking(reasons.get(row.email), KIND)
                if reason:
                    stopped.append({"b_id": row.id, "b_last_error": f"suppressed: {reason}"})
                else:
                    self.rows.append(row)
            ledger.settle_many(connection, stopped, status="suppressed", claimed_at=None)
            delivery.composer.refresh(connection, {int(row.template_id) for row in self.rows})
            self.stages = dict(stages_of(connection, delivery.composer, list(self.rows), now))
        self.claimed += len(rows)
        report.suppressed += len(stopped)
        if not rows:
            return False
        report.batches += 1
        return True

    def _compose(self, row: Any) -> Outgoing | None:
        """The row's message; None when it cannot be made (failed) or its domain must wait."""
        delivery = self.delivery
        try:
            composed = delivery.composer.compose(
                row, now=self.now, buying_stage=self.stages.get(int(row.id))
            )
        except (RenderFailed, BadHeader) as error:
            self.broken.append({"b_id": row.id, "b_last_error": f"not sendable: {error}"[:1000]})
            self.report.failed += 1
            return None
        wait = delivery.pace.domain_wait(row.to_domain)
        if wait > 0:
            self.waiting.append(
                {"b_id": row.id, "b_not_before": self.now + timedelta(seconds=wait)}
            )
            self.report.deferred += 1
            return None
        self.going[int(row.id)] = (row, composed.message_id)
        return Outgoing(int(row.id), str(row.email), composed.data)

    def commit(self, staged: Sequence[Outgoing]) -> None:
        """Mark the staged messages sent (with what is left to settle), in one transaction."""
        with self.delivery.engine.begin() as connection:
            self._settle(connection)
            ledger.settle_many(
                connection,
                [
                    {"b_id": item.send_id, "b_message_id": self.going[item.send_id][1]}
                    for item in staged
                ],
                status="sent",
                sent_at=self.delivery.clock(),
                last_error=None,
            )
        self.report.commits += 1

    def finished(self, item: Outgoing) -> None:
        row, _message_id = self.going.pop(item.send_id)
        report = self.report
        if item.outcome == "sent":
            report.sent += 1
            return
        if item.outcome == "failed":
            report.failed += 1
            values = {"status": "failed", "last_error": item.error[:1000], "claimed_at": None}
        else:
            values = _later(row, self.delivery.clock(), item.error)
            report.failed += values["status"] == "failed"
            report.retried += values["status"] == "queued"
            if item.server_trouble and report.stopped is None:
                report.stopped = item.error or "the SMTP server is unavailable"
        # After a refusal at the end of data the row already says sent: it was not.
        self.unsent.append((item.send_id, {**values, "sent_at": None, "message_id": None}))

    def close(self) -> None:
        """Settle what is left; give back rows claimed but not tried (the pass stopped)."""
        rest = [int(row.id) for row in self.rows]
        self.rows.clear()
        if not (rest or self.broken or self.waiting or self.unsent):
            return
        with self.delivery.engine.begin() as connection:
            self._settle(connection)
            ledger.release(connection, rest, self.delivery.clock())

    def _settle(self, connection: Connection) -> None:
        ledger.settle_many(connection, self.broken, status="failed", claimed_at=None)
        ledger.settle_many(
            connection,
            self.waiting,
            status="queued",
            claimed_at=None,
            attempts=ledger.m.attempts - 1,
        )
        for send_id, values in self.unsent:
            ledger.settle(connection, send_id, **values)
        self.broken, self.waiting, self.unsent = [], [], []


def deliver_due(
    delivery: Delivery,
    *,
    limit: int = 10_000,
    seconds: float | None = None,
    progress: Callable[[SendReport], None] | None = None,
) -> SendReport:
    """Hand due messages over until none is due, ``limit`` were claimed or ``seconds`` passed.

    Safe in any number of workers at once: claims are conditional updates.
    """
    report = SendReport()
    deadline = None if seconds is None else time.monotonic() + seconds
    feed = _Feed(delivery, report, limit, deadline, progress)
    try:
        hand_over(
            delivery.pool,
            feed.messages(),
            sender=delivery.composer.sender,
            commit=feed.commit,
            finished=feed.finished,
        )
    finally:
        feed.close()
    if progress is not None:
        progress(report)
    return report


class TestSendRefused(ValueError):
    """A test send that cannot go; ``field`` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


_PERSON_FIELDS: Final = (
    "email", "first_name", "last_name", "title", "department", "seniority", "decision_role",
    "country", "custom", "account_name", "account_domain", "account_industry",
    "account_country", "account_value_tier", "account_needs_segment", "owner_name",
    "owner_email",
)  # fmt: skip


#: Who a test send without a contact is written to: the preview's sample values.
SAMPLE_PERSON: Final = {
    "first_name": "Sample",
    "last_name": "Person",
    "email": "sample@example.com",
    "account_name": "Sample Company",
    "account_domain": "example.com",
    "owner_name": "Sample Owner",
    "owner_email": "owner@example.com",
}


def send_test(
    delivery: Delivery,
    template_id: int,
    *,
    to: str,
    contact_id: int | None,
    now: datetime,
) -> None:
    """Render ``template_id`` as ``contact_id`` would get it (sample values without one) and
    hand it to ``to`` now, through the same hand-over as every message; no ledger row, no
    tracking, ``[Test]`` before the subject.  The suppression list applies to ``to``."""
    from types import SimpleNamespace

    from silverplatter.domain.identity import InvalidValue, normalise_email
    from silverplatter.services.email_templates import buying_stage_of

    try:
        address = normalise_email(to)[0]
    except InvalidValue as error:
        raise TestSendRefused("to", str(error)) from None
    with delivery.engine.connect() as connection:
        reason = blocking(is_suppressed(connection, address), "test")
        if reason:
            raise TestSendRefused("to", f"the address is on the suppression list ({reason})")
        delivery.composer.refresh(connection, {template_id})
        if not delivery.composer.knows(template_id):
            raise TestSendRefused("template_id", f"no template with id {template_id}")
        values: dict[str, Any] = dict.fromkeys(_PERSON_FIELDS)
        values.update(SAMPLE_PERSON)
        stage = None
        if contact_id is not None:
            values = dict.fromkeys(_PERSON_FIELDS)
            found = ledger.recipient_of(connection, contact_id)
            if found is None:
                raise TestSendRefused("contact_id", f"no contact with id {contact_id}")
            values.update(found._mapping)
            if delivery.composer.needs_stage(template_id):
                stage = buying_stage_of(connection, contact_id, now=now)
    row = SimpleNamespace(**values, template_id=template_id, contact_id=contact_id, id=None)
    try:
        composed = delivery.composer.compose(row, now=now, buying_stage=stage, to=address)
    except (RenderFailed, BadHeader) as error:
        raise TestSendRefused("template_id", str(error)) from None
    item = Outgoing(0, address, composed.data)
    try:
        hand_over(delivery.pool, [item], sender=delivery.composer.sender, commit=lambda _s: None)
    finally:
        delivery.pool.close()
    if item.outcome != "sent":
        raise TestSendRefused("to", f"the SMTP server did not take it: {item.error}")


__all__ = [
    "KIND",
    "STALE_CHECK",
    "Delivery",
    "Pace",
    "Queued",
    "SendReport",
    "TestSendRefused",
    "deliver_due",
    "queue_send",
    "recipient_domain",
    "send_test",
]
