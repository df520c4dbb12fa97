"""Privacy requests over the API: ``/api/v1/contacts/{id}/export`` and ``…/erase``.

Thin adapters over ``services/privacy.py``: the export is one JSON document
(downloaded as ``contact-<id>.json``), the erasure answers with what it did.
Both are written to the audit log by the contact's id, never by address.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from silverplatter.domain.record_filters import MAX_ID
from silverplatter.services.privacy import ErasureSummary, erase_person, export_person
from silverplatter.services.sessions import Principal
from silverplatter.web.problems import Problem
from silverplatter.web.security import actor_of, clock, requires

router = APIRouter(tags=["privacy"])
Exporter = Annotated[Principal, Depends(requires("privacy:export"))]
Eraser = Annotated[Principal, Depends(requires("privacy:erase"))]
ContactId = Annotated[int, Path(ge=1, le=MAX_ID, description="The contact's id")]


class ErasureOut(BaseModel):
    """What an erasure did."""

    contact_id: int
    erasure_id: int | None = Field(description="The record that the erasure happened")
    erased_at: datetime | None
    already_erased: bool = Field(description="True when the contact had been erased before")
    counts: dict[str, int] = Field(description="Rows changed, removed or added per table")


def erasure_out(summary: ErasureSummary) -> ErasureOut:
    return ErasureOut(
        contact_id=summary.contact_id,
        erasure_id=summary.erasure_id,
        erased_at=summary.erased_at,
        already_erased=summary.already_erased,
        counts=summary.counts,
    )


def exported(request: Request, principal: Principal, contact_id: int) -> JSONResponse:
    """The export as a JSON download; 404 for a contact that does not exist."""
    engine: Engine = request.app.state.engine
    with engine.begin() as connection:
        try:
            document = export_person(
                connection,
                contact_id,
                actor=actor_of(request, principal),
                now=clock(request),
            )
        except LookupError:
            raise Problem(404, f"no contact {contact_id}") from None
    disposition = f'attachment; filename="contact-{contact_id}.json"'
    return JSONResponse(document, headers={"Content-Disposition": disposition})


def erased(request: Request, principal: Principal, contact_id: int) -> ErasureSummary:
    engine: Engine = request.app.state.engine
    with engine.begin() as connection:
        try:
            return erase_person(
                connection, contact_id, actor=actor_of(request, principal), now=clock(request)
            )
        except LookupError:
            raise Problem(404, f"no contact {contact_id}") from None


@router.get(
    "/api/v1/contacts/{contact_id}/export",
    summary="Everything held about a contact (access request)",
    response_model=dict[str, Any],
    responses={404: {"description": "No such contact"}},
)
def export_contact(request: Request, principal: Exporter, contact_id: ContactId) -> JSONResponse:
    """The contact's record, consent, submissions, events, scores, lifecycle, handovers,
    meetings, deals, mail, suppression and visitors as one JSON document."""
    return exported(request, principal, contact_id)


@router.post(
    "/api/v1/contacts/{contact_id}/erase",
    summary="Erase a contact (erasure request)",
    response_model=ErasureOut,
    responses={404: {"description": "No such contact"}},
)
def erase_contact(request: Request, principal: Eraser, contact_id: ContactId) -> ErasureOut:
    """Remove the person's personal data from every table; the contact stays as an
    anonymous record for statistics.  Erasing again changes nothing."""
    return erasure_out(erased(request, principal, contact_id))
