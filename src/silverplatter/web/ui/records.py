"""The lists of contacts (``/contacts``) and accounts (``/accounts``).

Each page takes the same filter class as its API list (``ContactFilter`` /
``AccountFilter``) and the same scoping, so what a salesperson sees here is
exactly what the API gives them.  With an ``HX-Request`` header the page
answers just its table, which the filter form swaps in place.
"""

from __future__ import annotations

from typing import Annotated, Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Engine

from silverplatter.domain.grades import GRADE_LETTERS
from silverplatter.domain.lifecycle import STAGES
from silverplatter.domain.record_filters import DEFAULT_LIMIT, AccountFilter, ListFilter
from silverplatter.domain.vocabulary import ACCOUNT_STATUSES, DECISION_ROLES, VALUE_TIERS
from silverplatter.services.sessions import Principal
from silverplatter.storage.record_lists import Page, owners
from silverplatter.web.filters import (
    AccountQuery,
    ContactQuery,
    accounts_for,
    contacts_for,
    owned_by,
)
from silverplatter.web.security import requires
from silverplatter.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE: Final = DEFAULT_LIMIT

SORT_LABELS: Final = {
    "name": "Name",
    "created": "Date added",
    "score": "Score",
    "updated": "Last changed",
}
CONSENT_LABELS: Final = {
    "given": "May be e-mailed",
    "confirmed": "Confirmed (double opt-in)",
    "withdrawn": "Withdrawn",
    "none": "Never asked",
}


def _words(value: str) -> str:
    return value.replace("_", " ").capitalize()


def _link(path: str, chosen: ListFilter, **changes: Any) -> str:
    pairs = chosen.query_pairs(**changes)
    return f"{path}?{urlencode(pairs)}" if pairs else path


def _sort_links(path: str, chosen: ListFilter) -> dict[str, dict[str, str]]:
    """Per sortable column: the link that sorts by it (flipping the direction if it already
    does), and its ``aria-sort`` value."""
    links = {}
    for key in SORT_LABELS:
        current = chosen.sort == key
        direction = ("desc" if chosen.order == "asc" else "asc") if current else None
        state = ("ascending" if chosen.order == "asc" else "descending") if current else "none"
        links[key] = {
            "url": _link(path, chosen, sort=key, direction=direction, after=None),
            "state": state,
        }
    return links


def _owner_choices(request: Request) -> list[tuple[int, str]]:
    engine: Engine = request.app.state.engine
    with engine.connect() as connection:
        return [(row.id, row.name) for row in owners(connection)]


def _listing(
    request: Request,
    principal: Principal,
    kind: str,
    chosen: ListFilter,
    page: Page,
    extra: dict[str, Any],
) -> HTMLResponse:
    path = f"/{kind}"
    context = {
        "kind": kind,
        "rows": page.rows,
        "chosen": chosen,
        "next_url": _link(path, chosen, after=page.next) if page.next else None,
        "first_url": _link(path, chosen, after=None) if chosen.after else None,
        "sorts": _sort_links(path, chosen),
        "sort_labels": SORT_LABELS,
        "tiers": VALUE_TIERS,
        "owners": [] if owned_by(principal) is not None else _owner_choices(request),
        "words": _words,
        **extra,
    }
    partial = request.headers.get("HX-Request") == "true"
    template = f"records_{kind}_table.html" if partial else f"records_{kind}.html"
    return render(request, template, context)


@router.get("/contacts", response_class=HTMLResponse)
def contact_list(
    request: Request,
    principal: Annotated[Principal, Depends(requires("records:read"))],
    chosen: ContactQuery,
) -> HTMLResponse:
    """Contacts with filters, search, sortable columns and a keyset pager."""
    page = contacts_for(request, principal, chosen)
    extra = {
        "stages": [(stage.name, stage.label) for stage in STAGES],
        "stage_labels": {stage.name: stage.label for stage in STAGES},
        "grades": GRADE_LETTERS[::-1],
        "roles": DECISION_ROLES,
        "consents": CONSENT_LABELS,
    }
    return _listing(request, principal, "contacts", chosen, page, extra)


@router.get("/accounts", response_class=HTMLResponse)
def account_list(
    request: Request,
    principal: Annotated[Principal, Depends(requires("records:read"))],
    chosen: AccountQuery,
) -> HTMLResponse:
    """Accounts with filters, search, sortable columns and a keyset pager."""
    page = accounts_for(request, principal, chosen)
    extra = {"statuses": ACCOUNT_STATUSES}
    return _listing(request, principal, "accounts", chosen, page, extra)


__all__ = ["PAGE_SIZE", "AccountFilter", "router"]
