"""Public form endpoints: the definition, submissions, the embed script, the opt-in link.

``GET /capture/forms/{slug}`` gives the form as JSON and ``POST`` takes a
submission as JSON or a form post, answering ``{"status": "ok", "message",
"download_url"?}`` or a 422 problem whose ``errors`` name each field for
inline display.  A browser on another site may use them only from one of the
form's allowed origins: the request's ``Origin`` is echoed in
``Access-Control-Allow-Origin`` (preflights included), any other origin gets
a 403 naming it.  Submissions are rate-limited per address and per (address,
form).  ``GET /capture/forms/{slug}/embed.js`` is the script that renders a
form into ``<div data-silverplatter-form="slug">``, and
``GET /capture/opt-in/{token}`` is the link of the confirmation mail.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from silverplatter.domain.forms import HONEYPOT, InvalidSubmission, origin_allowed
from silverplatter.services.form_submission import (
    FormNotOpen,
    SubmissionOutcome,
    confirm_opt_in,
    submit,
)
from silverplatter.services.forms import Form, find_form
from silverplatter.services.signing import InvalidLink, signer_for
from silverplatter.settings import Settings
from silverplatter.web.problems import Problem
from silverplatter.web.rate_limit import Limiter, RateLimiter
from silverplatter.web.security import client_ip

router = APIRouter(prefix="/capture", tags=["capture"])

EMBED: Final = Path(__file__).resolve().parents[1] / "static" / "form-embed.js"
MAX_BODY: Final = 64 * 1024
#: Submissions per minute from one address to one form, and to all forms.
PER_FORM: Final = 5
PER_ADDRESS: Final = 20
WINDOW: Final = 60.0
PREFLIGHT: Final = {
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "600",
}
SUBMIT_LABELS: Final = {"hard": "Send request", "soft": "Subscribe", "magnet": "Get the download"}


@dataclass
class FormLimits:
    """The submission rate limits of the web process (or of all of a server's processes)."""

    per_form: Limiter
    per_address: Limiter


def form_limits(application: FastAPI) -> FormLimits:
    """The app's submission limiters (``application.state.form_limits``), made on first use."""
    found: FormLimits | None = getattr(application.state, "form_limits", None)
    if found is None:
        found = FormLimits(RateLimiter(PER_FORM, WINDOW), RateLimiter(PER_ADDRESS, WINDOW))
        application.state.form_limits = found
    return found


def _open_form(request: Request, slug: str) -> Form:
    with request.app.state.engine.connect() as connection:
        form = find_form(connection, slug)
    if form is None or not form.definition.active:
        raise Problem(
            404,
            f"there is no open form {slug!r}",
            headers={"Access-Control-Allow-Origin": "*"},
        )
    return form


def _cors(request: Request, form: Form) -> dict[str, str]:
    """CORS headers for an allowed origin; a 403 naming any other; none without an origin."""
    origin = request.headers.get("origin")
    if origin is None:
        return {"Vary": "Origin"}
    if origin_allowed(origin, form.definition.allowed_origins):
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    message = (
        f"{origin} is not one of the origins allowed to use the form {form.slug}; "
        "add it to the form's allowed origins"
    )
    raise Problem(403, message, errors=[{"field": "origin", "message": message}])


def public_definition(form: Form, settings: Settings) -> dict[str, Any]:
    """What a page needs to show the form; nothing about where answers are kept."""
    definition = form.definition
    label = "magnet" if form.lead_magnet_id and form.lead_magnet_active else definition.cta_kind
    return {
        "slug": definition.slug,
        "name": definition.name,
        "action": f"{settings.public_url.rstrip('/')}/capture/forms/{definition.slug}",
        "fields": [
            {key: value for key, value in item.document().items() if key != "property"}
            for item in definition.fields
        ],
        "questions": [
            {key: value for key, value in question.document().items() if key != "property"}
            for question in definition.questions
        ],
        "consent": {"wording": definition.consent_wording, "version": form.wording_version},
        "cta_kind": definition.cta_kind,
        "lead_magnet": {"title": form.lead_magnet_title} if label == "magnet" else None,
        "double_opt_in": definition.double_opt_in,
        "honeypot": HONEYPOT,
        "submit_label": SUBMIT_LABELS[label],
    }


@router.options("/forms/{slug}", include_in_schema=False)
def form_preflight(request: Request, slug: str) -> Response:
    """Answer a browser's preflight for an allowed origin."""
    headers = _cors(request, _open_form(request, slug))
    return Response(status_code=204, headers={**headers, **PREFLIGHT})


@router.get("/forms/{slug}", summary="A form's definition, to render it")
def form_definition(request: Request, slug: str) -> JSONResponse:
    """The form's fields, questions and consent wording as JSON."""
    form = _open_form(request, slug)
    headers = _cors(request, form)
    return JSONResponse(public_definition(form, request.app.state.settings), headers=headers)


async def _payload(request: Request, headers: dict[str, str]) -> dict[str, Any]:
    """The submission as a dict: JSON, or a form post whose repeated keys become lists."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise Problem(413, f"body: at most {MAX_BODY // 1024} kB", headers=headers)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("application/json", "text/plain", ""):
        body = await request.body()
        if len(body) > MAX_BODY:
            raise Problem(413, f"body: at most {MAX_BODY // 1024} kB", headers=headers)
        try:
            data = json.loads(body or b"{}")
        except (ValueError, UnicodeDecodeError):
            data = None
        if not isinstance(data, dict):
            raise Problem(
                400,
                "body: expected a JSON object of field names and values",
                errors=[{"field": "body", "message": "expected a JSON object"}],
                headers=headers,
            )
        return data
    if kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        payload: dict[str, Any] = {}
        for key in form:
            values = [value for value in form.getlist(key) if isinstance(value, str)]
            payload[key] = values[0] if len(values) == 1 else values
        return payload
    raise Problem(415, "send the form as application/json or a form post", headers=headers)


def _limit(request: Request, slug: str, headers: dict[str, str]) -> None:
    limits = form_limits(request.app)
    address = client_ip(request) or "unknown"
    at = request.app.state.clock().timestamp()
    wait = limits.per_form.hit(f"{address} {slug}", at)
    if wait is None:
        wait = limits.per_address.hit(address, at)
    if wait is not None:
        seconds = max(1, math.ceil(wait))
        raise Problem(
            429,
            f"too many submissions from your address; try again in {seconds} s",
            headers={**headers, "Retry-After": str(seconds)},
        )


def _wake(state: Any, *, scorer: bool, courier: bool) -> None:
    """Tell the backlog scorer and the mail courier there is work (when they run here)."""
    for wanted, name in ((scorer, "scorer"), (courier, "courier")):
        worker = getattr(state, name, None)
        if wanted and worker is not None:
            worker.wake()


def _accept(request: Request, slug: str, payload: Mapping[str, Any]) -> SubmissionOutcome:
    state = request.app.state
    settings: Settings = state.settings
    visitor = payload.get("visitor_id")
    with state.engine.begin() as connection:
        outcome = submit(
            connection,
            slug,
            payload,
            ip=client_ip(request),
            visitor_id=visitor if isinstance(visitor, str) else None,
            now=state.clock(),
            signer=signer_for(connection, settings),
            public_url=settings.public_url,
            defer_scoring=True,
        )
    _wake(state, scorer=outcome.submission_id is not None, courier=outcome.mail == "queued")
    return outcome


@router.post(
    "/forms/{slug}",
    summary="Submit a form",
    responses={
        403: {"description": "the request's origin may not use this form"},
        422: {"description": "answers are missing or invalid; `errors` names each field"},
        429: {"description": "too many submissions from this address"},
    },
)
async def form_submit(request: Request, slug: str) -> JSONResponse:
    """A submission as JSON or a form post; the success message, and a download link if any."""
    form = await run_in_threadpool(_open_form, request, slug)
    headers = _cors(request, form)
    # in the thread pool: a server's shared limits are a (short) file write
    await run_in_threadpool(_limit, request, slug, headers)
    payload = await _payload(request, headers)
    try:
        outcome = await run_in_threadpool(_accept, request, slug, payload)
    except InvalidSubmission as invalid:
        errors = [{"field": error.field, "message": error.message} for error in invalid.errors]
        detail = f"{errors[0]['field']}: {errors[0]['message']}"
        if len(errors) > 1:
            detail += f" (and {len(errors) - 1} more)"
        raise Problem(422, detail, errors=errors, headers=headers) from None
    except FormNotOpen as closed:
        raise Problem(404, str(closed), headers=headers) from None
    answer: dict[str, Any] = {"status": "ok", "message": outcome.message}
    if outcome.download_url:
        answer["download_url"] = outcome.download_url
    return JSONResponse(answer, headers=headers)


@cache
def _embed_source() -> str:
    return EMBED.read_text(encoding="utf-8")


def embed_script(public_url: str) -> str:
    """The embed script with the app's address filled in."""
    return _embed_source().replace("__SP_URL__", public_url.rstrip("/"))


@router.get("/forms/{slug}/embed.js", summary="The script that renders forms on a page")
def form_embed(request: Request, slug: str) -> Response:
    """Renders every ``<div data-silverplatter-form="…">`` of the page it is loaded on."""
    del slug  # one script renders any form; the slug in the path keeps embed codes readable
    settings: Settings = request.app.state.settings
    return Response(
        embed_script(settings.public_url),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300"},
    )


def _page(request: Request, status: int, context: dict[str, Any]) -> HTMLResponse:
    templates = request.app.state.templates
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request, "capture_opt_in.html", context, status_code=status
    )


@router.get("/opt-in/{token}", response_class=HTMLResponse, include_in_schema=False)
def opt_in(request: Request, token: str) -> HTMLResponse:
    """The confirmation link: confirms the subscription once, then says it already is."""
    state = request.app.state
    settings: Settings = state.settings
    try:
        with state.engine.begin() as connection:
            outcome = confirm_opt_in(
                connection,
                token,
                now=state.clock(),
                signer=signer_for(connection, settings),
                ip=client_ip(request),
                public_url=settings.public_url,
                defer_scoring=True,
            )
    except InvalidLink as refused:
        return _page(
            request,
            410 if refused.expired else 400,
            {"confirmed": False, "expired": refused.expired, "reason": str(refused)},
        )
    _wake(state, scorer=not outcome.already_confirmed, courier=False)
    return _page(
        request,
        200,
        {
            "confirmed": True,
            "already": outcome.already_confirmed,
            "form_name": outcome.form_name,
            "download_url": outcome.download_url,
        },
    )


__all__ = ["FormLimits", "embed_script", "form_limits", "public_definition", "router"]
