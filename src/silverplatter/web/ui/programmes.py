"""Programme pages: the list with enrolments per status, a programme's picture and its
actions, making one from a built-in template's form or from JSON, the JSON editor, the
enrolments with each contact's next step and history, versions, and the owner's tasks.

Reading needs ``nurture:read``; making, editing and the status actions
``nurture:write``; closing a task ``queue:act`` (sales closes its own).  Thin
adapters over ``services/programmes.py`` and ``services/programme_enrolments.py``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from silverplatter.domain.document_checks import DocumentError, DocumentInvalid, StaleVersion
from silverplatter.domain.programme_templates import BUILT_INS
from silverplatter.services import programme_enrolments as reading
from silverplatter.services import programmes as service
from silverplatter.services.sessions import Principal
from silverplatter.web.problems import Problem
from silverplatter.web.programme_flow import entry_words, flow, goal_words
from silverplatter.web.security import actor_of, clock, requires
from silverplatter.web.templating import render

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, Depends(requires("nurture:read"))]
Writer = Annotated[Principal, Depends(requires("nurture:write"))]
Closer = Annotated[Principal, Depends(requires("queue:act"))]
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]
After = Annotated[int, Query(ge=0, le=2**63 - 1)]
PAGE: Final = 50
DONE: Final = {
    "created": "Programme created as a draft: check it, then activate it.",
    "activated": "Programme activated.",
    "paused": "Programme paused: no step runs until it is resumed.",
    "resumed": "Programme resumed: steps that fell due meanwhile run at the next tick.",
    "archived": "Programme archived: its enrolled contacts have left it.",
    "saved": "Saved as a new version.",
}
BLANK: Final = {
    "entry": {"segment": "my-segment"},
    "goal_stages": ["sql", "sal", "opportunity", "customer"],
    "steps": [
        {"id": "hello", "type": "send_email", "template": "welcome"},
        {"id": "pause", "type": "wait", "days": 3},
        {"id": "follow-up", "type": "send_email", "template": "follow-up"},
    ],
}


async def _form(request: Request) -> FormData:
    return await request.form()


Posted = Annotated[FormData, Depends(_form)]


def _text(form: FormData, name: str, limit: int = 200_000) -> str:
    return str(form.get(name) or "").strip()[:limit]


def _programme(connection: Any, programme_id: int) -> service.Programme:
    try:
        return service.get_programme(connection, programme_id)
    except service.ProgrammeNotFound:
        raise Problem(404, f"there is no programme {programme_id}") from None


def _errors(error: Exception) -> list[tuple[str, str]]:
    if isinstance(error, DocumentInvalid):
        return [(e.field, e.message) for e in error.errors]
    if isinstance(error, service.ProgrammeError):
        return [(error.field, error.message)]
    return [("version", str(error))]


# ---------------------------------------------------------------- list and page


@router.get("/programmes", response_class=HTMLResponse)
def programmes_page(
    request: Request, principal: Reader, done: Annotated[str | None, Query(max_length=20)] = None
) -> HTMLResponse:
    """Every programme with its enrolments per status."""
    with request.app.state.engine.connect() as connection:
        items = service.list_programmes(connection)
    context = {
        "items": items,
        "built_ins": BUILT_INS,
        "may_write": principal.may("nurture:write"),
        "done": DONE.get(done or ""),
    }
    return render(request, "programmes.html", context)


@router.get("/programmes/tasks", response_class=HTMLResponse)
def tasks_page(request: Request, principal: Reader) -> HTMLResponse:
    """The tasks programmes gave the signed-in user about their contacts."""
    with request.app.state.engine.connect() as connection:
        tasks = reading.owner_tasks(connection, principal.user_id)
    context = {"tasks": tasks, "may_close": principal.may("queue:act")}
    return render(request, "programme_tasks.html", context)


@router.post("/programmes/tasks/{task_id}/done", response_model=None)
def close_task(request: Request, principal: Closer, task_id: RowId) -> Response:
    """Mark a task done; back to where the button was."""
    try:
        with request.app.state.engine.begin() as connection:
            task = reading.complete_task(
                connection,
                task_id,
                user_id=principal.user_id,
                role=principal.role,
                now=clock(request),
            )
    except service.ProgrammeNotFound:
        raise Problem(404, f"there is no task {task_id}") from None
    back = request.headers.get("referer", "")
    target = f"/contacts/{task.contact_id}" if "/contacts/" in back else "/programmes/tasks"
    return RedirectResponse(target, status_code=303)


def _page(
    request: Request,
    principal: Principal,
    programme_id: int,
    *,
    done: str | None = None,
    errors: list[tuple[str, str]] | None = None,
    refused: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        programme = _programme(connection, programme_id)
        counts = service.step_counts(connection, programme_id)
    definition = programme.parsed
    context = {
        "programme": programme,
        "boxes": flow(definition, counts),
        "entry": entry_words(definition),
        "entry_rule": json.dumps(getattr(definition.entry, "rule", None), indent=2),
        "goal": goal_words(definition),
        "may_write": principal.may("nurture:write"),
        "done": done,
        "errors": errors or [],
        "refused": refused,
    }
    return render(request, "programme_page.html", context, status_code=status_code)


@router.get("/programmes/{programme_id}", response_class=HTMLResponse)
def programme_page(
    request: Request,
    principal: Reader,
    programme_id: RowId,
    done: Annotated[str | None, Query(max_length=20)] = None,
    moved: Annotated[int, Query(ge=0)] = 0,
    completed: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    """A programme: its entry, goal, the picture of its steps and its actions."""
    message = DONE.get(done or "")
    if done == "saved" and (moved or completed):
        message = f"{message} {moved} enrolled contacts moved on, {completed} finished."
    return _page(request, principal, programme_id, done=message)


def _status_action(
    request: Request, principal: Principal, programme_id: int, verb: str
) -> Response:
    try:
        with request.app.state.engine.begin() as connection:
            _programme(connection, programme_id)
            service.STATUS_ACTIONS[verb](
                connection, programme_id, actor=actor_of(request, principal), now=clock(request)
            )
    except (DocumentInvalid, service.ProgrammeError) as refused:
        return _page(
            request,
            principal,
            programme_id,
            errors=_errors(refused),
            refused=verb,
            status_code=422,
        )
    past = {"activate": "activated", "pause": "paused", "resume": "resumed", "archive": "archived"}
    return RedirectResponse(f"/programmes/{programme_id}?done={past[verb]}", status_code=303)


@router.post("/programmes/{programme_id}/activate", response_model=None)
def activate(request: Request, principal: Writer, programme_id: RowId) -> Response:
    """Start a draft: check what it names, enrol its entry segment."""
    return _status_action(request, principal, programme_id, "activate")


@router.post("/programmes/{programme_id}/pause", response_model=None)
def pause(request: Request, principal: Writer, programme_id: RowId) -> Response:
    return _status_action(request, principal, programme_id, "pause")


@router.post("/programmes/{programme_id}/resume", response_model=None)
def resume(request: Request, principal: Writer, programme_id: RowId) -> Response:
    return _status_action(request, principal, programme_id, "resume")


@router.post("/programmes/{programme_id}/archive", response_model=None)
def archive(request: Request, principal: Writer, programme_id: RowId) -> Response:
    return _status_action(request, principal, programme_id, "archive")


# ---------------------------------------------------------------- making one


def _new_page(
    request: Request,
    key: str | None,
    values: dict[str, str],
    errors: list[tuple[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    built_in = BUILT_INS.get(key or "")
    fields = []
    if built_in is not None:
        for name, spec in built_in.parameters.model_fields.items():
            default = spec.default
            shown = ", ".join(default) if isinstance(default, list) else default
            fields.append(
                {
                    "name": name,
                    "help": spec.description or "",
                    "number": spec.annotation is int,
                    "value": values.get(name, "" if shown is None else str(shown)),
                }
            )
    context = {
        "built_in": built_in,
        "built_ins": BUILT_INS,
        "fields": fields,
        "values": values,
        "errors": errors or [],
        "blank": json.dumps(BLANK, indent=2),
    }
    return render(request, "programme_new.html", context, status_code=status_code)


@router.get("/programmes/new/{key}", response_class=HTMLResponse)
def new_programme(
    request: Request, _: Writer, key: Annotated[str, Path(max_length=40)]
) -> HTMLResponse:
    """The form of a built-in template's parameters, or the JSON form (``blank``)."""
    if key != "blank" and key not in BUILT_INS:
        raise Problem(404, f"there is no built-in programme {key!r}")
    built_in = BUILT_INS.get(key)
    values = {"name": built_in.name if built_in else "", "slug": key.replace("_", "-")}
    return _new_page(request, key, values)


