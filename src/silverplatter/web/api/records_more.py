"""Custom property definitions, opportunities and meetings under ``/api/v1``.

* ``/api/v1/properties`` — the typed custom fields of accounts and contacts;
* ``/api/v1/opportunities`` — deals, created or updated through
  ``services.opportunities`` (keyed by external id, else account and name);
* ``/api/v1/meetings`` — meetings with their attendees (``services.meetings``).

Lists are newest first and keyset-paginated with the same opaque cursor as
the contact and account lists.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from sqlalchemy import Engine

from silverplatter.domain.record_filters import DEFAULT_LIMIT, MAX_ID, MAX_LIMIT, Cursor
from silverplatter.domain.records import OpportunityFields
from silverplatter.domain.vocabulary import PROPERTY_NAME_PATTERN, PROPERTY_TYPES
from silverplatter.services.meetings import MeetingError, MeetingFields, record_meeting
from silverplatter.services.opportunities import upsert_opportunities
from silverplatter.services.sessions import Principal
from silverplatter.storage import properties as property_store
from silverplatter.storage.records_activity import (
    attendees_of,
    meeting_by_id,
    meeting_page,
    opportunities_by_id,
    opportunity_page,
)
from silverplatter.web.api.records_models import (
    AccountRef,
    OpportunityOut,
    OpportunityPage,
    UserRef,
    opportunity_out,
    upsert_problem,
)
from silverplatter.web.filters import owned_by
from silverplatter.web.problems import Problem, field_problem
from silverplatter.web.security import clock, requires

router = APIRouter(tags=["records"])
Reader = Annotated[Principal, Depends(requires("records:read"))]
Writer = Annotated[Principal, Depends(requires("records:write"))]
ObjectType = Literal["account", "contact"]
PropertyType = Literal[PROPERTY_TYPES]  # type: ignore[valid-type]
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]
Choice = Annotated[str, Field(min_length=1, max_length=200)]


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _cursor(after: str | None) -> Cursor | None:
    """The ``after`` of a newest-first list; any other cursor is refused naming ``after``."""
    if after is None:
        return None
    try:
        cursor = Cursor.decode(after)
    except ValueError as error:
        raise field_problem("after", str(error)) from None
    if (cursor.sort, cursor.direction) != ("id", "desc") or len(cursor.key) != 1:
        raise field_problem("after", "not a cursor from this list; use the 'next' of a page")
    return cursor


class ActivityFilter(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    account: RecordId | None = Field(None, description="Only this account's")
    after: Annotated[str, Field(max_length=1000)] | None = Field(
        None, description="The 'next' cursor of the previous page"
    )
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT


class OpportunityFilter(ActivityFilter):
    status: Literal["open", "won", "lost"] | None = None


# ---------------------------------------------------------------- properties


class PropertyIn(BaseModel):
    """A new custom property of accounts or contacts."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    object_type: ObjectType
    name: Annotated[str, Field(pattern=PROPERTY_NAME_PATTERN.pattern, max_length=100)] = Field(
        description="snake_case key used in 'custom' documents, e.g. budget_owner"
    )
    label: Annotated[str, Field(min_length=1, max_length=200)]
    type: PropertyType
    choices: Annotated[list[Choice], Field(max_length=500)] = Field(
        default_factory=list, description="The answers of a choice property", validate_default=True
    )
    multiple: bool = Field(False, description="A choice property may hold several answers")

    @field_validator("choices")
    @classmethod
    def _choices(cls, value: list[str], info: ValidationInfo) -> list[str]:
        kind = info.data.get("type")
        if kind == "choice" and not value:
            raise ValueError("a choice property needs at least one choice")
        if kind != "choice" and value:
            raise ValueError("only a choice property has choices")
        return value


class PropertyOut(BaseModel):
    object_type: str
    name: str
    label: str
    type: str
    choices: list[str]
    multiple: bool


class PropertyList(BaseModel):
    items: list[PropertyOut]


def _property_out(definition: Any) -> PropertyOut:
    return PropertyOut(
        object_type=definition.object_type,
        name=definition.name,
        label=definition.label,
        type=definition.type,
        choices=list(definition.choices),
        multiple=definition.multiple,
    )


@router.get("/api/v1/properties", response_model=PropertyList, summary="Custom properties")
def list_properties(
    request: Request,
    _: Reader,
    object_type: Annotated[ObjectType | None, Query(description="Only these records'")] = None,
) -> PropertyList:
    with _engine(request).connect() as connection:
        found = property_store.all_definitions(connection)
    return PropertyList(
        items=[_property_out(d) for d in found if object_type in (None, d.object_type)]
    )


