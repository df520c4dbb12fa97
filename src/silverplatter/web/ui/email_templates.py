"""E-mail template pages: the list, the editor with its variants, a preview per contact and
a test send.  Thin adapters over ``services/email_templates.py``.

The preview's HTML is served on its own (``/templates/{id}/preview.html``) and
shown in a sandboxed frame: a message's own styles and pictures stay inside
it and nothing in it can script the app.  A contact is chosen by e-mail
address or id.
"""

from __future__ import annotations

from html import escape
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Connection, select

from silverplatter.domain.email_templates import VARIABLES
from silverplatter.domain.explanation import BUYING_STAGES
from silverplatter.domain.vocabulary import DECISION_ROLES
from silverplatter.services import email_templates as service
from silverplatter.services.sending import TestSendRefused
from silverplatter.services.sessions import Principal
from silverplatter.storage.schema import contacts
from silverplatter.web.nurture_links import preview_of, test_send
from silverplatter.web.security import clock, requires
from silverplatter.web.templating import render

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, Depends(requires("nurture:read"))]
Writer = Annotated[Principal, Depends(requires("nurture:write"))]
TemplateId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Text = Annotated[str, Form(max_length=500_000)]
Short = Annotated[str, Form(max_length=320)]
Contact = Annotated[str | None, Query(max_length=320)]
#: The frame of the preview: the message's own styles and remote pictures, no scripts.
PREVIEW_POLICY: Final = (
    "default-src 'none'; img-src * data:; style-src 'unsafe-inline'; "
    "frame-ancestors 'self'; sandbox"
)
DONE: Final = {
    "created": "Template saved.",
    "saved": "Template saved; queued messages will use the new words.",
    "unchanged": "Nothing changed.",
    "variant": "Variant saved.",
    "variant-deleted": "Variant deleted.",
    "tested": "Test message sent.",
    "deleted": "Template deleted.",
}


def _contact_id(connection: Connection, chosen: str | None) -> int | None:
    """A contact by id or e-mail address; None when nothing (or nobody) is chosen."""
    value = (chosen or "").strip()
    if not value:
        return None
    if value.isdigit():
        return int(value)
    found = connection.execute(
        select(contacts.c.id).where(contacts.c.email_key == value.lower())
    ).scalar()
    return int(found) if found is not None else None


@router.get("/templates", response_class=HTMLResponse)
def templates_page(
    request: Request, principal: Reader, done: Annotated[str | None, Query(max_length=20)] = None
) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        found = service.list_templates(connection)
    context = {
        "templates": found,
        "may_edit": principal.may("nurture:write"),
        "message": DONE.get(done or ""),
    }
    return render(request, "email_templates.html", context)


