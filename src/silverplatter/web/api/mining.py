"""REST API of the lost-lead mining report (domain §11) and its one-click actions.

``GET /mining`` is the whole report, ``GET /mining/{key}`` one section;
``POST /mining/{key}/assign``, ``/enrol`` and ``/tasks`` act on selected
candidates (targets: a contact id, an account id, or both).  Reading needs
``planning:read``, acting ``tasks:write``; sales sees and acts on the
candidates it owns only.  A refusal is a problem whose ``errors`` name the
field (``targets[2].contact_id``, ``owner_id``...).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from silverplatter.domain.access import OWN_RECORDS_ONLY
from silverplatter.domain.mining import SECTION_KEYS, Section
from silverplatter.services.mining import actions
from silverplatter.services.mining.report import DEFAULT_LIMIT, one_section, report_side_by_side
from silverplatter.services.sessions import Principal
from silverplatter.web.problems import Problem, field_problem
from silverplatter.web.security import actor_of, clock, requires

router = APIRouter(prefix="/api/v1", tags=["lost leads"])

Read = Annotated[Principal, Depends(requires("planning:read"))]
Act = Annotated[Principal, Depends(requires("tasks:write"))]
Key = Annotated[str, Path(max_length=40, pattern=r"^[a-z_]+$", description="a section key")]
Limit = Annotated[int, Query(ge=1, le=1_000, description="candidates per section")]
MAX_TARGETS: Final = actions.MAX_TARGETS


class CandidateOut(BaseModel):
    reason: str
    contact_id: int | None
    contact_name: str | None
    contact_email: str | None
    account_id: int | None
    account_name: str | None
    owner_id: int | None
    owner_name: str | None
    suggested_on: date | None = Field(description="a date to act on, when there is one")
    figures: dict[str, int | float | str]


class SectionOut(BaseModel):
    key: str
    title: str
    explanation: str
    total: int = Field(description="how many candidates there are; the list holds the first")
    actions: list[str]
    candidates: list[CandidateOut]

    @classmethod
    def of(cls, section: Section) -> SectionOut:
        return cls(
            key=section.key,
            title=section.title,
            explanation=section.explanation,
            total=section.total,
            actions=list(section.actions),
            candidates=[
                CandidateOut(
                    reason=c.reason,
                    contact_id=c.contact_id,
                    contact_name=c.contact_name,
                    contact_email=c.contact_email,
                    account_id=c.account_id,
                    account_name=c.account_name,
                    owner_id=c.owner_id,
                    owner_name=c.owner_name,
                    suggested_on=c.suggested_on,
                    figures=dict(c.figures),
                )
                for c in section.candidates
            ],
        )


class ReportOut(BaseModel):
    sections: list[SectionOut]
    missing: list[str] = Field(description="sections whose module is not available yet")


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    targets: Annotated[list[actions.Target], Field(min_length=1, max_length=MAX_TARGETS)]


class AssignBody(_Body):
    owner_id: Annotated[int, Field(ge=1, le=2**31 - 1)]


class EnrolBody(_Body):
    programme_id: Annotated[int, Field(ge=1, le=2**31 - 1)]


class TaskBody(_Body):
    title: Annotated[str, Field(min_length=1, max_length=300)]
    due_on: date | None = None
    notes: Annotated[str, Field(max_length=5_000)] | None = None
    owner_id: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = Field(
        None, description="who should do it; by default the lead's owner"
    )


class Done(BaseModel):
    count: int = Field(description="records given, contacts enrolled or tasks created")
    task_ids: list[int] = Field(default_factory=list)


def _own_only(principal: Principal) -> int | None:
    return principal.user_id if principal.role in OWN_RECORDS_ONLY else None


def _known(key: str) -> None:
    if key not in SECTION_KEYS:
        raise Problem(
            404, f"there is no section {key!r}; expected one of {', '.join(SECTION_KEYS)}"
        )


@contextmanager
def _answering() -> Iterator[None]:
    try:
        yield
    except actions.ActionError as refused:
        raise field_problem(refused.field, refused.message) from None


@router.get("/mining", response_model=ReportOut)
def report(request: Request, principal: Read, limit: Limit = DEFAULT_LIMIT) -> ReportOut:
    """The ten places lost leads hide, in order, each with its first candidates."""
    found = report_side_by_side(
        request.app.state.engine, now=clock(request), limit=limit, owner_id=_own_only(principal)
    )
    return ReportOut(sections=[SectionOut.of(s) for s in found.sections], missing=found.missing)


@router.get("/mining/{key}", response_model=SectionOut)
def section(
    request: Request, principal: Read, key: Key, limit: Limit = DEFAULT_LIMIT
) -> SectionOut:
    """One section with its first candidates."""
    _known(key)
    with request.app.state.engine.connect() as connection:
        found = one_section(
            connection, key, now=clock(request), limit=limit, owner_id=_own_only(principal)
        )
    if found is None:
        raise Problem(404, f"the section {key!r} is not available yet")
    return SectionOut.of(found)


def _act(request: Request, principal: Principal, action: actions.Action) -> Any:
    with _answering(), request.app.state.engine.begin() as connection:
        common: dict[str, Any] = {
            "actor": actor_of(request, principal),
            "now": clock(request),
            "own_only": _own_only(principal),
        }
        if isinstance(action, actions.GiveTask):
            made = actions.give_tasks(connection, action, **common)
            return Done(count=len(made), task_ids=made)
        return Done(count=actions.run(connection, action, **common))


@router.post("/mining/{key}/assign", response_model=Done)
def assign(request: Request, principal: Act, key: Key, body: AssignBody) -> Done:
    """Give the targets' contacts (or, without one, accounts) to an owner."""
    _known(key)
    action = actions.Assign(section=key, **body.model_dump())
    done: Done = _act(request, principal, action)
    return done


@router.post("/mining/{key}/enrol", response_model=Done)
def enrol(request: Request, principal: Act, key: Key, body: EnrolBody) -> Done:
    """Enrol the targets' contacts in an active programme (those never in it); needs
    ``nurture:write`` besides ``tasks:write``, as enrolling does on the programme's page."""
    _known(key)
    if not principal.may(actions.ENROLLING):
        raise Problem(403, f"enrolling in a programme needs the {actions.ENROLLING} permission")
    action = actions.Enrol(section=key, **body.model_dump())
    done: Done = _act(request, principal, action)
    return done


@router.post("/mining/{key}/tasks", response_model=Done)
def give_tasks(request: Request, principal: Act, key: Key, body: TaskBody) -> Done:
    """Give each target a task (source ``mining:<key>``)."""
    _known(key)
    action = actions.GiveTask(section=key, **body.model_dump())
    done: Done = _act(request, principal, action)
    return done
