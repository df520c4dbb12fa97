"""BANT qualification and lifecycle moves of one contact.

* ``POST /api/v1/contacts/{id}/qualification`` records a BANT qualification
  (the latest one counts); ``GET`` reads the latest.
* ``POST /api/v1/contacts/{id}/transitions`` moves the contact by a named
  transition with a reason; an illegal one is refused naming ``transition``
  and listing the transitions allowed from the contact's stage.  A move to
  SQL hands the contact over to sales at once (owner and due time).
* ``GET /api/v1/contacts/{id}/stages`` is the stage, the moves allowed from
  it and the history of moves.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Final

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import Connection

from silverplatter.domain.lifecycle import (
    TRANSITIONS,
    LifecycleError,
    StageChange,
    Transition,
    allowed_from,
)
from silverplatter.domain.qualification import Bant
from silverplatter.services.handover import Handover, hand_over_new_sqls
from silverplatter.services.lifecycle import StageRecord, stage_history, transition
from silverplatter.services.qualification import latest_qualification, record_qualification
from silverplatter.services.sessions import Principal
from silverplatter.storage.lifecycle import current_stage
from silverplatter.web.api.engine_scope import (
    NO_NUL,
    ContactId,
    Words,
    check_contact,
    database,
    no_contact,
)
from silverplatter.web.problems import Problem, field_problem
from silverplatter.web.security import clock, requires

router = APIRouter(tags=["lifecycle"])

#: The transitions people make, by name (the rules' own moves are not offered).
MANUAL: Final = {step.name: step for step in TRANSITIONS}


class QualificationIn(BaseModel):
    """Budget, authority, need and timeline (BANT), plus what is known of the current supplier."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    budget: Words | None = Field(None, description="The budget in words")
    budget_amount: Decimal | None = Field(None, ge=0, max_digits=18, decimal_places=2)
    authority: Words | None = Field(None, description="Who decides; whether this contact does")
    need: Words | None = None
    timeline: date | None = Field(None, description="When they intend to buy")
    current_supplier: Annotated[str, Field(max_length=200), NO_NUL] | None = None
    contract_end: date | None = None
    satisfaction: Annotated[int, Field(ge=0, le=10)] | None = Field(
        None, description="Satisfaction with the current supplier, 0 (none) to 10"
    )

    @model_validator(mode="after")
    def _something(self) -> QualificationIn:
        if not any(value not in (None, "") for value in self.model_dump().values()):
            raise ValueError("give at least one of budget, authority, need or timeline")
        return self


class QualificationOut(BaseModel):
    budget: str | None
    budget_amount: Decimal | None
    authority: str | None
    need: str | None
    timeline: date | None
    current_supplier: str | None
    contract_end: date | None
    satisfaction: int | None
    complete: bool
    #: What is still unknown, in words.
    missing: list[str]


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    transition: str = Field(description="A transition's name, such as accept or recycle")
    reason: Words = ""
    hard_cta: bool = Field(
        False,
        description="The contact asked for a quote, a demo or a call: "
        "hand_over_as_sql then needs no complete BANT",
    )


class HandoverOut(BaseModel):
    owner_id: int | None
    assignment: str
    tier: str
    due_at: datetime


class TransitionOut(BaseModel):
    contact_id: int
    transition: str
    from_stage: str
    to_stage: str
    reason: str
    at: datetime
    handover: HandoverOut | None = None


class TransitionChoice(BaseModel):
    name: str
    to_stage: str
    meaning: str
    needs_reason: bool


class StageMove(BaseModel):
    from_stage: str
    to_stage: str
    transition: str
    actor: str
    user_id: int | None
    reason: str
    occurred_at: datetime


class StagesOut(BaseModel):
    contact_id: int
    stage: str
    allowed: list[TransitionChoice]
    history: list[StageMove]


def qualification_out(bant: Bant) -> QualificationOut:
    return QualificationOut(
        budget=bant.budget,
        budget_amount=bant.budget_amount,
        authority=bant.authority,
        need=bant.need,
        timeline=bant.timeline,
        current_supplier=bant.current_supplier,
        contract_end=bant.contract_end,
        satisfaction=bant.satisfaction,
        complete=bant.is_complete,
        missing=bant.missing(),
    )


def transition_out(change: StageChange, now: datetime, handover: Handover | None) -> TransitionOut:
    return TransitionOut(
        contact_id=change.contact_id,
        transition=change.transition,
        from_stage=change.from_stage,
        to_stage=change.to_stage,
        reason=change.reason,
        at=now,
        handover=None
        if handover is None
        else HandoverOut(
            owner_id=handover.owner_id,
            assignment=handover.assignment,
            tier=handover.tier,
            due_at=handover.due_at,
        ),
    )


def stage_move(record: StageRecord) -> StageMove:
    return StageMove(
        from_stage=record.from_stage,
        to_stage=record.to_stage,
        transition=record.transition,
        actor=record.actor,
        user_id=record.user_id,
        reason=record.reason,
        occurred_at=record.occurred_at,
    )


