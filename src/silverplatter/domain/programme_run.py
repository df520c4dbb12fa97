"""Running an enrolment's due steps: what happens, and when the next step is due (pure).

An enrolment points at the **next step to run** and the moment it is due.
When that moment has come, :func:`advance` runs steps one after another
until one makes the contact wait (or the programme ends for them) and says
what to do — the :data:`Action` list the service carries out — what to
record in the enrolment's history, and where the enrolment stands after.

Before anything runs, an address on the suppression list ends the
enrolment (exit ``unsubscribed`` or ``suppressed: <reason>``), and so does
a contact at one of the programme's goal stages (exit ``goal: <stage>``).

A **wait** is worked out when the contact reaches it, from ``now``:

* a duration ends ``months`` (calendar months, the day clamped to the
  month's end), ``weeks``, ``days`` and ``hours`` after now;
* a window date is the day ``months``/``days`` after the account's buying
  window opens (or closes), at ``at_hour`` UTC.  A day later than today is
  waited for; today's goes on at ``at_hour`` (at once when that has
  passed); an earlier one has *passed*: ``if_passed: continue`` goes on at
  once, ``skip`` skips ahead to the next wait of the same list (or an
  enclosing one) without running the steps between.  Without a window the
  contact exits (``if_no_window: exit``, exit ``no buying window``) or goes on.

The enrolment then points at the step after the wait, due at its end.
A ``change_stage`` or segment step changes the facts later steps read in the
same run (a branch right after it sees the new stage).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any, Final, Literal

from silverplatter.domain.buying_window import add_months
from silverplatter.domain.programme_conditions import (
    ContactFacts,
    EventKey,
    EventTest,
    FieldTest,
    SegmentTest,
    evaluate,
    leaves,
)
from silverplatter.domain.programmes import (
    AddToSegment,
    Branch,
    ChangeStage,
    Definition,
    End,
    GoTo,
    NotifyOwner,
    RemoveFromSegment,
    SendEmail,
    Suppress,
    Wait,
    walk,
)

#: Steps one run may take before the enrolment is stopped as looping.
MAX_RUN: Final = 100
Status = Literal["active", "completed", "exited"]


@dataclass(frozen=True, slots=True)
class SendAction:
    step: str
    template: str


@dataclass(frozen=True, slots=True)
class StageAction:
    step: str
    to: str
    reason: str


@dataclass(frozen=True, slots=True)
class SegmentAction:
    step: str
    segment: str
    add: bool


@dataclass(frozen=True, slots=True)
class SuppressAction:
    step: str
    reason: str


Action = SendAction | StageAction | SegmentAction | SuppressAction


@dataclass(frozen=True, slots=True)
class Record:
    """One line of the enrolment's history (``enrolment_steps``)."""

    step: str
    action: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Advance:
    status: Status
    #: The next step to run (``None`` once the enrolment has ended).
    step: str | None
    due_at: datetime | None
    actions: tuple[Action, ...] = ()
    records: tuple[Record, ...] = ()
    exit_reason: str | None = None


def shifted(moment: datetime, wait: Wait) -> datetime:
    """``moment`` plus the wait's duration (calendar months first)."""
    day = add_months(moment.date(), wait.months) if wait.months else moment.date()
    moved = datetime.combine(day, moment.timetz())
    return moved + timedelta(weeks=wait.weeks, days=wait.days, hours=wait.hours)


def window_moment(wait: Wait, facts: ContactFacts) -> datetime | None:
    """The moment a window wait ends for this contact, or None without a window."""
    assert wait.until is not None
    edge = facts.window_opens if wait.until.edge == "opens" else facts.window_closes
    if edge is None:
        return None
    day = add_months(edge, wait.until.months) + timedelta(days=wait.until.days)
    return datetime.combine(day, time(wait.at_hour, tzinfo=UTC))


def _next_wait(definition: Definition, step_id: str) -> str | None:
    current = definition.successor(step_id)
    while current is not None and not isinstance(definition.step(current), Wait):
        current = definition.successor(current)
    return current


