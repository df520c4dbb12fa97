"""Champion moves: ``/api/v1/champion-moves`` and a contact's employment and moves.

* ``GET /api/v1/champion-moves`` — the latest moves with their tasks; a
  salesperson sees the moves touching accounts they own;
* ``GET /api/v1/contacts/{id}/employment`` — where the person has worked and
  the moves their record is in;
* ``POST /api/v1/contacts/{id}/moves`` — mark by hand that the person now
  works at another account (``records:write``); both owners get a task.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from silverplatter.services.champion_moves import MoveError, mark_move
from silverplatter.services.champion_moves_view import (
    Employment,
    MoveView,
    contact_employment,
    recent_moves,
)
from silverplatter.services.sessions import Principal
from silverplatter.storage.employment import people
from silverplatter.storage.visibility import contact_visible
from silverplatter.web.filters import owned_by
from silverplatter.web.problems import Problem, field_problem
from silverplatter.web.security import actor_of, clock, requires

router = APIRouter(prefix="/api/v1", tags=["champion moves"])

Reader = Annotated[Principal, Depends(requires("records:read"))]
Writer = Annotated[Principal, Depends(requires("records:write"))]
ContactId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The contact's id")]


class MoveTaskOut(BaseModel):
    id: int
    title: str
    owner_name: str | None
    status: str
    due_on: date | None


class MoveOut(BaseModel):
    id: int
    contact_id: int = Field(description="The person's record at the old account")
    name: str
    email: str
    new_contact_id: int | None = Field(description="Their record at the new account, if any")
    new_email: str | None
    from_account_id: int | None
    from_account: str | None
    to_account_id: int | None
    to_account: str | None
    matched_by: str = Field(description="linkedin, name_domain or user")
    detected_at: datetime
    champion: list[str] = Field(description="Why the person is a champion; empty for a plain move")
    tasks: list[MoveTaskOut]
    nobody_alerted_at: list[str] = Field(description="Accounts with no owner to alert")


class MoveList(BaseModel):
    items: list[MoveOut]


class JobOut(BaseModel):
    account_id: int | None
    account_name: str
    email: str | None
    title: str | None
    started_at: datetime | None
    ended_at: datetime | None


class EmploymentOut(BaseModel):
    jobs: list[JobOut]
    moves: list[MoveOut]


class MoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to_account_id: int = Field(ge=1, le=2**31 - 1, description="The account they work at now")


def move_out(move: MoveView) -> MoveOut:
    return MoveOut(
        id=move.id,
        contact_id=move.contact_id,
        name=move.name,
        email=move.email,
        new_contact_id=move.new_contact_id,
        new_email=move.new_email,
        from_account_id=move.from_account_id,
        from_account=move.from_name,
        to_account_id=move.to_account_id,
        to_account=move.to_name,
        matched_by=move.matched_by,
        detected_at=move.detected_at,
        champion=list(move.champion),
        tasks=[
            MoveTaskOut(
                id=t.id, title=t.title, owner_name=t.owner_name, status=t.status, due_on=t.due_on
            )
            for t in move.tasks
        ],
        nobody_alerted_at=list(move.unalerted),
    )


def _employment_out(found: Employment) -> EmploymentOut:
    return EmploymentOut(
        jobs=[
            JobOut(
                account_id=j.account_id,
                account_name=j.account_name,
                email=j.email,
                title=j.title,
                started_at=j.started_at,
                ended_at=j.ended_at,
            )
            for j in found.jobs
        ],
        moves=[move_out(m) for m in found.moves],
    )


def _visible(connection: Connection, contact_id: int, principal: Principal) -> None:
    """404 for a contact that does not exist or that a salesperson does not own."""
    owner = owned_by(principal)
    if owner is None:
        seen = bool(people(connection, [contact_id]))
    else:
        seen = contact_visible(connection, contact_id, owner)
    if not seen:
        raise Problem(404, f"no contact {contact_id}")


@router.get("/champion-moves", response_model=MoveList, summary="Recent champion moves")
def list_moves(
    request: Request,
    principal: Reader,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> MoveList:
    """The latest moves, newest first, with both owners' tasks."""
    with request.app.state.engine.connect() as connection:
        found = recent_moves(connection, owner_id=owned_by(principal), limit=limit)
    return MoveList(items=[move_out(m) for m in found])


@router.get(
    "/contacts/{contact_id}/employment",
    response_model=EmploymentOut,
    summary="A contact's employment history and moves",
)
def employment(request: Request, principal: Reader, contact_id: ContactId) -> EmploymentOut:
    with request.app.state.engine.connect() as connection:
        _visible(connection, contact_id, principal)
        return _employment_out(contact_employment(connection, contact_id))


@router.post(
    "/contacts/{contact_id}/moves",
    response_model=MoveOut,
    status_code=201,
    summary="Mark that a contact moved to another account",
)
def mark(request: Request, principal: Writer, contact_id: ContactId, body: MoveIn) -> MoveOut:
    with request.app.state.engine.begin() as connection:
        _visible(connection, contact_id, principal)
        try:
            moved = mark_move(
                connection,
                contact_id,
                body.to_account_id,
                actor=actor_of(request, principal),
                now=clock(request),
            )
        except MoveError as error:
            if error.message.startswith("no contact"):
                raise Problem(404, str(error)) from None
            raise field_problem(error.field, error.message) from None
        found = contact_employment(connection, contact_id)
    return next(move_out(m) for m in found.moves if m.id == moved.id)
