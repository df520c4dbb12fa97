"""REST API for broadcasts: create a draft, see its recipient count, schedule or send now,
cancel, and read its figures and hourly opens and clicks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from silverplatter.services import broadcasts as service
from silverplatter.services.sessions import Principal
from silverplatter.web.problems import Problem
from silverplatter.web.security import clock, requires

router = APIRouter(prefix="/api/v1", tags=["broadcasts"])

Read = Annotated[Principal, Depends(requires("nurture:read"))]
Write = Annotated[Principal, Depends(requires("nurture:write"))]
BroadcastId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FiguresOut(BaseModel):
    recipients: int
    sent: int
    delivered: int = Field(description="sent − bounced")
    bounced: int
    suppressed: int
    failed: int
    waiting: int
    opens: int = Field(description="messages opened at least once")
    clicks: int = Field(description="messages with at least one click")
    unsubscribes: int

    @classmethod
    def of(cls, figures: service.Figures) -> FiguresOut:
        return cls(
            recipients=figures.recipients,
            sent=figures.sent,
            delivered=figures.delivered,
            bounced=figures.bounced,
            suppressed=figures.suppressed,
            failed=figures.failed,
            waiting=figures.waiting,
            opens=figures.opens,
            clicks=figures.clicks,
            unsubscribes=figures.unsubscribes,
        )


class BroadcastOut(BaseModel):
    id: int
    name: str
    template_id: int
    template_name: str | None
    segment_id: int | None
    segment_name: str | None
    status: str = Field(description="draft, scheduled, sending, sent or cancelled")
    scheduled_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    created_by: str | None
    created_at: datetime
    figures: FiguresOut

    @classmethod
    def of(cls, found: service.Broadcast, figures: service.Figures) -> BroadcastOut:
        return cls(
            id=found.id,
            name=found.name,
            template_id=found.template_id,
            template_name=found.template_name,
            segment_id=found.segment_id,
            segment_name=found.segment_name,
            status=found.status,
            scheduled_at=found.scheduled_at,
            started_at=found.started_at,
            finished_at=found.finished_at,
            created_by=found.created_by,
            created_at=found.created_at,
            figures=FiguresOut.of(figures),
        )


class BroadcastList(BaseModel):
    items: list[BroadcastOut]


class BroadcastIn(Strict):
    name: str = Field(min_length=1, max_length=200, examples=["Newsletter, week 10"])
    template_id: int = Field(ge=1, le=2**31 - 1)
    segment_id: int = Field(ge=1, le=2**31 - 1)


class ScheduleIn(Strict):
    at: AwareDatetime | None = Field(
        default=None, description="when to send; now when left out or in the past"
    )


class RecipientCount(BaseModel):
    recipients: int = Field(description="members of the segment now, before suppression")


class Cancelled(BaseModel):
    withdrawn: int = Field(description="queued messages that will not be sent")


class Hour(BaseModel):
    hour: str
    opens: int
    clicks: int


@contextmanager
def _answering() -> Iterator[None]:
    try:
        yield
    except service.BroadcastError as refused:
        raise Problem(
            refused.status,
            str(refused),
            errors=[{"field": refused.field, "message": refused.message}],
        ) from None


def _out(request: Request, found: service.Broadcast) -> BroadcastOut:
    with request.app.state.engine.connect() as connection:
        return BroadcastOut.of(found, service.figures(connection, found.id))


def _soon(request: Request) -> None:
    queue = getattr(request.app.state, "task_queue", None)
    if queue is not None:
        queue.start_broadcasts_soon()


@router.get("/broadcasts", response_model=BroadcastList)
def list_broadcasts(request: Request, _: Read) -> BroadcastList:
    with request.app.state.engine.connect() as connection:
        return BroadcastList(
            items=[
                BroadcastOut.of(found, service.figures(connection, found.id))
                for found in service.list_broadcasts(connection)
            ]
        )


@router.post("/broadcasts", response_model=BroadcastOut, status_code=201)
def create_broadcast(
    request: Request, response: Response, principal: Write, body: BroadcastIn
) -> BroadcastOut:
    """A draft; nothing is sent until it is scheduled."""
    with _answering(), request.app.state.engine.begin() as connection:
        made = service.create_broadcast(
            connection,
            name=body.name,
            template_id=body.template_id,
            segment_id=body.segment_id,
            user_id=principal.user_id,
            now=clock(request),
        )
    response.headers["Location"] = f"/api/v1/broadcasts/{made.id}"
    return _out(request, made)


@router.get("/broadcasts/{broadcast_id}", response_model=BroadcastOut)
def get_broadcast(request: Request, _: Read, broadcast_id: BroadcastId) -> BroadcastOut:
    with _answering(), request.app.state.engine.connect() as connection:
        found = service.get_broadcast(connection, broadcast_id)
    return _out(request, found)


@router.get("/broadcasts/{broadcast_id}/recipients", response_model=RecipientCount)
def recipients(request: Request, _: Read, broadcast_id: BroadcastId) -> RecipientCount:
    """How many the segment holds now: the number to confirm before sending."""
    with _answering(), request.app.state.engine.connect() as connection:
        count = service.recipient_count(connection, broadcast_id, now=clock(request))
    return RecipientCount(recipients=count)


@router.post("/broadcasts/{broadcast_id}/schedule", response_model=BroadcastOut)
def schedule(
    request: Request, _: Write, broadcast_id: BroadcastId, body: ScheduleIn
) -> BroadcastOut:
    """Send at ``at``, or now."""
    with _answering(), request.app.state.engine.begin() as connection:
        found = service.schedule(connection, broadcast_id, at=body.at, now=clock(request))
    _soon(request)
    return _out(request, found)


@router.post("/broadcasts/{broadcast_id}/cancel", response_model=Cancelled)
def cancel(request: Request, _: Write, broadcast_id: BroadcastId) -> Cancelled:
    """Stop it: what is still queued is not sent; what went stays sent."""
    with _answering(), request.app.state.engine.begin() as connection:
        withdrawn = service.cancel(connection, broadcast_id, now=clock(request))
    return Cancelled(withdrawn=withdrawn)


@router.get("/broadcasts/{broadcast_id}/hours", response_model=list[Hour])
def hours(request: Request, _: Read, broadcast_id: BroadcastId) -> list[Hour]:
    """Messages opened and clicked in each hour (UTC), hours with any."""
    with _answering(), request.app.state.engine.connect() as connection:
        service.get_broadcast(connection, broadcast_id)
        rows = service.timeline(connection, broadcast_id)
    return [Hour(hour=hour, opens=opens, clicks=clicks) for hour, opens, clicks in rows]
