"""Broadcasts: one template to one segment, once — the weekly newsletter (domain §2, §7).

Life of a broadcast::

    draft ──schedule──▶ scheduled ──(its time comes)──▶ sending ──(ledger done)──▶ sent
      │                    │                              │
      └──────cancel────────┴────────────cancel────────────┘──▶ cancelled

Scheduling "now" is scheduling at the present moment.  When its time comes a
worker (``start_due_broadcasts``) claims it and expands the segment's members
into the send ledger with ONE ``INSERT … SELECT`` (dedupe key
``broadcast:<id>:<contact>``, so a second expansion adds nothing); from there
it is ordinary nurture mail: the same limits, retries, suppression (asked
when each message is claimed) and exactly-once hand-over.  Cancelling a
broadcast that is sending fails what is still queued ("cancelled"); what was
handed over stays sent.

Figures (``figures``): recipients (ledger rows), sent (handed over, bounced
ones included), bounced, delivered (sent − bounced), suppressed, failed,
waiting; opens, clicks and unsubscribes count *messages* with at least one
such event (the events carry the send's id; a message opened five times is
one open).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import Connection, Engine, insert

from silverplatter.services import segments as segment_service
from silverplatter.services.email_templates import EmailTemplateError, get_template
from silverplatter.storage import broadcasts as store
from silverplatter.storage import mail_sends as ledger
from silverplatter.storage.nurture_schema import broadcasts

STATUSES: Final = ("draft", "scheduled", "sending", "sent", "cancelled")
CANCELLED: Final = "cancelled: the broadcast was cancelled"


class BroadcastError(ValueError):
    """A broadcast request that cannot be honoured; ``field`` names the culprit."""

    def __init__(self, field: str, message: str, *, status: int = 422) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Figures:
    recipients: int
    sent: int
    bounced: int
    suppressed: int
    failed: int
    waiting: int
    opens: int
    clicks: int
    unsubscribes: int

    @property
    def delivered(self) -> int:
        return self.sent - self.bounced

    def share(self, count: int) -> float | None:
        """``count`` as a share of the delivered messages (None before any was delivered)."""
        return count / self.delivered if self.delivered else None


@dataclass(frozen=True)
class Broadcast:
    id: int
    name: str
    template_id: int
    template_name: str | None
    segment_id: int | None
    segment_name: str | None
    status: str
    scheduled_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    recipients: int | None
    created_by: str | None
    created_at: datetime

    @classmethod
    def of(cls, row: Any) -> Broadcast:
        return cls(
            id=row.id,
            name=row.name,
            template_id=row.template_id,
            template_name=row.template_name,
            segment_id=row.segment_id,
            segment_name=row.segment_name,
            status=row.status,
            scheduled_at=row.scheduled_at,
            started_at=row.started_at,
            finished_at=row.finished_at,
            recipients=row.recipients,
            created_by=row.author_name,
            created_at=row.created_at,
        )

    @property
    def editable(self) -> bool:
        return self.status in ("draft", "scheduled")


def get_broadcast(connection: Connection, broadcast_id: int) -> Broadcast:
    row = store.broadcast_row(connection, broadcast_id)
    if row is None:
        raise BroadcastError("broadcast_id", f"no broadcast with id {broadcast_id}", status=404)
    return Broadcast.of(row)


def list_broadcasts(connection: Connection) -> list[Broadcast]:
    return [Broadcast.of(row) for row in store.broadcast_rows(connection)]


def _segment(connection: Connection, segment_id: int) -> segment_service.Segment:
    try:
        return segment_service.get_segment(connection, segment_id)
    except segment_service.SegmentNotFound:
        raise BroadcastError("segment_id", f"no segment with id {segment_id}") from None


def _template(connection: Connection, template_id: int) -> None:
    try:
        get_template(connection, template_id)
    except EmailTemplateError:
        raise BroadcastError("template_id", f"no template with id {template_id}") from None


def create_broadcast(
    connection: Connection,
    *,
    name: str,
    template_id: int,
    segment_id: int,
    user_id: int | None,
    now: datetime,
) -> Broadcast:
    """A draft: nothing is sent until it is scheduled."""
    name = " ".join(name.split())
    if not name:
        raise BroadcastError("name", "must not be empty")
    if "\x00" in name:
        raise BroadcastError("name", "must not contain NUL characters")
    if len(name) > 200:
        raise BroadcastError("name", "must be at most 200 characters long")
    _template(connection, template_id)
    _segment(connection, segment_id)
    new_id = connection.execute(
        insert(broadcasts)
        .values(
            name=name,
            template_id=template_id,
            segment_id=segment_id,
            status="draft",
            created_by=user_id,
            created_at=now,
            updated_at=now,
        )
        .returning(broadcasts.c.id)
    ).scalar_one()
    return get_broadcast(connection, int(new_id))


def recipient_count(connection: Connection, broadcast_id: int, *, now: datetime) -> int:
    """How many the segment holds now (the confirmation before sending)."""
    found = get_broadcast(connection, broadcast_id)
    if found.segment_id is None:
        raise BroadcastError("segment_id", "the broadcast's segment was deleted")
    segment = _segment(connection, found.segment_id)
    return segment_service.count_members(connection, segment, now=now, store_it=False)


def schedule(
    connection: Connection, broadcast_id: int, *, at: datetime | None, now: datetime
) -> Broadcast:
    """Send at ``at`` (now when None); a scheduled broadcast may be moved until it starts."""
    found = get_broadcast(connection, broadcast_id)
    if not found.editable:
        raise BroadcastError(
            "status", f"a broadcast that is {found.status} cannot be scheduled", status=409
        )
    if found.segment_id is None:
        raise BroadcastError("segment_id", "the broadcast's segment was deleted")
    when = now if at is None or at < now else at
    store.set_values(
        connection, broadcast_id, status="scheduled", scheduled_at=when, updated_at=now
    )
    return get_broadcast(connection, broadcast_id)


def cancel(connection: Connection, broadcast_id: int, *, now: datetime) -> int:
    """Stop a broadcast; how many queued messages were withdrawn."""
    found = get_broadcast(connection, broadcast_id)
    if found.status in ("sent", "cancelled"):
        raise BroadcastError("status", f"the broadcast is {found.status} already", status=409)
    withdrawn = ledger.cancel_queued(connection, broadcast_id, CANCELLED)
    store.set_values(connection, broadcast_id, status="cancelled", finished_at=now, updated_at=now)
    return withdrawn


def start(connection: Connection, broadcast_id: int, *, now: datetime) -> int | None:
    """Expand a due broadcast into the ledger; how many recipients (None: not ours to start)."""
    if not store.claim_start(connection, broadcast_id, now):
        return None
    found = get_broadcast(connection, broadcast_id)
    if found.segment_id is None:
        store.set_values(connection, broadcast_id, status="cancelled", finished_at=now)
        return 0
    segment = segment_service.get_segment(connection, found.segment_id)
    members = segment_service.members_query(connection, segment, now=now)
    added = store.expand(connection, broadcast_id, found.template_id, members, now)
    store.set_values(connection, broadcast_id, recipients=added, updated_at=now)
    return added


def start_due_broadcasts(engine: Engine, *, now: datetime) -> int:
    """Start every broadcast whose time came, each in its own transaction, and mark those whose
    ledger is done as sent; how many messages were queued."""
    queued = 0
    with engine.connect() as connection:
        due = store.due_ids(connection, now)
    for broadcast_id in due:
        with engine.begin() as connection:
            queued += start(connection, broadcast_id, now=now) or 0
    finish_sent(engine, now=now)
    return queued


def finish_sent(engine: Engine, *, now: datetime) -> int:
    """Broadcasts whose every message is settled become ``sent``; how many."""
    done = 0
    with engine.begin() as connection:
        for broadcast_id in store.sending_ids(connection):
            if not store.unfinished(connection, broadcast_id):
                store.set_values(
                    connection, broadcast_id, status="sent", finished_at=now, updated_at=now
                )
                done += 1
    return done


def figures(connection: Connection, broadcast_id: int) -> Figures:
    counts = ledger.status_counts(connection, broadcast_id)
    engaged = store.engagement(connection, broadcast_id)
    return Figures(
        recipients=sum(counts.values()),
        sent=counts["sent"] + counts["bounced"],
        bounced=counts["bounced"],
        suppressed=counts["suppressed"],
        failed=counts["failed"],
        waiting=counts["queued"] + counts["sending"],
        opens=engaged["opens"],
        clicks=engaged["clicks"],
        unsubscribes=engaged["unsubscribes"],
    )


#: The longest run of hours the timeline fills with quiet hours (two weeks).
TIMELINE_HOURS: Final = 14 * 24


def timeline(connection: Connection, broadcast_id: int) -> list[tuple[str, int, int]]:
    """(hour, opened messages, clicked messages) for every hour from the first with any to the
    last (quiet hours as zeros, for at most two weeks), oldest first."""
    hours: dict[str, list[int]] = {}
    for hour, kind, count in store.hourly(connection, broadcast_id):
        hours.setdefault(hour, [0, 0])[0 if kind == "email_open" else 1] = count
    if not hours:
        return []
    first = datetime.fromisoformat(min(hours))
    last = datetime.fromisoformat(max(hours))
    steps = int((last - first).total_seconds() // 3600) + 1
    if steps <= TIMELINE_HOURS:
        for step in range(steps):
            hours.setdefault((first + timedelta(hours=step)).strftime("%Y-%m-%dT%H:00:00"), [0, 0])
    return [(hour, pair[0], pair[1]) for hour, pair in sorted(hours.items())]


__all__ = [
    "STATUSES",
    "Broadcast",
    "BroadcastError",
    "Figures",
    "cancel",
    "create_broadcast",
    "figures",
    "finish_sent",
    "get_broadcast",
    "list_broadcasts",
    "recipient_count",
    "schedule",
    "start",
    "start_due_broadcasts",
    "timeline",
]
