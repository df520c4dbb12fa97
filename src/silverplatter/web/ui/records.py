"""The home page and the first lists of accounts and contacts."""

from __future__ import annotations

from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Connection, Row

from silverplatter.services.sessions import Principal
from silverplatter.services.workspace import workspace_status
from silverplatter.storage.accounts import page_of_accounts
from silverplatter.storage.contacts import page_of_contacts
from silverplatter.web.security import requires
from silverplatter.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50

After = Annotated[int | None, Query(ge=0, description="last id of the previous page")]
Search = Annotated[str | None, Query(max_length=200)]


class PageOf(Protocol):
    def __call__(
        self, connection: Connection, *, after_id: int | None, limit: int, search: str | None
    ) -> list[Row[Any]]: ...


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request, _: Annotated[Principal, Depends(requires("dashboard:read"))]
) -> HTMLResponse:
    engine = request.app.state.engine
    status = workspace_status(engine)
    with engine.connect() as connection:
        top_accounts = page_of_accounts(connection, after_id=None, limit=10, search=None)
        top_contacts = page_of_contacts(connection, after_id=None, limit=10, search=None)
    context = {"figures": status, "accounts": top_accounts, "contacts": top_contacts}
    return render(request, "home.html", context)


def _listing(
    request: Request, kind: str, page: PageOf, after: int | None, q: str | None
) -> HTMLResponse:
    """One page of a keyset-paginated, searchable list (accounts or contacts)."""
    with request.app.state.engine.connect() as connection:
        rows = page(connection, after_id=after, limit=PAGE_SIZE, search=q)
    following = rows[-1].id if len(rows) == PAGE_SIZE else None
    context = {"kind": kind, "rows": rows, "q": q or "", "following": following}
    return render(request, "list.html", context)


@router.get("/accounts", response_class=HTMLResponse)
def account_list(
    request: Request,
    _: Annotated[Principal, Depends(requires("records:read"))],
    after: After = None,
    q: Search = None,
) -> HTMLResponse:
    return _listing(request, "accounts", page_of_accounts, after, q)


@router.get("/contacts", response_class=HTMLResponse)
def contact_list(
    request: Request,
    _: Annotated[Principal, Depends(requires("records:read"))],
    after: After = None,
    q: Search = None,
) -> HTMLResponse:
    return _listing(request, "contacts", page_of_contacts, after, q)
