"""The public tracking endpoints: the snippet ``GET /capture/track.js`` and ``POST /capture/t``.

``POST /capture/t`` takes one page view (or ``{"views": [...]}``, at most 50)
as JSON in any content type — the snippet sends ``text/plain`` with
``navigator.sendBeacon`` so that no CORS preflight is needed.  Bots and
browsers that ask not to be tracked (``DNT: 1``, ``Sec-GPC: 1``) get a 204
and nothing is stored; they are counted.  A valid view is answered with 204
only once it is committed: the request hands it to the process's group
commit (``services/group_commit.py``), which writes everything pending in
one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Final

from fastapi import APIRouter, FastAPI, Request, Response
from pydantic import ValidationError
from sqlalchemy import Engine
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from silverplatter.domain.traffic import is_bot
from silverplatter.services.group_commit import Busy, GroupCommit
from silverplatter.services.scoring_backlog import BacklogScorer
from silverplatter.services.tracking import (
    PageView,
    PageViewBatch,
    PageViewInput,
    prepare,
    record_page_views,
)
from silverplatter.settings import Settings
from silverplatter.web.problems import PROBLEM, Problem, field_name, problem_body
from silverplatter.web.rate_limit import RateLimiter

router = APIRouter(prefix="/capture", tags=["capture"])

SNIPPET: Final = Path(__file__).resolve().parents[1] / "static" / "track.js"
#: The largest request body taken: 50 views of long addresses fit easily.
MAX_BODY: Final = 64 * 1024
CORS: Final = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "86400",
}


@dataclass
class Dropped:
    """Views not stored since the process started, by why (bots are not kept anywhere)."""

    since: datetime
    bots: int = 0
    declined: int = 0  # Do-Not-Track or Global Privacy Control
    limited: int = 0  # over the per-address rate limit


@dataclass
class Tracking:
    """The tracking endpoint's state in one web process."""

    writer: GroupCommit[PageView]
    limiter: RateLimiter | None
    dropped: Dropped


def _write(
    engine: Engine, settings: Settings, clock: Callable[[], datetime], scorer: BacklogScorer | None
) -> Callable[[Sequence[PageView]], None]:
    """One group's transaction; the scorer is woken when views joined a contact."""

    def write(views: Sequence[PageView]) -> None:
        with engine.begin() as connection:
            recorded = record_page_views(connection, views, now=clock(), settings=settings)
        if (recorded.identified or recorded.stitched) and scorer is not None:
            scorer.wake()

    return write


def tracking_of(application: FastAPI) -> Tracking:
    """The app's tracking state, made on first use."""
    state = application.state
    found: Tracking | None = getattr(state, "tracking", None)
    if found is None:
        settings: Settings = state.settings
        limit = settings.tracking_rate_limit
        found = Tracking(
            writer=GroupCommit(
                _write(state.engine, settings, state.clock, getattr(state, "scorer", None))
            ),
            limiter=RateLimiter(limit=limit, window=60.0) if limit else None,
            dropped=Dropped(since=state.clock()),
        )
        state.tracking = found
    return found


def _views(body: bytes) -> list[PageViewInput]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise Problem(
            400,
            'body: expected a JSON page view or {"views": [...]}',
            errors=[{"field": "body", "message": f"not JSON: {error}"}],
            headers=CORS,
        ) from error
    try:
        if isinstance(data, dict) and "views" in data:
            return PageViewBatch.model_validate(data).views
        return [PageViewInput.model_validate(data)]
    except ValidationError as error:
        errors = [
            {"field": field_name(["body", *item["loc"]]), "message": item["msg"]}
            for item in error.errors()
        ]
        detail = f"{errors[0]['field']}: {errors[0]['message']}"
        if len(errors) > 1:
            detail += f" (and {len(errors) - 1} more)"
        raise Problem(422, detail, errors=errors, headers=CORS) from error


def screened(tracking: Tracking, headers: Headers) -> bool:
    """Whether the request is dropped unread: a bot, or a browser asking not to be tracked."""
    if is_bot(headers.get("user-agent")):
        tracking.dropped.bots += 1
        return True
    if headers.get("dnt") == "1" or headers.get("sec-gpc") == "1":
        tracking.dropped.declined += 1
        return True
    return False


def _too_large(headers: Headers) -> Problem | None:
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return Problem(413, f"body: at most {MAX_BODY // 1024} kB", headers=CORS)
    return None


