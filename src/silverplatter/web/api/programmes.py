"""REST API for nurture programmes: definitions and their versions, the status actions,
the built-in templates, enrolments with their history, and enrolling contacts by hand.

A definition is the JSON document of ``domain/programmes.py``; a bad one is
answered with a problem whose ``errors`` name each bad part by its path
(``definition.steps[3].arms[0].when.within_days``).  A change names the
version it was made from; a stale one is a 409.  Enrolments are keyset-paged
by id: pass the previous page's ``next`` as ``after``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from silverplatter.domain.document_checks import DocumentInvalid, StaleVersion
from silverplatter.domain.programme_templates import BUILT_INS
from silverplatter.domain.rule_values import SLUG
from silverplatter.services import programme_enrolments as reading
from silverplatter.services import programmes as service
from silverplatter.services.programme_entry import enrol_contacts
from silverplatter.services.sessions import Principal
from silverplatter.web.problems import Problem, field_problem
from silverplatter.web.security import actor_of, clock, requires

router = APIRouter(prefix="/api/v1", tags=["programmes"])

MAX_LIMIT: Final = 500
Read = Annotated[Principal, Depends(requires("nurture:read"))]
Write = Annotated[Principal, Depends(requires("nurture:write"))]
ProgrammeId = Annotated[int, Path(ge=1, le=2**31 - 1)]
EnrolmentId = Annotated[int, Path(ge=1, le=2**63 - 1)]
DEFINITION_HELP = (
    "entry ({segment}, {rule} or {event, properties}), goal_stages, and steps with ids: "
    "send_email, wait, branch, notify_owner, change_stage, add_to_segment, "
    "remove_from_segment, suppress, go_to, end; see the user guide's Programmes section"
)
EXAMPLE: Final = {
    "entry": {"event": "form_submit", "properties": {"form": "guide"}},
    "goal_stages": ["sql"],
    "steps": [
        {"id": "hello", "type": "send_email", "template": "welcome"},
        {"id": "pause", "type": "wait", "days": 2},
        {"id": "next", "type": "send_email", "template": "welcome-2"},
    ],
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProgrammeOut(BaseModel):
    id: int
    slug: str
    name: str
    description: str | None
    status: str = Field(description="draft, active, paused or archived")
    template: str | None = Field(description="the built-in it was made from, if any")
    definition: dict[str, Any]
    version: int
    enrolments: dict[str, int] = Field(description="enrolments per status")
    created_by: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, programme: service.Programme) -> ProgrammeOut:
        return cls(
            id=programme.id,
            slug=programme.slug,
            name=programme.name,
            description=programme.description,
            status=programme.status,
            template=programme.template,
            definition=programme.definition,
            version=programme.version,
            enrolments=programme.counts,
            created_by=programme.created_by,
            created_at=programme.created_at,
            updated_at=programme.updated_at,
        )


class ProgrammeDetail(ProgrammeOut):
    next_steps: dict[str, int] = Field(description="step id → live enrolments that run it next")


class ProgrammeList(BaseModel):
    items: list[ProgrammeOut]


class ProgrammeCreate(Strict):
    slug: str = Field(max_length=100, pattern=SLUG.pattern, examples=["welcome-series"])
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    definition: dict[str, Any] | None = Field(
        default=None, description=DEFINITION_HELP, examples=[EXAMPLE]
    )
    template: str | None = Field(
        default=None, description=f"a built-in to start from: {', '.join(BUILT_INS)}"
    )
    parameters: dict[str, Any] = Field(
        default_factory=dict, description="the built-in's parameters (GET /programmes/templates)"
    )


class ProgrammeChange(Strict):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    definition: dict[str, Any] = Field(description=DEFINITION_HELP)
    version: int = Field(ge=1, description="the version this change was made from")


class Saved(BaseModel):
    programme: ProgrammeOut
    moved: int = Field(description="live enrolments moved on from removed steps")
    completed: int = Field(description="live enrolments that finished: no later step was left")


class StatusChange(BaseModel):
    programme: ProgrammeOut
    enrolments: int = Field(description="enrolments enrolled, paused, resumed or ended")


class Parameter(BaseModel):
    name: str
    description: str
    default: Any


class BuiltInOut(BaseModel):
    key: str
    name: str
    description: str
    parameters: list[Parameter]


class Enrolment(BaseModel):
    id: int
    contact_id: int
    contact_name: str
    status: str
    step: str | None = Field(description="the next step to run")
    step_words: str
    due_at: datetime | None
    entered_at: datetime
    left_at: datetime | None
    exit_reason: str | None
    programme_version: int


class EnrolmentPage(BaseModel):
    items: list[Enrolment]
    next: int | None = Field(description="pass as `after` for the next page; null on the last")


class HistoryLine(BaseModel):
    step: str
    action: str
    at: datetime
    detail: dict[str, Any]


class EnrolmentDetail(Enrolment):
    history: list[HistoryLine]


class EnrolRequest(Strict):
    contact_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(
        min_length=1, max_length=10_000
    )


class Enrolled(BaseModel):
    enrolled: int = Field(description="contacts enrolled; those in the programme before are not")


@contextmanager
def _answering() -> Iterator[None]:
    """Service refusals as problems naming the field or the definition's part."""
    try:
        yield
    except DocumentInvalid as invalid:
        errors = [{"field": e.field, "message": e.message} for e in invalid.errors]
        raise Problem(422, str(invalid), errors=errors) from None
    except StaleVersion as stale:
        raise field_problem("version", str(stale), 409) from None
    except service.ProgrammeNotFound as missing:
        raise Problem(404, str(missing)) from None
    except service.ProgrammeError as refused:
        status = 409 if refused.field in ("status", "slug") else 422
        raise field_problem(refused.field, refused.message, status) from None


