"""Administration pages: users (create, role, active, password, their tokens) and the audit log.

Every change goes through ``services.users`` / ``services.admin_users`` and is
audited there; a form that fails shows the page again with the error next to
its field.  After a change the browser is redirected (post/redirect/get) with
a ``done`` word that picks the confirmation shown.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from silverplatter.domain.access import ROLES
from silverplatter.services.admin_users import change_user, user_by_id
from silverplatter.services.api_tokens import list_tokens, revoke_token
from silverplatter.services.audit import ACTIONS, SYSTEM
from silverplatter.services.sessions import Principal
from silverplatter.services.users import (
    MIN_PASSWORD,
    User,
    UserError,
    create_user,
    list_users,
    set_password,
)
from silverplatter.storage.access import audit_page
from silverplatter.web.problems import Problem
from silverplatter.web.security import actor_of, clock, requires
from silverplatter.web.templating import render
from silverplatter.web.ui import admin_tokens

router = APIRouter(include_in_schema=False)
router.include_router(admin_tokens.router)

AUDIT_PAGE: Final = 50
NAME_LIMIT: Final = 200
DETAIL_ORDER: Final = {"from": 0, "to": 1}
ManageUsers = Annotated[Principal, Depends(requires("users:manage"))]
Text = Annotated[str, Form(max_length=1000)]

#: Confirmations after a redirect, by the ``done`` word.
DONE: Final = {
    "created": "User created.",
    "role": "Role changed. Their sessions were ended: they sign in again with the new role.",
    "deactivated": "User deactivated: they are signed out and cannot sign in.",
    "reactivated": "User reactivated: they can sign in again.",
    "password": "Password set. Their sessions were ended.",
    "revoked": "Token revoked.",
}


def _users_page(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        people = list_users(connection)
    context = {
        "users": people,
        "roles": ROLES,
        "errors": errors or {},
        "values": values or {"role": "sales"},
        "min_password": MIN_PASSWORD,
    }
    return render(request, "admin_users.html", context, status_code=status_code)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, _: ManageUsers) -> HTMLResponse:
    return _users_page(request)


@router.post("/admin/users", response_model=None)
def create(
    request: Request,
    principal: ManageUsers,
    email: Text,
    name: Text,
    role: Text,
    password: Text,
) -> HTMLResponse | RedirectResponse:
    try:
        if len(name.strip()) > NAME_LIMIT:
            raise UserError("name", f"must be at most {NAME_LIMIT} characters long")
        with request.app.state.engine.begin() as connection:
            user = create_user(
                connection,
                email=email,
                name=name,
                role=role,
                password=password,
                now=clock(request),
                actor=actor_of(request, principal),
            )
    except UserError as error:
        values = {"email": email, "name": name, "role": role}
        return _users_page(
            request, errors={error.field: error.message}, values=values, status_code=422
        )
    return RedirectResponse(f"/admin/users/{user.id}?done=created", status_code=303)


def _user_or_404(request: Request, user_id: int) -> User:
    with request.app.state.engine.connect() as connection:
        user = user_by_id(connection, user_id)
    if user is None:
        raise Problem(404, "there is no such user")
    return user


def _user_page(
    request: Request,
    user: User,
    principal: Principal,
    *,
    done: str | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        tokens = list_tokens(connection, user.id)
    context = {
        "user": user,
        "roles": ROLES,
        "tokens": tokens,
        "is_self": user.id == principal.user_id,
        "done": DONE.get(done or ""),
        "errors": errors or {},
        "min_password": MIN_PASSWORD,
        "now": clock(request),
    }
    return render(request, "admin_user.html", context, status_code=status_code)


@router.get("/admin/users/{user_id}", response_class=HTMLResponse)
def user_page(
    request: Request,
    principal: ManageUsers,
    user_id: int,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    return _user_page(request, _user_or_404(request, user_id), principal, done=done)


def _change(
    request: Request,
    principal: Principal,
    user_id: int,
    done: str,
    **change: Any,
) -> HTMLResponse | RedirectResponse:
    """Apply one change and redirect, or show the user's page with the error."""
    user = _user_or_404(request, user_id)
    try:
        with request.app.state.engine.begin() as connection:
            if "password" in change:
                set_password(
                    connection,
                    user_id,
                    change["password"],
                    now=clock(request),
                    actor=actor_of(request, principal),
                )
            else:
                change_user(
                    connection,
                    user_id,
                    now=clock(request),
                    actor=actor_of(request, principal),
                    **change,
                )
    except UserError as error:
        errors = {error.field: error.message}
        return _user_page(request, user, principal, errors=errors, status_code=422)
    return RedirectResponse(f"/admin/users/{user_id}?done={done}", status_code=303)


