"""The suppression list page: counts per reason, the list filtered by reason, add and lift.

Seeing needs ``capture:read``, adding and lifting ``capture:write`` (both
audited).  An erased person's row shows only "erased address (hash …)" and
has no lift button: it stays on the list for good.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silverplatter.services.sessions import Principal
from silverplatter.services.suppression import (
    MANUAL_REASONS,
    REASON_LABELS,
    REASONS,
    SuppressionError,
    add_address,
    lift_address,
    list_suppressions,
    suppression_counts,
)
from silverplatter.web.security import actor_of, clock, requires
from silverplatter.web.templating import render

router = APIRouter(include_in_schema=False)

ReadCapture = Annotated[Principal, Depends(requires("capture:read"))]
WriteCapture = Annotated[Principal, Depends(requires("capture:write"))]
Text = Annotated[str, Form(max_length=1000)]
PAGE: Final = 50
DONE: Final = {
    "added": "Address added to the suppression list.",
    "listed": "That address was on the suppression list already.",
    "lifted": "Address taken off the suppression list: it may be mailed again.",
}


def _page(
    request: Request,
    principal: Principal,
    *,
    reason: str | None = None,
    address: str | None = None,
    offset: int = 0,
    done: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    chosen = reason if reason in REASONS else None
    with request.app.state.engine.connect() as connection:
        total, items = list_suppressions(
            connection, reason=chosen, address=address or None, limit=PAGE, offset=offset
        )
        counts = suppression_counts(connection)
    context: dict[str, Any] = {
        "items": items,
        "total": total,
        "counts": counts,
        "everyone": sum(counts.values()),
        "reason": chosen,
        "address": address or "",
        "offset": offset,
        "page_size": PAGE,
        "labels": REASON_LABELS,
        "manual_reasons": MANUAL_REASONS,
        "may_write": principal.may("capture:write"),
        "done": DONE.get(done or ""),
        "errors": errors or {},
        "values": values or {"reason": "manual"},
    }
    return render(request, "suppressions.html", context, status_code=status_code)


@router.get("/suppressions", response_class=HTMLResponse)
def suppressions_page(
    request: Request,
    principal: ReadCapture,
    reason: Annotated[str | None, Query(max_length=20)] = None,
    address: Annotated[str | None, Query(max_length=320)] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    """The list, newest first, and the form to add an address."""
    return _page(request, principal, reason=reason, address=address, offset=offset, done=done)


@router.post("/suppressions", response_model=None)
def add(
    request: Request,
    principal: WriteCapture,
    email: Text = "",
    reason: Text = "manual",
    note: Text = "",
) -> Response:
    """Put an address on the list by hand."""
    try:
        with request.app.state.engine.begin() as connection:
            added = add_address(
                connection,
                email,
                reason=reason,
                note=note,
                actor=actor_of(request, principal),
                now=clock(request),
            )
    except SuppressionError as error:
        values = {"email": email, "reason": reason, "note": note}
        return _page(
            request, principal, errors={error.field: error.message}, values=values, status_code=422
        )
    return RedirectResponse(f"/suppressions?done={'added' if added else 'listed'}", status_code=303)


@router.post("/suppressions/lift", response_model=None)
def lift(request: Request, principal: WriteCapture, email: Text = "") -> Response:
    """Take an address off the list (never an erased one)."""
    try:
        with request.app.state.engine.begin() as connection:
            lift_address(connection, email, actor=actor_of(request, principal), now=clock(request))
    except SuppressionError as error:
        return _page(request, principal, errors={"lift": error.message}, status_code=error.status)
    return RedirectResponse("/suppressions?done=lifted", status_code=303)
