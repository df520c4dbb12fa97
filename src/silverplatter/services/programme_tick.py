"""The tick: run every enrolment whose next step is due, a batch per transaction.

Each batch reads up to ``batch`` active enrolments due by ``now`` (the
partial index on ``due_at``), gathers what their steps may ask about the
contacts — stage, owner, buying window, score, grade, suppression, the
event counts and segment memberships the programmes' branches read — with
one statement per kind for the whole batch, runs each enrolment through the
pure :func:`advance`, carries out the actions (e-mails into the send ledger
with ``queue_send``, stage changes through the lifecycle, static segment
membership, suppression), writes the history with one executemany and moves
the enrolments on with another.  The batch commits as a whole: a crash
re-runs it, and the send ledger's dedupe key (enrolment, step and the time
the step fell due) keeps every e-mail single.

An action that cannot be carried out (a template deleted meanwhile, a stage
move the lifecycle refuses) is recorded as ``failed`` in the enrolment's
history; the enrolment goes on.  One writer runs at a time (the programmes'
lock): a second ticker finds the lock taken and returns at once.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection, Engine, Row, select

from silverplatter.domain.lifecycle import LifecycleError
from silverplatter.domain.programme_conditions import ContactFacts, EventKey
from silverplatter.domain.programme_outline import segments_used
from silverplatter.domain.programme_run import (
    Advance,
    SegmentAction,
    SendAction,
    StageAction,
    SuppressAction,
    advance,
    event_keys,
    segments_read,
)
from silverplatter.domain.programmes import Definition
from silverplatter.services import segments
from silverplatter.services.lifecycle import transition
from silverplatter.services.programme_entry import definition_of, enter_segments
from silverplatter.services.sending import queue_send
from silverplatter.services.suppression import suppress
from silverplatter.storage import programme_facts as facts_store
from silverplatter.storage import programmes as store
from silverplatter.storage.rows import one_of

BATCH: Final = 1000


@dataclass
class TickReport:
    #: Enrolments whose due steps ran.
    ran: int = 0
    sent: int = 0
    tasks: int = 0
    completed: int = 0
    exited: int = 0
    #: Actions that could not be carried out (recorded as ``failed``).
    failed: int = 0
    batches: int = 0
    #: Another ticker held the lock.
    busy: bool = False

    def add(self, other: TickReport) -> None:
        for name in ("ran", "sent", "tasks", "completed", "exited", "failed", "batches"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.busy = self.busy or other.busy


@dataclass(frozen=True)
class _Programme:
    id: int
    slug: str
    name: str
    definition: Definition


def _members(
    connection: Connection, slug: str, contact_ids: Sequence[int], now: datetime
) -> set[int]:
    segment = segments.segment_by_slug(connection, slug)
    if segment is None:
        return set()
    chosen = segments.members_query(connection, segment, now=now, each=True).subquery()
    column: Any = next(iter(chosen.c))
    query = select(column).select_from(chosen).where(one_of(connection, column))
    return {
        int(cid) for cid in connection.execute(query, {"keys": sorted(set(contact_ids))}).scalars()
    }


def gather_facts(
    connection: Connection,
    rows: Sequence[Row[Any]],
    programmes: Mapping[int, _Programme],
    now: datetime,
) -> tuple[dict[int, ContactFacts], dict[int, str]]:
    """The facts of every contact in the batch, and their addresses."""
    contact_ids = sorted({int(row.contact_id) for row in rows})
    base = facts_store.contact_rows(connection, contact_ids)
    emails = {cid: row.email for cid, row in base.items()}
    # The list's digest of each address (``suppression.address_hash``: SHA-256 of the
    # normalised address, which ``email_key`` already is).
    digests = {
        cid: hashlib.sha256(row.email_key.encode("utf-8")).hexdigest() for cid, row in base.items()
    }
    listed = facts_store.suppression_reasons(connection, list(digests.values()))
    by_programme: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        by_programme[row.programme_id].append(int(row.contact_id))
    keys: dict[EventKey, set[int]] = defaultdict(set)
    slugs: dict[str, set[int]] = defaultdict(set)
    for programme_id, ids in by_programme.items():
        definition = programmes[programme_id].definition
        for key in event_keys(definition):
            keys[key].update(ids)
        wanted = segments_read(definition) | {slug for _p, slug in segments_used(definition)}
        for slug in wanted:
            slugs[slug].update(ids)
    counts: dict[int, dict[EventKey, int]] = defaultdict(dict)
    for key, among in keys.items():
        types, days = key
        found = facts_store.event_counts(
            connection, sorted(among), types, within_days=days, now=now
        )
        for cid, count in found.items():
            counts[cid][key] = count
    memberships: dict[int, set[str]] = defaultdict(set)
    for slug, among in slugs.items():
        for cid in _members(connection, slug, sorted(among), now):
            memberships[cid].add(slug)
    facts = {}
    for cid, person in base.items():
        facts[cid] = ContactFacts(
            contact_id=cid,
            stage=person.lifecycle_stage,
            score=float(person.score or 0.0),
            grade_level=person.grade_level,
            owner_id=person.owner_id,
            window_opens=person.opens_on,
            window_closes=person.closes_on,
            suppressed=listed.get(digests[cid]),
            segments=frozenset(memberships[cid]),
            event_counts=counts[cid],
        )
    return facts, emails


def _dedupe_key(row: Row[Any], step: str) -> str:
    return f"programme:{row.id}:{step}:{int(row.due_at.timestamp())}"


class _Batch:
    """Carries out one batch's actions and collects its history."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self.connection = connection
        self.now = now
        self.history: list[dict[str, Any]] = []
        self.report = TickReport(batches=1)

    def note(self, enrolment_id: int, step: str, action: str, detail: dict[str, Any]) -> None:
        self.history.append(
            {
                "enrolment_id": enrolment_id,
                "step": step[:60],
                "action": action,
                "at": self.now,
                "detail": detail,
            }
        )

    def failed(self, enrolment_id: int, step: str, error: str) -> None:
        self.report.failed += 1
        self.note(enrolment_id, step, "failed", {"error": error})

    def sends(self, due: list[tuple[Row[Any], SendAction]]) -> None:
        templates = store.template_ids(self.connection, (action.template for _r, action in due))
        for row, action in due:
            template_id = templates.get(action.template)
            if template_id is None:
                self.failed(row.id, action.step, f"there is no e-mail template {action.template!r}")
                continue
            queued = queue_send(
                self.connection,
                template_id=template_id,
                contact_id=int(row.contact_id),
                dedupe_key=_dedupe_key(row, action.step),
                enrolment_id=int(row.id),
                step=action.step,
                now=self.now,
            )
            if str(queued) == "queued":
                self.report.sent += 1
            elif str(queued) == "suppressed":
                self.note(row.id, action.step, "not_sent", {"status": "suppressed"})

    def stages(self, due: list[tuple[Row[Any], StageAction]], names: Mapping[int, str]) -> None:
        for row, action in due:
            try:
                transition(
                    self.connection,
                    int(row.contact_id),
                    action.to,
                    reason=f"Programme {names[row.programme_id]!r}: {action.reason}",
                    now=self.now,
                )
            except LifecycleError as refused:
                self.failed(row.id, action.step, str(refused))

    def segment_changes(self, due: list[tuple[Row[Any], SegmentAction]]) -> None:
        # A contact's last step on a segment decides whether it ends up in it.
        last: dict[tuple[int, str], tuple[Row[Any], SegmentAction]] = {}
        for row, action in due:
            last[(int(row.contact_id), action.segment)] = (row, action)
        grouped: dict[tuple[str, bool], list[tuple[Row[Any], SegmentAction]]] = defaultdict(list)
        for row, action in last.values():
            grouped[(action.segment, action.add)].append((row, action))
        for (slug, add), pairs in sorted(grouped.items()):
            segment = segments.segment_by_slug(self.connection, slug)
            ids = [int(row.contact_id) for row, _action in pairs]
            if segment is None or segment.kind != "static":
                why = f"segment {slug!r} is missing" if segment is None else f"{slug!r} is dynamic"
                for row, action in pairs:
                    self.failed(row.id, action.step, why)
                continue
            if add:
                segments.add_members(self.connection, segment, ids, now=self.now)
            else:
                segments.remove_members(self.connection, segment, ids)

    def suppressions(
        self,
        due: list[tuple[Row[Any], SuppressAction]],
        emails: Mapping[int, str],
        slugs: Mapping[int, str],
    ) -> None:
        for row, action in due:
            email = emails.get(int(row.contact_id))
            if email:
                source = f"programme:{slugs[row.programme_id]}: {action.reason}"
                suppress(self.connection, email, reason="unsubscribed", source=source, now=self.now)


