"""The links inside nurture mail: the open pixel ``/capture/o/{token}.gif`` and the click
redirect ``/capture/c/{token}``.

No sign-in: the signed token is the credential (``services/mail_tracking.py``).
The pixel always answers with the image, so a mail client shows nothing odd
even for an altered token (which records nothing).  A click answers 302 to
the address inside the token; a forged, altered or expired token gets a page
saying so, never a redirect.
"""

from __future__ import annotations

import base64
from typing import Annotated, Final

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silverplatter.services.mail_tracking import record_click, record_open
from silverplatter.services.signing import InvalidLink, signer_for
from silverplatter.web.security import clock

router = APIRouter(prefix="/capture", tags=["capture"], include_in_schema=False)

Token = Annotated[str, Path(max_length=2000, description="the signed link's token")]
#: A transparent 1×1 GIF.
PIXEL: Final = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
_NO_STORE: Final = {"Cache-Control": "no-store, max-age=0", "X-Robots-Tag": "noindex"}


@router.get("/o/{token}.gif")
def open_pixel(request: Request, token: Token) -> Response:
    """Record an open (once a minute per message) and answer with the image."""
    state = request.app.state
    try:
        with state.engine.begin() as connection:
            record_open(
                connection, signer_for(connection, state.settings), token, now=clock(request)
            )
    except InvalidLink:
        pass
    return Response(PIXEL, media_type="image/gif", headers=_NO_STORE)


@router.get("/c/{token}", response_model=None)
def click(request: Request, token: Token) -> Response:
    """Record a click and send the person on to the address in the token."""
    state = request.app.state
    try:
        with state.engine.begin() as connection:
            found = record_click(
                connection, signer_for(connection, state.settings), token, now=clock(request)
            )
    except InvalidLink as refused:
        response: HTMLResponse = state.templates.TemplateResponse(
            request,
            "capture_click.html",
            {"expired": refused.expired, "reason": str(refused)},
            status_code=410 if refused.expired else 400,
        )
        response.headers.update(_NO_STORE)
        return response
    return RedirectResponse(found.target, status_code=302, headers=_NO_STORE)
