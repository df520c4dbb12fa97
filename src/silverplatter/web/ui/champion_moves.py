"""Champion moves on the pages: the recent moves, their CSV, and marking a move by hand.

``/champion-moves`` lists the latest moves with both accounts, how the person
was recognised, whether they are a champion and the tasks the owners got
(``records:read``; a salesperson sees the moves touching accounts they own).
The contact page's "Mark as moved to account…" form posts to
``/contacts/{id}/moves`` (``records:write``).  Thin adapters over
``services/champion_moves.py`` and ``services/champion_moves_view.py``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Connection

from silverplatter.domain.identity import InvalidValue, normalise_domain
from silverplatter.services.audit import record
from silverplatter.services.champion_moves import MoveError, mark_move
from silverplatter.services.champion_moves_view import moves_csv, recent_moves
from silverplatter.services.sessions import Principal
from silverplatter.storage import employment as store
from silverplatter.storage.visibility import contact_visible
from silverplatter.web.downloads import csv_download
from silverplatter.web.filters import owned_by
from silverplatter.web.problems import Problem, field_problem
from silverplatter.web.security import actor_of, clock, requires
from silverplatter.web.templating import render

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, Depends(requires("records:read"))]
Writer = Annotated[Principal, Depends(requires("records:write"))]
Exporter = Annotated[Principal, Depends(requires("exports:read"))]
ContactId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/champion-moves", response_class=HTMLResponse)
def moves_page(request: Request, principal: Reader) -> HTMLResponse:
    """The latest moves of people between accounts, newest first."""
    with request.app.state.engine.connect() as connection:
        moves = recent_moves(connection, owner_id=owned_by(principal))
    context = {"moves": moves, "own_only": owned_by(principal) is not None}
    return render(request, "champion_moves.html", context)


@router.get("/champion-moves.csv", response_model=None)
def moves_export(request: Request, principal: Exporter) -> Response:
    """The same list as CSV (at most the latest 10,000 moves)."""
    with request.app.state.engine.begin() as connection:
        moves = recent_moves(connection, owner_id=owned_by(principal), limit=10_000)
        record(
            connection,
            "export.run",
            "champion moves",
            actor=actor_of(request, principal),
            now=clock(request),
            details={"object_type": "champion_moves", "rows": len(moves)},
        )
    return csv_download(moves_csv(moves), "champion-moves.csv")


def _account_id(connection: Connection, given: str) -> int:
    """An account named by its id or its web domain."""
    text = given.strip()
    if text.isdigit() and len(text) <= 10:
        return int(text)
    try:
        domain = normalise_domain(text)
    except InvalidValue:
        raise field_problem("account", "give the account's id or its web domain") from None
    found = store.accounts_by_domain(connection, [domain])
    if domain not in found:
        raise field_problem("account", f"no account with the domain {domain}")
    return found[domain]


@router.post("/contacts/{contact_id}/moves", response_model=None)
def mark(
    request: Request,
    principal: Writer,
    contact_id: ContactId,
    account: Annotated[str, Form(max_length=300)],
) -> RedirectResponse:
    """Mark that the person now works at another account; back to their page."""
    with request.app.state.engine.begin() as connection:
        owner = owned_by(principal)
        if owner is not None and not contact_visible(connection, contact_id, owner):
            raise Problem(404, "there is no such contact")
        try:
            mark_move(
                connection,
                contact_id,
                _account_id(connection, account),
                actor=actor_of(request, principal),
                now=clock(request),
            )
        except MoveError as error:
            if error.message.startswith("no contact"):
                raise Problem(404, "there is no such contact") from None
            raise field_problem("account", error.message) from None
    return RedirectResponse(f"/contacts/{contact_id}#employment", status_code=303)