def _load(connection: Connection, rows: Sequence[Row[Any]]) -> dict[int, _Programme]:
    found = store.definitions_of(connection, (row.programme_id for row in rows))
    return {
        pid: _Programme(pid, row.slug, row.name, definition_of(pid, row.version, row.definition))
        for pid, row in found.items()
    }


def tick_batch(connection: Connection, *, now: datetime, limit: int = BATCH) -> TickReport:
    """Run up to ``limit`` due enrolments in the caller's transaction."""
    if not store.lock(connection, wait=False):
        return TickReport(busy=True)
    rows = store.due_batch(connection, now, limit)
    if not rows:
        return TickReport()
    programmes = _load(connection, rows)
    facts, emails = gather_facts(connection, rows, programmes, now)
    batch = _Batch(connection, now)
    sends: list[tuple[Row[Any], SendAction]] = []
    stages: list[tuple[Row[Any], StageAction]] = []
    segment_steps: list[tuple[Row[Any], SegmentAction]] = []
    leaving: list[tuple[Row[Any], SuppressAction]] = []
    moves: list[store.Move] = []
    for row in rows:
        programme = programmes[row.programme_id]
        contact = facts.get(int(row.contact_id)) or ContactFacts(int(row.contact_id))
        result: Advance = advance(programme.definition, row.step, contact, now)
        for action in result.actions:
            if isinstance(action, SendAction):
                sends.append((row, action))
            elif isinstance(action, StageAction):
                stages.append((row, action))
            elif isinstance(action, SegmentAction):
                segment_steps.append((row, action))
            else:
                leaving.append((row, action))
        for record in result.records:
            batch.note(row.id, record.step, record.action, record.detail)
            batch.report.tasks += record.action == "notified"
        ended = result.status != "active"
        moves.append(
            (
                int(row.id),
                result.status,
                result.step,
                result.due_at,
                now if ended else None,
                result.exit_reason,
            )
        )
        batch.report.completed += result.status == "completed"
        batch.report.exited += result.status == "exited"
    batch.report.ran = len(rows)
    batch.sends(sends)
    batch.stages(stages, {pid: p.name for pid, p in programmes.items()})
    batch.segment_changes(segment_steps)
    batch.suppressions(leaving, emails, {pid: p.slug for pid, p in programmes.items()})
    store.add_history(connection, batch.history)
    store.move_enrolments(connection, moves)
    return batch.report


