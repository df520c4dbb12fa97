"""``POST /api/v1/events``: behaviour in batches, idempotent, all or nothing.

The request's events are validated once, as the service's own
:class:`~silverplatter.domain.records.EventInput` (so the OpenAPI shows
exactly what the service accepts and a bad field is named
``events[3].occurred_at``).  The service then appends and scores the batch in
one transaction; if it refuses any item (an unknown contact, say), the whole
batch is rolled back and every refused item is named.  Re-sending a batch
adds nothing: its events come back counted as duplicates.

The handler is a plain ``def``: FastAPI runs it in the thread pool, so a
batch being written never blocks the event loop.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from silverplatter.domain.records import EventInput
from silverplatter.services.ingest import IngestResult, ItemError, ingest_events
from silverplatter.services.sessions import Principal
from silverplatter.web.api.engine_scope import database
from silverplatter.web.problems import Problem
from silverplatter.web.security import clock, requires

#: The most events one request may carry.
MAX_BATCH: Final = 1000

router = APIRouter(tags=["events"])


class EventBatch(BaseModel):
    """Up to 1,000 events.  Each needs a subject: email, contact_id, visitor_id or account."""

    model_config = ConfigDict(extra="forbid")

    events: Annotated[list[EventInput], Field(min_length=1, max_length=MAX_BATCH)]


class EventBatchResult(BaseModel):
    """What the batch added: ``accepted`` new events; ``duplicates`` already stored or repeated."""

    accepted: int
    duplicates: int
    contacts_created: int
    stage_changes: int


class _Refused(Exception):
    """The service refused items: roll the batch back."""

    def __init__(self, errors: list[ItemError]) -> None:
        super().__init__("refused")
        self.errors = errors


def _field(error: ItemError) -> str:
    name = f"events[{error.index}]"
    return f"{name}.{error.field}" if error.field else name


def _refusal(errors: list[ItemError]) -> Problem:
    named = [{"field": _field(error), "message": error.message} for error in errors]
    first = named[0]
    more = f" (and {len(named) - 1} more)" if len(named) > 1 else ""
    return Problem(
        422,
        f"{first['field']}: {first['message']}{more}; nothing of this batch was stored",
        errors=named,
    )


@router.post(
    "/api/v1/events",
    response_model=EventBatchResult,
    summary="Ingest a batch of events",
    responses={422: {"description": "A refused event, named; nothing was stored"}},
)
def post_events(
    request: Request,
    batch: EventBatch,
    _: Annotated[Principal, Depends(requires("events:write"))],
    score: Annotated[
        bool,
        Query(description="Score the events at once (false for back-fills scored by a recompute)"),
    ] = True,
) -> EventBatchResult:
    """Append the events and fold them into the scores; all of the batch or none of it."""
    now = clock(request)
    result: IngestResult
    try:
        with database(request).begin() as connection:
            result = ingest_events(connection, batch.events, now=now, score=score)
            if result.errors:
                raise _Refused(result.errors)
    except _Refused as refused:
        raise _refusal(refused.errors) from None
    return EventBatchResult(
        accepted=result.accepted,
        duplicates=result.duplicates,
        contacts_created=result.contacts_created,
        stage_changes=result.stage_changes,
    )


__all__ = ["MAX_BATCH", "EventBatch", "EventBatchResult", "router"]
