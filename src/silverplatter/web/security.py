"""Authentication and authorisation for every route.

Each route depends on ``requires("area:verb")``: it resolves who is asking
(session cookie or bearer token), refuses a missing permission with 403, and
for a browser session checks the CSRF token on every state-changing request.
``tests/test_web_routes.py`` walks the app's routes and fails when a route
has no permission (except the few public ones listed in ``PUBLIC``).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Final

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from silverplatter.domain.access import PERMISSIONS
from silverplatter.services.api_tokens import token_principal
from silverplatter.services.audit import Actor
from silverplatter.services.sessions import Principal, session_principal
from silverplatter.web.problems import Problem, SignInRequired

SESSION_COOKIE: Final = "sp_session"
CSRF_HEADER: Final = "X-CSRF-Token"
CSRF_FIELD: Final = "csrf_token"
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})

#: Paths that need no sign-in.
PUBLIC: Final = frozenset(
    {"/healthz", "/login", "/logout", "/api/v1/openapi.json", "/api/v1/docs", "/static"}
)
#: Everything under these prefixes is for the public (form posts from other
#: sites, tracking, opt-in, download and unsubscribe links): no sign-in, each
#: route guarded by a signed token, CORS rules or rate limits instead.
PUBLIC_PREFIXES: Final = ("/capture/",)


def is_public(path: str) -> bool:
    """Whether a route path needs no sign-in."""
    return path in PUBLIC or path.startswith(PUBLIC_PREFIXES)


Dependency = Callable[[Request], Awaitable[Principal]]


def clock(request: Request) -> datetime:
    now: datetime = request.app.state.clock()
    return now


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def actor_of(request: Request, principal: Principal) -> Actor:
    """Who did it, and from where, for the audit log."""
    return Actor(principal.user_id, client_ip(request))


def _resolve(request: Request, now: datetime) -> Principal | None:
    engine = request.app.state.engine
    authorization = request.headers.get("authorization", "")
    scheme, _, credential = authorization.partition(" ")
    with engine.begin() as connection:
        if scheme.lower() == "bearer" and credential.strip():
            return token_principal(connection, credential.strip(), now=now)
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            return session_principal(connection, cookie, now=now)
    return None


async def _csrf_sent(request: Request) -> str:
    sent = request.headers.get(CSRF_HEADER)
    if sent:
        return sent
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form: FormData = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def principal_of(request: Request) -> Principal:
    """Who is asking, cached on the request; ``SignInRequired`` when nobody."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    found = await run_in_threadpool(_resolve, request, clock(request))
    if found is None:
        raise SignInRequired()
    if found.via == "session" and request.method not in SAFE_METHODS:
        sent = await _csrf_sent(request)
        if not found.csrf_token or not hmac.compare_digest(sent, found.csrf_token):
            raise Problem(403, "the form has expired or did not come from this site; reload it")
    request.state.principal = found
    return found


def requires(permission: str) -> Dependency:
    """A dependency that admits only principals holding ``permission``."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")

    async def dependency(request: Request) -> Principal:
        principal = await principal_of(request)
        if not principal.may(permission):
            raise Problem(403, f"your role ({principal.role}) may not {PERMISSIONS[permission]}")
        return principal

    dependency.__name__ = f"requires_{permission.replace(':', '_')}"
    dependency.permission = permission  # type: ignore[attr-defined]
    return dependency