def tick(
    engine: Engine,
    *,
    now: datetime | Callable[[], datetime],
    batch: int = BATCH,
    max_batches: int | None = None,
) -> TickReport:
    """Run every enrolment due by ``now``, one transaction per batch, until none is due."""
    report = TickReport()
    while max_batches is None or report.batches < max_batches:
        moment = now() if callable(now) else now
        with engine.begin() as connection:
            done = tick_batch(connection, now=moment, limit=batch)
        report.add(done)
        if done.busy or done.ran < batch:
            break
    return report


#: The entry sweep runs when the periodic tick's minute is a multiple of this.
ENTRY_EVERY_MINUTES: Final = 10


def run_programmes(
    engine: Engine,
    *,
    now: Callable[[], datetime],
    enter: bool | None = None,
    batch: int = BATCH,
) -> tuple[dict[str, int], TickReport]:
    """What the periodic task does: let new segment members enter, then run the due steps.

    ``enter`` ``None`` sweeps the entry segments every ``ENTRY_EVERY_MINUTES``
    minutes by the clock (the task runs every minute; evaluating every entry
    segment each minute would cost more than it brings).  Returns who entered
    each programme and what the tick did.
    """
    moment = now()
    entered: dict[str, int] = {}
    if enter or (enter is None and moment.minute % ENTRY_EVERY_MINUTES == 0):
        with engine.begin() as connection:
            if store.lock(connection, wait=False):
                entered = enter_segments(connection, now=moment)
    return entered, tick(engine, now=now, batch=batch)


__all__ = [
    "BATCH",
    "ENTRY_EVERY_MINUTES",
    "TickReport",
    "gather_facts",
    "run_programmes",
    "tick",
    "tick_batch",
]
