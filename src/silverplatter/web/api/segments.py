"""REST API for segments: rules over contacts, their counts, members and snapshots.

A rule is the JSON document of ``domain/segment_rules.py``; a bad rule is
answered with a problem whose ``errors`` name each bad part by its path
(``rule.all[2].value``).  Members are keyset-paginated by contact id: pass
the previous page's ``next`` as ``after``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from silverplatter.domain.segment_rules import SLUG, RuleInvalid
from silverplatter.services import segments as service
from silverplatter.services.sessions import Principal
from silverplatter.web.problems import Problem, field_problem
from silverplatter.web.security import actor_of, clock, requires

router = APIRouter(prefix="/api/v1", tags=["segments"])

MAX_LIMIT: Final = 500
Read = Annotated[Principal, Depends(requires("segments:read"))]
Write = Annotated[Principal, Depends(requires("segments:write"))]
SegmentId = Annotated[int, Path(ge=1, le=2**31 - 1)]
RULE_HELP = (
    "nested groups {'all': [...]}, {'any': [...]}, {'not': {...}} of conditions "
    "{'field', 'op', 'value'} and {'event', 'within_days', 'op', 'times', 'where'}; "
    "see the user guide's Segments section"
)
EXAMPLE_RULE = {
    "all": [
        {"field": "contact.grade", "op": "gte", "value": "B"},
        {"field": "contact.country", "op": "equals", "value": "FI"},
        {"event": "email_click", "within_days": 30},
    ]
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SegmentOut(BaseModel):
    id: int
    slug: str
    name: str
    description: str | None
    kind: str = Field(description="dynamic (evaluated live) or static (a snapshot)")
    rule: dict[str, Any] = Field(description="the rule in canonical form")
    member_count: int | None = Field(description="members at the last count or snapshot")
    counted_at: datetime | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, segment: service.Segment) -> SegmentOut:
        return cls(
            id=segment.id,
            slug=segment.slug,
            name=segment.name,
            description=segment.description,
            kind=segment.kind,
            rule=segment.rule,
            member_count=segment.member_count,
            counted_at=segment.counted_at,
            created_by=segment.created_by,
            created_at=segment.created_at,
            updated_at=segment.updated_at,
        )


class SegmentList(BaseModel):
    items: list[SegmentOut]


class SegmentCreate(Strict):
    slug: str = Field(max_length=100, pattern=SLUG.pattern, examples=["active-finns"])
    name: str = Field(min_length=1, max_length=200, examples=["Active Finns"])
    description: str | None = Field(default=None, max_length=2000)
    kind: service.Kind = "dynamic"
    rule: dict[str, Any] = Field(description=RULE_HELP, examples=[EXAMPLE_RULE])


class SegmentChange(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    rule: dict[str, Any] | None = Field(default=None, description=RULE_HELP)


class RulePreview(Strict):
    rule: dict[str, Any] = Field(description=RULE_HELP, examples=[EXAMPLE_RULE])
    slug: str | None = Field(
        default=None, max_length=100, description="the segment being edited, to refuse a circle"
    )


class Count(BaseModel):
    count: int
    counted_at: datetime


class Member(BaseModel):
    id: int
    email: str
    first_name: str | None
    last_name: str | None
    title: str | None
    country: str | None
    lifecycle_stage: str
    account_name: str | None
    grade: str | None
    score: float | None


class MemberPage(BaseModel):
    items: list[Member]
    next: int | None = Field(description="pass as `after` for the next page; null on the last")


class Snapshot(BaseModel):
    members: int


@contextmanager
def _answering() -> Iterator[None]:
    """Service refusals as problems naming the field or the rule's part."""
    try:
        yield
    except RuleInvalid as invalid:
        errors = [{"field": error.path, "message": error.message} for error in invalid.errors]
        raise Problem(422, str(invalid), errors=errors) from None
    except service.SegmentNotFound as missing:
        raise Problem(404, str(missing)) from None
    except service.SegmentError as refused:
        status = 409 if refused.field in ("segment", "kind") else 422
        raise field_problem(refused.field, refused.message, status) from None


