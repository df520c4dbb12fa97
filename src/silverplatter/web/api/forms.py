"""REST API for capture forms: list, read, create and change them, and list their submissions.

Forms are listed in id order and submissions newest first, both
keyset-paginated: pass the previous page's ``next`` as ``after``.  A form
that cannot be saved is a 422 problem whose ``errors`` name each field
(``questions[1].choices``) and what was expected.  Every change is audited,
bumps the form's ``version`` and, when the consent wording changes, adds a
new wording version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from silverplatter.domain.forms import InvalidForm
from silverplatter.services.forms import (
    Form,
    FormNotFound,
    SubmissionRow,
    create_form,
    get_form,
    list_forms,
    submission_page,
    update_form,
)
from silverplatter.services.sessions import Principal
from silverplatter.web.problems import Problem
from silverplatter.web.security import actor_of, clock, requires

router = APIRouter(prefix="/api/v1", tags=["forms"])

ReadCapture = Annotated[Principal, Depends(requires("capture:read"))]
WriteCapture = Annotated[Principal, Depends(requires("capture:write"))]
MAX_LIMIT: Final = 200
MAX_ID: Final = 2**31 - 1
After = Annotated[
    int | None,
    Query(ge=1, le=2**63 - 1, description="the `next` cursor of the previous page, if any"),
]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="items per page")]
CtaKind = Literal["soft", "hard"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FieldIn(Strict):
    name: str = Field(
        max_length=100,
        description="a standard field (email, first_name, last_name, title, department, "
        "company, phone, country) or the name of a custom contact property",
        examples=["first_name"],
    )
    label: str | None = Field(default=None, max_length=200, description="defaults to the field's")
    required: bool = False


class QuestionIn(Strict):
    key: str = Field(max_length=100, examples=["topics_of_interest"])
    label: str = Field(max_length=300, examples=["Which topics interest you?"])
    choices: list[Annotated[str, Field(max_length=200)]] = Field(
        min_length=2, max_length=12, examples=[["ERP", "CRM", "BI"]]
    )
    multiple: bool = Field(default=False, description="whether several answers may be chosen")
    required: bool = False
    property: str | None = Field(
        default=None,
        max_length=100,
        description="a custom contact property of type choice to keep the answer in",
    )


class FormSettings(Strict):
    name: str = Field(max_length=200, examples=["Newsletter"])
    fields: list[FieldIn] = Field(max_length=30, description="must include email")
    questions: list[QuestionIn] = Field(
        default_factory=list, max_length=5, description="at most five strategic questions"
    )
    consent_wording: str = Field(max_length=2000, description="what people agree to")
    cta_kind: CtaKind = Field(
        default="soft", description="soft (a guide, a newsletter) or hard (a request for contact)"
    )
    lead_magnet: str | None = Field(
        default=None, max_length=100, description="the slug of the lead magnet delivered"
    )
    double_opt_in: bool = True
    allowed_origins: list[Annotated[str, Field(max_length=300)]] = Field(
        default_factory=list,
        max_length=20,
        description="origins (scheme://host[:port]) whose pages may embed the form",
        examples=[["https://www.example.com"]],
    )
    success_message: str | None = Field(default=None, max_length=1000)
    active: bool = True


class FormCreate(FormSettings):
    slug: str = Field(
        max_length=100,
        description="lowercase letters, digits, hyphens or underscores; fixed once created",
        examples=["newsletter"],
    )


class FormChange(Strict):
    """Only the settings sent are changed."""

    name: str | None = Field(default=None, max_length=200)
    fields: list[FieldIn] | None = Field(default=None, max_length=30)
    questions: list[QuestionIn] | None = Field(default=None, max_length=5)
    consent_wording: str | None = Field(
        default=None, max_length=2000, description="a change adds a new wording version"
    )
    cta_kind: CtaKind | None = None
    lead_magnet: str | None = Field(default=None, max_length=100, description="null for none")
    double_opt_in: bool | None = None
    allowed_origins: list[Annotated[str, Field(max_length=300)]] | None = Field(
        default=None, max_length=20
    )
    success_message: str | None = Field(default=None, max_length=1000)
    active: bool | None = None


class FieldOut(BaseModel):
    name: str
    label: str
    required: bool
    type: str = Field(description="email, text, tel, country, number, date, boolean or choice")
    property: bool = Field(default=False, description="a custom contact property")
    choices: list[str] | None = None
    multiple: bool | None = None


class QuestionOut(BaseModel):
    key: str
    label: str
    choices: list[str]
    multiple: bool
    required: bool
    property: str | None


class FormOut(BaseModel):
    id: int
    slug: str
    name: str
    fields: list[FieldOut]
    questions: list[QuestionOut]
    consent_wording: str
    consent_wording_version: int
    cta_kind: CtaKind
    lead_magnet: str | None
    double_opt_in: bool
    allowed_origins: list[str]
    success_message: str | None
    active: bool
    version: int = Field(description="bumped by every change")
    created_at: datetime
    updated_at: datetime
    embed_code: str = Field(description="the HTML to paste into a page of an allowed origin")

    @classmethod
    def of(cls, form: Form, public_url: str) -> FormOut:
        document: dict[str, Any] = form.document()
        return cls(**document, embed_code=embed_code(form.slug, public_url))


class FormPage(BaseModel):
    items: list[FormOut]
    next: int | None = Field(description="pass as `after` for the next page; null on the last")


class SubmissionOut(BaseModel):
    id: int
    submitted_at: datetime
    contact_id: int | None
    email: str | None
    opt_in: Literal["unconfirmed", "confirmed", "not_required"]
    confirmed_at: datetime | None
    answers: dict[str, str | list[str]]
    visitor_id: str | None

    @classmethod
    def of(cls, row: SubmissionRow) -> SubmissionOut:
        return cls(
            id=row.id,
            submitted_at=row.submitted_at,
            contact_id=row.contact_id,
            email=row.email,
            opt_in=row.opt_in,
            confirmed_at=row.confirmed_at,
            answers=row.answers,
            visitor_id=row.visitor_id,
        )


class SubmissionPage(BaseModel):
    items: list[SubmissionOut]
    next: int | None = Field(description="pass as `after` for older ones; null on the last")


def embed_code(slug: str, public_url: str) -> str:
    """The snippet a page pastes to show the form."""
    base = public_url.rstrip("/")
    return (
        f'<div data-silverplatter-form="{slug}"></div>\n'
        f'<script src="{base}/capture/forms/{slug}/embed.js" defer></script>'
    )


def invalid(error: InvalidForm) -> Problem:
    errors = [{"field": item.field, "message": item.message} for item in error.errors]
    detail = f"{errors[0]['field']}: {errors[0]['message']}"
    if len(errors) > 1:
        detail += f" (and {len(errors) - 1} more)"
    return Problem(422, detail, errors=errors)


def _found(request: Request, form_id: int) -> Form:
    if form_id > MAX_ID:
        raise Problem(404, f"there is no form {form_id}")
    try:
        with request.app.state.engine.connect() as connection:
            return get_form(connection, form_id)
    except FormNotFound as missing:
        raise Problem(404, str(missing)) from None


def _public_url(request: Request) -> str:
    url: str = request.app.state.settings.public_url
    return url


@router.get("/forms", response_model=FormPage)
def forms(request: Request, _: ReadCapture, after: After = None, limit: Limit = 50) -> FormPage:
    """Forms in id order."""
    with request.app.state.engine.connect() as connection:
        found = list_forms(connection, after=min(after or 0, MAX_ID) or None, limit=limit + 1)
    page = found[:limit]
    public_url = _public_url(request)
    return FormPage(
        items=[FormOut.of(form, public_url) for form in page],
        next=page[-1].id if len(found) > limit else None,
    )


@router.post(
    "/forms",
    response_model=FormOut,
    status_code=201,
    responses={422: {"description": "the form cannot be saved; `errors` names each field"}},
)
def create(
    request: Request, response: Response, principal: WriteCapture, body: FormCreate
) -> FormOut:
    """Create a form; audited."""
    try:
        with request.app.state.engine.begin() as connection:
            form = create_form(
                connection,
                body.model_dump(),
                actor=actor_of(request, principal),
                now=clock(request),
            )
    except InvalidForm as error:
        raise invalid(error) from None
    response.headers["Location"] = f"/api/v1/forms/{form.id}"
    return FormOut.of(form, _public_url(request))


@router.get("/forms/{form_id}", response_model=FormOut)
def form(request: Request, _: ReadCapture, form_id: int) -> FormOut:
    """One form with its current consent wording and embed code."""
    return FormOut.of(_found(request, form_id), _public_url(request))


@router.patch(
    "/forms/{form_id}",
    response_model=FormOut,
    responses={422: {"description": "the change cannot be saved; `errors` names each field"}},
)
def change(request: Request, principal: WriteCapture, form_id: int, body: FormChange) -> FormOut:
    """Change the settings sent; each change bumps the version and is audited."""
    _found(request, form_id)
    try:
        with request.app.state.engine.begin() as connection:
            changed = update_form(
                connection,
                form_id,
                body.model_dump(exclude_unset=True),
                actor=actor_of(request, principal),
                now=clock(request),
            )
    except InvalidForm as error:
        raise invalid(error) from None
    except FormNotFound as missing:
        raise Problem(404, str(missing)) from None
    return FormOut.of(changed, _public_url(request))


@router.get("/forms/{form_id}/submissions", response_model=SubmissionPage)
def submissions(
    request: Request, _: ReadCapture, form_id: int, after: After = None, limit: Limit = 50
) -> SubmissionPage:
    """The form's submissions, newest first."""
    _found(request, form_id)
    with request.app.state.engine.connect() as connection:
        rows = submission_page(connection, form_id, before=after, limit=limit + 1)
    page = rows[:limit]
    return SubmissionPage(
        items=[SubmissionOut.of(row) for row in page],
        next=page[-1].id if len(rows) > limit else None,
    )
