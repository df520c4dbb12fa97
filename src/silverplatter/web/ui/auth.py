"""Sign-in and sign-out pages.

The sign-in form is protected against cross-site posting by a double-submit
token (a cookie and a form field that must match); a successful sign-in
always starts a new session; failures are rate-limited per address and lock
the user after repeated failures (``services.users``).
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated, Final

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silverplatter.services.sessions import LIFETIME, end_session, start_session
from silverplatter.services.users import SignInRefused, authenticate
from silverplatter.web.problems import Problem, SignInRequired
from silverplatter.web.security import SESSION_COOKIE, client_ip, clock, principal_of
from silverplatter.web.templating import render

router = APIRouter(include_in_schema=False)

LOGIN_CSRF_COOKIE: Final = "sp_login_csrf"


def _safe_next(target: str | None) -> str:
    """Only paths on this site: never an absolute or scheme-relative URL."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _secure(request: Request) -> bool:
    return bool(request.app.state.settings.secure_cookies or request.url.scheme == "https")


def _form(
    request: Request,
    *,
    next_path: str,
    email: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    context = {"next": next_path, "email": email, "error": error, "login_csrf": token}
    response = render(request, "login.html", context, status_code=status_code)
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request)
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    return _form(request, next_path=_safe_next(next))


@router.post("/login", response_model=None)
def login(
    request: Request,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    target = _safe_next(next)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf_token):
        return _form(
            request,
            next_path=target,
            email=email,
            error="The sign-in form expired. Please try again.",
            status_code=403,
        )
    now = clock(request)
    ip = client_ip(request) or "unknown"
    wait = request.app.state.login_limiter.hit(ip, now.timestamp())
    if wait is not None:
        raise Problem(
            429,
            f"too many sign-in attempts from your address; try again in {int(wait) + 1} s",
            headers={"Retry-After": str(int(wait) + 1)},
        )
    with request.app.state.engine.begin() as connection:
        try:
            user = authenticate(connection, email, password, now=now, ip_address=ip)
        except SignInRefused as refused:
            message = (
                "Too many failed attempts: this user is locked for 15 minutes."
                if refused.reason == "locked"
                else "Wrong e-mail or password."
                if refused.reason.startswith("wrong")
                else "This user is deactivated; ask an administrator."
            )
            error: str | None = message
        else:
            error = None
            started = start_session(
                connection,
                user.id,
                now=now,
                replacing=request.cookies.get(SESSION_COOKIE),
                ip_address=ip,
            )
    if error is not None:
        return _form(request, next_path=target, email=email, error=error, status_code=401)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        started.cookie,
        max_age=int(LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
async def logout(request: Request) -> RedirectResponse:
    """Sign out; the CSRF check keeps other sites from signing people out."""
    try:
        await principal_of(request)
    except SignInRequired:
        pass
    else:
        cookie = request.cookies[SESSION_COOKIE]
        with request.app.state.engine.begin() as connection:
            end_session(connection, cookie)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
