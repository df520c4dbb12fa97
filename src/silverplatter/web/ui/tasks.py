"""The tasks page: open tasks, marking one done, giving a new one.

Sales sees its own open tasks; marketing and admins see everyone's and may
narrow them to one owner.  Seeing needs ``queue:read`` (everyone signed in
who works leads); creating and closing need ``tasks:write``.  Thin adapters
over ``services/tasks.py``.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from silverplatter.domain.access import OWN_RECORDS_ONLY
from silverplatter.services import tasks as service
from silverplatter.services.sessions import Principal
from silverplatter.services.users import list_users
from silverplatter.web.problems import field_name
from silverplatter.web.security import actor_of, clock, requires
from silverplatter.web.templating import render

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, Depends(requires("queue:read"))]
Writer = Annotated[Principal, Depends(requires("tasks:write"))]
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
DONE: Final = {"created": "Task created.", "closed": "Task marked done."}


def _own(principal: Principal) -> bool:
    return principal.role in OWN_RECORDS_ONLY


def _page(
    request: Request,
    principal: Principal,
    *,
    owner: int | None,
    done: str | None = None,
    errors: list[tuple[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    own = _own(principal)
    chosen = principal.user_id if own else owner
    with request.app.state.engine.connect() as connection:
        tasks = service.open_tasks(connection, owner_id=chosen)
        users = [user for user in list_users(connection) if user.active]
    context = {
        "tasks": tasks,
        "users": users,
        "owner": chosen,
        "own_only": own,
        "may_write": principal.may("tasks:write"),
        "done": done,
        "errors": errors or [],
        "today": clock(request).date().isoformat(),
    }
    return render(request, "tasks.html", context, status_code=status_code)


@router.get("/tasks", response_class=HTMLResponse)
def tasks_page(
    request: Request,
    principal: Reader,
    owner: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    done: Annotated[str | None, Query(max_length=10)] = None,
) -> HTMLResponse:
    """Open tasks, soonest due first: one's own (sales) or everyone's, by owner."""
    return _page(request, principal, owner=owner, done=DONE.get(done or ""))


async def _form(request: Request) -> FormData:
    return await request.form()


Posted = Annotated[FormData, Depends(_form)]


def _text(form: FormData, name: str, limit: int) -> str | None:
    value = form.get(name)
    return (value.strip()[:limit] or None) if isinstance(value, str) else None


@router.post("/tasks", response_model=None)
def create(request: Request, principal: Writer, form: Posted) -> Response:
    """Give a task: to oneself (sales) or to the chosen owner."""
    owner = None if _own(principal) else _text(form, "owner_id", 20)
    try:
        fields = service.TaskFields(
            title=_text(form, "title", 300) or "",
            notes=_text(form, "notes", 5_000),
            due_on=_text(form, "due_on", 20),
            owner_id=owner,
            contact_id=_text(form, "contact_id", 20),
            account_id=_text(form, "account_id", 20),
        )
        with request.app.state.engine.begin() as connection:
            service.create_task(
                connection, fields, actor=actor_of(request, principal), now=clock(request)
            )
    except ValidationError as invalid:
        errors = [(field_name(e["loc"]), e["msg"]) for e in invalid.errors()]
        return _page(request, principal, owner=None, errors=errors, status_code=422)
    except service.TaskError as refused:
        errors = [(refused.field, refused.message)]
        return _page(request, principal, owner=None, errors=errors, status_code=422)
    return RedirectResponse("/tasks?done=created", status_code=303)


@router.post("/tasks/{task_id}/done", response_model=None)
def close(request: Request, principal: Writer, task_id: RowId) -> Response:
    """Mark a task done (sales: its own only); back to the list."""
    try:
        with request.app.state.engine.begin() as connection:
            service.complete_task(
                connection,
                task_id,
                actor=actor_of(request, principal),
                now=clock(request),
                own_only=_own(principal),
            )
    except service.TaskError as refused:
        return _page(
            request,
            principal,
            owner=None,
            errors=[(refused.field, refused.message)],
            status_code=404,
        )
    return RedirectResponse("/tasks?done=closed", status_code=303)
