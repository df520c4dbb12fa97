"""REST API for the suppression list: read it, add an address, lift one.

Lifting takes the address in the body (``POST /suppressions/lift``) rather
than the path, so addresses stay out of access logs.  Adding and lifting are
audited.  An erased person's address is shown as its digest only and can
never be lifted (409).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from silverplatter.services.sessions import Principal
from silverplatter.services.suppression import (
    Suppression,
    SuppressionError,
    add_address,
    lift_address,
    list_suppressions,
    suppression_counts,
)
from silverplatter.web.problems import Problem
from silverplatter.web.security import actor_of, clock, requires

router = APIRouter(prefix="/api/v1", tags=["suppression list"])

ReadCapture = Annotated[Principal, Depends(requires("capture:read"))]
WriteCapture = Annotated[Principal, Depends(requires("capture:write"))]
Reason = Literal["unsubscribed", "hard_bounce", "complaint", "erased", "manual"]
ManualReason = Literal["manual", "hard_bounce", "complaint", "unsubscribed"]
MAX_LIMIT: Final = 500


class SuppressionOut(BaseModel):
    email: str | None = Field(description="the normalised address; null once the person is erased")
    address_hash: str = Field(description="SHA-256 of the normalised address")
    reason: Reason
    source: str
    created_at: datetime

    @classmethod
    def of(cls, item: Suppression) -> SuppressionOut:
        return cls(
            email=item.email,
            address_hash=item.address_hash,
            reason=item.reason,
            source=item.source,
            created_at=item.created_at,
        )


class SuppressionPage(BaseModel):
    items: list[SuppressionOut]
    total: int = Field(description="how many match the filter")
    counts: dict[str, int] = Field(description="the whole list's size for each reason")


class SuppressionAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=320, examples=["lea@buyer.example"])
    reason: ManualReason = "manual"
    note: str = Field(default="", max_length=150, description="why, in a few words")


class SuppressionAdded(BaseModel):
    added: bool = Field(description="false when the address was on the list already")
    suppression: SuppressionOut


class SuppressionLift(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=320)


class SuppressionLifted(BaseModel):
    email: str
    reason: Reason = Field(description="the reason it was listed for")


def _problem(error: SuppressionError) -> Problem:
    return Problem(
        error.status,
        f"{error.field}: {error.message}",
        errors=[{"field": error.field, "message": error.message}],
    )


@router.get("/suppressions", response_model=SuppressionPage)
def suppressions(
    request: Request,
    _: ReadCapture,
    reason: Reason | None = None,
    address: Annotated[str | None, Query(max_length=320, description="look up one address")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> SuppressionPage:
    """The suppression list, newest first, with the count for each reason."""
    with request.app.state.engine.connect() as connection:
        total, page = list_suppressions(
            connection, reason=reason, address=address, limit=limit, offset=offset
        )
        counts = suppression_counts(connection)
    return SuppressionPage(
        items=[SuppressionOut.of(item) for item in page], total=total, counts=counts
    )


@router.post(
    "/suppressions",
    response_model=SuppressionAdded,
    status_code=201,
    responses={200: {"description": "the address was on the list already"}},
)
def add_suppression(
    request: Request, response: Response, principal: WriteCapture, body: SuppressionAdd
) -> SuppressionAdded:
    """Put an address on the suppression list (audited)."""
    now = clock(request)
    try:
        with request.app.state.engine.begin() as connection:
            added = add_address(
                connection,
                body.email,
                reason=body.reason,
                note=body.note,
                actor=actor_of(request, principal),
                now=now,
            )
            _total, [item] = list_suppressions(connection, address=body.email, limit=1)
    except SuppressionError as error:
        raise _problem(error) from None
    if not added:
        response.status_code = 200
    return SuppressionAdded(added=added, suppression=SuppressionOut.of(item))


@router.post("/suppressions/lift", response_model=SuppressionLifted)
def lift_suppression(
    request: Request, principal: WriteCapture, body: SuppressionLift
) -> SuppressionLifted:
    """Take an address off the list (audited); 404 when not listed, 409 when erased."""
    try:
        with request.app.state.engine.begin() as connection:
            reason = lift_address(
                connection,
                body.email,
                actor=actor_of(request, principal),
                now=clock(request),
            )
    except SuppressionError as error:
        raise _problem(error) from None
    return SuppressionLifted(email=body.email.strip(), reason=reason)
