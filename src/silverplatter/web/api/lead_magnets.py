"""REST API for lead magnets: list, read, upload (multipart), change, fetch the file.

A file that cannot be offered (empty, too large, a kind not offered, a name
that disagrees with the content) is a 422 problem naming ``file``; a bad
field is a 422 naming it; an unknown magnet a 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Request, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from silverplatter.domain.lead_magnets import MAX_FILE_BYTES, MagnetInvalid
from silverplatter.services.lead_magnets import (
    LeadMagnet,
    create_lead_magnet,
    get_lead_magnet,
    list_lead_magnets,
    update_lead_magnet,
)
from silverplatter.services.sessions import Principal
from silverplatter.storage import lead_magnets as store
from silverplatter.web.capture.downloads import attachment
from silverplatter.web.problems import Problem, field_problem
from silverplatter.web.security import clock, requires

router = APIRouter(prefix="/api/v1", tags=["lead magnets"])

ReadCapture = Annotated[Principal, Depends(requires("capture:read"))]
WriteCapture = Annotated[Principal, Depends(requires("capture:write"))]
#: Ids are 32-bit integers in the database.
MAX_ID: Final = 2**31 - 1
MagnetId = Annotated[int, Path(ge=1, le=MAX_ID)]
CtaKind = Literal["soft", "hard"]


class LeadMagnetOut(BaseModel):
    id: int
    slug: str = Field(description="names the magnet in events (`lead_magnet`, `content_id`)")
    title: str
    description: str | None
    file_name: str
    content_type: str = Field(description="read from the file's content, not its name")
    size_bytes: int
    sha256: str
    cta_kind: CtaKind = Field(description="the call to action a download counts as")
    active: bool = Field(description="false: forms no longer offer it, its links say so")
    downloads: int = Field(description="content_download events: one per person and day")
    created_at: datetime
    updated_at: datetime
    file_url: str

    @classmethod
    def of(cls, magnet: LeadMagnet) -> LeadMagnetOut:
        return cls(
            id=magnet.id,
            slug=magnet.slug,
            title=magnet.title,
            description=magnet.description,
            file_name=magnet.file_name,
            content_type=magnet.content_type,
            size_bytes=magnet.size_bytes,
            sha256=magnet.sha256,
            cta_kind="hard" if magnet.cta_kind == "hard" else "soft",
            active=magnet.active,
            downloads=magnet.downloads,
            created_at=magnet.created_at,
            updated_at=magnet.updated_at,
            file_url=f"/api/v1/lead-magnets/{magnet.id}/file",
        )


class LeadMagnetList(BaseModel):
    items: list[LeadMagnetOut]


class LeadMagnetChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, max_length=300)
    description: str | None = Field(
        default=None, max_length=2000, description="an empty string clears it"
    )
    cta_kind: CtaKind | None = None
    active: bool | None = None


def read_upload(file: UploadFile | None) -> tuple[bytes, str]:
    """The uploaded file's bytes and name, refusing one over the size limit before reading on."""
    if file is None or not file.filename:
        raise MagnetInvalid("file", "choose the file people will download")
    content = file.file.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise MagnetInvalid("file", f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    return content, file.filename


def found_magnet(request: Request, magnet_id: int) -> LeadMagnet:
    with request.app.state.engine.connect() as connection:
        magnet = get_lead_magnet(connection, magnet_id)
    if magnet is None:
        raise Problem(404, f"there is no lead magnet {magnet_id}")
    return magnet


def file_response(request: Request, magnet_id: int) -> Response:
    with request.app.state.engine.connect() as connection:
        row = store.with_file(connection, magnet_id)
    if row is None:
        raise Problem(404, f"there is no lead magnet {magnet_id}")
    return Response(
        bytes(row.content),
        media_type=row.content_type,
        headers={
            "Content-Disposition": attachment(row.file_name),
            "Cache-Control": "private, no-store",
        },
    )


def _invalid(error: MagnetInvalid) -> Problem:
    return field_problem(error.field, error.message)


@router.get("/lead-magnets", response_model=LeadMagnetList)
def lead_magnets(request: Request, _: ReadCapture) -> LeadMagnetList:
    """Every lead magnet with its downloads, active ones first, then by title."""
    with request.app.state.engine.connect() as connection:
        magnets = list_lead_magnets(connection)
    return LeadMagnetList(items=[LeadMagnetOut.of(magnet) for magnet in magnets])


@router.post(
    "/lead-magnets",
    response_model=LeadMagnetOut,
    status_code=201,
    responses={422: {"description": "the file or a field cannot be taken; `errors` names it"}},
)
def upload_lead_magnet(
    request: Request,
    response: Response,
    _: WriteCapture,
    file: Annotated[UploadFile, File(description="PDF, Office document, picture, video …")],
    title: Annotated[str, Form(max_length=300)],
    slug: Annotated[
        str | None, Form(max_length=100, description="derived from the title when omitted")
    ] = None,
    description: Annotated[str | None, Form(max_length=2000)] = None,
    cta_kind: Annotated[CtaKind, Form()] = "soft",
) -> LeadMagnetOut:
    """Upload a file as a new lead magnet."""
    try:
        content, file_name = read_upload(file)
        with request.app.state.engine.begin() as connection:
            magnet = create_lead_magnet(
                connection,
                title=title,
                slug=slug,
                description=description,
                cta_kind=cta_kind,
                content=content,
                file_name=file_name,
                now=clock(request),
            )
    except MagnetInvalid as error:
        raise _invalid(error) from None
    response.headers["Location"] = f"/api/v1/lead-magnets/{magnet.id}"
    return LeadMagnetOut.of(magnet)


@router.get("/lead-magnets/{magnet_id}", response_model=LeadMagnetOut)
def lead_magnet(request: Request, _: ReadCapture, magnet_id: MagnetId) -> LeadMagnetOut:
    """One lead magnet."""
    return LeadMagnetOut.of(found_magnet(request, magnet_id))


@router.patch("/lead-magnets/{magnet_id}", response_model=LeadMagnetOut)
def change_lead_magnet(
    request: Request, _: WriteCapture, magnet_id: MagnetId, body: LeadMagnetChange
) -> LeadMagnetOut:
    """Change the title, description, call-to-action kind, or switch it off or on."""
    try:
        with request.app.state.engine.begin() as connection:
            magnet = update_lead_magnet(
                connection,
                magnet_id,
                title=body.title,
                description=body.description,
                cta_kind=body.cta_kind,
                active=body.active,
                now=clock(request),
            )
    except MagnetInvalid as error:
        raise _invalid(error) from None
    except LookupError:
        raise Problem(404, f"there is no lead magnet {magnet_id}") from None
    return LeadMagnetOut.of(magnet)


@router.get(
    "/lead-magnets/{magnet_id}/file",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "the file"}},
)
def lead_magnet_file(request: Request, _: ReadCapture, magnet_id: MagnetId) -> Response:
    """The magnet's file (no download event is recorded for the team)."""
    return file_response(request, magnet_id)