@router.get("/segments", response_model=SegmentList)
def list_segments(request: Request, _: Read) -> SegmentList:
    """Every segment by name, with its last count."""
    with request.app.state.engine.connect() as connection:
        return SegmentList(items=[SegmentOut.of(s) for s in service.list_segments(connection)])


@router.post("/segments", response_model=SegmentOut, status_code=201)
def create_segment(
    request: Request, response: Response, principal: Write, body: SegmentCreate
) -> SegmentOut:
    """Make a segment; its rule is checked and stored in canonical form."""
    with _answering(), request.app.state.engine.begin() as connection:
        draft = service.draft_of(body.model_dump())
        made = service.create_segment(
            connection, draft, actor=actor_of(request, principal), now=clock(request)
        )
    response.headers["Location"] = f"/api/v1/segments/{made.id}"
    return SegmentOut.of(made)


@router.post("/segments/preview", response_model=Count)
def preview(request: Request, _: Read, body: RulePreview) -> Count:
    """How many contacts a rule takes now, without saving anything."""
    now = clock(request)
    with _answering(), request.app.state.engine.connect() as connection:
        count = service.preview_count(connection, body.rule, now=now, slug=body.slug)
    return Count(count=count, counted_at=now)


@router.get("/segments/{segment_id}", response_model=SegmentOut)
def get_segment(request: Request, _: Read, segment_id: SegmentId) -> SegmentOut:
    with _answering(), request.app.state.engine.connect() as connection:
        return SegmentOut.of(service.get_segment(connection, segment_id))


@router.patch("/segments/{segment_id}", response_model=SegmentOut)
def change_segment(
    request: Request, principal: Write, segment_id: SegmentId, body: SegmentChange
) -> SegmentOut:
    """Change a segment's name, description or rule (its slug and kind stay)."""
    with _answering(), request.app.state.engine.begin() as connection:
        current = service.get_segment(connection, segment_id)
        changes = body.model_dump(exclude_unset=True)
        draft = service.draft_of(
            {
                "slug": current.slug,
                "kind": current.kind,
                "name": changes.get("name") or current.name,
                "description": changes.get("description", current.description),
                "rule": changes.get("rule") or current.rule,
            }
        )
        changed = service.update_segment(
            connection, segment_id, draft, actor=actor_of(request, principal), now=clock(request)
        )
    return SegmentOut.of(changed)


@router.delete("/segments/{segment_id}", status_code=204, response_class=Response)
def delete_segment(request: Request, principal: Write, segment_id: SegmentId) -> Response:
    """Delete a segment; refused (409) while another segment's rule or a needs segment uses it."""
    with _answering(), request.app.state.engine.begin() as connection:
        service.delete_segment(
            connection, segment_id, actor=actor_of(request, principal), now=clock(request)
        )
    return Response(status_code=204)


@router.get("/segments/{segment_id}/count", response_model=Count)
def count(request: Request, _: Read, segment_id: SegmentId) -> Count:
    """Count the members now (kept as the segment's member_count)."""
    now = clock(request)
    with _answering(), request.app.state.engine.begin() as connection:
        segment = service.get_segment(connection, segment_id)
        found = service.count_members(connection, segment, now=now)
    return Count(count=found, counted_at=now)


@router.get("/segments/{segment_id}/members", response_model=MemberPage)
def members(
    request: Request,
    _: Read,
    segment_id: SegmentId,
    after: Annotated[int, Query(ge=0, le=2**31 - 1, description="the previous page's `next`")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> MemberPage:
    """Members in contact id order."""
    with _answering(), request.app.state.engine.connect() as connection:
        segment = service.get_segment(connection, segment_id)
        page = service.member_page(
            connection, segment, now=clock(request), after=after, limit=limit
        )
    return MemberPage(
        items=[Member.model_validate(dict(row._mapping)) for row in page.rows],
        next=page.next,
    )


@router.post("/segments/{segment_id}/snapshot", response_model=Snapshot)
def snapshot(request: Request, principal: Write, segment_id: SegmentId) -> Snapshot:
    """A static segment's members become whoever its rule takes now (409 for a dynamic one)."""
    with _answering(), request.app.state.engine.begin() as connection:
        segment = service.get_segment(connection, segment_id)
        found = service.snapshot(
            connection, segment, actor=actor_of(request, principal), now=clock(request)
        )
    return Snapshot(members=found)
