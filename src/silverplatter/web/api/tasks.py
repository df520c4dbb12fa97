"""REST API of tasks: list open ones, create one, mark one done.

Sales lists and closes its own tasks; marketing and admins everyone's,
narrowed by ``owner_id`` if they like.  Listing needs ``queue:read``,
creating and closing ``tasks:write``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel

from silverplatter.domain.access import OWN_RECORDS_ONLY
from silverplatter.services import tasks as service
from silverplatter.services.sessions import Principal
from silverplatter.web.problems import field_problem
from silverplatter.web.security import actor_of, clock, requires

router = APIRouter(prefix="/api/v1", tags=["tasks"])

Read = Annotated[Principal, Depends(requires("queue:read"))]
Write = Annotated[Principal, Depends(requires("tasks:write"))]
TaskId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class TaskOut(BaseModel):
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

    @classmethod
    def of(cls, task: service.Task) -> TaskOut:
        return cls(**{name: getattr(task, name) for name in cls.model_fields})


class TaskList(BaseModel):
    items: list[TaskOut]


def _own(principal: Principal) -> bool:
    return principal.role in OWN_RECORDS_ONLY


@contextmanager
def _answering() -> Iterator[None]:
    try:
        yield
    except service.TaskError as refused:
        status = 404 if refused.field == "task_id" else 422
        raise field_problem(refused.field, refused.message, status) from None


@router.get("/tasks", response_model=TaskList)
def list_tasks(
    request: Request,
    principal: Read,
    owner_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> TaskList:
    """Open tasks, soonest due first: one's own (sales), else everyone's or one owner's."""
    owner = principal.user_id if _own(principal) else owner_id
    with request.app.state.engine.connect() as connection:
        found = service.open_tasks(connection, owner_id=owner)
    return TaskList(items=[TaskOut.of(task) for task in found])


@router.post("/tasks", response_model=TaskOut, status_code=201)
def create(request: Request, principal: Write, body: service.TaskFields) -> TaskOut:
    """Give a task; sales gives tasks to itself only."""
    if _own(principal) and body.owner_id not in (None, principal.user_id):
        raise field_problem("owner_id", "you may give tasks to yourself only")
    with _answering(), request.app.state.engine.begin() as connection:
        task_id = service.create_task(
            connection, body, actor=actor_of(request, principal), now=clock(request)
        )
        made = service.get_task(connection, task_id)
    assert made is not None
    return TaskOut.of(made)


@router.post("/tasks/{task_id}/done", response_model=TaskOut)
def complete(request: Request, principal: Write, task_id: TaskId) -> TaskOut:
    """Mark a task done (sales: its own only); done again changes nothing."""
    with _answering(), request.app.state.engine.begin() as connection:
        done = service.complete_task(
            connection,
            task_id,
            actor=actor_of(request, principal),
            now=clock(request),
            own_only=_own(principal),
        )
    return TaskOut.of(done)