class _Run:
    def __init__(self, definition: Definition, facts: ContactFacts, now: datetime) -> None:
        self.definition = definition
        self.facts = facts
        self.now = now
        self.actions: list[Action] = []
        self.records: list[Record] = []

    def done(
        self, status: Status, step: str | None = None, due: datetime | None = None, why: str = ""
    ) -> Advance:
        return Advance(
            status,
            step if status == "active" else None,
            due if status == "active" else None,
            tuple(self.actions),
            tuple(self.records),
            why or None,
        )

    def exit(self, step: str, why: str) -> Advance:
        self.records.append(Record(step, "exited", {"reason": why}))
        return self.done("exited", why=why)

    def checks(self, step: str) -> Advance | None:
        reason = self.facts.suppressed
        if reason is not None:
            return self.exit(
                step, "unsubscribed" if reason == "unsubscribed" else f"suppressed: {reason}"
            )
        if self.facts.stage in self.definition.goal_stages:
            return self.exit(step, f"goal: {self.facts.stage}")
        return None

    def wait(self, step: Wait) -> tuple[str | None, datetime | None] | Advance:
        """``(next step, due)`` when the contact waits or goes on; an Advance when it exits."""
        successor = self.definition.successor(step.id)
        if not step.is_window:
            ends = shifted(self.now, step)
            self.records.append(Record(step.id, "waiting", {"until": ends.isoformat()}))
            return successor, ends
        due = window_moment(step, self.facts)
        if due is None:
            if step.if_no_window == "exit":
                return self.exit(step.id, "no buying window")
            self.records.append(Record(step.id, "no_window", {}))
            return successor, self.now
        if due.date() < self.now.date() and step.if_passed == "skip":
            target = _next_wait(self.definition, step.id)
            self.records.append(
                Record(step.id, "skipped", {"passed": due.date().isoformat(), "to": target})
            )
            return target, self.now
        if due <= self.now:
            self.records.append(Record(step.id, "passed", {"day": due.date().isoformat()}))
            return successor, self.now
        self.records.append(Record(step.id, "waiting", {"until": due.isoformat()}))
        return successor, due

    def branch(self, step: Branch) -> str | None:
        for number, arm in enumerate(step.arms):
            if arm.when is None or evaluate(arm.when, self.facts):
                label = arm.label or ("otherwise" if arm.when is None else f"arm {number + 1}")
                self.records.append(Record(step.id, "branched", {"arm": number, "label": label}))
                return arm.steps[0].id if arm.steps else self.definition.successor(step.id)
        self.records.append(Record(step.id, "branched", {"arm": None, "label": "no arm"}))
        return self.definition.successor(step.id)

    def one(self, step_id: str) -> tuple[str | None, datetime | None] | Advance:
        """Run one step: the next step and when it is due (now: at once), or the end."""
        step = self.definition.step(step_id)
        after = self.definition.successor(step_id)
        if isinstance(step, Wait):
            return self.wait(step)
        if isinstance(step, Branch):
            return self.branch(step), self.now
        if isinstance(step, SendEmail):
            self.actions.append(SendAction(step_id, step.template))
            self.records.append(Record(step_id, "sent", {"template": step.template}))
        elif isinstance(step, NotifyOwner):
            detail = {"message": step.message, "owner_id": self.facts.owner_id}
            self.records.append(Record(step_id, "notified", detail))
        elif isinstance(step, ChangeStage):
            reason = step.reason or f"programme step {step_id}"
            self.actions.append(StageAction(step_id, step.to, reason))
            self.records.append(Record(step_id, "stage", {"to": step.to}))
            self.facts = self.facts.with_stage(step.to)
            if step.to in self.definition.goal_stages:
                return self.exit(step_id, f"goal: {step.to}")
        elif isinstance(step, AddToSegment | RemoveFromSegment):
            add = isinstance(step, AddToSegment)
            self.actions.append(SegmentAction(step_id, step.segment, add))
            self.records.append(Record(step_id, "segment", {"segment": step.segment, "add": add}))
            members = set(self.facts.segments)
            (members.add if add else members.discard)(step.segment)
            self.facts = self.facts.with_segments(frozenset(members))
        elif isinstance(step, Suppress):
            reason = step.reason or f"programme step {step_id}"
            self.actions.append(SuppressAction(step_id, reason))
            self.records.append(Record(step_id, "suppressed", {"reason": reason}))
            return self.done("exited", why="suppressed by the programme")
        elif isinstance(step, GoTo):
            self.records.append(Record(step_id, "went_to", {"step": step.step}))
            return step.step, self.now
        elif isinstance(step, End):
            self.records.append(Record(step_id, "ended", {}))
            return self.done("completed", why="ended")
        return after, self.now


def advance(
    definition: Definition, step: str | None, facts: ContactFacts, now: datetime
) -> Advance:
    """Run an enrolment whose next step ``step`` is due at ``now``.

    ``step`` ``None`` (or a step the definition no longer has) means the
    contact has run out of steps: the enrolment completes.
    """
    run = _Run(definition, facts, now)
    current = step
    for _ in range(MAX_RUN):
        if current is None or current not in definition.index:
            run.records.append(Record(current or "", "completed", {}))
            return run.done("completed", why="finished")
        stopped = run.checks(current)
        if stopped is not None:
            return stopped
        outcome = run.one(current)
        if isinstance(outcome, Advance):
            return outcome
        current, due = outcome
        if due is not None and due > now:
            if current is None:
                # A last wait: the enrolment completes when it ends.
                return run.done("active", None, due)
            return run.done("active", current, due)
    return run.exit(current or "", "stopped: the steps loop without a wait")


def _tests(definition: Definition) -> Iterator[EventTest | FieldTest | SegmentTest]:
    """Every test in the conditions of the programme's branches."""
    for step in walk(definition.steps):
        if isinstance(step, Branch):
            for arm in step.arms:
                if arm.when is not None:
                    yield from leaves(arm.when)


def event_keys(definition: Definition) -> set[EventKey]:
    """Every event count the programme's branches read."""
    return {test.key for test in _tests(definition) if isinstance(test, EventTest)}


def segments_read(definition: Definition) -> set[str]:
    """Slugs of the segments whose membership the programme's branches read."""
    return {test.segment for test in _tests(definition) if isinstance(test, SegmentTest)}


__all__ = [
    "MAX_RUN",
    "Action",
    "Advance",
    "Record",
    "SegmentAction",
    "SendAction",
    "StageAction",
    "SuppressAction",
    "advance",
    "event_keys",
    "segments_read",
    "shifted",
    "window_moment",
]
