"""The unsubscribe link of every message: ``/capture/unsubscribe/{token}``.

``GET`` shows a page with one button, so that a mail scanner opening the
link unsubscribes nobody; ``POST`` (the button, and the one-click request a
mail provider sends for ``List-Unsubscribe-Post``, RFC 8058) unsubscribes.
No sign-in: the signed token is the credential.  An expired or altered link
gets a page saying what to do instead.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from silverplatter.services.signing import InvalidLink, signer_for
from silverplatter.services.unsubscribe import link_send, read_link, recipient, unsubscribe
from silverplatter.web.security import client_ip, clock

router = APIRouter(prefix="/capture", tags=["capture"], include_in_schema=False)

Token = Annotated[str, Path(max_length=1000, description="the signed link's token")]
TEMPLATE: Final = "capture_unsubscribe.html"


def _page(request: Request, status: int, context: dict[str, Any]) -> HTMLResponse:
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(
        request, TEMPLATE, {"token": None, **context}, status_code=status
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _refused(request: Request, refused: InvalidLink) -> HTMLResponse:
    state = "expired" if refused.expired else "invalid"
    return _page(request, 410 if refused.expired else 400, {"state": state, "reason": str(refused)})


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_page(request: Request, token: Token) -> HTMLResponse:
    """The page of the link: whose address, and one button to unsubscribe."""
    state = request.app.state
    with state.engine.connect() as connection:
        signer = signer_for(connection, state.settings)
        try:
            contact_id = read_link(signer, token, now=clock(request))
        except InvalidLink as refused:
            return _refused(request, refused)
        who = recipient(connection, contact_id)
    if who.unsubscribed:
        return _page(request, 200, {"state": "already", "address": who.shown_address})
    return _page(request, 200, {"state": "ask", "address": who.shown_address, "token": token})


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_now(request: Request, token: Token) -> HTMLResponse:
    """Unsubscribe: the page's button, and a mail provider's one-click request."""
    state = request.app.state
    now = clock(request)
    with state.engine.begin() as connection:
        signer = signer_for(connection, state.settings)
        try:
            contact_id = read_link(signer, token, now=now)
        except InvalidLink as refused:
            return _refused(request, refused)
        done = unsubscribe(
            connection,
            contact_id,
            now=now,
            ip_address=client_ip(request),
            send_id=link_send(signer, token, now=now),
        )
    shown = "already" if done.already else "done"
    return _page(request, 200, {"state": shown, "address": done.shown_address})