def _choices(stage: str) -> list[TransitionChoice]:
    return [
        TransitionChoice(
            name=step.name,
            to_stage=step.to_stage,
            meaning=step.meaning,
            needs_reason=step.needs_reason,
        )
        for step in allowed_from(stage)
    ]


def _stage_of(connection: Connection, contact_id: int) -> str:
    stage = current_stage(connection, contact_id)
    if stage is None:
        raise no_contact(contact_id)
    return stage


def _allowed_words(stage: str) -> str:
    names = ", ".join(step.name for step in allowed_from(stage))
    return f"from {stage} the allowed transitions are: {names or 'none'}"


def _checked_step(name: str, reason: str, stage: str) -> Transition:
    step = MANUAL.get(name.strip())
    if step is None:
        raise field_problem(
            "transition",
            f"unknown transition {name!r}; transitions are: {', '.join(MANUAL)}",
        )
    if stage not in step.from_stages:
        raise field_problem(
            "transition",
            f"{step.name} does not apply to a contact at stage {stage}; {_allowed_words(stage)}",
            status=409,
        )
    if step.needs_reason and not reason.strip():
        raise field_problem("reason", f"{step.name} needs a reason")
    return step


def move(
    connection: Connection,
    principal: Principal,
    contact_id: int,
    step: Transition,
    *,
    reason: str,
    hard_cta: bool,
    now: datetime,
) -> TransitionOut:
    """Apply ``step``; a move to SQL hands the contact over at once."""
    try:
        change = transition(
            connection,
            contact_id,
            step.to_stage,
            reason=reason,
            now=now,
            user_id=principal.user_id,
            has_hard_cta=hard_cta,
        )
    except LifecycleError as error:
        raise field_problem("transition", str(error), status=409) from None
    handed = hand_over_new_sqls(connection, now=now)
    mine = next((h for h in handed if h.contact_id == contact_id), None)
    return transition_out(change, now, mine)


@router.post(
    "/api/v1/contacts/{contact_id}/qualification",
    response_model=QualificationOut,
    status_code=201,
    summary="Record a BANT qualification",
)
def post_qualification(
    request: Request,
    contact_id: ContactId,
    body: QualificationIn,
    principal: Annotated[Principal, Depends(requires("qualification:write"))],
) -> QualificationOut:
    """Append a qualification to the contact's history; the latest one counts."""
    bant = Bant(**body.model_dump())
    with database(request).begin() as connection:
        check_contact(connection, principal, contact_id)
        record_qualification(
            connection, contact_id, bant, user_id=principal.user_id, now=clock(request)
        )
        stored = latest_qualification(connection, contact_id) or bant
    return qualification_out(stored)


@router.get(
    "/api/v1/contacts/{contact_id}/qualification",
    response_model=QualificationOut,
    summary="The latest BANT qualification",
    responses={404: {"description": "No such contact, or none recorded yet"}},
)
def get_qualification(
    request: Request,
    contact_id: ContactId,
    principal: Annotated[Principal, Depends(requires("records:read"))],
) -> QualificationOut:
    with database(request).connect() as connection:
        check_contact(connection, principal, contact_id)
        bant = latest_qualification(connection, contact_id)
    if bant is None:
        raise Problem(404, f"contact {contact_id} has no qualification recorded yet")
    return qualification_out(bant)


@router.post(
    "/api/v1/contacts/{contact_id}/transitions",
    response_model=TransitionOut,
    status_code=201,
    summary="Move a contact by a named lifecycle transition",
    responses={409: {"description": "The transition does not apply to the contact's stage"}},
)
def post_transition(
    request: Request,
    contact_id: ContactId,
    body: TransitionIn,
    principal: Annotated[Principal, Depends(requires("qualification:write"))],
) -> TransitionOut:
    now = clock(request)
    with database(request).begin() as connection:
        check_contact(connection, principal, contact_id)
        step = _checked_step(body.transition, body.reason, _stage_of(connection, contact_id))
        return move(
            connection,
            principal,
            contact_id,
            step,
            reason=body.reason,
            hard_cta=body.hard_cta,
            now=now,
        )


@router.get(
    "/api/v1/contacts/{contact_id}/stages",
    response_model=StagesOut,
    summary="The contact's stage, the transitions allowed from it and its history",
)
def get_stages(
    request: Request,
    contact_id: ContactId,
    principal: Annotated[Principal, Depends(requires("records:read"))],
) -> StagesOut:
    with database(request).connect() as connection:
        check_contact(connection, principal, contact_id)
        stage = _stage_of(connection, contact_id)
        history = stage_history(connection, contact_id)
    return StagesOut(
        contact_id=contact_id,
        stage=stage,
        allowed=_choices(stage),
        history=[stage_move(record) for record in history],
    )


__all__ = [
    "MANUAL",
    "QualificationOut",
    "StageMove",
    "TransitionOut",
    "move",
    "qualification_out",
    "router",
    "stage_move",
    "transition_out",
]