@router.post("/admin/users/{user_id}/role", response_model=None)
def change_role(
    request: Request, principal: ManageUsers, user_id: int, role: Text
) -> HTMLResponse | RedirectResponse:
    return _change(request, principal, user_id, "role", role=role)


@router.post("/admin/users/{user_id}/active", response_model=None)
def change_active(
    request: Request,
    principal: ManageUsers,
    user_id: int,
    active: Annotated[bool, Form()],
) -> HTMLResponse | RedirectResponse:
    done = "reactivated" if active else "deactivated"
    return _change(request, principal, user_id, done, active=active)


@router.post("/admin/users/{user_id}/password", response_model=None)
def change_password(
    request: Request, principal: ManageUsers, user_id: int, password: Text
) -> HTMLResponse | RedirectResponse:
    return _change(request, principal, user_id, "password", password=password)


@router.post("/admin/users/{user_id}/tokens/{token_id}/revoke")
def revoke_users_token(
    request: Request, principal: ManageUsers, user_id: int, token_id: int
) -> RedirectResponse:
    """Revoke anyone's token (user managers only)."""
    try:
        with request.app.state.engine.begin() as connection:
            revoke_token(
                connection,
                token_id,
                now=clock(request),
                actor=actor_of(request, principal),
                may_any=True,
            )
    except UserError:
        raise Problem(404, "there is no such token") from None
    return RedirectResponse(f"/admin/users/{user_id}?done=revoked", status_code=303)


# -- the audit log ----------------------------------------------------------


def _who(row: Any) -> str:
    if row.user_name is not None:
        return str(row.user_name)
    if row.ip_address == SYSTEM.ip_address:
        return "system"
    return "command line" if row.ip_address is None else "not signed in"


def _details(details: dict[str, Any] | None) -> str:
    """``{"from": "sales", "to": "marketing"}`` → ``from: sales; to: marketing``."""
    given = details or {}
    # PostgreSQL's jsonb does not keep the keys' order: "from" before "to", then by name.
    keys = sorted(given, key=lambda key: (DETAIL_ORDER.get(key, len(DETAIL_ORDER)), key))
    parts = []
    for key in keys:
        value = given[key]
        shown = ", ".join(str(item) for item in value) if isinstance(value, list) else str(value)
        parts.append(f"{key.replace('_', ' ')}: {shown}")
    return "; ".join(parts)


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_log(
    request: Request,
    _: Annotated[Principal, Depends(requires("audit:read"))],
    before: Annotated[int | None, Query(ge=1, description="older than this entry")] = None,
    action: Annotated[str | None, Query(max_length=50)] = None,
) -> HTMLResponse:
    chosen = action if action in ACTIONS else None
    with request.app.state.engine.connect() as connection:
        rows = audit_page(connection, before_id=before, limit=AUDIT_PAGE + 1, action=chosen)
    page = rows[:AUDIT_PAGE]
    entries = [
        {
            "when": row.occurred_at,
            "action": ACTIONS.get(row.action, row.action),
            "who": _who(row),
            "ip_address": row.ip_address,
            "subject": row.subject,
            "details": _details(row.details),
        }
        for row in page
    ]
    context = {
        "entries": entries,
        "actions": ACTIONS,
        "action": chosen or "",
        "older": page[-1].id if len(rows) > AUDIT_PAGE else None,
        "paged": before is not None,
    }
    return render(request, "admin_audit.html", context)