async def accept(
    application: FastAPI, tracking: Tracking, body: bytes, address: str | None
) -> None:
    """Check, limit, classify and store the views of one request; a ``Problem`` if not stored."""
    if len(body) > MAX_BODY:
        raise Problem(413, f"body: at most {MAX_BODY // 1024} kB", headers=CORS)
    views = _views(body)
    clock = application.state.clock
    if tracking.limiter is not None:
        at = clock().timestamp()
        for _view in views:
            wait = tracking.limiter.hit(address or "unknown", at)
            if wait is not None:
                tracking.dropped.limited += 1
                raise Problem(
                    429,
                    "too many page views from this address; slow down",
                    headers={**CORS, "Retry-After": str(max(1, int(wait + 0.999)))},
                )
    now = clock()
    prepared = [prepare(view, now=now) for view in views]
    try:
        await tracking.writer.submit(prepared)
    except Busy as error:
        raise Problem(
            503, f"not stored: {error}; send again", headers={**CORS, "Retry-After": "1"}
        ) from error
    except Exception as error:
        raise Problem(503, "not stored: the database failed; send again", headers=CORS) from error


@router.options("/t", include_in_schema=False)
async def track_preflight() -> Response:
    return Response(status_code=204, headers=CORS)


@router.post(
    "/t",
    status_code=204,
    summary="Record page views from the tracking snippet",
    responses={
        204: {"description": "stored (or dropped: a bot, Do-Not-Track)"},
        413: {"description": "the body is over 64 kB"},
        422: {"description": "a field is invalid; `errors` names it"},
        429: {"description": "too many views from this address"},
        503: {"description": "not stored; send again"},
    },
)
async def track(request: Request) -> Response:
    """One page view as JSON, or `{"views": [...]}` with at most 50; any content type.

    (Served by ``TrackingFastPath`` ahead of the routing when the app installs it.)
    """
    tracking = tracking_of(request.app)
    if not screened(tracking, request.headers):
        refused = _too_large(request.headers)
        if refused is not None:
            raise refused
        address = request.client.host if request.client else None
        await accept(request.app, tracking, await request.body(), address)
    return Response(status_code=204, headers=CORS)


TRACK_PATH: Final = "/capture/t"
_PLAIN_HEADERS: Final = [
    *((name.lower().encode(), value.encode()) for name, value in CORS.items()),
    (b"x-content-type-options", b"nosniff"),
]


class TrackingFastPath:
    """Answers ``/capture/t`` ahead of the framework's routing and middleware.

    The busiest public endpoint costs a tenth of a millisecond this way, where
    the full stack (routing through every route, the header middleware) costs
    over one (docs/benchmarks.md).  The rules are the route's own: both call
    ``screened`` and ``accept``.  The app installs it as its outermost
    middleware; ``silverplatter serve`` also puts it in front of the app itself
    (``ahead_of``), which saves the framework's own outer layers another ~15 µs.
    """

    def __init__(self, app: ASGIApp, application: FastAPI | None = None) -> None:
        self.app = app
        self.application = application

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != TRACK_PATH:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method not in ("POST", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        status, body, extra = 204, b"", list(_PLAIN_HEADERS)
        if method == "POST":
            application: FastAPI = self.application or scope["app"]
            tracking = tracking_of(application)
            headers = Headers(scope=scope)
            try:
                if not screened(tracking, headers):
                    refused = _too_large(headers)
                    if refused is not None:
                        raise refused
                    client = scope.get("client")
                    address = client[0] if client else None
                    await accept(application, tracking, await _body(receive), address)
            except Problem as problem:
                status = problem.status
                body = json.dumps(problem_body(status, problem.detail, problem.errors)).encode()
                extra = [
                    (b"content-type", PROBLEM.encode()),
                    *((k.lower().encode(), v.encode()) for k, v in problem.headers.items()),
                    (b"x-content-type-options", b"nosniff"),
                ]
        if body:
            extra.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": extra})
        await send({"type": "http.response.body", "body": body})


def ahead_of(application: FastAPI) -> ASGIApp:
    """The app to serve: tracking requests answered before the framework sees them."""
    return TrackingFastPath(application, application)


async def _body(receive: Receive) -> bytes:
    """The request body, read no further than one byte over the limit."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return b"".join(chunks) + chunk  # over the limit: accept() refuses it
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


@cache
def _snippet_source() -> str:
    return SNIPPET.read_text(encoding="utf-8")


def snippet(public_url: str) -> str:
    """The tracking snippet with the app's address filled in."""
    return _snippet_source().replace("__SP_URL__", public_url.rstrip("/"))


@router.get("/track.js", summary="The tracking snippet", response_class=Response)
async def track_js(request: Request) -> Response:
    """The first-party page-view snippet to load on the site (cacheable for an hour)."""
    settings: Settings = request.app.state.settings
    return Response(
        snippet(settings.public_url),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600", "Access-Control-Allow-Origin": "*"},
    )


__all__ = [
    "Dropped",
    "Tracking",
    "TrackingFastPath",
    "ahead_of",
    "router",
    "snippet",
    "tracking_of",
]
