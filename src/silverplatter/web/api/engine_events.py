"""``POST /api/v1/events``: behaviour in batches, idempotent, all or nothing.

The request's events are validated once, as the service's own
:class:`~silverplatter.domain.records.EventInput` (so the OpenAPI shows
exactly what the service accepts and a bad field is named
``events[3].occurred_at``).  The service then appends and scores the batch in
one transaction; if it refuses any item (an unknown contact, say), the whole
batch is rolled back and every refused item is named.  Re-sending a batch
adds nothing: its events come back counted as duplicates.

The handler answers once the batch is stored: its new events are queued in
the scoring backlog in the same transaction, and the web process's backlog
scorer (woken here) folds them into the scores moments later, with the same
result as scoring at once (``docs/architecture.md``).  The body is validated
straight from its bytes and the batch written in the thread pool, so a batch
being written never blocks the event loop.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Query, Request
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
)
from starlette.concurrency import run_in_threadpool

from silverplatter.domain.records import EventInput, UnstorableValue
from silverplatter.services.ingest import IngestResult, ItemError, ingest_events
from silverplatter.services.sessions import Principal
from silverplatter.storage.engine import one_writer
from silverplatter.web.api.engine_scope import MAX_ID, NO_NUL, database
from silverplatter.web.problems import Problem, field_name
from silverplatter.web.security import clock, requires

#: The most events one request may carry.
MAX_BATCH: Final = 1000
EARLIEST: Final = datetime(1970, 1, 1, tzinfo=UTC)
LATEST: Final = datetime(9999, 12, 30, tzinfo=UTC)

router = APIRouter(tags=["events"])


def _storable_moment(moment: datetime) -> datetime:
    if not EARLIEST <= moment <= LATEST:
        raise ValueError("expected a moment between 1970 and 9999")
    return moment


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Key = Annotated[str, Field(max_length=100), NO_NUL]


class Event(EventInput):
    """One event, as the service takes it, within what the database can store."""

    occurred_at: Annotated[AwareDatetime, AfterValidator(_storable_moment)]
    idempotency_key: Annotated[Key, Field(min_length=1)] | None = None
    contact_id: Id | None = None
    visitor_id: Annotated[str, Field(max_length=64), NO_NUL] | None = None
    account_id: Id | None = None
    channel: Annotated[str, Field(max_length=30), NO_NUL] | None = None


class EventBatch(BaseModel):
    """Up to 1,000 events.  Each needs a subject: email, contact_id, visitor_id or account."""

    model_config = ConfigDict(extra="forbid")

    events: Annotated[list[Event], Field(min_length=1, max_length=MAX_BATCH)]


class EventBatchResult(BaseModel):
    """What the batch added: ``accepted`` new events; ``duplicates`` already stored or repeated."""

    accepted: int
    duplicates: int
    contacts_created: int
    #: New events queued for the scorer, which folds them in moments later.
    queued_for_scoring: int


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


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with its ``$defs`` written in place, so it stands alone in the OpenAPI."""
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            reference = node.get("$ref", "")
            if reference.startswith("#/$defs/"):
                return resolve(definitions[reference.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


_BODY_SCHEMA: Final = _inlined(EventBatch.model_json_schema())


def _inside(item: Any) -> str:
    """Where inside a field's document the value is that no database stores (``.url``)."""
    cause = item.get("ctx", {}).get("error")
    return cause.path if isinstance(cause, UnstorableValue) else ""


def _invalid(error: ValidationError) -> Problem:
    errors = [
        {
            "field": (field_name(item["loc"]) if item["loc"] else "body") + _inside(item),
            "message": item["msg"].removeprefix("Value error, "),
        }
        for item in error.errors(include_url=False)
    ]
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return Problem(422, f"{first['field']}: {first['message']}{more}", errors=errors)


def _ingest(request: Request, raw: bytes, score: bool) -> EventBatchResult:
    try:  # straight from the bytes: pydantic parses JSON faster than json.loads and a walk
        batch = EventBatch.model_validate_json(raw or b"null")
    except ValidationError as error:
        raise _invalid(error) from None
    now = clock(request)
    result: IngestResult
    try:
        engine = database(request)
        with one_writer(engine), engine.begin() as connection:
            result = ingest_events(connection, batch.events, now=now, score=score, defer=True)
            if result.errors:
                raise _Refused(result.errors)
    except _Refused as refused:
        raise _refusal(refused.errors) from None
    queued = result.queued
    scorer = getattr(request.app.state, "scorer", None)
    if queued and scorer is not None:
        scorer.wake()
    return EventBatchResult(
        accepted=result.accepted,
        duplicates=result.duplicates,
        contacts_created=result.contacts_created,
        queued_for_scoring=queued,
    )


@router.post(
    "/api/v1/events",
    response_model=EventBatchResult,
    summary="Ingest a batch of events",
    responses={
        415: {"description": "The body is not JSON"},
        422: {"description": "A refused event, named; nothing was stored"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _BODY_SCHEMA}},
        }
    },
)
async def post_events(
    request: Request,
    _: Annotated[Principal, Depends(requires("events:write"))],
    score: Annotated[
        bool,
        Query(description="Queue the events for scoring (false for back-fills a recompute scores)"),
    ] = True,
) -> EventBatchResult:
    """Store the events and queue them for scoring; all of the batch or none of it.

    The body is an :class:`EventBatch`, validated here from the raw bytes
    rather than by FastAPI (which would decode the JSON to Python objects
    first, three times slower for a batch of 500); validation and the
    database work run in the thread pool.
    """
    kind = request.headers.get("content-type", "application/json")
    if "json" not in kind:
        raise Problem(415, f"send the events as application/json, not {kind}")
    raw = await request.body()
    return await run_in_threadpool(_ingest, request, raw, score)


__all__ = ["MAX_BATCH", "EventBatch", "EventBatchResult", "router"]
