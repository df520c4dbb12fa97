"""Needs and competitor grids over the API (``/api/v1/understanding/grids``).

A grid, its raters' points and scores, the results (weighted totals,
spread, departments, internal against customers) and the survey import
(``text/csv`` body, ``domain/grid_survey.py`` describes the columns).
``understanding:read`` reads, ``understanding:write`` changes; bad input is a
422 problem whose ``errors`` name each field, or each row and column of a file.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from silverplatter.domain.need_grid import GroupFigures, Spread
from silverplatter.domain.understanding_checks import SLUG, UnderstandingInvalid
from silverplatter.services.need_grids import (
    Grid,
    change_grid,
    create_grid,
    delete_grid,
    get_grid,
    grid_result,
    import_survey,
    list_grids,
    ratings_of,
    remove_rater,
    save_rating,
)
from silverplatter.services.sessions import Principal
from silverplatter.web.api.understanding_worries import (
    BASE,
    invalid_problem,
    missing,
)
from silverplatter.web.problems import Problem
from silverplatter.web.security import actor_of, clock, requires

router = APIRouter(tags=["customer understanding"])

Reader = Annotated[Principal, Depends(requires("understanding:read"))]
Writer = Annotated[Principal, Depends(requires("understanding:write"))]
Slug = Annotated[str, Path(max_length=100, pattern=SLUG.pattern, description="the grid's slug")]
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Name = Annotated[str, Field(max_length=400)]
MAX_CSV_BYTES = 5 * 1024 * 1024
CSV_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {
                "schema": {"type": "string"},
                "example": "respondent,points: Price,points: Service,Us: Price,Us: Service\n"
                "Customer 1,60,40,7,8\n",
            }
        },
    }
}


class GridIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    slug: Name | None = None
    needs: list[Name] = Field(max_length=100, examples=[["Brand", "Product", "Price"]])
    competitors: list[Name] = Field(max_length=100, examples=[["Us", "Rival Oy"]])
    us: Name | None = Field(None, description="which competitor is us; the first when absent")


class GridChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    needs: list[Name] | None = Field(None, max_length=100)
    competitors: list[Name] | None = Field(None, max_length=100)
    us: Name | None = None


class RaterOut(BaseModel):
    id: int
    name: str
    department: str | None
    source: Literal["internal", "customer"]


class GridOut(BaseModel):
    slug: str
    name: str
    needs: list[str]
    competitors: list[str]
    us: str | None
    raters: list[RaterOut]
    updated_at: datetime

    @classmethod
    def of(cls, grid: Grid) -> GridOut:
        return cls(
            slug=grid.slug,
            name=grid.name,
            needs=list(grid.needs),
            competitors=list(grid.competitors),
            us=grid.us,
            raters=[
                RaterOut(id=r.id, name=r.name, department=r.department, source=r.source)
                for r in grid.raters
            ],
            updated_at=grid.updated_at,
        )


class GridSummaryOut(BaseModel):
    slug: str
    name: str
    internal_raters: int
    customer_raters: int
    updated_at: datetime


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rater: Name
    department: Name | None = None
    source: str = Field("internal", max_length=20, description="internal or customer")
    weights: dict[Name, float | None] = Field(
        description="points per need, adding up to 100", examples=[{"Brand": 40, "Price": 60}]
    )
    scores: dict[Name, dict[Name, float | None]] = Field(
        default_factory=dict,
        description="per competitor, a 0–10 score per need",
        examples=[{"Us": {"Brand": 8, "Price": 6}}],
    )


class RatingOut(RaterOut):
    weights: dict[str, float]
    scores: dict[str, dict[str, float]]


class SpreadOut(BaseModel):
    n: int
    mean: float
    sd: float = Field(description="population standard deviation among the raters")
    low: float
    high: float

    @classmethod
    def of(cls, found: Spread) -> SpreadOut:
        return cls(
            n=found.n,
            mean=round(found.mean, 6),
            sd=round(found.sd, 6),
            low=found.low,
            high=found.high,
        )


class CellOut(SpreadOut):
    need: str
    competitor: str


class FiguresOut(BaseModel):
    raters: int
    weights: dict[str, SpreadOut]
    scores: list[CellOut]
    totals: dict[str, SpreadOut] = Field(description="each rater's Σ points/100 × score, averaged")

    @classmethod
    def of(cls, found: GroupFigures) -> FiguresOut:
        return cls(
            raters=found.raters,
            weights={need: SpreadOut.of(s) for need, s in found.weights.items()},
            scores=[
                CellOut(need=need, competitor=rival, **SpreadOut.of(s).model_dump())
                for (need, rival), s in found.scores.items()
            ],
            totals={rival: SpreadOut.of(s) for rival, s in found.totals.items()},
        )


class GapOut(BaseModel):
    need: str
    competitor: str | None = Field(description="null: the need's points")
    highest: str
    lowest: str
    gap: float
    means: dict[str, float]


class DifferenceOut(BaseModel):
    need: str | None = Field(description="null: a competitor's weighted total")
    competitor: str | None = Field(description="null: the need's points")
    internal: float
    customer: float
    difference: float = Field(description="internal minus customers")


class ResultOut(BaseModel):
    grid: GridOut
    internal: FiguresOut
    customer: FiguresOut
    departments: dict[str, FiguresOut]
    department_gaps: list[GapOut] = Field(
        description="the points largest gap first, then the scores largest gap first"
    )
    differences: list[DifferenceOut] = Field(
        description="the points largest first, then the scores and totals largest first"
    )


class Imported(BaseModel):
    respondents: int
    source: str


def _grid_or_404(request: Request, slug: str) -> Grid:
    with request.app.state.engine.connect() as connection:
        try:
            return get_grid(connection, slug)
        except LookupError as error:
            raise missing(error) from None


@router.get(f"{BASE}/grids", response_model=list[GridSummaryOut], summary="Every needs grid")
def grids(request: Request, principal: Reader) -> list[GridSummaryOut]:
    with request.app.state.engine.connect() as connection:
        return [
            GridSummaryOut(
                slug=g.slug,
                name=g.name,
                internal_raters=g.internal_raters,
                customer_raters=g.customer_raters,
                updated_at=g.updated_at,
            )
            for g in list_grids(connection)
        ]


@router.post(f"{BASE}/grids", response_model=GridOut, status_code=201, summary="Make a grid")
def create(request: Request, principal: Writer, body: GridIn) -> GridOut:
    try:
        with request.app.state.engine.begin() as connection:
            made = create_grid(
                connection,
                body.model_dump(exclude_none=True),
                actor=actor_of(request, principal),
                now=clock(request),
            )
    except UnderstandingInvalid as invalid:
        raise invalid_problem(invalid) from None
    return GridOut.of(made)


@router.get(f"{BASE}/grids/{{slug}}", response_model=GridOut, summary="One grid")
def grid(request: Request, principal: Reader, slug: Slug) -> GridOut:
    return GridOut.of(_grid_or_404(request, slug))


@router.patch(
    f"{BASE}/grids/{{slug}}",
    response_model=GridOut,
    summary="Rename, or change needs, competitors or us (one left out loses its ratings)",
)
def change(request: Request, principal: Writer, slug: Slug, body: GridChange) -> GridOut:
    try:
        with request.app.state.engine.begin() as connection:
            changed = change_grid(
                connection,
                slug,
                body.model_dump(exclude_none=True),
                actor=actor_of(request, principal),
                now=clock(request),
            )
    except LookupError as error:
        raise missing(error) from None
    except UnderstandingInvalid as invalid:
        raise invalid_problem(invalid) from None
    return GridOut.of(changed)


@router.delete(
    f"{BASE}/grids/{{slug}}", status_code=204, response_class=Response, summary="Delete a grid"
)
def delete(request: Request, principal: Writer, slug: Slug) -> Response:
    try:
        with request.app.state.engine.begin() as connection:
            delete_grid(connection, slug, actor=actor_of(request, principal), now=clock(request))
    except LookupError as error:
        raise missing(error) from None
    return Response(status_code=204)


@router.get(
    f"{BASE}/grids/{{slug}}/ratings",
    response_model=list[RatingOut],
    summary="Every rater's points and scores",
)
def ratings(request: Request, principal: Reader, slug: Slug) -> list[RatingOut]:
    found = _grid_or_404(request, slug)
    with request.app.state.engine.connect() as connection:
        by_id = ratings_of(connection, found)
    out = []
    for rater in found.raters:
        rating = by_id[rater.id]
        scores: dict[str, dict[str, float]] = {}
        for (need, rival), score in rating.scores.items():
            scores.setdefault(rival, {})[need] = score
        out.append(
            RatingOut(
                id=rater.id,
                name=rater.name,
                department=rater.department,
                source=rater.source,
                weights=dict(rating.weights),
                scores=scores,
            )
        )
    return out


@router.put(
    f"{BASE}/grids/{{slug}}/ratings",
    response_model=RaterOut,
    summary="Save one rater's points and scores (replacing the same rater's by name)",
)
def rate(request: Request, principal: Writer, slug: Slug, body: RatingIn) -> RaterOut:
    try:
        with request.app.state.engine.begin() as connection:
            saved = save_rating(
                connection,
                slug,
                body.model_dump(),
                actor=actor_of(request, principal),
                now=clock(request),
            )
    except LookupError as error:
        raise missing(error) from None
    except UnderstandingInvalid as invalid:
        raise invalid_problem(invalid) from None
    return RaterOut(
        id=saved.id,
        name=saved.name,
        department=saved.department,
        source=saved.source,
    )


@router.delete(
    f"{BASE}/grids/{{slug}}/raters/{{rater_id}}",
    status_code=204,
    response_class=Response,
    summary="Remove a rater with their ratings",
)
def remove(request: Request, principal: Writer, slug: Slug, rater_id: Id) -> Response:
    try:
        with request.app.state.engine.begin() as connection:
            remove_rater(
                connection, slug, rater_id, actor=actor_of(request, principal), now=clock(request)
            )
    except LookupError as error:
        raise missing(error) from None
    return Response(status_code=204)


@router.get(
    f"{BASE}/grids/{{slug}}/results",
    response_model=ResultOut,
    summary="Weighted totals, spread, departments and internal against customers",
)
def results(request: Request, principal: Reader, slug: Slug) -> ResultOut:
    with request.app.state.engine.connect() as connection:
        try:
            found, result = grid_result(connection, slug)
        except LookupError as error:
            raise missing(error) from None
    return ResultOut(
        grid=GridOut.of(found),
        internal=FiguresOut.of(result.internal),
        customer=FiguresOut.of(result.customer),
        departments={name: FiguresOut.of(f) for name, f in result.departments.items()},
        department_gaps=[
            GapOut(
                need=g.need,
                competitor=g.competitor,
                highest=g.highest,
                lowest=g.lowest,
                gap=round(g.gap, 6),
                means={name: round(mean, 6) for name, mean in g.means.items()},
            )
            for g in result.department_gaps
        ],
        differences=[
            DifferenceOut(
                need=d.need,
                competitor=d.competitor,
                internal=round(d.internal, 6),
                customer=round(d.customer, 6),
                difference=round(d.difference, 6),
            )
            for d in result.differences
        ],
    )


async def csv_text(request: Request, limit: int) -> str:
    """The request's ``text/csv`` body as text; 415 for another type, 413 when too large."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("text/csv", "text/plain"):
        raise Problem(415, "send the file as the body with Content-Type: text/csv")
    raw = await request.body()
    if len(raw) > limit:
        raise Problem(413, f"the file is larger than {limit // (1024 * 1024)} MB")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Problem(
            422,
            "file: expected UTF-8 text",
            errors=[{"field": "file", "message": "expected UTF-8 text"}],
        ) from None


@router.post(
    f"{BASE}/grids/{{slug}}/survey",
    response_model=Imported,
    summary="Import survey answers (CSV body): all or nothing",
    openapi_extra=CSV_BODY,
)
async def survey(
    request: Request,
    principal: Writer,
    slug: Slug,
    source: Annotated[Literal["customer", "internal"], Query()] = "customer",
) -> Imported:
    content = await csv_text(request, MAX_CSV_BYTES)
    try:
        with request.app.state.engine.begin() as connection:
            count = import_survey(
                connection,
                slug,
                content,
                source=source,
                actor=actor_of(request, principal),
                now=clock(request),
            )
    except LookupError as error:
        raise missing(error) from None
    except UnderstandingInvalid as invalid:
        raise invalid_problem(invalid) from None
    return Imported(respondents=count, source=source)
