"""The scoring model page: the active file, its history and diffs, an editor with checks.

Validate and Preview answer an htmx request with the result fragment alone
and a plain form post with the whole page; Activate and rollback need a
ticked confirmation, then redirect back to ``/model``.  Thin adapters over
``services/model_preview.py`` and ``services/model_versions.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silverplatter.services.model_history import model_source
from silverplatter.services.model_preview import (
    ModelPreview,
    SourceError,
    SourceInvalid,
    check_source,
    preview_source,
    preview_version,
    stage_label,
)
from silverplatter.services.model_versions import (
    HistoryEntry,
    activate_source,
    roll_back,
    source_diff,
    version_history,
)
from silverplatter.services.scoring_models import active_model
from silverplatter.services.sessions import Principal
from silverplatter.web.problems import Problem
from silverplatter.web.security import actor_of, clock, requires
from silverplatter.web.templating import render

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, Depends(requires("model:read"))]
Writer = Annotated[Principal, Depends(requires("model:write"))]
SourceField = Annotated[str, Form(max_length=200_000)]
Confirm = Annotated[str, Form()]
CONFIRMED = "yes"
VersionNumber = Annotated[int, Path(ge=1, le=2**31 - 1)]
Number = Annotated[int | None, Query(ge=1, le=2**31 - 1)]


@dataclass(frozen=True, slots=True)
class ListingLine:
    number: int
    text: str
    errors: tuple[str, ...]


def listing(source: str, errors: Sequence[SourceError] = ()) -> list[ListingLine]:
    """The file's lines, numbered, each with the errors found on it."""
    by_line: dict[int, list[str]] = {}
    for error in errors:
        if error.line:
            by_line.setdefault(error.line, []).append(f"{error.field}: {error.message}")
    return [
        ListingLine(number, text, tuple(by_line.get(number, ())))
        for number, text in enumerate(source.splitlines() or [""], start=1)
    ]


def _typed(source: str) -> str:
    """A textarea's text as typed: browsers send its line ends as CR LF."""
    return source.replace("\r\n", "\n")


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _history(request: Request) -> list[HistoryEntry]:
    with request.app.state.engine.connect() as connection:
        return version_history(connection)


def _page(
    request: Request,
    principal: Principal,
    *,
    source: str | None = None,
    result: dict[str, Any] | None = None,
    status_code: int = 200,
    message: str | None = None,
) -> HTMLResponse:
    with request.app.state.engine.begin() as connection:
        active = active_model(connection, now=clock(request))
    context = {
        "active": active,
        "active_name": active.model.model.name,
        "active_listing": listing(active.source),
        "history": _history(request),
        "source": active.source if source is None else source,
        "may_edit": principal.may("model:write"),
        "result": result,
        "message": message,
        "stage_label": stage_label,
    }
    return render(request, "model_page.html", context, status_code=status_code)


def _result(
    request: Request, principal: Principal, source: str, result: dict[str, Any], status: int = 200
) -> HTMLResponse:
    """The result fragment for htmx; the whole page, editor filled in, for a plain post.

    htmx swaps only 2xx answers in, so the fragment is always a 200.
    """
    if _is_htmx(request):
        context = {"result": result, "stage_label": stage_label}
        return render(request, "model_result.html", context)
    return _page(request, principal, source=source, result=result, status_code=status)


def _errors_result(source: str, errors: list[SourceError]) -> dict[str, Any]:
    return {"kind": "errors", "errors": errors, "listing": listing(source, errors)}


def _preview_result(preview: ModelPreview, heading: str) -> dict[str, Any]:
    return {"kind": "preview", "preview": preview, "heading": heading}


@router.get("/model", response_class=HTMLResponse)
def model_page(
    request: Request,
    principal: Reader,
    activated: Number = None,
    changed: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
) -> HTMLResponse:
    message = None
    if activated is not None:
        message = f"Version {activated} is active; every contact was recomputed"
        if changed is not None:
            message += f" and {changed} changed stage"
        message += "."
    return _page(request, principal, message=message)