def _editor(
    request: Request,
    principal: Principal,
    template: service.EmailTemplate | None,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    chosen: str | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    preview = None
    preview_error = None
    if template is not None:
        with request.app.state.engine.connect() as connection:
            contact_id = _contact_id(connection, chosen)
        if chosen and contact_id is None:
            preview_error = f"no contact {chosen!r}; showing sample values"
        try:
            preview = preview_of(request, template.id, contact_id)
        except service.EmailTemplateError as refused:
            preview_error = refused.message
            preview = preview_of(request, template.id, None)
    shown = values or (
        {
            "name": template.name,
            "slug": template.slug,
            "subject": template.subject,
            "html_body": template.html_body,
            "text_body": template.text_body,
        }
        if template is not None
        else {"name": "", "slug": "", "subject": "", "html_body": "", "text_body": ""}
    )
    context: dict[str, Any] = {
        "template": template,
        "values": shown,
        "errors": errors or {},
        "chosen": chosen or "",
        "preview": preview,
        "preview_error": preview_error,
        "variables": VARIABLES,
        "roles": DECISION_ROLES,
        "stages": BUYING_STAGES,
        "may_edit": principal.may("nurture:write"),
        "message": DONE.get(done or ""),
    }
    return render(request, "email_template_edit.html", context, status_code=status_code)


@router.get("/templates/new", response_class=HTMLResponse)
def new_template(request: Request, principal: Writer) -> HTMLResponse:
    return _editor(request, principal, None)


def _problem(refused: service.EmailTemplateError) -> dict[str, str]:
    where = f"line {refused.line}: " if refused.line is not None else ""
    return {refused.field: f"{where}{refused.message}"}


@router.post("/templates", response_model=None)
def create_template(
    request: Request,
    principal: Writer,
    name: Short = "",
    slug: Short = "",
    subject: Short = "",
    html_body: Text = "",
    text_body: Text = "",
) -> Response:
    values = {
        "name": name,
        "slug": slug,
        "subject": subject,
        "html_body": html_body,
        "text_body": text_body,
    }
    draft = service.TemplateDraft(name, subject, html_body, text_body, slug or None)
    try:
        with request.app.state.engine.begin() as connection:
            made = service.create_template(
                connection, draft, user_id=principal.user_id, now=clock(request)
            )
    except service.EmailTemplateError as refused:
        return _editor(
            request, principal, None, values=values, errors=_problem(refused), status_code=422
        )
    return RedirectResponse(f"/templates/{made.id}?done=created", status_code=303)


def _found(request: Request, template_id: int) -> service.EmailTemplate | None:
    with request.app.state.engine.connect() as connection:
        try:
            return service.get_template(connection, template_id)
        except service.EmailTemplateError:
            return None


def _missing(request: Request) -> HTMLResponse:
    return render(
        request,
        "error.html",
        {"title": "Not found", "detail": "There is no such template."},
        status_code=404,
    )


@router.get("/templates/{template_id}", response_class=HTMLResponse)
def template_page(
    request: Request,
    principal: Reader,
    template_id: TemplateId,
    contact: Contact = None,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    template = _found(request, template_id)
    if template is None:
        return _missing(request)
    return _editor(request, principal, template, chosen=contact, done=done)


@router.get("/templates/{template_id}/preview.html", response_class=HTMLResponse)
def preview_frame(
    request: Request, _: Reader, template_id: TemplateId, contact: Contact = None
) -> HTMLResponse:
    """The rendered HTML alone, for the editor's sandboxed frame."""
    if _found(request, template_id) is None:
        return HTMLResponse("", status_code=404)
    with request.app.state.engine.connect() as connection:
        contact_id = _contact_id(connection, contact)
    try:
        found = preview_of(request, template_id, contact_id)
    except service.EmailTemplateError:
        found = preview_of(request, template_id, None)
    body = found.rendered.html
    if body is None:
        body = f"<pre>{escape(found.rendered.text)}</pre>"
    return HTMLResponse(
        body,
        headers={
            "Content-Security-Policy": PREVIEW_POLICY,
            "X-Frame-Options": "SAMEORIGIN",
            "Cache-Control": "no-store",
        },
    )


@router.post("/templates/{template_id}", response_model=None)
def save_template(
    request: Request,
    principal: Writer,
    template_id: TemplateId,
    name: Short = "",
    slug: Short = "",
    subject: Short = "",
    html_body: Text = "",
    text_body: Text = "",
) -> Response:
    template = _found(request, template_id)
    if template is None:
        return _missing(request)
    values = {
        "name": name,
        "slug": slug,
        "subject": subject,
        "html_body": html_body,
        "text_body": text_body,
    }
    draft = service.TemplateDraft(name, subject, html_body, text_body, slug or None)
    try:
        with request.app.state.engine.begin() as connection:
            saved = service.update_template(connection, template_id, draft, now=clock(request))
    except service.EmailTemplateError as refused:
        return _editor(
            request, principal, template, values=values, errors=_problem(refused), status_code=422
        )
    done = "saved" if saved.version != template.version else "unchanged"
    return RedirectResponse(f"/templates/{template_id}?done={done}", status_code=303)


@router.post("/templates/{template_id}/variants", response_model=None)
def save_variant(
    request: Request,
    principal: Writer,
    template_id: TemplateId,
    decision_role: Short = "",
    buying_stage: Short = "",
    subject: Short = "",
    html_body: Text = "",
    text_body: Text = "",
) -> Response:
    template = _found(request, template_id)
    if template is None:
        return _missing(request)
    try:
        with request.app.state.engine.begin() as connection:
            service.save_variant(
                connection,
                template_id,
                decision_role=decision_role or None,
                buying_stage=buying_stage or None,
                subject=subject,
                html_body=html_body,
                text_body=text_body,
                now=clock(request),
            )
    except service.EmailTemplateError as refused:
        errors = {f"variant_{key}": text for key, text in _problem(refused).items()}
        return _editor(request, principal, template, errors=errors, status_code=422)
    return RedirectResponse(f"/templates/{template_id}?done=variant", status_code=303)


@router.post("/templates/{template_id}/variants/{variant_id}/delete", response_model=None)
def delete_variant(
    request: Request,
    principal: Writer,
    template_id: TemplateId,
    variant_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
) -> Response:
    try:
        with request.app.state.engine.begin() as connection:
            service.delete_variant(connection, template_id, variant_id, now=clock(request))
    except service.EmailTemplateError:
        return _missing(request)
    return RedirectResponse(f"/templates/{template_id}?done=variant-deleted", status_code=303)


@router.post("/templates/{template_id}/test", response_model=None)
def send_test(
    request: Request,
    principal: Writer,
    template_id: TemplateId,
    to: Short = "",
    contact: Short = "",
) -> Response:
    template = _found(request, template_id)
    if template is None:
        return _missing(request)
    with request.app.state.engine.connect() as connection:
        contact_id = _contact_id(connection, contact)
    try:
        test_send(request, template_id, to=to, contact_id=contact_id)
    except TestSendRefused as refused:
        return _editor(
            request,
            principal,
            template,
            chosen=contact,
            errors={"test": refused.message},
            status_code=422,
        )
    return RedirectResponse(f"/templates/{template_id}?done=tested", status_code=303)


@router.post("/templates/{template_id}/delete", response_model=None)
def delete_template(request: Request, principal: Writer, template_id: TemplateId) -> Response:
    template = _found(request, template_id)
    if template is None:
        return _missing(request)
    try:
        with request.app.state.engine.begin() as connection:
            service.delete_template(connection, template_id)
    except service.EmailTemplateError as refused:
        return _editor(
            request, principal, template, errors={"delete": refused.message}, status_code=409
        )
    return RedirectResponse("/templates?done=deleted", status_code=303)
