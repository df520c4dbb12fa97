"""Kano studies over the API (``/api/v1/understanding/kano``): studies, answers, results.

Answers come as a ``text/csv`` body (``domain/kano_import.py`` describes the
columns) or as a JSON list of the same fields; all or nothing, errors naming
each row and column (``row 3, column 'functional'``) or item
(``answers[2].functional``).  ``understanding:read`` reads,
``understanding:write`` changes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from silverplatter.domain.kano import CATEGORIES, CATEGORY_NAMES, FeatureResult
from silverplatter.domain.understanding_checks import SLUG, UnderstandingInvalid
from silverplatter.services.kano_studies import (
    KanoStudy,
    create_study,
    delete_study,
    get_study,
    import_answers,
    import_answers_csv,
    kano_result,
    list_studies,
)
from silverplatter.services.sessions import Principal
from silverplatter.web.api.understanding_grids import csv_text
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
Slug = Annotated[str, Path(max_length=100, pattern=SLUG.pattern, description="the study's slug")]
MAX_BYTES = 20 * 1024 * 1024
ANSWERS_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {
                "schema": {"type": "string"},
                "example": "respondent,feature,functional,dysfunctional,segment\n"
                "r1,Offline mode,like,dislike,SMB\n",
            },
            "application/json": {
                "schema": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "respondent": {"type": "string"},
                            "feature": {"type": "string"},
                            "functional": {"type": ["integer", "string"]},
                            "dysfunctional": {"type": ["integer", "string"]},
                            "segment": {"type": ["string", "null"]},
                        },
                        "required": ["respondent", "feature", "functional", "dysfunctional"],
                    },
                },
            },
        },
    }
}


class StudyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=400, examples=["Roadmap 2026"])
    slug: str | None = Field(None, max_length=400)


class StudyOut(BaseModel):
    slug: str
    name: str
    features: int
    respondents: int
    answers: int
    created_at: datetime

    @classmethod
    def of(cls, found: KanoStudy) -> StudyOut:
        return cls(
            slug=found.slug,
            name=found.name,
            features=found.features,
            respondents=found.respondents,
            answers=found.answers,
            created_at=found.created_at,
        )


class FeatureOut(BaseModel):
    feature: str
    answers: int
    counts: dict[str, int] = Field(description="per category: A, O, M, I, R, Q")
    shares: dict[str, float] = Field(description="of all answers, 0 … 1")
    category: str | None = Field(description="the winner; null without answers")
    category_name: str
    runner_up: str | None
    margin: float = Field(description="the winner's share minus the runner-up's")
    better: float | None = Field(description="(A+O)/(A+O+M+I)")
    worse: float | None = Field(description="−(O+M)/(A+O+M+I)")

    @classmethod
    def of(cls, found: FeatureResult) -> FeatureOut:
        return cls(
            feature=found.feature,
            answers=found.answers,
            counts=dict(found.counts),
            shares={c: round(found.share(c), 6) for c in CATEGORIES},
            category=found.category,
            category_name=found.category_name,
            runner_up=found.runner_up,
            margin=round(found.margin, 6),
            better=None if found.better is None else round(found.better, 6),
            worse=None if found.worse is None else round(found.worse, 6),
        )


class ResultOut(BaseModel):
    study: StudyOut
    segment: str | None
    segments: list[str]
    categories: dict[str, str] = Field(description="what each letter stands for")
    features: list[FeatureOut]


class Imported(BaseModel):
    answers: int


@router.get(f"{BASE}/kano", response_model=list[StudyOut], summary="Every Kano study")
def studies(request: Request, principal: Reader) -> list[StudyOut]:
    with request.app.state.engine.connect() as connection:
        return [StudyOut.of(found) for found in list_studies(connection)]


@router.post(f"{BASE}/kano", response_model=StudyOut, status_code=201, summary="Make a study")
def create(request: Request, principal: Writer, body: StudyIn) -> StudyOut:
    try:
        with request.app.state.engine.begin() as connection:
            made = create_study(
                connection,
                body.model_dump(exclude_none=True),
                actor=actor_of(request, principal),
                now=clock(request),
            )
    except UnderstandingInvalid as invalid:
        raise invalid_problem(invalid) from None
    return StudyOut.of(made)


@router.get(f"{BASE}/kano/{{slug}}", response_model=StudyOut, summary="One study")
def study(request: Request, principal: Reader, slug: Slug) -> StudyOut:
    with request.app.state.engine.connect() as connection:
        try:
            return StudyOut.of(get_study(connection, slug))
        except LookupError as error:
            raise missing(error) from None


@router.delete(
    f"{BASE}/kano/{{slug}}",
    status_code=204,
    response_class=Response,
    summary="Delete a study with its answers",
)
def delete(request: Request, principal: Writer, slug: Slug) -> Response:
    try:
        with request.app.state.engine.begin() as connection:
            delete_study(connection, slug, actor=actor_of(request, principal), now=clock(request))
    except LookupError as error:
        raise missing(error) from None
    return Response(status_code=204)


@router.post(
    f"{BASE}/kano/{{slug}}/answers",
    response_model=Imported,
    summary="Import answers (CSV or JSON body): all or nothing",
    openapi_extra=ANSWERS_BODY,
)
async def answers(request: Request, principal: Writer, slug: Slug) -> Imported:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    items: list[Any] | None = None
    content = ""
    if kind == "application/json":
        try:
            parsed = await request.json()
        except ValueError:
            raise Problem(
                422, "body: not valid JSON", errors=[{"field": "body", "message": "not valid JSON"}]
            ) from None
        if not isinstance(parsed, list) or not all(isinstance(item, dict) for item in parsed):
            message = "expected a list of answers (objects)"
            raise Problem(422, f"body: {message}", errors=[{"field": "body", "message": message}])
        items = parsed
    else:
        content = await csv_text(request, MAX_BYTES)
    actor, now = actor_of(request, principal), clock(request)
    try:
        with request.app.state.engine.begin() as connection:
            if items is not None:
                count = import_answers(connection, slug, items, actor=actor, now=now)
            else:
                count = import_answers_csv(connection, slug, content, actor=actor, now=now)
    except LookupError as error:
        raise missing(error) from None
    except UnderstandingInvalid as invalid:
        raise invalid_problem(invalid) from None
    return Imported(answers=count)


@router.get(
    f"{BASE}/kano/{{slug}}/results",
    response_model=ResultOut,
    summary="Per feature: category shares, the winner with its margin, Better and Worse",
)
def results(
    request: Request,
    principal: Reader,
    slug: Slug,
    segment: Annotated[
        str | None, Query(max_length=100, pattern=r"^[^\x00]*$", description="one segment only")
    ] = None,
) -> ResultOut:
    with request.app.state.engine.connect() as connection:
        try:
            found = kano_result(connection, slug, segment=segment)
        except LookupError as error:
            raise missing(error) from None
        except UnderstandingInvalid as invalid:
            raise invalid_problem(invalid) from None
    return ResultOut(
        study=StudyOut.of(found.study),
        segment=found.segment,
        segments=list(found.segments),
        categories=dict(CATEGORY_NAMES),
        features=[FeatureOut.of(r) for r in found.features],
    )
