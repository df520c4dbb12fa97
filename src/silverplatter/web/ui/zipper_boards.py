"""The zipper board pages: the list of boards, the board editor, its history, exports.

The editor draws the two lanes as HTML; ``static/zipper-editor.js`` adds drag
and drop (reorder steps, situations and solutions; join a customer step to one
of ours; drop a worry on a situation or a solution) and sends each change as
JSON to ``POST /boards/{slug}/changes``, which answers with the new version and
the editor redrawn.  Every change is also an ordinary form with buttons (move
left/right/up/down, link, add, rename, remove), so the board is edited with the
keyboard, or without JavaScript, through the same endpoint (post/redirect/get).
Thin adapters over ``services/zipper_boards.py``.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import Connection

from silverplatter.domain.document_checks import DocumentInvalid, StaleVersion
from silverplatter.services.needs_segments import list_needs_segments
from silverplatter.services.sessions import Principal
from silverplatter.services.zipper_boards import (
    ZipperBoard,
    board_history,
    change_board,
    create_board,
    delete_board,
    get_board,
    list_boards,
    restore_board,
    update_board_details,
    worry_names,
)
from silverplatter.web.problems import Problem, problem_response
from silverplatter.web.security import actor_of, clock, requires
from silverplatter.web.templating import render
from silverplatter.web.zipper_export import Format, board_download

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, Depends(requires("understanding:read"))]
Writer = Annotated[Principal, Depends(requires("understanding:write"))]
Short = Annotated[str, Form(max_length=300)]
Slug = Annotated[str, Path(max_length=100)]
#: The fields a change form may send (besides ``op``); empty ones are left out.
CHANGE_FIELDS: Final = (
    "op",
    "lane",
    "name",
    "index",
    "step",
    "item",
    "to",
    "customer_step",
    "our_step",
    "note",
    "situation",
    "solution",
    "worry",
    "worry_name",
)
DONE: Final = {
    "created": "Board created. Add the customer's steps first, then ours.",
    "changed": "Change saved.",
    "details": "Board details saved.",
    "restored": "The earlier version is the newest version now.",
}


def _board_or_404(connection: Connection, slug: str) -> ZipperBoard:
    try:
        return get_board(connection, slug)
    except LookupError:
        raise Problem(404, f"there is no zipper board {slug!r}") from None


# --- the list -------------------------------------------------------------------------


def _list_page(
    request: Request,
    principal: Principal,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        boards = list_boards(connection)
        needs = list_needs_segments(connection)
    context = {
        "boards": boards,
        "needs_segments": needs,
        "may_write": principal.may("understanding:write"),
        "values": values or {},
        "errors": errors or {},
        "done": request.query_params.get("done") == "deleted",
    }
    return render(request, "zipper_boards.html", context, status_code=status_code)


@router.get("/boards", response_class=HTMLResponse)
def boards_page(request: Request, principal: Reader) -> HTMLResponse:
    return _list_page(request, principal)


def _errors_of(invalid: DocumentInvalid) -> dict[str, str]:
    found: dict[str, str] = {}
    for error in invalid.errors:
        found.setdefault(error.field.split("[")[0].split(".")[0], error.message)
    return found


@router.post("/boards", response_model=None)
def create(
    request: Request,
    principal: Writer,
    name: Short = "",
    slug: Short = "",
    needs_segment: Short = "",
) -> Response:
    values = {"name": name, "slug": slug, "needs_segment": needs_segment}
    fields = {key: value for key, value in values.items() if value.strip() or key == "name"}
    try:
        with request.app.state.engine.begin() as connection:
            found = create_board(
                connection, fields, now=clock(request), actor=actor_of(request, principal)
            )
    except DocumentInvalid as invalid:
        errors = _errors_of(invalid)
        return _list_page(request, principal, values=values, errors=errors, status_code=422)
    return RedirectResponse(f"/boards/{found.slug}?done=created", status_code=303)


# --- the editor -----------------------------------------------------------------------


def editor_context(
    request: Request, principal: Principal, connection: Connection, found: ZipperBoard
) -> dict[str, Any]:
    """What the editor fragment (``_zipper_editor.html``) draws."""
    board = found.board
    every_worry = worry_names(connection)
    names = {**every_worry, **worry_names(connection, board.worry_ids())}
    return {
        "found": found,
        "board": board,
        "worry_names": names,
        "every_worry": every_worry,
        "may_write": principal.may("understanding:write"),
        "csrf_token": principal.csrf_token,
        "our_names": {step.id: step.name for step in board.our_steps},
        "customer_names": {step.id: step.name for step in board.customer_steps},
    }


def _editor_page(
    request: Request,
    principal: Principal,
    slug: str,
    *,
    message: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        found = _board_or_404(connection, slug)
        context = editor_context(request, principal, connection, found)
        needs = list_needs_segments(connection)
    done = DONE.get(request.query_params.get("done", ""))
    context.update(
        {
            "message": message or done,
            "error": error,
            "needs_segments": needs,
        }
    )
    return render(request, "zipper_board.html", context, status_code=status_code)


@router.get("/boards/{slug}", response_class=HTMLResponse)
def editor(request: Request, principal: Reader, slug: Slug) -> HTMLResponse:
    return _editor_page(request, principal, slug)


def _form_change(form: Any) -> dict[str, Any]:
    change: dict[str, Any] = {}
    for key in CHANGE_FIELDS:
        value = form.get(key)
        if isinstance(value, str) and value.strip():
            change[key] = value.strip() if key != "name" else value
    return change


def _version(value: Any) -> int | None:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31:
        return value
    return None


@router.post("/boards/{slug}/changes", response_model=None)
async def change(request: Request, principal: Writer, slug: Slug) -> Response:
    """One change, sent by the editor's script as JSON ``{version, change}`` (answered
    with JSON ``{version, summary, html}``) or by a form (answered with a redirect)."""
    as_json = request.headers.get("content-type", "").startswith("application/json")
    if as_json:
        try:
            sent = await request.json()
        except ValueError:
            sent = None
        if not isinstance(sent, dict):
            return problem_response(422, "send a JSON object {version, change}")
        version, wanted = _version(sent.get("version")), sent.get("change")
    else:
        form = await request.form()
        version, wanted = _version(form.get("version")), _form_change(form)
    if version is None:
        errors = [{"field": "version", "message": "send the version you edited"}]
        if as_json:
            return problem_response(422, "version: send the version you edited", errors)
        return _editor_page(request, principal, slug, error="Reload the board.", status_code=422)
    return _apply(request, principal, slug, version, wanted, as_json=as_json)


def _apply(
    request: Request,
    principal: Principal,
    slug: str,
    version: int,
    wanted: Any,
    *,
    as_json: bool,
) -> Response:
    try:
        with request.app.state.engine.begin() as connection:
            found, applied = change_board(
                connection,
                slug,
                wanted if isinstance(wanted, dict) else {},
                version=version,
                now=clock(request),
                actor=actor_of(request, principal),
            )
            context = editor_context(request, principal, connection, found)
    except LookupError:
        raise Problem(404, f"there is no zipper board {slug!r}") from None
    except StaleVersion as stale:
        said = f"{stale} (your change was not saved)"
        if as_json:
            errors = [{"field": "version", "message": str(stale)}]
            return problem_response(409, said, errors)
        return _editor_page(request, principal, slug, error=said, status_code=409)
    except DocumentInvalid as invalid:
        if as_json:
            errors = [{"field": e.field, "message": e.message} for e in invalid.errors]
            return problem_response(422, str(invalid), errors)
        said = "Nothing was changed: " + "; ".join(e.message for e in invalid.errors)
        return _editor_page(request, principal, slug, error=said, status_code=422)
    if not as_json:
        anchor = applied.created or (wanted.get("item") if isinstance(wanted, dict) else None)
        target = f"/boards/{slug}?done=changed" + (f"#item-{anchor}" if anchor else "")
        return RedirectResponse(target, status_code=303)
    templates = request.app.state.templates
    html = templates.get_template("_zipper_editor.html").render(context)
    return JSONResponse(
        {
            "version": found.version,
            "summary": applied.summary,
            "created": applied.created,
            "html": html,
        }
    )


@router.post("/boards/{slug}/details", response_model=None)
def details(
    request: Request,
    principal: Writer,
    slug: Slug,
    name: Short = "",
    new_slug: Short = "",
    needs_segment: Short = "",
) -> Response:
    fields = {"name": name, "slug": new_slug or slug, "needs_segment": needs_segment or None}
    try:
        with request.app.state.engine.begin() as connection:
            found = update_board_details(
                connection, slug, fields, now=clock(request), actor=actor_of(request, principal)
            )
    except LookupError:
        raise Problem(404, f"there is no zipper board {slug!r}") from None
    except DocumentInvalid as invalid:
        said = "The details were not saved: " + "; ".join(
            f"{e.field.replace('_', ' ')}: {e.message}" for e in invalid.errors
        )
        return _editor_page(request, principal, slug, error=said, status_code=422)
    return RedirectResponse(f"/boards/{found.slug}?done=details", status_code=303)


@router.post("/boards/{slug}/delete", response_model=None)
def delete(request: Request, principal: Writer, slug: Slug, confirm: Short = "") -> Response:
    if confirm != "yes":
        said = "Tick the confirmation to delete the board and its history."
        return _editor_page(request, principal, slug, error=said, status_code=422)
    try:
        with request.app.state.engine.begin() as connection:
            delete_board(connection, slug, now=clock(request), actor=actor_of(request, principal))
    except LookupError:
        raise Problem(404, f"there is no zipper board {slug!r}") from None
    return RedirectResponse("/boards?done=deleted", status_code=303)


# --- history and export ---------------------------------------------------------------


@router.get("/boards/{slug}/history", response_class=HTMLResponse)
def history(request: Request, principal: Reader, slug: Slug) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        found = _board_or_404(connection, slug)
        versions = board_history(connection, slug)
    context = {
        "found": found,
        "versions": versions,
        "may_write": principal.may("understanding:write"),
        "error": request.query_params.get("error"),
    }
    return render(request, "zipper_history.html", context)


@router.post("/boards/{slug}/restore", response_model=None)
def restore(
    request: Request,
    principal: Writer,
    slug: Slug,
    restored: Short = "",
    version: Short = "",
) -> Response:
    wanted, seen = _version(restored), _version(version)
    if wanted is None or seen is None:
        errors = [{"field": "restored", "message": "choose a version to restore"}]
        raise Problem(422, "restored: choose a version to restore", errors=errors)
    try:
        with request.app.state.engine.begin() as connection:
            restore_board(
                connection,
                slug,
                wanted,
                version=seen,
                now=clock(request),
                actor=actor_of(request, principal),
            )
    except LookupError as error:
        raise Problem(404, str(error.args[0])) from None
    except StaleVersion as stale:
        return _editor_page(request, principal, slug, error=str(stale), status_code=409)
    return RedirectResponse(f"/boards/{slug}?done=restored", status_code=303)


@router.get("/boards/{slug}/export.{fmt}", response_class=Response)
def export(
    request: Request, principal: Reader, slug: Slug, fmt: Format, version: int | None = None
) -> Response:
    try:
        with request.app.state.engine.connect() as connection:
            return board_download(connection, slug, fmt, version)
    except LookupError as error:
        raise Problem(404, str(error.args[0])) from None


__all__ = ["router"]