@router.post(
    "/api/v1/properties",
    response_model=PropertyOut,
    status_code=201,
    summary="Define a custom property",
)
def create_property(request: Request, _: Writer, body: PropertyIn) -> PropertyOut:
    options: dict[str, Any] | None = None
    if body.type == "choice":
        options = {"choices": body.choices, "multiple": body.multiple}
    with _engine(request).begin() as connection:
        if body.name in property_store.definitions_for(connection, body.object_type):
            raise field_problem(
                "name", f"{body.object_type} property {body.name} already exists", status=409
            )
        definition = property_store.create_definition(
            connection,
            object_type=body.object_type,
            name=body.name,
            label=body.label,
            type=body.type,
            options=options,
            now=clock(request),
        )
    return _property_out(definition)


# ---------------------------------------------------------------- opportunities


@router.get("/api/v1/opportunities", response_model=OpportunityPage, summary="List opportunities")
def list_opportunities(
    request: Request, principal: Reader, chosen: Annotated[OpportunityFilter, Query()]
) -> OpportunityPage:
    with _engine(request).connect() as connection:
        page = opportunity_page(
            connection,
            account_id=chosen.account,
            status=chosen.status,
            cursor=_cursor(chosen.after),
            limit=chosen.limit,
            owned_by=owned_by(principal),
        )
    return OpportunityPage(items=[opportunity_out(row) for row in page.rows], next=page.next)


@router.post(
    "/api/v1/opportunities",
    response_model=OpportunityOut,
    status_code=201,
    summary="Create or update an opportunity",
    responses={200: {"description": "An existing opportunity was updated (or unchanged)"}},
)
def create_opportunity(
    request: Request, response: Response, _: Writer, body: OpportunityFields
) -> OpportunityOut:
    with _engine(request).begin() as connection:
        result = upsert_opportunities(connection, [body], now=clock(request))
        if result.errors:
            raise upsert_problem(result.errors[0])
        response.status_code = 201 if result.created else 200
        rows = opportunities_by_id(connection, [i for i in result.ids if i is not None])
    return opportunity_out(rows[0])


# ---------------------------------------------------------------- meetings


class AttendeeOut(BaseModel):
    contact_id: int | None
    contact_email: str | None
    user_id: int | None
    user_name: str | None
    name: str | None


class MeetingOut(BaseModel):
    id: int
    occurred_at: datetime
    subject: str | None
    notes: str | None
    account: AccountRef | None
    owner: UserRef | None
    attendees: list[AttendeeOut]
    created_at: datetime


class MeetingPage(BaseModel):
    items: list[MeetingOut]
    next: str | None


def _meeting_out(row: Any, attendees: list[Any]) -> MeetingOut:
    return MeetingOut(
        id=row.id,
        occurred_at=row.occurred_at,
        subject=row.subject,
        notes=row.notes,
        account=AccountRef(id=row.account_id, name=row.account_name)
        if row.account_id is not None
        else None,
        owner=UserRef(id=row.owner_id, name=row.owner_name, email=row.owner_email)
        if row.owner_id is not None
        else None,
        attendees=[
            AttendeeOut(
                contact_id=person.contact_id,
                contact_email=person.contact_email,
                user_id=person.user_id,
                user_name=person.user_name,
                name=person.name,
            )
            for person in attendees
        ],
        created_at=row.created_at,
    )


@router.get("/api/v1/meetings", response_model=MeetingPage, summary="List meetings")
def list_meetings(
    request: Request, principal: Reader, chosen: Annotated[ActivityFilter, Query()]
) -> MeetingPage:
    with _engine(request).connect() as connection:
        page = meeting_page(
            connection,
            account_id=chosen.account,
            cursor=_cursor(chosen.after),
            limit=chosen.limit,
            owned_by=owned_by(principal),
        )
        people = attendees_of(connection, (row.id for row in page.rows))
    return MeetingPage(
        items=[_meeting_out(row, people.get(row.id, [])) for row in page.rows], next=page.next
    )


@router.post(
    "/api/v1/meetings", response_model=MeetingOut, status_code=201, summary="Record a meeting"
)
def create_meeting(request: Request, principal: Writer, body: MeetingFields) -> MeetingOut:
    with _engine(request).begin() as connection:
        try:
            meeting_id = record_meeting(
                connection, body, recorded_by=principal.user_id, now=clock(request)
            )
        except MeetingError as error:
            raise field_problem(error.field, error.message) from None
        row = meeting_by_id(connection, meeting_id)
        people = attendees_of(connection, [meeting_id])
    if row is None:  # pragma: no cover - just written
        raise Problem(500, "the meeting was not stored")
    return _meeting_out(row, people.get(meeting_id, []))