@router.post("/programmes/new/{key}", response_model=None)
def create(
    request: Request, principal: Writer, key: Annotated[str, Path(max_length=40)], form: Posted
) -> Response:
    """Make a draft from the template's parameters (or from the posted JSON)."""
    if key != "blank" and key not in BUILT_INS:
        raise Problem(404, f"there is no built-in programme {key!r}")
    values = {name: _text(form, name) for name in form if name != "csrf_token"}
    actor, now = actor_of(request, principal), clock(request)
    try:
        with request.app.state.engine.begin() as connection:
            if key == "blank":
                try:
                    document = json.loads(values.get("definition") or "")
                except ValueError as error:
                    raise DocumentInvalid([_json_error(error)]) from None
                made = service.create_programme(
                    connection,
                    service.draft_of(
                        {
                            "slug": values.get("slug", ""),
                            "name": values.get("name", ""),
                            "description": values.get("description") or None,
                            "definition": document,
                        }
                    ),
                    actor=actor,
                    now=now,
                )
            else:
                parameters = {
                    name: value
                    for name, value in values.items()
                    if name in BUILT_INS[key].parameters.model_fields
                }
                made = service.create_from_built_in(
                    connection,
                    key,
                    slug=values.get("slug", ""),
                    name=values.get("name") or None,
                    parameters=parameters,
                    actor=actor,
                    now=now,
                )
    except (DocumentInvalid, service.ProgrammeError) as refused:
        return _new_page(request, key, values, _errors(refused), status_code=422)
    return RedirectResponse(f"/programmes/{made.id}?done=created", status_code=303)


