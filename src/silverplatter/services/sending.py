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
the commit that makes this so).  A claim older than the claim timeout belongs
to a worker that died: it is queued again.  Finding those reads the whole
ledger (no index has ``sending`` rows), so a pass looks at its start and then
once every ``STALE_CHECK`` — not before each claim, where at 100,000 rows it
cost about as much CPU as rendering the 64 messages claimed.

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
from collections.abc import Callable, Sequence
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


@dataclass
class _Claimed:
    rows: list[Any]
    suppressed: int
    stages: dict[int, str | None]


def _claim(delivery: Delivery, now: datetime, size: int, *, requeue: bool) -> _Claimed:
    with delivery.engine.begin() as connection:
        if requeue:
            ledger.requeue_stale(connection, now, delivery.claim_timeout)
        rows = ledger.claimed_rows(connection, ledger.claim_due(connection, now, size))
        reasons = suppressed_reasons(connection, [row.email for row in rows if row.email])
        going: list[Any] = []
        stopped: list[dict[str, Any]] = []
        for row in rows:
            erased = not row.email or is_erased_address(row.email)
            reason = "erased" if erased else blocking(reasons.get(row.email), KIND)
            if reason:
                stopped.append({"b_id": row.id, "b_last_error": f"suppressed: {reason}"})
            else:
                going.append(row)
        ledger.settle_many(connection, stopped, status="suppressed", claimed_at=None)
        delivery.composer.refresh(connection, {int(row.template_id) for row in going})
        stages = dict(stages_of(connection, delivery.composer, going, now))
    return _Claimed(going, len(stopped), stages)


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


def _compose(
    delivery: Delivery, claimed: _Claimed, now: datetime, report: SendReport
) -> list[tuple[Any, Outgoing, str]]:
    """Each row's message; those that cannot be made are failed at once."""
    made: list[tuple[Any, Outgoing, str]] = []
    broken: list[tuple[int, str]] = []
    for row in claimed.rows:
        try:
            composed = delivery.composer.compose(
                row, now=now, buying_stage=claimed.stages.get(int(row.id))
            )
        except (RenderFailed, BadHeader) as error:
            broken.append((int(row.id), f"not sendable: {error}"[:1000]))
            continue
        made.append(
            (row, Outgoing(int(row.id), str(row.email), composed.data), composed.message_id)
        )
    if broken:
        with delivery.engine.begin() as connection:
            ledger.settle_many(
                connection,
                [{"b_id": send_id, "b_last_error": error} for send_id, error in broken],
                status="failed",
                claimed_at=None,
            )
        report.failed += len(broken)
    return made


def _defer(
    delivery: Delivery, made: list[tuple[Any, Outgoing, str]], now: datetime, report: SendReport
) -> list[tuple[Any, Outgoing, str]]:
    """Those a domain's limit lets go now; the others go back, due when it frees a place."""
    going: list[tuple[Any, Outgoing, str]] = []
    waiting: list[dict[str, Any]] = []
    for entry in made:
        wait = delivery.pace.domain_wait(entry[0].to_domain)
        if wait <= 0:
            going.append(entry)
        else:
            waiting.append(
                {"b_id": entry[1].send_id, "b_not_before": now + timedelta(seconds=wait)}
            )
    if waiting:
        with delivery.engine.begin() as connection:
            ledger.settle_many(
                connection,
                waiting,
                status="queued",
                claimed_at=None,
                attempts=ledger.m.attempts - 1,
            )
        report.deferred += len(waiting)
    return going


def _hand_over_chunk(
    delivery: Delivery,
    chunk: Sequence[tuple[Any, Outgoing, str]],
    now: datetime,
    sender: str,
    report: SendReport,
) -> None:
    message_ids = {item.send_id: message_id for _row, item, message_id in chunk}

    def mark_sent(staged: Sequence[Outgoing], release: Callable[[], None]) -> None:
        if not staged:
            return
        rows = [
            {"b_id": item.send_id, "b_message_id": message_ids[item.send_id]} for item in staged
        ]
        ledger.settle_sent(delivery.engine, rows, sent_at=now, then=release)
        report.commits += 1

    delivery.pace.wait_turn(len(chunk))
    try:
        hand_over(
            delivery.pool, [item for _row, item, _m in chunk], sender=sender, commit=mark_sent
        )
    except BaseException:
        # The messages refused or broken off before the error are settled all the same:
        # a row the commit said sent must not stay sent when the server did not take it.
        try:
            _settle_the_rest(delivery, chunk, now, report)
        except Exception:
            log.exception("settling the messages not sent failed")
        raise
    _settle_the_rest(delivery, chunk, now, report)


def _settle_the_rest(
    delivery: Delivery,
    chunk: Sequence[tuple[Any, Outgoing, str]],
    now: datetime,
    report: SendReport,
) -> None:
    """Count the sent; queue again or fail, by its outcome, every message not sent.

    A message without an outcome (an error stopped the hand-over before its end of
    data went out) was not taken by the server: it is queued again like a refusal.
    """
    settlements: list[tuple[int, dict[str, Any]]] = []
    for row, item, _message_id in chunk:
        if item.outcome == "sent":
            report.sent += 1
        elif item.outcome == "failed":
            report.failed += 1
            settlements.append(
                (
                    item.send_id,
                    {"status": "failed", "last_error": item.error[:1000], "claimed_at": None},
                )
            )
        else:
            later = _later(row, now, item.error)
            report.failed += later["status"] == "failed"
            report.retried += later["status"] == "queued"
            settlements.append((item.send_id, later))
            if item.server_trouble and report.stopped is None:
                report.stopped = item.error or "the SMTP server is unavailable"
    if settlements:
        with delivery.engine.begin() as connection:
            for send_id, values in settlements:
                # Refused at the end of data, after the commit that said sent: not sent.
                ledger.settle(connection, send_id, sent_at=None, message_id=None, **values)


def deliver_due(
    delivery: Delivery,
    *,
    limit: int = 10_000,
    seconds: float | None = None,
    progress: Callable[[SendReport], None] | None = None,
) -> SendReport:
    """Hand due messages over until none is due, ``limit`` were handled or ``seconds`` passed.

    Safe in any number of workers at once: claims are conditional updates.
    """
    report = SendReport()
    deadline = None if seconds is None else time.monotonic() + seconds
    size = len(delivery.pool.connections)
    sender = delivery.composer.sender
    next_stale_check = time.monotonic()
    while report.handled < limit and report.stopped is None:
        if deadline is not None and time.monotonic() >= deadline:
            break
        now = delivery.clock()
        requeue = time.monotonic() >= next_stale_check
        if requeue:
            next_stale_check = time.monotonic() + STALE_CHECK
        claimed = _claim(delivery, now, min(size * 4, limit - report.handled), requeue=requeue)
        report.suppressed += claimed.suppressed
        if not claimed.rows and not claimed.suppressed:
            break
        report.batches += 1
        made = _defer(delivery, _compose(delivery, claimed, now, report), now, report)
        for start in range(0, len(made), size):
            if report.stopped is not None:
                rest = [item.send_id for _row, item, _m in made[start:]]
                with delivery.engine.begin() as connection:
                    ledger.release(connection, rest, delivery.clock())
                break
            _hand_over_chunk(delivery, made[start : start + size], now, sender, report)
        if progress is not None:
            progress(report)
        if claimed.rows and not made and report.deferred:
            break  # everything due is waiting for its domain's minute
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
        hand_over(
            delivery.pool,
            [item],
            sender=delivery.composer.sender,
            commit=lambda _s, release: release(),
        )
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
