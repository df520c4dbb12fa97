"""Everyone's own API tokens page: issue one (shown once), see when each was used, revoke.

A token may carry only permissions its holder has; the page offers exactly
those as checkboxes, labelled with each permission's meaning.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from silverplatter.domain.access import PERMISSIONS
from silverplatter.services.api_tokens import IssuedToken, issue_token, list_tokens, revoke_token
from silverplatter.services.sessions import Principal
from silverplatter.services.users import UserError
from silverplatter.web.problems import Problem
from silverplatter.web.security import actor_of, clock, requires
from silverplatter.web.templating import render

router = APIRouter(include_in_schema=False)

OwnTokens = Annotated[Principal, Depends(requires("tokens:own"))]
DONE: Final = {"revoked": "Token revoked: it no longer works."}


def _tokens_page(
    request: Request,
    principal: Principal,
    *,
    issued: IssuedToken | None = None,
    issued_name: str = "",
    done: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, object] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        tokens = list_tokens(connection, principal.user_id)
    scopes = [(scope, meaning) for scope, meaning in PERMISSIONS.items() if principal.may(scope)]
    context = {
        "tokens": tokens,
        "scopes": scopes,
        "issued": issued,
        "issued_name": issued_name,
        "done": DONE.get(done or ""),
        "errors": errors or {},
        "values": values or {"name": "", "scopes": []},
        "now": clock(request),
    }
    return render(request, "admin_tokens.html", context, status_code=status_code)


@router.get("/account/tokens", response_class=HTMLResponse)
def tokens_page(
    request: Request,
    principal: OwnTokens,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    return _tokens_page(request, principal, done=done)


@router.post("/account/tokens", response_class=HTMLResponse)
def issue(
    request: Request,
    principal: OwnTokens,
    name: Annotated[str, Form(max_length=1000)] = "",
    scopes: Annotated[list[str] | None, Form()] = None,
) -> HTMLResponse:
    """Issue a token and show it this once."""
    chosen = scopes or []
    values: dict[str, object] = {"name": name, "scopes": chosen}
    beyond = sorted(scope for scope in chosen if scope in PERMISSIONS and not principal.may(scope))
    try:
        if beyond:
            raise UserError("scopes", f"you cannot grant what you may not do: {', '.join(beyond)}")
        if len(name.strip()) > 100:
            raise UserError("name", "must be at most 100 characters long")
        with request.app.state.engine.begin() as connection:
            issued = issue_token(
                connection,
                principal.user_id,
                name=name,
                scopes=chosen,
                now=clock(request),
                actor=actor_of(request, principal),
            )
    except UserError as error:
        errors = {error.field: error.message}
        return _tokens_page(request, principal, errors=errors, values=values, status_code=422)
    return _tokens_page(request, principal, issued=issued, issued_name=name.strip())


@router.post("/account/tokens/{token_id}/revoke")
def revoke(request: Request, principal: OwnTokens, token_id: int) -> RedirectResponse:
    """Revoke one of one's own tokens; another's is not found."""
    try:
        with request.app.state.engine.begin() as connection:
            revoke_token(
                connection,
                token_id,
                now=clock(request),
                actor=actor_of(request, principal),
                may_any=False,
            )
    except UserError:
        raise Problem(404, "you have no such token") from None
    return RedirectResponse("/account/tokens?done=revoked", status_code=303)