@router.get("/model/versions/{version}", response_class=HTMLResponse)
def version_page(request: Request, version: VersionNumber, principal: Reader) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        try:
            source = model_source(connection, version)
        except LookupError:
            raise Problem(404, f"there is no scoring model version {version}") from None
        history = version_history(connection)
    entry = next(item for item in history if item.version == version)
    context = {
        "entry": entry,
        "listing": listing(source),
        "active_version": next((item.version for item in history if item.active), None),
        "may_edit": principal.may("model:write"),
    }
    return render(request, "model_version.html", context)


@router.get("/model/diff", response_class=HTMLResponse)
def diff_page(
    request: Request,
    _: Reader,
    old: Number = None,
    new: Number = None,
) -> HTMLResponse:
    """Two versions side by side as changed lines; defaults: the active one and its previous."""
    history = _history(request)
    numbers = [entry.version for entry in history]
    active = next((entry.version for entry in history if entry.active), None)
    new = new or active or (numbers[0] if numbers else None)
    if old is None and new is not None:
        old = max((number for number in numbers if number < new), default=new)
    if old not in numbers or new not in numbers:
        raise Problem(404, "choose two saved versions to compare")
    with request.app.state.engine.connect() as connection:
        lines = source_diff(model_source(connection, old), model_source(connection, new))
    context = {"old": old, "new": new, "numbers": numbers, "lines": lines}
    return render(request, "model_diff.html", context)


@router.post("/model/validate", response_class=HTMLResponse)
def validate(request: Request, principal: Writer, source: SourceField) -> HTMLResponse:
    source = _typed(source)
    errors = check_source(source)
    result = _errors_result(source, errors) if errors else {"kind": "valid"}
    return _result(request, principal, source, result, 422 if errors else 200)


@router.post("/model/preview", response_class=HTMLResponse)
def preview(request: Request, principal: Writer, source: SourceField) -> HTMLResponse:
    source = _typed(source)
    try:
        found = preview_source(request.app.state.engine, source, now=clock(request))
    except SourceInvalid as invalid:
        return _result(request, principal, source, _errors_result(source, invalid.errors), 422)
    result = _preview_result(found, "If you activate this file now")
    return _result(request, principal, source, result)


@router.post("/model/activate", response_model=None)
def activate(
    request: Request, principal: Writer, source: SourceField, confirm: Confirm = ""
) -> Response:
    source = _typed(source)
    if confirm != CONFIRMED:
        result = {"kind": "unconfirmed"}
        return _page(request, principal, source=source, result=result, status_code=422)
    actor = actor_of(request, principal)
    try:
        with request.app.state.engine.begin() as connection:
            done = activate_source(connection, source, now=clock(request), actor=actor)
    except SourceInvalid as invalid:
        result = _errors_result(source, invalid.errors)
        return _page(request, principal, source=source, result=result, status_code=422)
    target = f"/model?activated={done.model_version}&changed={done.stage_changes}"
    return RedirectResponse(target, status_code=303)


@router.post("/model/versions/{version}/preview", response_class=HTMLResponse)
def preview_rollback(request: Request, version: VersionNumber, _: Writer) -> HTMLResponse:
    try:
        found = preview_version(request.app.state.engine, version, now=clock(request))
    except LookupError:
        raise Problem(404, f"there is no scoring model version {version}") from None
    result = _preview_result(found, f"If you make version {version} active again now")
    return render(request, "model_result.html", {"result": result, "stage_label": stage_label})


@router.post("/model/versions/{version}/activate", response_model=None)
def rollback(
    request: Request, version: VersionNumber, principal: Writer, confirm: Confirm = ""
) -> Response:
    if confirm != CONFIRMED:
        raise Problem(422, "tick the confirmation to make this version active again")
    actor = actor_of(request, principal)
    try:
        with request.app.state.engine.begin() as connection:
            done = roll_back(connection, version, now=clock(request), actor=actor)
    except LookupError:
        raise Problem(404, f"there is no scoring model version {version}") from None
    target = f"/model?activated={done.model_version}&changed={done.stage_changes}"
    return RedirectResponse(target, status_code=303)
