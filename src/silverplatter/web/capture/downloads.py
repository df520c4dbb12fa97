"""The download link of a lead magnet: ``/capture/downloads/{token}``.

No sign-in: the signed, expiring token names the magnet and the person.  A
good link answers with the file as an attachment and records the download
on the person's timeline; an expired, altered or withdrawn one gets a page
saying what to do instead.
"""

from __future__ import annotations

from typing import Annotated, Final
from urllib.parse import quote

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from silverplatter.services.lead_magnets import MagnetGone, take_download
from silverplatter.services.signing import InvalidLink, signer_for
from silverplatter.web.security import clock

router = APIRouter(prefix="/capture", tags=["capture"], include_in_schema=False)

Token = Annotated[str, Path(max_length=1000, description="the signed link's token")]
TEMPLATE: Final = "capture_download.html"


def attachment(file_name: str) -> str:
    """``Content-Disposition`` for a download, with an ASCII fallback name (RFC 6266)."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in file_name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"


def _page(request: Request, status: int, state: str, reason: str) -> HTMLResponse:
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(
        request, TEMPLATE, {"state": state, "reason": reason}, status_code=status
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@router.get("/downloads/{token}", response_model=None)
def download(request: Request, token: Token) -> Response:
    """The magnet's file as an attachment, or a page telling why not."""
    state = request.app.state
    try:
        with state.engine.begin() as connection:
            signer = signer_for(connection, state.settings)
            given = take_download(connection, token, signer=signer, now=clock(request))
    except InvalidLink as refused:
        kind = "expired" if refused.expired else "invalid"
        return _page(request, 410 if refused.expired else 400, kind, str(refused))
    except MagnetGone as gone:
        return _page(request, 410, "gone", str(gone))
    magnet = given.magnet
    return Response(
        given.content,
        media_type=magnet.content_type,
        headers={
            "Content-Disposition": attachment(magnet.file_name),
            "Cache-Control": "private, no-store",
            "ETag": f'"{magnet.sha256}"',
            "X-Robots-Tag": "noindex",
        },
    )