def _enrolment(item: reading.Enrolment) -> Enrolment:
    return Enrolment(
        id=item.id,
        contact_id=item.contact_id,
        contact_name=item.contact_name,
        status=item.status,
        step=item.step,
        step_words=item.step_words,
        due_at=item.due_at,
        entered_at=item.entered_at,
        left_at=item.left_at,
        exit_reason=item.exit_reason,
        programme_version=item.programme_version,
    )


@router.get("/programmes/templates", response_model=list[BuiltInOut])
def built_ins(_: Read) -> list[BuiltInOut]:
    """The built-in programmes and their parameters with defaults."""
    return [
        BuiltInOut(
            key=key,
            name=b.name,
            description=b.description,
            parameters=[
                Parameter(name=name, description=spec.description or "", default=spec.default)
                for name, spec in b.parameters.model_fields.items()
            ],
        )
        for key, b in BUILT_INS.items()
    ]


@router.get("/programmes", response_model=ProgrammeList)
def list_programmes(request: Request, _: Read) -> ProgrammeList:
    with request.app.state.engine.connect() as connection:
        items = service.list_programmes(connection)
    return ProgrammeList(items=[ProgrammeOut.of(p) for p in items])


@router.post("/programmes", response_model=ProgrammeOut, status_code=201)
def create_programme(request: Request, principal: Write, body: ProgrammeCreate) -> ProgrammeOut:
    """A new draft: from a ``definition``, or from a built-in ``template`` and ``parameters``."""
    if (body.definition is None) == (body.template is None):
        raise field_problem("definition", "give a definition or a template, not both")
    with _answering(), request.app.state.engine.begin() as connection:
        actor, now = actor_of(request, principal), clock(request)
        if body.template is not None:
            made = service.create_from_built_in(
                connection,
                body.template,
                slug=body.slug,
                name=body.name,
                description=body.description,
                parameters=body.parameters,
                actor=actor,
                now=now,
            )
        else:
            draft = service.draft_of(
                {
                    "slug": body.slug,
                    "name": body.name or body.slug,
                    "description": body.description,
                    "definition": body.definition,
                }
            )
            made = service.create_programme(connection, draft, actor=actor, now=now)
    return ProgrammeOut.of(made)


@router.get("/programmes/{programme_id}", response_model=ProgrammeDetail)
def get_programme(request: Request, _: Read, programme_id: ProgrammeId) -> ProgrammeDetail:
    with _answering(), request.app.state.engine.connect() as connection:
        programme = service.get_programme(connection, programme_id)
        steps = service.step_counts(connection, programme_id)
    return ProgrammeDetail(**ProgrammeOut.of(programme).model_dump(), next_steps=steps)


