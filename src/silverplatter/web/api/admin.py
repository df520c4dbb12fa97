"""REST API for administration: users, personal API tokens and the audit log.

Lists are keyset-paginated: pass the previous page's ``next`` as ``after``.
Users are ordered by id, tokens and audit entries newest first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Final, cast

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from silverplatter.domain.access import PERMISSIONS, Role
from silverplatter.services.admin_users import change_user
from silverplatter.services.api_tokens import TokenInfo, issue_token, list_tokens, revoke_token
from silverplatter.services.audit import ACTIONS
from silverplatter.services.sessions import Principal
from silverplatter.services.users import MIN_PASSWORD, User, UserError, create_user, list_users
from silverplatter.storage.access import audit_page
from silverplatter.web.problems import Problem, field_problem
from silverplatter.web.security import actor_of, clock, requires

router = APIRouter(prefix="/api/v1", tags=["administration"])

MAX_LIMIT: Final = 200
After = Annotated[
    int | None, Query(ge=1, description="the `next` cursor of the previous page, if any")
]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="items per page")]

ManageUsers = Annotated[Principal, Depends(requires("users:manage"))]
OwnTokens = Annotated[Principal, Depends(requires("tokens:own"))]
ReadAudit = Annotated[Principal, Depends(requires("audit:read"))]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    role: Role
    active: bool

    @classmethod
    def of(cls, user: User) -> UserOut:
        role = cast(Role, user.role)
        return cls(id=user.id, email=user.email, name=user.name, role=role, active=user.active)


class UserPage(BaseModel):
    items: list[UserOut]
    next: int | None = Field(description="pass as `after` for the next page; null on the last")


class UserCreate(Strict):
    email: str = Field(max_length=320, examples=["lea@seller.example"])
    name: str = Field(max_length=200, examples=["Lea Laine"])
    role: Role
    password: str | None = Field(
        default=None,
        min_length=MIN_PASSWORD,
        max_length=1000,
        description="omit for a user who owns records but never signs in",
    )


class UserChange(Strict):
    role: Role | None = None
    active: bool | None = Field(default=None, description="false deactivates and signs out")


class TokenOut(BaseModel):
    id: int
    user_id: int
    user_name: str
    name: str
    prefix: str = Field(description="the token's first characters, to recognise it")
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, token: TokenInfo) -> TokenOut:
        return cls(
            id=token.id,
            user_id=token.user_id,
            user_name=token.user_name,
            name=token.name,
            prefix=token.prefix,
            scopes=list(token.scopes),
            created_at=token.created_at,
            expires_at=token.expires_at,
            last_used_at=token.last_used_at,
            revoked_at=token.revoked_at,
        )


class TokenPage(BaseModel):
    items: list[TokenOut]
    next: int | None = Field(description="pass as `after` for the next page; null on the last")


class TokenCreate(Strict):
    name: str = Field(min_length=1, max_length=100, examples=["CRM sync"])
    scopes: list[str] = Field(
        min_length=1,
        description="permissions the token carries, within your own: "
        + ", ".join(sorted(PERMISSIONS)),
        examples=[["records:read", "events:write"]],
    )
    expires_at: datetime | None = None


class TokenIssued(BaseModel):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    token: str = Field(description="the secret; shown only in this answer, store it now")


class AuditEntryOut(BaseModel):
    id: int
    occurred_at: datetime
    action: str
    meaning: str = Field(description="the action in words")
    user_id: int | None = Field(description="who acted; null for the command line")
    user_name: str | None
    subject: str
    details: dict[str, Any]
    ip_address: str | None


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    next: int | None = Field(description="pass as `after` for older entries; null on the last")


# -- users ------------------------------------------------------------------


@router.get("/users", response_model=UserPage)
def users(request: Request, _: ManageUsers, after: After = None, limit: Limit = 50) -> UserPage:
    """Users ordered by id."""
    with request.app.state.engine.connect() as connection:
        everyone = sorted(list_users(connection), key=lambda user: user.id)
    following = [user for user in everyone if after is None or user.id > after]
    page = following[:limit]
    more = len(following) > limit
    return UserPage(items=[UserOut.of(user) for user in page], next=page[-1].id if more else None)


@router.post("/users", response_model=UserOut, status_code=201)
def create(request: Request, principal: ManageUsers, body: UserCreate) -> UserOut:
    """Create a user; the creation is audited."""
    with request.app.state.engine.begin() as connection:
        user = create_user(
            connection,
            email=body.email,
            name=body.name,
            role=body.role,
            password=body.password,
            now=clock(request),
            actor=actor_of(request, principal),
        )
    return UserOut.of(user)


@router.patch("/users/{user_id}", response_model=UserOut)
def change(request: Request, principal: ManageUsers, user_id: int, body: UserChange) -> UserOut:
    """Change a user's role (ends their sessions) or deactivate/reactivate them."""
    try:
        with request.app.state.engine.begin() as connection:
            user = change_user(
                connection,
                user_id,
                role=body.role,
                active=body.active,
                now=clock(request),
                actor=actor_of(request, principal),
            )
    except UserError as error:
        if error.field == "user":
            raise Problem(404, error.message) from None
        raise
    return UserOut.of(user)


