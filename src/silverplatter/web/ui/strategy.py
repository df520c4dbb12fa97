"""Pages of the strategy documents: the core questions (with a one-page printable view),
SWOT and PEST boards and the target customer, each with its history and restore.

Lists are edited as text boxes, one bullet per line.  A save carries the version
the form was opened at: when somebody saved in between, the form comes back
with the typed text kept and a message saying which version is newest (saving
again replaces it).  Thin adapters over ``services/strategy_documents.py``.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from silverplatter.domain.document_checks import DocumentInvalid, StaleVersion
from silverplatter.domain.strategy import (
    FEWEST_BULLETS,
    KIND_TITLES,
    LISTS,
    MOST_BULLETS,
    QUESTIONS,
    lines,
)
from silverplatter.services.sessions import Principal
from silverplatter.services.strategy_documents import (
    CORE_QUESTIONS,
    StrategyDocument,
    create_document,
    delete_document,
    find_document,
    get_document,
    list_documents,
    restore_document,
    save_core_questions,
    save_document,
)
from silverplatter.services.workspace import workspace_name
from silverplatter.web.problems import Problem
from silverplatter.web.security import actor_of, clock, requires
from silverplatter.web.templating import render
from silverplatter.web.ui.strategy_history import Shown, history_page
from silverplatter.web.zipper_export import core_questions_download

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, Depends(requires("understanding:read"))]
Writer = Annotated[Principal, Depends(requires("understanding:write"))]
Slug = Annotated[str, Path(max_length=100)]
#: Empty rows offered for new assumptions under the target customer's form.
SPARE_ROWS: Final = 3
DONE: Final = {
    "saved": "Saved as a new version.",
    "created": "Created. Fill it in and save.",
    "restored": "The earlier version is the newest version now.",
    "deleted": "Deleted with its history.",
}


def _text(form: FormData, key: str, most: int = 20_000) -> str:
    value = form.get(key)
    return value[:most] if isinstance(value, str) else ""


def _version(form: FormData) -> int | None:
    value = _text(form, "version", 20).strip()
    return int(value) if value.isdigit() and int(value) < 2**31 else None


def field_errors(invalid: DocumentInvalid) -> dict[str, str]:
    """Errors by field without the ``body.`` prefix; a bullet's error under its list
    (``questions[0].why[3]`` → ``questions[0].why``)."""
    found: dict[str, str] = {}
    for error in invalid.errors:
        field = error.field.removeprefix("body.")
        in_list = field.endswith("]") and not field.startswith("questions[")
        if in_list or field.count("[") == 2:
            field = field.rsplit("[", 1)[0]
        found.setdefault(field, error.message)
    return found


# --- core questions --------------------------------------------------------------------


def _core_values(found: StrategyDocument | None) -> list[dict[str, str]]:
    if found is None:
        return [{"question": "", "why": "", "how": ""} for _ in range(QUESTIONS)]
    return [
        {"question": q.question, "why": "\n".join(q.why), "how": "\n".join(q.how)}
        for q in found.body.questions  # type: ignore[union-attr]
    ]


def _core_page(
    request: Request,
    principal: Principal,
    *,
    values: list[dict[str, str]] | None = None,
    version: int | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        found = find_document(connection, CORE_QUESTIONS)
    context = {
        "found": found,
        "values": values if values is not None else _core_values(found),
        "version": version if version is not None else (found.version if found else None),
        "errors": errors or {},
        "error": error,
        "message": DONE.get(request.query_params.get("done", "")),
        "may_write": principal.may("understanding:write"),
        "fewest": FEWEST_BULLETS,
        "most": MOST_BULLETS,
    }
    return render(request, "core_questions.html", context, status_code=status_code)


@router.get("/core-questions", response_class=HTMLResponse)
def core_questions(request: Request, principal: Reader) -> HTMLResponse:
    return _core_page(request, principal)


@router.post("/core-questions", response_model=None)
async def save_core(request: Request, principal: Writer) -> Response:
    form = await request.form()
    values = [
        {
            "question": _text(form, f"question_{n}", 1000),
            "why": _text(form, f"why_{n}"),
            "how": _text(form, f"how_{n}"),
        }
        for n in range(QUESTIONS)
    ]
    body = {
        "questions": [
            {"question": v["question"], "why": lines(v["why"]), "how": lines(v["how"])}
            for v in values
        ]
    }
    version = _version(form)
    try:
        with request.app.state.engine.begin() as connection:
            save_core_questions(
                connection,
                body,
                version=version,
                now=clock(request),
                actor=actor_of(request, principal),
            )
    except DocumentInvalid as invalid:
        return _core_page(
            request,
            principal,
            values=values,
            version=version,
            errors=field_errors(invalid),
            error="Nothing was saved; see the marked boxes.",
            status_code=422,
        )
    except StaleVersion as stale:
        said = (
            f"Not saved: somebody saved version {stale.current} since you opened version "
            f"{stale.seen}. Your text is kept below; check the history, then save again to "
            "replace the newest version with it."
        )
        return _core_page(
            request, principal, values=values, version=stale.current, error=said, status_code=409
        )
    return RedirectResponse("/core-questions?done=saved", status_code=303)


@router.get("/core-questions/print", response_class=HTMLResponse)
def print_core(request: Request, principal: Reader) -> HTMLResponse:
    """The three questions with their boxes on one printable page."""
    with request.app.state.engine.connect() as connection:
        found = find_document(connection, CORE_QUESTIONS)
    if found is None:
        raise Problem(404, "the core questions have not been written yet")
    return render(request, "core_questions_print.html", {"found": found})


@router.get("/core-questions.pdf", response_class=Response)
def core_pdf(request: Request, principal: Reader) -> Response:
    name = workspace_name(request.app.state.engine)
    try:
        with request.app.state.engine.connect() as connection:
            return core_questions_download(connection, name)
    except LookupError:
        raise Problem(404, "the core questions have not been written yet") from None


@router.get("/core-questions/history", response_class=HTMLResponse)
def core_history(request: Request, principal: Reader, version: Shown = None) -> HTMLResponse:
    return history_page(request, principal, CORE_QUESTIONS, "/core-questions", version)


@router.post("/core-questions/restore", response_model=None)
async def core_restore(request: Request, principal: Writer) -> Response:
    return await _restore(request, principal, CORE_QUESTIONS, "/core-questions")


# --- restore (shared) ------------------------------------------------------------------


async def _restore(request: Request, principal: Principal, slug: str, base: str) -> Response:
    form = await request.form()
    restored = _text(form, "restored", 20).strip()
    seen = _version(form)
    if not restored.isdigit() or int(restored) >= 2**31 or seen is None:
        errors = [{"field": "restored", "message": "choose a version to restore"}]
        raise Problem(422, "restored: choose a version to restore", errors=errors)
    try:
        with request.app.state.engine.begin() as connection:
            restore_document(
                connection,
                slug,
                int(restored),
                version=seen,
                now=clock(request),
                actor=actor_of(request, principal),
            )
    except LookupError as error:
        raise Problem(404, str(error.args[0])) from None
    except StaleVersion as stale:
        errors = [{"field": "version", "message": str(stale)}]
        raise Problem(409, str(stale), errors=errors) from None
    return RedirectResponse(f"{base}?done=restored", status_code=303)


# --- SWOT, PEST and the target customer ------------------------------------------------


def _list_page(
    request: Request,
    principal: Principal,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        documents = [d for d in list_documents(connection) if d.kind != "core_questions"]
    context = {
        "documents": documents,
        "kinds": {kind: KIND_TITLES[kind] for kind in ("swot", "pest", "target_customer")},
        "lists": LISTS,
        "values": values or {},
        "errors": errors or {},
        "message": DONE.get(request.query_params.get("done", "")),
        "may_write": principal.may("understanding:write"),
    }
    return render(request, "strategy_list.html", context, status_code=status_code)


@router.get("/strategy", response_class=HTMLResponse)
def strategy(request: Request, principal: Reader) -> HTMLResponse:
    return _list_page(request, principal)


@router.post("/strategy", response_model=None)
async def create(request: Request, principal: Writer) -> Response:
    form = await request.form()
    kind = _text(form, "kind", 40)
    values = {
        "kind": kind,
        "title": _text(form, "title", 300),
        "definition": _text(form, "definition"),
    }
    body: dict[str, Any] = {}
    if kind == "target_customer":
        body = {"definition": values["definition"]}
    fields: dict[str, Any] = {"kind": kind, "body": body}
    if values["title"].strip():
        fields["title"] = values["title"]
    try:
        with request.app.state.engine.begin() as connection:
            found = create_document(
                connection, fields, now=clock(request), actor=actor_of(request, principal)
            )
    except DocumentInvalid as invalid:
        errors = field_errors(invalid)
        return _list_page(request, principal, values=values, errors=errors, status_code=422)
    return RedirectResponse(f"/strategy/{found.slug}?done=created", status_code=303)


def _document_values(found: StrategyDocument) -> dict[str, Any]:
    body = found.body.document()
    values: dict[str, Any] = {"title": found.title}
    if found.kind in LISTS:
        for key, _heading in LISTS[found.kind]:
            values[key] = "\n".join(body[key])
    else:
        values["definition"] = body["definition"]
        values["criteria"] = "\n".join(body["criteria"])
        values["assumptions"] = [
            {"assumption": a["assumption"], "how_we_know": a["how_we_know"]}
            for a in body["assumptions"]
        ]
    return values


def _document_page(
    request: Request,
    principal: Principal,
    slug: str,
    *,
    values: dict[str, Any] | None = None,
    version: int | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    try:
        with request.app.state.engine.connect() as connection:
            found = get_document(connection, slug)
    except LookupError as missing:
        raise Problem(404, str(missing.args[0])) from None
    if found.kind == "core_questions":
        raise Problem(404, "the core questions are at /core-questions")
    shown = values if values is not None else _document_values(found)
    if found.kind == "target_customer":
        shown["rows"] = [*shown["assumptions"], *({} for _ in range(SPARE_ROWS))]
    context = {
        "found": found,
        "values": shown,
        "version": version or found.version,
        "lists": LISTS.get(found.kind, ()),
        "errors": errors or {},
        "error": error,
        "message": DONE.get(request.query_params.get("done", "")),
        "may_write": principal.may("understanding:write"),
    }
    return render(request, "strategy_document.html", context, status_code=status_code)


@router.get("/strategy/{slug}", response_class=HTMLResponse)
def document(request: Request, principal: Reader, slug: Slug) -> HTMLResponse:
    return _document_page(request, principal, slug)


def _posted(kind: str, form: FormData) -> tuple[dict[str, Any], dict[str, Any]]:
    """The values as typed (to show again) and the body they make."""
    values: dict[str, Any] = {"title": _text(form, "title", 300)}
    if kind in LISTS:
        for key, _heading in LISTS[kind]:
            values[key] = _text(form, key)
        return values, {key: lines(values[key]) for key, _heading in LISTS[kind]}
    values["definition"] = _text(form, "definition")
    values["criteria"] = _text(form, "criteria")
    rows = []
    for n in range(200):
        if f"assumption_{n}" not in form:
            break
        row = {
            "assumption": _text(form, f"assumption_{n}", 1000).strip(),
            "how_we_know": _text(form, f"how_we_know_{n}", 1000).strip(),
        }
        if row["assumption"] or row["how_we_know"]:
            rows.append(row)
    values["assumptions"] = rows
    body = {
        "definition": values["definition"],
        "criteria": lines(values["criteria"]),
        "assumptions": rows,
    }
    return values, body


@router.post("/strategy/{slug}", response_model=None)
async def save(request: Request, principal: Writer, slug: Slug) -> Response:
    form = await request.form()
    try:
        with request.app.state.engine.connect() as connection:
            kind = get_document(connection, slug).kind
    except LookupError as missing:
        raise Problem(404, str(missing.args[0])) from None
    values, body = _posted(kind, form)
    version = _version(form) or 0
    try:
        with request.app.state.engine.begin() as connection:
            save_document(
                connection,
                slug,
                body,
                version=version,
                title=values["title"],
                now=clock(request),
                actor=actor_of(request, principal),
            )
    except DocumentInvalid as invalid:
        return _document_page(
            request,
            principal,
            slug,
            values=values,
            version=version,
            errors=field_errors(invalid),
            error="Nothing was saved; see the marked fields.",
            status_code=422,
        )
    except StaleVersion as stale:
        said = (
            f"Not saved: somebody saved version {stale.current} since you opened version "
            f"{stale.seen}. Your text is kept below; check the history, then save again to "
            "replace the newest version with it."
        )
        return _document_page(
            request,
            principal,
            slug,
            values=values,
            version=stale.current,
            error=said,
            status_code=409,
        )
    return RedirectResponse(f"/strategy/{slug}?done=saved", status_code=303)


@router.get("/strategy/{slug}/history", response_class=HTMLResponse)
def history(request: Request, principal: Reader, slug: Slug, version: Shown = None) -> HTMLResponse:
    return history_page(request, principal, slug, f"/strategy/{slug}", version)


@router.post("/strategy/{slug}/restore", response_model=None)
async def restore(request: Request, principal: Writer, slug: Slug) -> Response:
    return await _restore(request, principal, slug, f"/strategy/{slug}")


@router.post("/strategy/{slug}/delete", response_model=None)
async def delete(request: Request, principal: Writer, slug: Slug) -> Response:
    form = await request.form()
    if _text(form, "confirm", 10) != "yes":
        said = "Tick the confirmation to delete it and its history."
        return _document_page(request, principal, slug, error=said, status_code=422)
    try:
        with request.app.state.engine.begin() as connection:
            delete_document(
                connection, slug, now=clock(request), actor=actor_of(request, principal)
            )
    except LookupError as missing:
        raise Problem(404, str(missing.args[0])) from None
    return RedirectResponse("/strategy?done=deleted", status_code=303)


__all__ = ["router"]