@router.put("/programmes/{programme_id}", response_model=Saved)
def change_programme(
    request: Request, principal: Write, programme_id: ProgrammeId, body: ProgrammeChange
) -> Saved:
    """Save a new version; live enrolments at removed steps move on to the next surviving one."""
    with _answering(), request.app.state.engine.begin() as connection:
        saved = service.update_programme(
            connection,
            programme_id,
            name=body.name,
            description=body.description,
            definition=body.definition,
            seen_version=body.version,
            actor=actor_of(request, principal),
            now=clock(request),
        )
    return Saved(
        programme=ProgrammeOut.of(saved.programme), moved=saved.moved, completed=saved.completed
    )


def _status(request: Request, principal: Principal, programme_id: int, verb: str) -> StatusChange:
    with _answering(), request.app.state.engine.begin() as connection:
        service.get_programme(connection, programme_id)
        count = service.STATUS_ACTIONS[verb](
            connection, programme_id, actor=actor_of(request, principal), now=clock(request)
        )
        programme = service.get_programme(connection, programme_id)
    return StatusChange(programme=ProgrammeOut.of(programme), enrolments=count)


@router.post("/programmes/{programme_id}/activate", response_model=StatusChange)
def activate(request: Request, principal: Write, programme_id: ProgrammeId) -> StatusChange:
    """Start a draft: every template and segment it names must exist; enrols its segment."""
    return _status(request, principal, programme_id, "activate")


@router.post("/programmes/{programme_id}/pause", response_model=StatusChange)
def pause(request: Request, principal: Write, programme_id: ProgrammeId) -> StatusChange:
    return _status(request, principal, programme_id, "pause")


@router.post("/programmes/{programme_id}/resume", response_model=StatusChange)
def resume(request: Request, principal: Write, programme_id: ProgrammeId) -> StatusChange:
    return _status(request, principal, programme_id, "resume")


@router.post("/programmes/{programme_id}/archive", response_model=StatusChange)
def archive(request: Request, principal: Write, programme_id: ProgrammeId) -> StatusChange:
    return _status(request, principal, programme_id, "archive")


@router.get("/programmes/{programme_id}/versions")
def versions(request: Request, _: Read, programme_id: ProgrammeId) -> list[dict[str, Any]]:
    """Every saved version, newest first."""
    with _answering(), request.app.state.engine.connect() as connection:
        rows = service.versions(connection, programme_id)
    return [
        {
            "version": row.version,
            "definition": row.definition,
            "created_at": row.created_at.isoformat(),
            "created_by": row.author_name,
        }
        for row in rows
    ]


@router.get("/programmes/{programme_id}/enrolments", response_model=EnrolmentPage)
def enrolments(
    request: Request,
    _: Read,
    programme_id: ProgrammeId,
    status: Annotated[str | None, Query(pattern="^(active|paused|completed|exited)$")] = None,
    after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> EnrolmentPage:
    with _answering(), request.app.state.engine.connect() as connection:
        page = reading.enrolments(connection, programme_id, status=status, after=after, limit=limit)
    return EnrolmentPage(items=[_enrolment(item) for item in page.items], next=page.next)


@router.post("/programmes/{programme_id}/enrolments", response_model=Enrolled)
def enrol(request: Request, _: Write, programme_id: ProgrammeId, body: EnrolRequest) -> Enrolled:
    """Enrol contacts by hand in an active programme (those never in it)."""
    with _answering(), request.app.state.engine.begin() as connection:
        programme = service.get_programme(connection, programme_id)
        count = enrol_contacts(connection, programme, body.contact_ids, now=clock(request))
    return Enrolled(enrolled=count)


@router.get("/programmes/{programme_id}/enrolments/{enrolment_id}", response_model=EnrolmentDetail)
def enrolment(
    request: Request, _: Read, programme_id: ProgrammeId, enrolment_id: EnrolmentId
) -> EnrolmentDetail:
    """One contact's enrolment with everything that happened, oldest first."""
    with _answering(), request.app.state.engine.connect() as connection:
        item, _name, history = reading.enrolment(connection, enrolment_id)
    if item.programme_id != programme_id:
        raise Problem(404, f"there is no enrolment {enrolment_id} in programme {programme_id}")
    return EnrolmentDetail(
        **_enrolment(item).model_dump(),
        history=[
            HistoryLine(step=line.step, action=line.action, at=line.at, detail=line.detail)
            for line in history
        ],
    )


__all__ = ["router"]
