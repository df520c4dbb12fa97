"""Strategy documents over the API: the core questions, SWOT, PEST, the target customer.

``/api/v1/understanding/core-questions`` is the workspace's strategic core
questions (``PUT`` without a version creates them); ``/api/v1/understanding/strategy``
lists and creates documents of every kind, each with its versions and restore.
Saves carry the ``version`` edited (409 when stale); a bad body is a 422
problem naming each path (``body.questions[1].why``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from silverplatter.domain.document_checks import DocumentInvalid, StaleVersion
from silverplatter.domain.strategy import KINDS, Kind
from silverplatter.services.sessions import Principal
from silverplatter.services.strategy_documents import (
    CORE_QUESTIONS,
    StrategyDocument,
    create_document,
    delete_document,
    document_at,
    document_history,
    get_document,
    list_documents,
    restore_document,
    save_core_questions,
    save_document,
)
from silverplatter.services.workspace import workspace_name
from silverplatter.web.api.zipper_boards import (
    VersionOut,
    document_problem,
    not_found,
    stale_problem,
)
from silverplatter.web.security import actor_of, clock, requires
from silverplatter.web.zipper_export import core_questions_download

router = APIRouter(tags=["customer understanding"])

Reader = Annotated[Principal, Depends(requires("understanding:read"))]
Writer = Annotated[Principal, Depends(requires("understanding:write"))]
Slug = Annotated[str, Path(max_length=100, description="the document's slug")]
Version = Annotated[int, Path(ge=1, le=2**31 - 1, description="a saved version")]
Short = Annotated[str, Field(max_length=300)]
BASE = "/api/v1/understanding/strategy"
CORE = "/api/v1/understanding/core-questions"
BODIES = (
    "core_questions: {questions: [3 × {question, why: [7–10 bullets], how: [7–10 bullets]}]}; "
    "swot: {strengths, weaknesses, opportunities, threats}: lists of bullets; "
    "pest: {political, economic, social, technological, conclusions}: lists of bullets; "
    "target_customer: {definition, criteria: [bullets], "
    "assumptions: [{assumption, how_we_know}]}"
)


class DocumentOut(BaseModel):
    kind: str
    slug: str
    title: str
    version: int = Field(description="send it back when saving")
    body: dict[str, Any] = Field(description=BODIES)
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, found: StrategyDocument) -> DocumentOut:
        return cls(
            kind=found.kind,
            slug=found.slug,
            title=found.title,
            version=found.version,
            body=found.body.document(),
            created_at=found.created_at,
            updated_at=found.updated_at,
        )


class DocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind
    title: Short | None = Field(None, description="the kind's name when left out")
    slug: Short | None = Field(None, description="made from the title when left out")
    body: dict[str, Any] = Field(description=BODIES)


class SaveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=2**31 - 1, description="the version you edited")
    title: Short | None = None
    body: dict[str, Any] = Field(description=BODIES)


class CoreQuestionsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(
        None,
        ge=1,
        le=2**31 - 1,
        description="the version you edited; leave out to write them the first time",
    )
    body: dict[str, Any] = Field(
        description="{questions: [3 × {question, why: [7–10 bullets], how: [7–10 bullets]}]}"
    )


class RestoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(
        ge=1, le=2**31 - 1, description="the document's version you saw (the newest)"
    )


class BodyAt(BaseModel):
    version: int
    body: dict[str, Any]


@router.get(CORE, response_model=DocumentOut)
def core_questions(request: Request, principal: Reader) -> DocumentOut:
    """The customers' top three strategic core questions with their Why? and How? boxes."""
    try:
        with request.app.state.engine.connect() as connection:
            return DocumentOut.of(get_document(connection, CORE_QUESTIONS))
    except LookupError:
        raise not_found(LookupError("the core questions have not been written yet")) from None


@router.put(CORE, response_model=DocumentOut)
def put_core_questions(request: Request, principal: Writer, body: CoreQuestionsIn) -> DocumentOut:
    """Save the core questions: 3 questions, 7–10 bullets in each Why? and How? box."""
    try:
        with request.app.state.engine.begin() as connection:
            found = save_core_questions(
                connection,
                body.body,
                version=body.version,
                now=clock(request),
                actor=actor_of(request, principal),
            )
    except DocumentInvalid as invalid:
        raise document_problem(invalid) from None
    except StaleVersion as stale:
        raise stale_problem(stale) from None
    return DocumentOut.of(found)


