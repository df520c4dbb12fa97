"""Needs segments, the offer matrix and care models over the API (under ``/api/v1/tiers``).

Needs segments are named by their slug.  A bad field is a 422 problem whose
``errors`` name it (``name``, ``cells[2].modules[0]``, ``touches_per_year``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from silverplatter.domain.tier_matrix import MatrixInvalid
from silverplatter.services.needs_segments import (
    NeedsSegment,
    assign_needs_segments,
    create_needs_segment,
    delete_needs_segment,
    list_needs_segments,
    needs_segment,
    order_needs_segments,
    update_needs_segment,
)
from silverplatter.services.sessions import Principal
from silverplatter.services.tier_matrix import (
    CareModel,
    OfferMatrix,
    care_models,
    offer_matrix,
    pyramid,
    replace_offer_matrix,
    set_care_model,
)
from silverplatter.web.problems import Problem
from silverplatter.web.security import actor_of, clock, requires

router = APIRouter(tags=["value tiers"])

Reader = Annotated[Principal, Depends(requires("segmentation:read"))]
Writer = Annotated[Principal, Depends(requires("segmentation:write"))]
Slug = Annotated[str, Path(max_length=100, description="the needs segment's slug")]
TierName = Literal["gold", "silver", "bronze", "unclassified"]
Text = Annotated[str, Field(max_length=5000)]


def matrix_problem(invalid: MatrixInvalid) -> Problem:
    errors = [{"field": e.field, "message": e.message} for e in invalid.errors]
    return Problem(422, str(invalid), errors=errors)


class NeedsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text
    slug: Text | None = Field(None, description="made from the name when left out")
    description: Text | None = None
    segment: Text | None = Field(None, description="the slug of the segment that defines it")


class NeedsChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text | None = None
    slug: Text | None = None
    description: Text | None = None
    segment: Text | None = None


class NeedsOut(BaseModel):
    slug: str
    name: str
    description: str | None
    position: int = Field(description="its column in the pyramid and its priority")
    segment: str | None = Field(description="the slug of the segment that defines it")
    accounts: int = Field(description="accounts in it now, of every tier")
    updated_at: datetime

    @classmethod
    def of(cls, found: NeedsSegment, accounts: int) -> NeedsOut:
        return cls(
            slug=found.slug,
            name=found.name,
            description=found.description,
            position=found.position,
            segment=found.segment_slug,
            accounts=accounts,
            updated_at=found.updated_at,
        )


class OrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order: list[Annotated[str, Field(max_length=100)]] = Field(
        max_length=50, description="every needs segment's slug, once, in the new order"
    )


class AssignedOut(BaseModel):
    moved: int = Field(description="accounts whose needs segment changed")
    accounts: dict[str, int] = Field(description="accounts per needs segment; '' for none")
    contacts_requalified: int


class CellIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tier: TierName
    needs_segment: Annotated[str, Field(max_length=100)]
    modules: list[Annotated[str, Field(max_length=1000)]] = Field(default_factory=list)
    notes: Text | None = None


class CellOut(BaseModel):
    tier: TierName
    needs_segment: str
    modules: list[str]
    notes: str | None
    updated_at: datetime | None


class MatrixIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cells: list[CellIn] = Field(max_length=500)


class MatrixOut(BaseModel):
    needs_segments: list[str] = Field(description="slugs, in order (the matrix's columns)")
    cells: list[CellOut] = Field(description="the cells that have modules or notes")

    @classmethod
    def of(cls, matrix: OfferMatrix) -> MatrixOut:
        return cls(
            needs_segments=[n.slug for n in matrix.needs_segments],
            cells=[
                CellOut(
                    tier=cell.tier,
                    needs_segment=cell.needs_segment,
                    modules=list(cell.modules),
                    notes=cell.notes,
                    updated_at=cell.updated_at,
                )
                for cell in matrix.cells.values()
            ],
        )


class CareIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Text | None = None
    touches_per_year: int | None = Field(None, ge=0, le=1000)
    channels: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=list, max_length=50
    )
    owner_role: Literal["admin", "marketing", "sales"] | None = None


class CareOut(BaseModel):
    tier: TierName
    description: str | None
    touches_per_year: int | None
    channels: list[str]
    owner_role: str | None
    updated_at: datetime | None = Field(description="null until it is first written")

    @classmethod
    def of(cls, care: CareModel) -> CareOut:
        return cls(
            tier=care.tier,
            description=care.description,
            touches_per_year=care.touches_per_year,
            channels=list(care.channels),
            owner_role=care.owner_role,
            updated_at=care.updated_at,
        )


def _accounts_by_slug(connection: Any) -> dict[str, int]:
    found = pyramid(connection)
    return {
        key: found.column_total(key, ("gold", "silver", "bronze", "unclassified")).accounts
        for key, _label in found.columns
    }


def _needs_out(connection: Any, slug: str) -> NeedsOut:
    return NeedsOut.of(needs_segment(connection, slug), _accounts_by_slug(connection).get(slug, 0))


# --- needs segments ------------------------------------------------------------------


@router.get("/api/v1/tiers/needs-segments", response_model=list[NeedsOut])
def list_needs(request: Request, _: Reader) -> list[NeedsOut]:
    """Needs segments in order, each with its accounts now."""
    with request.app.state.engine.connect() as connection:
        counts = _accounts_by_slug(connection)
        return [NeedsOut.of(n, counts.get(n.slug, 0)) for n in list_needs_segments(connection)]


@router.post("/api/v1/tiers/needs-segments", response_model=NeedsOut, status_code=201)
def create_needs(request: Request, response: Response, _: Writer, needs: NeedsIn) -> NeedsOut:
    """Add a needs segment after the others."""
    document = needs.model_dump(exclude_none=True)
    try:
        with request.app.state.engine.begin() as connection:
            made = create_needs_segment(connection, document, now=clock(request))
            found = _needs_out(connection, made.slug)
    except MatrixInvalid as invalid:
        raise matrix_problem(invalid) from None
    response.headers["Location"] = f"/api/v1/tiers/needs-segments/{made.slug}"
    return found


@router.put("/api/v1/tiers/needs-segments/order", response_model=list[NeedsOut])
def order_needs(request: Request, _: Writer, order: OrderIn) -> list[NeedsOut]:
    """Put the needs segments in a new order (an account's first match wins)."""
    try:
        with request.app.state.engine.begin() as connection:
            ordered = order_needs_segments(connection, order.order, now=clock(request))
            counts = _accounts_by_slug(connection)
    except MatrixInvalid as invalid:
        raise matrix_problem(invalid) from None
    return [NeedsOut.of(n, counts.get(n.slug, 0)) for n in ordered]


@router.post(
    "/api/v1/tiers/needs-segments/assign",
    response_model=AssignedOut,
    responses={409: {"description": "a needs segment's segment cannot be evaluated"}},
)
def assign(request: Request, principal: Writer) -> AssignedOut:
    """Give every account the first needs segment, in order, that any of its people is a
    member of (none when none); audited."""
    actor = actor_of(request, principal)
    try:
        with request.app.state.engine.begin() as connection:
            done = assign_needs_segments(connection, now=clock(request), actor=actor)
    except MatrixInvalid as invalid:
        raise Problem(409, str(invalid)) from None
    return AssignedOut(
        moved=done.moved, accounts=done.accounts, contacts_requalified=done.requalified.contacts
    )


@router.get("/api/v1/tiers/needs-segments/{slug}", response_model=NeedsOut)
def get_needs(request: Request, slug: Slug, _: Reader) -> NeedsOut:
    try:
        with request.app.state.engine.connect() as connection:
            return _needs_out(connection, slug)
    except LookupError as missing:
        raise Problem(404, str(missing)) from None


@router.patch("/api/v1/tiers/needs-segments/{slug}", response_model=NeedsOut)
def change_needs(request: Request, slug: Slug, _: Writer, change: NeedsChange) -> NeedsOut:
    """Change the fields given; a new name is carried over to its accounts."""
    document = change.model_dump(exclude_unset=True)
    try:
        with request.app.state.engine.begin() as connection:
            changed = update_needs_segment(connection, slug, document, now=clock(request))
            return _needs_out(connection, changed.slug)
    except LookupError as missing:
        raise Problem(404, str(missing)) from None
    except MatrixInvalid as invalid:
        raise matrix_problem(invalid) from None


@router.delete("/api/v1/tiers/needs-segments/{slug}", status_code=204, response_class=Response)
def delete_needs(request: Request, slug: Slug, _: Writer) -> Response:
    """Delete it and its offer cells; its accounts are left without a needs segment."""
    try:
        with request.app.state.engine.begin() as connection:
            delete_needs_segment(connection, slug, now=clock(request))
    except LookupError as missing:
        raise Problem(404, str(missing)) from None
    return Response(status_code=204)


# --- the offer matrix and care models ------------------------------------------------


@router.get("/api/v1/tiers/matrix", response_model=MatrixOut)
def get_matrix(request: Request, _: Reader) -> MatrixOut:
    """Offer modules and notes per (tier, needs segment)."""
    with request.app.state.engine.connect() as connection:
        return MatrixOut.of(offer_matrix(connection))


@router.put("/api/v1/tiers/matrix", response_model=MatrixOut)
def put_matrix(request: Request, _: Writer, matrix: MatrixIn) -> MatrixOut:
    """Replace the whole matrix; one bad cell changes nothing."""
    cells = [cell.model_dump() for cell in matrix.cells]
    try:
        with request.app.state.engine.begin() as connection:
            return MatrixOut.of(replace_offer_matrix(connection, cells, now=clock(request)))
    except MatrixInvalid as invalid:
        raise matrix_problem(invalid) from None


@router.get("/api/v1/tiers/care-models", response_model=list[CareOut])
def get_care_models(request: Request, _: Reader) -> list[CareOut]:
    """How each tier is looked after, gold first."""
    with request.app.state.engine.connect() as connection:
        return [CareOut.of(care) for care in care_models(connection).values()]


@router.put("/api/v1/tiers/care-models/{tier}", response_model=CareOut)
def put_care_model(
    request: Request,
    tier: Annotated[TierName, Path(description="the tier")],
    _: Writer,
    care: CareIn,
) -> CareOut:
    """Write a tier's care model (every field; left out is empty)."""
    try:
        with request.app.state.engine.begin() as connection:
            saved = set_care_model(connection, tier, care.model_dump(), now=clock(request))
    except MatrixInvalid as invalid:
        raise matrix_problem(invalid) from None
    return CareOut.of(saved)