# -- tokens -----------------------------------------------------------------


@router.get("/tokens", response_model=TokenPage)
def tokens(
    request: Request,
    principal: OwnTokens,
    after: After = None,
    limit: Limit = 50,
    everyone: Annotated[
        bool, Query(description="everyone's tokens; needs the users:manage permission")
    ] = False,
) -> TokenPage:
    """Your API tokens (or everyone's), newest first, revoked ones included."""
    if everyone and not principal.may("users:manage"):
        raise Problem(403, f"your role ({principal.role}) may not see other people's tokens")
    with request.app.state.engine.connect() as connection:
        found = list_tokens(connection, None if everyone else principal.user_id)
    newest_first = sorted(found, key=lambda token: token.id, reverse=True)
    following = [token for token in newest_first if after is None or token.id < after]
    page = following[:limit]
    more = len(following) > limit
    return TokenPage(
        items=[TokenOut.of(token) for token in page], next=page[-1].id if more else None
    )


@router.post("/tokens", response_model=TokenIssued, status_code=201)
def issue(request: Request, principal: OwnTokens, body: TokenCreate) -> TokenIssued:
    """Issue yourself a token; its secret is in this answer only."""
    beyond = sorted((set(body.scopes) & set(PERMISSIONS)) - principal.permissions)
    if beyond:
        raise field_problem("scopes", f"you cannot grant what you may not do: {', '.join(beyond)}")
    with request.app.state.engine.begin() as connection:
        issued = issue_token(
            connection,
            principal.user_id,
            name=body.name,
            scopes=body.scopes,
            expires_at=body.expires_at,
            now=clock(request),
            actor=actor_of(request, principal),
        )
    return TokenIssued(
        id=issued.id,
        name=body.name.strip(),
        prefix=issued.prefix,
        scopes=list(issued.scopes),
        token=issued.token,
    )


@router.delete("/tokens/{token_id}", status_code=204, response_class=Response)
def revoke(request: Request, principal: OwnTokens, token_id: int) -> Response:
    """Revoke one of your tokens (anyone's with users:manage); revoking twice is fine."""
    try:
        with request.app.state.engine.begin() as connection:
            revoke_token(
                connection,
                token_id,
                now=clock(request),
                actor=actor_of(request, principal),
                may_any=principal.may("users:manage"),
            )
    except UserError as error:
        raise Problem(404, error.message) from None
    return Response(status_code=204)


# -- audit log --------------------------------------------------------------


@router.get("/audit", response_model=AuditPage)
def audit(
    request: Request,
    _: ReadAudit,
    after: After = None,
    limit: Limit = 50,
    action: Annotated[
        str | None, Query(max_length=50, description="only this action, e.g. user.role_changed")
    ] = None,
) -> AuditPage:
    """The audit log, newest first."""
    if action is not None and action not in ACTIONS:
        raise field_problem("action", f"must be one of {', '.join(ACTIONS)}")
    with request.app.state.engine.connect() as connection:
        rows = audit_page(connection, before_id=after, limit=limit + 1, action=action)
    page = rows[:limit]
    items = [
        AuditEntryOut(
            id=row.id,
            occurred_at=row.occurred_at,
            action=row.action,
            meaning=ACTIONS.get(row.action, row.action),
            user_id=row.user_id,
            user_name=row.user_name,
            subject=row.subject,
            details=dict(row.details or {}),
            ip_address=row.ip_address,
        )
        for row in page
    ]
    return AuditPage(items=items, next=page[-1].id if len(rows) > limit else None)