@router.get(
    CORE + ".pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "one A4 page"}},
)
def core_questions_pdf(request: Request, principal: Reader) -> Response:
    """The core questions on one printable A4 page."""
    name = workspace_name(request.app.state.engine)
    try:
        with request.app.state.engine.connect() as connection:
            return core_questions_download(connection, name)
    except LookupError:
        raise not_found(LookupError("the core questions have not been written yet")) from None


@router.get(BASE, response_model=list[DocumentOut])
def documents(
    request: Request,
    principal: Reader,
    kind: Annotated[Kind | None, Query(description=f"one of {', '.join(KINDS)}")] = None,
) -> list[DocumentOut]:
    with request.app.state.engine.connect() as connection:
        return [DocumentOut.of(found) for found in list_documents(connection, kind)]


@router.post(BASE, response_model=DocumentOut, status_code=201)
def create(request: Request, principal: Writer, body: DocumentIn) -> DocumentOut:
    try:
        with request.app.state.engine.begin() as connection:
            found = create_document(
                connection,
                body.model_dump(exclude_none=True),
                now=clock(request),
                actor=actor_of(request, principal),
            )
    except DocumentInvalid as invalid:
        raise document_problem(invalid) from None
    return DocumentOut.of(found)


@router.get(BASE + "/{slug}", response_model=DocumentOut)
def document(request: Request, principal: Reader, slug: Slug) -> DocumentOut:
    try:
        with request.app.state.engine.connect() as connection:
            return DocumentOut.of(get_document(connection, slug))
    except LookupError as error:
        raise not_found(error) from None


@router.put(BASE + "/{slug}", response_model=DocumentOut)
def save(request: Request, principal: Writer, slug: Slug, body: SaveIn) -> DocumentOut:
    try:
        with request.app.state.engine.begin() as connection:
            found = save_document(
                connection,
                slug,
                body.body,
                version=body.version,
                title=body.title,
                now=clock(request),
                actor=actor_of(request, principal),
            )
    except LookupError as error:
        raise not_found(error) from None
    except DocumentInvalid as invalid:
        raise document_problem(invalid) from None
    except StaleVersion as stale:
        raise stale_problem(stale) from None
    return DocumentOut.of(found)


@router.delete(BASE + "/{slug}", status_code=204, response_class=Response)
def delete(request: Request, principal: Writer, slug: Slug) -> Response:
    try:
        with request.app.state.engine.begin() as connection:
            delete_document(
                connection, slug, now=clock(request), actor=actor_of(request, principal)
            )
    except LookupError as error:
        raise not_found(error) from None
    return Response(status_code=204)


@router.get(BASE + "/{slug}/versions", response_model=list[VersionOut])
def versions(request: Request, principal: Reader, slug: Slug) -> list[VersionOut]:
    try:
        with request.app.state.engine.connect() as connection:
            found = document_history(connection, slug)
    except LookupError as error:
        raise not_found(error) from None
    return [VersionOut(version=v.version, saved_at=v.saved_at, saved_by=v.saved_by) for v in found]


@router.get(BASE + "/{slug}/versions/{version}", response_model=BodyAt)
def version_body(request: Request, principal: Reader, slug: Slug, version: Version) -> BodyAt:
    try:
        with request.app.state.engine.connect() as connection:
            found = document_at(connection, slug, version)
    except LookupError as error:
        raise not_found(error) from None
    return BodyAt(version=version, body=found.document())


@router.post(BASE + "/{slug}/versions/{version}/restore", response_model=DocumentOut)
def restore(
    request: Request, principal: Writer, slug: Slug, version: Version, body: RestoreIn
) -> DocumentOut:
    try:
        with request.app.state.engine.begin() as connection:
            found = restore_document(
                connection,
                slug,
                version,
                version=body.version,
                now=clock(request),
                actor=actor_of(request, principal),
            )
    except LookupError as error:
        raise not_found(error) from None
    except StaleVersion as stale:
        raise stale_problem(stale) from None
    return DocumentOut.of(found)


__all__ = ["router"]