def _json_error(error: ValueError) -> DocumentError:
    line = getattr(error, "lineno", None)
    where = f" (line {line})" if line else ""
    return DocumentError("definition", f"is not valid JSON{where}: {error}")


# ---------------------------------------------------------------- editing


def _edit_page(
    request: Request,
    programme: service.Programme,
    values: dict[str, str],
    errors: list[tuple[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = {"programme": programme, "values": values, "errors": errors or []}
    return render(request, "programme_edit.html", context, status_code=status_code)


@router.get("/programmes/{programme_id}/edit", response_class=HTMLResponse)
def edit_programme(request: Request, _: Writer, programme_id: RowId) -> HTMLResponse:
    """The JSON editor of a programme's name, description and definition."""
    with request.app.state.engine.connect() as connection:
        programme = _programme(connection, programme_id)
    values = {
        "name": programme.name,
        "description": programme.description or "",
        "definition": json.dumps(programme.definition, indent=2, ensure_ascii=False),
        "version": str(programme.version),
    }
    return _edit_page(request, programme, values)


@router.post("/programmes/{programme_id}/edit", response_model=None)
def save_programme(
    request: Request, principal: Writer, programme_id: RowId, form: Posted
) -> Response:
    """Save a new version; enrolled contacts at removed steps move on."""
    values = {name: _text(form, name) for name in ("name", "description", "definition", "version")}
    with request.app.state.engine.connect() as connection:
        programme = _programme(connection, programme_id)
    try:
        try:
            document = json.loads(values["definition"])
        except ValueError as error:
            raise DocumentInvalid([_json_error(error)]) from None
        seen = int(values["version"]) if values["version"].isdigit() else -1
        with request.app.state.engine.begin() as connection:
            saved = service.update_programme(
                connection,
                programme_id,
                name=values["name"],
                description=values["description"] or None,
                definition=document,
                seen_version=seen,
                actor=actor_of(request, principal),
                now=clock(request),
            )
    except (DocumentInvalid, service.ProgrammeError, StaleVersion) as refused:
        status = 409 if isinstance(refused, StaleVersion) else 422
        return _edit_page(request, programme, values, _errors(refused), status_code=status)
    target = (
        f"/programmes/{programme_id}?done=saved&moved={saved.moved}&completed={saved.completed}"
    )
    return RedirectResponse(target, status_code=303)


@router.get("/programmes/{programme_id}/versions", response_class=HTMLResponse)
def versions_page(request: Request, _: Reader, programme_id: RowId) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        programme = _programme(connection, programme_id)
        rows = service.versions(connection, programme_id)
    items = [(row, json.dumps(row.definition, indent=2, ensure_ascii=False)) for row in rows]
    return render(request, "programme_versions.html", {"programme": programme, "items": items})


# ---------------------------------------------------------------- enrolments


@router.get("/programmes/{programme_id}/enrolments", response_class=HTMLResponse)
def enrolments_page(
    request: Request,
    _: Reader,
    programme_id: RowId,
    status: Annotated[str | None, Query(max_length=20)] = None,
    after: After = 0,
) -> HTMLResponse:
    """The programme's enrolled contacts with their next step, page by page."""
    chosen = status if status in service.ENROLMENT_STATUSES else None
    with request.app.state.engine.connect() as connection:
        programme = _programme(connection, programme_id)
        page = reading.enrolments(connection, programme_id, status=chosen, after=after, limit=PAGE)
    context = {
        "programme": programme,
        "page": page,
        "status": chosen,
        "statuses": service.ENROLMENT_STATUSES,
    }
    return render(request, "programme_enrolments.html", context)


@router.get("/programmes/{programme_id}/enrolments/{enrolment_id}", response_class=HTMLResponse)
def enrolment_page(
    request: Request, _: Reader, programme_id: RowId, enrolment_id: RowId
) -> HTMLResponse:
    """One contact's enrolment: where they are and everything that happened."""
    with request.app.state.engine.connect() as connection:
        try:
            enrolment, _name, history = reading.enrolment(connection, enrolment_id)
            programme = _programme(connection, programme_id)
        except service.ProgrammeNotFound:
            raise Problem(404, f"there is no enrolment {enrolment_id}") from None
    if enrolment.programme_id != programme_id:
        raise Problem(404, f"there is no enrolment {enrolment_id} in this programme")
    context = {"programme": programme, "enrolment": enrolment, "history": history}
    return render(request, "programme_enrolment.html", context)


__all__ = ["router"]
