"""REST API for e-mail templates: CRUD, variants, preview per contact, test send.

A template that does not compile is answered with a problem naming the part
and its line (``errors[0].field`` is ``subject``, ``html_body`` or
``text_body``; ``errors[0].line`` the line).  See the user guide's
"E-mail templates" for the variables and their fallbacks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from silverplatter.services import email_templates as service
from silverplatter.services.sessions import Principal
from silverplatter.web.problems import Problem
from silverplatter.web.security import clock, requires

router = APIRouter(prefix="/api/v1", tags=["templates"])

Read = Annotated[Principal, Depends(requires("nurture:read"))]
Write = Annotated[Principal, Depends(requires("nurture:write"))]
TemplateId = Annotated[int, Path(ge=1, le=2**31 - 1)]
VariantId = Annotated[int, Path(ge=1, le=2**31 - 1)]
EXAMPLE_HTML: Final = (
    "<p>Hello {{ contact.first_name | default('there') }},</p>"
    "<p>news for {{ account.name | default('your company') }}.</p>"
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VariantOut(BaseModel):
    id: int
    decision_role: str | None
    buying_stage: str | None
    subject: str
    html_body: str
    text_body: str


class TemplateOut(BaseModel):
    id: int
    slug: str
    name: str
    subject: str
    html_body: str
    text_body: str = Field(description="empty: made from the HTML when sent")
    version: int
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    variants: list[VariantOut]

    @classmethod
    def of(cls, found: service.EmailTemplate) -> TemplateOut:
        return cls(
            id=found.id,
            slug=found.slug,
            name=found.name,
            subject=found.subject,
            html_body=found.html_body,
            text_body=found.text_body,
            version=found.version,
            created_by=found.created_by,
            created_at=found.created_at,
            updated_at=found.updated_at,
            variants=[
                VariantOut(
                    id=v.id,
                    decision_role=v.decision_role,
                    buying_stage=v.buying_stage,
                    subject=v.subject,
                    html_body=v.html_body,
                    text_body=v.text_body,
                )
                for v in found.variants
            ],
        )


class TemplateList(BaseModel):
    items: list[TemplateOut]


class TemplateIn(Strict):
    name: str = Field(min_length=1, max_length=200, examples=["Weekly newsletter"])
    slug: str | None = Field(default=None, max_length=100, examples=["weekly-newsletter"])
    subject: str = Field(
        max_length=300, examples=["News for {{ contact.first_name | default('you') }}"]
    )
    html_body: str = Field(default="", max_length=500_000, examples=[EXAMPLE_HTML])
    text_body: str = Field(default="", max_length=500_000)


class VariantIn(Strict):
    decision_role: str | None = Field(default=None, max_length=30, examples=["economic_buyer"])
    buying_stage: str | None = Field(default=None, max_length=30, examples=["decision"])
    subject: str = Field(max_length=300)
    html_body: str = Field(default="", max_length=500_000)
    text_body: str = Field(default="", max_length=500_000)


class PreviewIn(Strict):
    contact_id: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="sample values when left out"
    )


class PreviewOut(BaseModel):
    subject: str
    html: str | None
    text: str
    variant: str = Field(description="'base', or the variant's role and stage")
    decision_role: str | None
    buying_stage: str | None


class TestSendIn(Strict):
    to: str = Field(max_length=320, examples=["me@seller.example"])
    contact_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class TestSendOut(BaseModel):
    sent_to: str


@contextmanager
def _answering() -> Iterator[None]:
    try:
        yield
    except service.EmailTemplateError as refused:
        error = {"field": refused.field, "message": refused.message}
        if refused.line is not None:
            error["line"] = str(refused.line)
        raise Problem(refused.status, str(refused), errors=[error]) from None


@router.get("/templates", response_model=TemplateList)
def list_templates(request: Request, _: Read) -> TemplateList:
    with request.app.state.engine.connect() as connection:
        return TemplateList(items=[TemplateOut.of(t) for t in service.list_templates(connection)])


@router.post("/templates", response_model=TemplateOut, status_code=201)
def create_template(
    request: Request, response: Response, principal: Write, body: TemplateIn
) -> TemplateOut:
    """Save a new template; its syntax and variables are checked (errors name the line)."""
    draft = service.TemplateDraft(
        body.name, body.subject, body.html_body, body.text_body, body.slug
    )
    with _answering(), request.app.state.engine.begin() as connection:
        made = service.create_template(
            connection, draft, user_id=principal.user_id, now=clock(request)
        )
    response.headers["Location"] = f"/api/v1/templates/{made.id}"
    return TemplateOut.of(made)


@router.get("/templates/{template_id}", response_model=TemplateOut)
def get_template(request: Request, _: Read, template_id: TemplateId) -> TemplateOut:
    with _answering(), request.app.state.engine.connect() as connection:
        return TemplateOut.of(service.get_template(connection, template_id))


@router.put("/templates/{template_id}", response_model=TemplateOut)
def change_template(
    request: Request, _: Write, template_id: TemplateId, body: TemplateIn
) -> TemplateOut:
    """Replace the words; the version goes up (queued messages use the new words)."""
    draft = service.TemplateDraft(
        body.name, body.subject, body.html_body, body.text_body, body.slug
    )
    with _answering(), request.app.state.engine.begin() as connection:
        return TemplateOut.of(
            service.update_template(connection, template_id, draft, now=clock(request))
        )


@router.delete("/templates/{template_id}", status_code=204)
def delete_template(request: Request, _: Write, template_id: TemplateId) -> Response:
    """Delete a template nothing was sent or scheduled with (409 otherwise)."""
    with _answering(), request.app.state.engine.begin() as connection:
        service.delete_template(connection, template_id)
    return Response(status_code=204)


@router.put("/templates/{template_id}/variants", response_model=TemplateOut)
def save_variant(
    request: Request, _: Write, template_id: TemplateId, body: VariantIn
) -> TemplateOut:
    """Add or replace the variant for a decision role and/or buying stage."""
    with _answering(), request.app.state.engine.begin() as connection:
        return TemplateOut.of(
            service.save_variant(
                connection,
                template_id,
                decision_role=body.decision_role,
                buying_stage=body.buying_stage,
                subject=body.subject,
                html_body=body.html_body,
                text_body=body.text_body,
                now=clock(request),
            )
        )


@router.delete("/templates/{template_id}/variants/{variant_id}", response_model=TemplateOut)
def delete_variant(
    request: Request, _: Write, template_id: TemplateId, variant_id: VariantId
) -> TemplateOut:
    with _answering(), request.app.state.engine.begin() as connection:
        return TemplateOut.of(
            service.delete_variant(connection, template_id, variant_id, now=clock(request))
        )


@router.post("/templates/{template_id}/preview", response_model=PreviewOut)
def preview(request: Request, _: Read, template_id: TemplateId, body: PreviewIn) -> PreviewOut:
    """The message as a contact would get it (without tracking links)."""
    from silverplatter.web.nurture_links import preview_of

    with _answering():
        found = preview_of(request, template_id, body.contact_id)
    return PreviewOut(
        subject=found.rendered.subject,
        html=found.rendered.html,
        text=found.rendered.text,
        variant=found.variant,
        decision_role=found.decision_role,
        buying_stage=found.buying_stage,
    )


@router.post("/templates/{template_id}/test", response_model=TestSendOut)
def test_send(request: Request, _: Write, template_id: TemplateId, body: TestSendIn) -> TestSendOut:
    """Send the template to one address now, as ``contact_id`` would get it."""
    from silverplatter.services.sending import TestSendRefused
    from silverplatter.web.nurture_links import test_send as send

    try:
        send(request, template_id, to=body.to, contact_id=body.contact_id)
    except TestSendRefused as refused:
        raise Problem(
            422, str(refused), errors=[{"field": refused.field, "message": refused.message}]
        ) from None
    return TestSendOut(sent_to=body.to.strip())
