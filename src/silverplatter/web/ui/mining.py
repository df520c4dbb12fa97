"""The lost-lead mining report (domain §11) and its one-click actions.

``/mining`` shows the ten sections, each collapsible with its count, its
candidates (reason, suggested date, figures) and an action bar: give the
selected to an owner, enrol them in a programme, give each a task.
``/mining.csv`` and ``/mining/<key>.csv`` export the report and one section.
Reading needs ``planning:read``, acting ``tasks:write``; sales sees and acts
on the candidates it owns only.  Thin adapters over ``services/mining``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from silverplatter.domain.access import OWN_RECORDS_ONLY
from silverplatter.domain.mining import SECTION_KEYS
from silverplatter.services import programmes as programme_service
from silverplatter.services.mining import actions
from silverplatter.services.mining.report import (
    DEFAULT_LIMIT,
    EXPORT_LIMIT,
    Report,
    csv_text,
    one_section,
    report_side_by_side,
)
from silverplatter.services.sessions import Principal
from silverplatter.services.users import list_users
from silverplatter.web.downloads import csv_download
from silverplatter.web.problems import Problem, field_name
from silverplatter.web.security import actor_of, clock, requires
from silverplatter.web.templating import render

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, Depends(requires("planning:read"))]
Actor = Annotated[Principal, Depends(requires("tasks:write"))]
Key = Annotated[str, Path(max_length=40, pattern=r"^[a-z_]+$")]
Limit = Annotated[int, Query(ge=1, le=500)]
VERBS: Final = ("assign", "enrol", "task")
DONE: Final = {
    "assign": "{count} records given to their new owner.",
    "enrol": "{count} contacts entered the programme.",
    "task": "{count} tasks created; see them under Tasks.",
}
_TARGET = re.compile(r"^(\d*):(\d*)$")


def own_only(principal: Principal) -> int | None:
    """The user whose records alone a principal sees (sales), else None."""
    return principal.user_id if principal.role in OWN_RECORDS_ONLY else None


def _choices(connection: Any) -> dict[str, Any]:
    users = [user for user in list_users(connection) if user.active]
    live = [p for p in programme_service.list_programmes(connection) if p.status == "active"]
    return {"users": users, "programmes": live}


def _page(
    request: Request,
    principal: Principal,
    *,
    limit: int,
    done: str | None = None,
    errors: list[tuple[str, str]] | None = None,
    failed: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    engine = request.app.state.engine
    report: Report = report_side_by_side(
        engine, now=clock(request), limit=limit, owner_id=own_only(principal)
    )
    with engine.connect() as connection:
        choices = _choices(connection)
    context = {
        "report": report,
        "limit": limit,
        "may_act": principal.may("tasks:write"),
        "may_enrol": principal.may("tasks:write") and principal.may(actions.ENROLLING),
        "own_only": own_only(principal) is not None,
        "done": done,
        "errors": errors or [],
        "failed": failed,
        "today": clock(request).date().isoformat(),
        **choices,
    }
    return render(request, "mining.html", context, status_code=status_code)


@router.get("/mining", response_class=HTMLResponse)
def mining_page(
    request: Request,
    principal: Reader,
    limit: Limit = DEFAULT_LIMIT,
    done: Annotated[str | None, Query(max_length=10)] = None,
    count: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    """The ten places lost leads hide, each with its candidates and actions."""
    message = DONE[done].format(count=count) if done in DONE else None
    return _page(request, principal, limit=limit, done=message)


@router.get("/mining.csv", response_model=None)
def reportcsv_download(request: Request, principal: Reader) -> Response:
    """Every candidate of every section as CSV."""
    report = report_side_by_side(
        request.app.state.engine,
        now=clock(request),
        limit=EXPORT_LIMIT,
        owner_id=own_only(principal),
    )
    return csv_download(csv_text(report.sections), "lost-leads.csv")


@router.get("/mining/{key}.csv", response_model=None)
def sectioncsv_download(request: Request, principal: Reader, key: Key) -> Response:
    """One section's candidates as CSV."""
    if key not in SECTION_KEYS:
        raise Problem(404, f"there is no section {key!r}")
    with request.app.state.engine.connect() as connection:
        found = one_section(
            connection, key, now=clock(request), limit=EXPORT_LIMIT, owner_id=own_only(principal)
        )
    if found is None:
        raise Problem(404, f"the section {key!r} is not available yet")
    return csv_download(csv_text([found]), f"lost-leads-{key.replace('_', '-')}.csv")


async def _form(request: Request) -> FormData:
    return await request.form()


Posted = Annotated[FormData, Depends(_form)]


def _text(form: FormData, name: str, limit: int = 5_000) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def targets_of(form: FormData) -> list[dict[str, Any]]:
    """The ticked candidates: ``pick`` holds row numbers, ``target_<n>`` "contact:account"
    and ``reason_<n>`` the candidate's reason."""
    chosen = []
    for pick in form.getlist("pick"):
        if not isinstance(pick, str) or not pick.isdigit():
            raise Problem(422, "pick: expected row numbers")
        matched = _TARGET.match(_text(form, f"target_{pick}", 40))
        if matched is None:
            raise Problem(422, f"target_{pick}: expected 'contact:account'")
        contact, account = matched.groups()
        chosen.append(
            {
                "contact_id": int(contact) if contact else None,
                "account_id": int(account) if account else None,
                "reason": _text(form, f"reason_{pick}", 1_000) or None,
            }
        )
    return chosen


def _action(key: str, verb: str, form: FormData) -> actions.Action:
    base: dict[str, Any] = {"section": key, "targets": targets_of(form)}
    if verb == "assign":
        return actions.Assign(**base, owner_id=_text(form, "owner_id", 20) or None)
    if verb == "enrol":
        return actions.Enrol(**base, programme_id=_text(form, "programme_id", 20) or None)
    return actions.GiveTask(
        **base,
        title=_text(form, "title", 300),
        due_on=_text(form, "due_on", 20) or None,
        owner_id=_text(form, "task_owner_id", 20) or None,
        notes=_text(form, "notes") or None,
    )


@router.post("/mining/{key}/act", response_model=None)
def act(request: Request, principal: Actor, key: Key, form: Posted) -> Response:
    """Run the chosen action on the ticked candidates of one section."""
    if key not in SECTION_KEYS:
        raise Problem(404, f"there is no section {key!r}")
    verb = _text(form, "action", 10)
    if verb not in VERBS:
        raise Problem(422, f"action: expected one of {', '.join(VERBS)}")
    if verb == "enrol" and not principal.may(actions.ENROLLING):
        raise Problem(403, f"enrolling in a programme needs the {actions.ENROLLING} permission")
    try:
        action = _action(key, verb, form)
        with request.app.state.engine.begin() as connection:
            done = actions.run(
                connection,
                action,
                actor=actor_of(request, principal),
                now=clock(request),
                own_only=own_only(principal),
            )
    except ValidationError as invalid:
        errors = [(field_name(e["loc"]), e["msg"]) for e in invalid.errors()]
        return _refused(request, principal, key, errors)
    except actions.ActionError as refused:
        return _refused(request, principal, key, [(refused.field, refused.message)])
    return RedirectResponse(f"/mining?done={verb}&count={done}#{key}", status_code=303)


def _refused(
    request: Request, principal: Principal, key: str, errors: list[tuple[str, str]]
) -> HTMLResponse:
    return _page(
        request, principal, limit=DEFAULT_LIMIT, errors=errors, failed=key, status_code=422
    )
