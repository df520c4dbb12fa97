"""The lead magnet pages: the list with downloads, the upload form, a magnet's page to edit it.

Seeing needs ``capture:read``; uploading, editing and switching off
``capture:write``.  A file or field that cannot be taken comes back on the
form with the reason next to its input; a saved change redirects to the
magnet's page (post/redirect/get) with a confirmation.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silverplatter.domain.lead_magnets import EXTENSIONS, MAX_FILE_BYTES, MagnetInvalid
from silverplatter.services.lead_magnets import (
    LeadMagnet,
    create_lead_magnet,
    list_lead_magnets,
    update_lead_magnet,
)
from silverplatter.services.sessions import Principal
from silverplatter.web.api.lead_magnets import MAX_ID, file_response, found_magnet, read_upload
from silverplatter.web.security import clock, requires
from silverplatter.web.templating import render

router = APIRouter(include_in_schema=False)

ReadCapture = Annotated[Principal, Depends(requires("capture:read"))]
WriteCapture = Annotated[Principal, Depends(requires("capture:write"))]
MagnetId = Annotated[int, Path(ge=1, le=MAX_ID)]
Text = Annotated[str, Form(max_length=5000)]

DONE: Final = {
    "created": "Lead magnet created. Choose it in a form to offer it.",
    "saved": "Changes saved.",
    "deactivated": "Lead magnet switched off: forms no longer offer it and its links answer "
    "that it is withdrawn.",
    "activated": "Lead magnet switched on again.",
}
CTA_LABELS: Final = {
    "soft": "Soft — a download (shows interest)",
    "hard": "Hard — an explicit request for contact, a meeting or a quote",
}


def size_of(size_bytes: int) -> str:
    """A file size in words a person reads at a glance: 35 bytes, 240 kB, 3.4 MB."""
    if size_bytes < 1024:
        return f"{size_bytes} bytes"
    if size_bytes < 1024 * 1024:
        return f"{size_bytes / 1024:.0f} kB"
    return f"{size_bytes / (1024 * 1024):.1f} MB"


def _common(principal: Principal) -> dict[str, Any]:
    return {
        "size_of": size_of,
        "may_write": principal.may("capture:write"),
        "cta_labels": CTA_LABELS,
        "accept": ",".join(EXTENSIONS),
        "max_megabytes": MAX_FILE_BYTES // (1024 * 1024),
    }


def _list_page(
    request: Request,
    principal: Principal,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        magnets = list_lead_magnets(connection)
    context = {
        **_common(principal),
        "magnets": magnets,
        "errors": errors or {},
        "values": values or {"cta_kind": "soft"},
    }
    return render(request, "lead_magnets.html", context, status_code=status_code)


@router.get("/lead-magnets", response_class=HTMLResponse)
def lead_magnets_page(request: Request, principal: ReadCapture) -> HTMLResponse:
    """Every lead magnet with its downloads, and the upload form."""
    return _list_page(request, principal)


@router.post("/lead-magnets", response_model=None)
def upload(
    request: Request,
    principal: WriteCapture,
    title: Text = "",
    slug: Text = "",
    description: Text = "",
    cta_kind: Text = "soft",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Create a lead magnet from the uploaded file."""
    values = {"title": title, "slug": slug, "description": description, "cta_kind": cta_kind}
    try:
        content, file_name = read_upload(file)
        with request.app.state.engine.begin() as connection:
            magnet = create_lead_magnet(
                connection,
                title=title,
                slug=slug or None,
                description=description,
                cta_kind=cta_kind,
                content=content,
                file_name=file_name,
                now=clock(request),
            )
    except MagnetInvalid as error:
        errors = {error.field: error.message}
        return _list_page(request, principal, errors=errors, values=values, status_code=422)
    return RedirectResponse(f"/lead-magnets/{magnet.id}?done=created", status_code=303)


def _magnet_page(
    request: Request,
    principal: Principal,
    magnet: LeadMagnet,
    *,
    done: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    shown = values or {
        "title": magnet.title,
        "description": magnet.description or "",
        "cta_kind": magnet.cta_kind,
    }
    context = {
        **_common(principal),
        "magnet": magnet,
        "done": DONE.get(done or ""),
        "errors": errors or {},
        "values": shown,
    }
    return render(request, "lead_magnet.html", context, status_code=status_code)


@router.get("/lead-magnets/{magnet_id}", response_class=HTMLResponse)
def magnet_page(
    request: Request,
    principal: ReadCapture,
    magnet_id: MagnetId,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    """One lead magnet: its file, its downloads, and the form to change it."""
    return _magnet_page(request, principal, found_magnet(request, magnet_id), done=done)


@router.get("/lead-magnets/{magnet_id}/file", response_model=None)
def magnet_file(request: Request, _: ReadCapture, magnet_id: MagnetId) -> Response:
    """The file, for the team to check what people get (recorded nowhere)."""
    return file_response(request, magnet_id)


@router.post("/lead-magnets/{magnet_id}", response_model=None)
def save(
    request: Request,
    principal: WriteCapture,
    magnet_id: MagnetId,
    title: Text = "",
    description: Text = "",
    cta_kind: Text = "soft",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Change the title, description or call-to-action kind, or give a new edition of the file."""
    magnet = found_magnet(request, magnet_id)
    values = {"title": title, "description": description, "cta_kind": cta_kind}
    try:
        content, file_name = (None, None)
        if file is not None and file.filename:
            content, file_name = read_upload(file)
        with request.app.state.engine.begin() as connection:
            update_lead_magnet(
                connection,
                magnet_id,
                title=title,
                description=description,
                cta_kind=cta_kind,
                content=content,
                file_name=file_name,
                now=clock(request),
            )
    except MagnetInvalid as error:
        errors = {error.field: error.message}
        return _magnet_page(
            request, principal, magnet, errors=errors, values=values, status_code=422
        )
    return RedirectResponse(f"/lead-magnets/{magnet_id}?done=saved", status_code=303)


@router.post("/lead-magnets/{magnet_id}/active", response_model=None)
def switch(
    request: Request,
    _: WriteCapture,
    magnet_id: MagnetId,
    active: Annotated[bool, Form()],
) -> Response:
    """Switch a lead magnet off (forms stop offering it) or on again."""
    found_magnet(request, magnet_id)
    with request.app.state.engine.begin() as connection:
        update_lead_magnet(connection, magnet_id, active=active, now=clock(request))
    done = "activated" if active else "deactivated"
    return RedirectResponse(f"/lead-magnets/{magnet_id}?done={done}", status_code=303)


__all__ = ["router"]
