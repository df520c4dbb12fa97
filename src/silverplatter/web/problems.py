"""Errors as ``application/problem+json`` (RFC 9457) for the API, pages for the UI.

Every API error has the same shape: ``type``, ``title``, ``status``, ``detail``
and, when the client sent something wrong, ``errors`` — a list of
``{"field": "events[3].occurred_at", "message": "..."}`` naming each field.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from silverplatter.services.users import UserError
from silverplatter.storage.contention import is_contention

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"

#: Seconds a client is asked to wait before sending again while the database is busy.
BUSY_RETRY_AFTER = 2

_TITLES = {
    400: "Bad request",
    401: "Sign-in required",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Server error",
    503: "Unavailable",
}


class Problem(Exception):
    """Raised by an adapter to answer with a problem; ``errors`` name fields."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: Sequence[dict[str, str]] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = list(errors)
        self.headers = headers or {}


def field_problem(field: str, message: str, status: int = 422) -> Problem:
    return Problem(status, f"{field}: {message}", errors=[{"field": field, "message": message}])


class SignInRequired(Exception):
    """No valid session or token."""


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def problem_body(status: int, detail: str, errors: Sequence[dict[str, str]] = ()) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = list(errors)
    return body


def problem_response(
    status: int,
    detail: str,
    errors: Sequence[dict[str, str]] = (),
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        problem_body(status, detail, errors),
        status_code=status,
        media_type=PROBLEM,
        headers=headers,
    )


def field_name(location: Sequence[int | str]) -> str:
    """``("body", "events", 3, "type")`` → ``events[3].type``."""
    parts = list(location)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        parts = parts[1:]
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or str(location[0] if location else "request")


def _error_page(request: Request, status: int, detail: str) -> Response:
    templates = request.app.state.templates
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "error.html",
        {"status": status, "title": _TITLES.get(status, "Error"), "detail": detail},
        status_code=status,
    )


def _answer(
    request: Request,
    status: int,
    detail: str,
    errors: Sequence[dict[str, str]] = (),
    headers: dict[str, str] | None = None,
) -> Response:
    if is_api(request) or "text/html" not in request.headers.get("accept", ""):
        return problem_response(status, detail, errors, headers)
    response = _error_page(request, status, detail)
    response.headers.update(headers or {})
    return response


def install(application: FastAPI) -> None:
    """Register the handlers that turn every error into a problem or an error page."""

    @application.exception_handler(Problem)
    async def _problem(request: Request, error: Problem) -> Response:
        return _answer(request, error.status, error.detail, error.errors, error.headers)

    @application.exception_handler(UserError)
    async def _user_error(request: Request, error: UserError) -> Response:
        errors = [{"field": error.field, "message": error.message}]
        return _answer(request, 422, str(error), errors)

    @application.exception_handler(SignInRequired)
    async def _sign_in(request: Request, error: SignInRequired) -> Response:
        if is_api(request):
            return problem_response(
                401,
                "send a session cookie or an 'Authorization: Bearer <token>' header",
                headers={"WWW-Authenticate": "Bearer"},
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @application.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        errors = [
            {"field": field_name(item.get("loc", ())), "message": str(item.get("msg", ""))}
            for item in error.errors()
        ]
        first = errors[0] if errors else {"field": "request", "message": "invalid"}
        detail = f"{first['field']}: {first['message']}"
        if len(errors) > 1:
            detail += f" (and {len(errors) - 1} more)"
        return _answer(request, 422, detail, errors)

    @application.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        detail = error.detail if isinstance(error.detail, str) else _TITLES.get(error.status_code)
        headers = dict(error.headers or {})
        return _answer(request, error.status_code, detail or "error", (), headers)

    @application.exception_handler(DBAPIError)
    async def _database(request: Request, error: DBAPIError) -> Response:
        if not is_contention(error):
            raise error  # a server error, answered and logged as every other one
        log.warning(
            "%s %s: the database was busy: %s", request.method, request.url.path, error.orig
        )
        # The statement's transaction was rolled back; a request that commits in steps may
        # have kept the steps before it, so the words promise no more than that.
        detail = (
            "the workspace's database is busy with other work (a recompute or an import "
            "can hold it for a while) and the request could not finish; try again in a moment"
        )
        return _answer(request, 503, detail, (), {"Retry-After": str(BUSY_RETRY_AFTER)})

    @application.exception_handler(Exception)
    async def _crash(request: Request, error: Exception) -> Response:
        detail = "something went wrong on our side; the error was logged"
        if is_api(request):
            return problem_response(500, detail)
        return HTMLResponse(f"<h1>Server error</h1><p>{detail}</p>", status_code=500)
