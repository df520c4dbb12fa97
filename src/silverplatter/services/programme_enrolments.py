"""Per-contact enrolment state: a programme's enrolments, one enrolment's history, a
contact's programmes, and the tasks programmes give owners.

**Tasks.** There is no task table: a ``notify_owner`` step writes a history
row (action ``notified``, with the message and the owner at that moment).
The owner sees it on the contact's page (its Programmes section) and on
``/programmes/tasks`` — the tasks about contacts they own, or, for a contact
nobody owns, whose account they own.  Marking a task done writes another
history row (``task_done``), so the whole story stays in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection, Row

from silverplatter.domain.access import OWN_RECORDS_ONLY
from silverplatter.domain.programme_outline import step_words
from silverplatter.domain.programmes import Definition
from silverplatter.services.programme_entry import definition_of
from silverplatter.services.programmes import ProgrammeNotFound, get_programme
from silverplatter.storage import enrolments as store
from silverplatter.storage import programmes as programme_store

MAX_PAGE: Final = 500
#: What each history action means, in words.
ACTION_WORDS: Final[dict[str, str]] = {
    "sent": "e-mail queued",
    "not_sent": "e-mail not sent",
    "waiting": "waiting",
    "passed": "date already reached: on at once",
    "skipped": "date passed: skipped ahead",
    "no_window": "no buying window: on at once",
    "branched": "took an arm",
    "notified": "task for the owner",
    "task_done": "task done",
    "stage": "stage change",
    "segment": "segment membership",
    "suppressed": "address suppressed",
    "went_to": "went back",
    "ended": "ended",
    "completed": "completed",
    "exited": "exited",
    "moved": "moved by an edit",
    "failed": "could not be done",
}


@dataclass(frozen=True)
class Enrolment:
    id: int
    programme_id: int
    contact_id: int
    contact_name: str
    email: str
    status: str
    step: str | None
    #: The next step in words ("" once the enrolment has ended).
    step_words: str
    due_at: datetime | None
    entered_at: datetime
    left_at: datetime | None
    exit_reason: str | None
    programme_version: int


@dataclass(frozen=True)
class HistoryLine:
    id: int
    step: str
    action: str
    words: str
    at: datetime
    detail: dict[str, Any]


@dataclass(frozen=True)
class EnrolmentPage:
    items: list[Enrolment]
    #: Pass as ``after`` for the next page; None on the last.
    next: int | None


@dataclass(frozen=True)
class ContactEnrolment:
    id: int
    programme_id: int
    programme_name: str
    status: str
    step_words: str
    due_at: datetime | None
    entered_at: datetime
    left_at: datetime | None
    exit_reason: str | None


@dataclass(frozen=True)
class Task:
    id: int
    enrolment_id: int
    contact_id: int
    contact_name: str
    programme_name: str
    step: str
    message: str
    at: datetime
    done: bool


def _words(definition: Definition | None, step: str | None, status: str) -> str:
    if status in ("completed", "exited"):
        return ""
    if step is None:
        return "finishing: the last wait"
    if definition is None or step not in definition.index:
        return step
    return step_words(definition.step(step))


def _enrolment(row: Row[Any], definition: Definition | None) -> Enrolment:
    return Enrolment(
        id=int(row.id),
        programme_id=int(row.programme_id),
        contact_id=int(row.contact_id),
        contact_name=row.contact_name,
        email=row.email,
        status=row.status,
        step=row.step,
        step_words=_words(definition, row.step, row.status),
        due_at=row.due_at,
        entered_at=row.entered_at,
        left_at=row.left_at,
        exit_reason=row.exit_reason,
        programme_version=int(row.programme_version),
    )


def enrolments(
    connection: Connection,
    programme_id: int,
    *,
    status: str | None = None,
    after: int = 0,
    limit: int = 50,
) -> EnrolmentPage:
    """A page of the programme's enrolments in id order."""
    programme = get_programme(connection, programme_id)
    limit = max(1, min(limit, MAX_PAGE))
    rows = store.enrolment_page(
        connection, programme_id, status=status, after=after, limit=limit + 1
    )
    items = [_enrolment(row, programme.parsed) for row in rows[:limit]]
    return EnrolmentPage(items, items[-1].id if len(rows) > limit else None)


def _task(row: Row[Any]) -> Task:
    detail = dict(row.detail or {})
    return Task(
        id=int(row.id),
        enrolment_id=int(row.enrolment_id),
        contact_id=int(row.contact_id),
        contact_name=row.contact_name,
        programme_name=row.programme_name,
        step=row.step,
        message=str(detail.get("message", "")),
        at=row.at,
        done=bool(row.done),
    )


def enrolment(
    connection: Connection, enrolment_id: int
) -> tuple[Enrolment, str, list[HistoryLine]]:
    """One enrolment, its programme's name, and its history oldest first."""
    row = store.enrolment_row(connection, enrolment_id)
    if row is None:
        raise ProgrammeNotFound(f"there is no enrolment {enrolment_id}")
    programme = get_programme(connection, int(row.programme_id))
    lines = [
        HistoryLine(
            int(line.id),
            line.step,
            line.action,
            ACTION_WORDS.get(line.action, line.action),
            line.at,
            dict(line.detail or {}),
        )
        for line in store.history_rows(connection, enrolment_id)
    ]
    return _enrolment(row, programme.parsed), row.programme_name, lines


def contact_programmes(
    connection: Connection, contact_id: int
) -> tuple[list[ContactEnrolment], list[Task]]:
    """The contact's enrolments (newest first) and the tasks programmes gave about them."""
    found = []
    for row in store.contact_enrolments(connection, contact_id):
        definition = definition_of(int(row.programme_id), int(row.version), row.definition)
        found.append(
            ContactEnrolment(
                id=int(row.id),
                programme_id=int(row.programme_id),
                programme_name=row.programme_name,
                status=row.status,
                step_words=_words(definition, row.step, row.status),
                due_at=row.due_at,
                entered_at=row.entered_at,
                left_at=row.left_at,
                exit_reason=row.exit_reason,
            )
        )
    return found, [_task(row) for row in store.contact_tasks(connection, contact_id)]


def owner_tasks(connection: Connection, user_id: int) -> list[Task]:
    """Tasks about the contacts a user owns, newest first."""
    return [_task(row) for row in store.owner_tasks(connection, user_id)]


def complete_task(
    connection: Connection, task_id: int, *, user_id: int, role: str, now: datetime
) -> Task:
    """Mark a task done (once); a salesperson may close only tasks about their own contacts."""
    row = store.task_row(connection, task_id)
    if row is None:
        raise ProgrammeNotFound(f"there is no task {task_id}")
    if role in OWN_RECORDS_ONLY and not store.task_of_owner(connection, task_id, user_id):
        raise ProgrammeNotFound(f"there is no task {task_id}")
    if not row.done:
        programme_store.add_history(
            connection,
            [
                {
                    "enrolment_id": row.enrolment_id,
                    "step": store.task_marker(task_id),
                    "action": "task_done",
                    "at": now,
                    "detail": {"by": user_id, "task": task_id},
                }
            ],
        )
    found = store.task_row(connection, task_id)
    assert found is not None
    return _task(found)


__all__ = [
    "ACTION_WORDS",
    "ContactEnrolment",
    "Enrolment",
    "EnrolmentPage",
    "HistoryLine",
    "Task",
    "complete_task",
    "contact_programmes",
    "enrolment",
    "enrolments",
    "owner_tasks",
]
