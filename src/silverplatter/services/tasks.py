"""Tasks: something an owner should do about a contact or an account.

A task is created by a user, by a one-click action of lost-lead mining
(``source`` ``mining:<section>``) or by a champion's move
(``champion_move``).  It belongs to an owner (a user) and is either open or
done.  Every id is checked before anything is written; a bad one is refused
naming its field.  Sales users see and close their own tasks; marketing and
admins see everyone's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, Row

from silverplatter.services.audit import Actor, record
from silverplatter.storage import tasks as store
from silverplatter.storage.records_activity import ids_by_key
from silverplatter.storage.schema import accounts, contacts, users

MAX_ID = 2**31 - 1
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]
Source = Annotated[str, Field(min_length=1, max_length=60, pattern=r"^[a-z_]+(:[a-z0-9_]+)?$")]


class TaskError(ValueError):
    """A task that cannot be created or changed: ``field`` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class TaskFields(BaseModel):
    """A task as a form, the API or a report's action creates it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    title: Annotated[str, Field(min_length=1, max_length=300)]
    notes: Annotated[str, Field(max_length=5_000)] | None = None
    contact_id: RecordId | None = None
    account_id: RecordId | None = None
    owner_id: RecordId | None = Field(None, description="Who should do it; by default the creator")
    due_on: date | None = None
    source: Source = "user"


@dataclass(frozen=True, slots=True)
class Task:
    id: int
    title: str
    notes: str | None
    contact_id: int | None
    contact_email: str | None
    account_id: int | None
    account_name: str | None
    owner_id: int | None
    owner_name: str | None
    due_on: date | None
    status: str
    source: str
    created_at: datetime
    done_at: datetime | None


def _task(row: Row[Any]) -> Task:
    return Task(
        id=int(row.id),
        title=row.title,
        notes=row.notes,
        contact_id=row.contact_id,
        contact_email=row.contact_email,
        account_id=row.account_id,
        account_name=row.account_name,
        owner_id=row.owner_id,
        owner_name=row.owner_name,
        due_on=row.due_on,
        status=row.status,
        source=row.source,
        created_at=row.created_at,
        done_at=row.done_at,
    )


def _check_ids(connection: Connection, fields: Sequence[TaskFields], creator: int | None) -> None:
    for name, table in (("contact_id", contacts), ("account_id", accounts), ("owner_id", users)):
        wanted = [getattr(item, name) for item in fields]
        known = ids_by_key(connection, table, "id", wanted)
        for value in wanted:
            if value is not None and value not in known:
                raise TaskError(name, f"no {name.removesuffix('_id')} {value}")
    for item in fields:
        if item.owner_id is None and creator is None:
            raise TaskError("owner_id", "a task made from the command line needs an owner")


def create_tasks(
    connection: Connection, fields: Sequence[TaskFields], *, actor: Actor, now: datetime
) -> list[int]:
    """Store ``fields`` as open tasks in one go; their ids in order."""
    _check_ids(connection, fields, actor.user_id)
    rows = [
        {
            "title": item.title,
            "notes": item.notes,
            "contact_id": item.contact_id,
            "account_id": item.account_id,
            "owner_id": item.owner_id or actor.user_id,
            "due_on": item.due_on,
            "status": "open",
            "source": item.source,
            "created_by": actor.user_id,
            "created_at": now,
        }
        for item in fields
    ]
    ids = store.insert_tasks(connection, rows)
    for task_id, item in zip(ids, fields, strict=True):
        record(
            connection,
            "task.created",
            f"task {task_id}",
            actor=actor,
            now=now,
            details={"title": item.title, "source": item.source, "owner_id": item.owner_id},
        )
    return ids


def create_task(connection: Connection, fields: TaskFields, *, actor: Actor, now: datetime) -> int:
    """Store one open task; its id."""
    return create_tasks(connection, [fields], actor=actor, now=now)[0]


def get_task(connection: Connection, task_id: int) -> Task | None:
    row = store.task(connection, task_id)
    return None if row is None else _task(row)


def open_tasks(connection: Connection, *, owner_id: int | None = None) -> list[Task]:
    """Open tasks, soonest due first, of one owner or (``None``) of everyone."""
    return [_task(row) for row in store.open_tasks(connection, owner_id=owner_id)]


def tasks_about(
    connection: Connection, *, contact_id: int | None = None, account_id: int | None = None
) -> list[Task]:
    """The tasks about a contact or an account, newest first."""
    rows = store.tasks_about(connection, contact_id=contact_id, account_id=account_id)
    return [_task(row) for row in rows]


def open_tasks_about(
    connection: Connection, *, contact_id: int | None = None, account_id: int | None = None
) -> list[Task]:
    """The open tasks about a contact or an account, for their pages (the 50 newest)."""
    rows = store.tasks_about(
        connection, contact_id=contact_id, account_id=account_id, status="open"
    )
    return [_task(row) for row in rows]


def complete_task(
    connection: Connection,
    task_id: int,
    *,
    actor: Actor,
    now: datetime,
    own_only: bool,
) -> Task:
    """Mark a task done; ``own_only`` (sales) allows only the actor's own tasks."""
    found = get_task(connection, task_id)
    if found is None or (own_only and found.owner_id != actor.user_id):
        raise TaskError("task_id", f"no task {task_id} of yours")
    if found.status == "done":
        return found
    store.mark_done(connection, task_id, now)
    record(connection, "task.done", f"task {task_id}", actor=actor, now=now)
    done = get_task(connection, task_id)
    assert done is not None
    return done
