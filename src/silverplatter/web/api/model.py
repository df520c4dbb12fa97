"""The scoring model over the API: read, list versions, validate, preview, activate, roll back.

Thin adapters over ``services/model_preview.py`` and ``services/model_versions.py``.
A file that does not validate is answered, by ``preview`` and ``activate``,
with a 422 problem whose ``errors`` name the line, the field and what was
expected; ``validate`` answers 200 with the same errors.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from silverplatter.services.model_history import model_source
from silverplatter.services.model_preview import (
    ModelPreview,
    Move,
    SourceError,
    SourceInvalid,
    check_source,
    preview_source,
)
from silverplatter.services.model_versions import (
    HistoryEntry,
    activate_source,
    roll_back,
    version_history,
)
from silverplatter.services.recompute import RecomputeResult
from silverplatter.services.scoring_models import active_model
from silverplatter.services.sessions import Principal
from silverplatter.web.problems import Problem, field_problem
from silverplatter.web.security import actor_of, clock, requires

router = APIRouter(prefix="/api/v1/model", tags=["scoring model"])

Reader = Annotated[Principal, Depends(requires("model:read"))]
Writer = Annotated[Principal, Depends(requires("model:write"))]

#: A model file is a few kilobytes; this bounds what a request may send.
MAX_SOURCE = 200_000
#: Version numbers are stored as 32-bit integers.
MAX_VERSION = 2**31 - 1
VersionNumber = Annotated[int, Path(ge=1, le=MAX_VERSION)]


class ActiveModel(BaseModel):
    version: int
    name: str
    source: str = Field(description="The model file (TOML).")
    created_at: datetime
    activated_at: datetime | None


class Version(BaseModel):
    version: int
    name: str
    active: bool
    created_at: datetime
    created_by: str | None = Field(description="Name of the user who saved the version.")
    activated_at: datetime | None
    activated_by: str | None = Field(description="Name of the user who last activated it.")
    recomputed_at: datetime | None


class VersionPage(BaseModel):
    items: list[Version]
    next: int | None = Field(description="Pass as `after` for the next (older) page.")


class VersionSource(BaseModel):
    version: int
    source: str


class Source(BaseModel):
    source: str = Field(max_length=MAX_SOURCE, description="A scoring model file (TOML).")


class SourceProblem(BaseModel):
    line: int | None = Field(description="Line of the file, counted from 1.")
    field: str = Field(description="The model key, e.g. engagement.rules[2].points.")
    message: str


class Validation(BaseModel):
    valid: bool
    errors: list[SourceProblem]


class Change(BaseModel):
    origin: str | None = Field(description="Stage or grade before; null when not graded yet.")
    target: str | None
    contacts: int


class Preview(BaseModel):
    active_version: int
    contacts: int
    stage_changes: int
    stage_moves: list[Change]
    grade_changes: int
    grade_moves: list[Change]
    handovers: int = Field(description="New SQLs that would be handed over to sales.")


class Activation(BaseModel):
    version: int
    contacts: int
    accounts: int
    stage_changes: int


class Rollback(BaseModel):
    version: int = Field(ge=1, le=MAX_VERSION)


def _problems(errors: list[SourceError]) -> list[SourceProblem]:
    return [SourceProblem(line=e.line, field=e.field, message=e.message) for e in errors]


def _invalid(invalid: SourceInvalid) -> Problem:
    errors = [{"field": e.field, "line": e.line, "message": e.message} for e in invalid.errors]
    first = invalid.errors[0]
    return Problem(422, f"the model file is not valid: {first}", errors=cast(Any, errors))


def _changes(moves: tuple[Move, ...]) -> list[Change]:
    return [Change(origin=m.origin, target=m.target, contacts=m.contacts) for m in moves]


def _preview(preview: ModelPreview) -> Preview:
    return Preview(
        active_version=preview.active_version,
        contacts=preview.contacts,
        stage_changes=preview.stage_changes,
        stage_moves=_changes(preview.stage_moves),
        grade_changes=preview.grade_changes,
        grade_moves=_changes(preview.grade_moves),
        handovers=preview.handovers,
    )


def _activation(result: RecomputeResult) -> Activation:
    return Activation(
        version=result.model_version,
        contacts=result.contacts,
        accounts=result.accounts,
        stage_changes=result.stage_changes,
    )


def _version(entry: HistoryEntry) -> Version:
    return Version(
        version=entry.version,
        name=entry.name,
        active=entry.active,
        created_at=entry.created_at,
        created_by=entry.created_by,
        activated_at=entry.activated_at,
        activated_by=entry.activated_by,
        recomputed_at=entry.recomputed_at,
    )


@router.get("", response_model=ActiveModel)
def get_model(request: Request, _: Reader) -> ActiveModel:
    """The active model: its version and its file."""
    with request.app.state.engine.begin() as connection:
        active = active_model(connection, now=clock(request))
    return ActiveModel(
        version=active.version,
        name=active.model.model.name,
        source=active.source,
        created_at=active.created_at,
        activated_at=active.activated_at,
    )


@router.get("/versions", response_model=VersionPage)
def list_versions(
    request: Request,
    _: Reader,
    after: Annotated[
        int | None, Query(ge=1, le=MAX_VERSION, description="`next` of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> VersionPage:
    """Every saved version, newest first."""
    with request.app.state.engine.connect() as connection:
        entries = version_history(connection, before=after, limit=limit)
    following = entries[-1].version if len(entries) == limit else None
    return VersionPage(items=[_version(entry) for entry in entries], next=following)


@router.get("/versions/{version}", response_model=VersionSource)
def get_version(request: Request, version: VersionNumber, _: Reader) -> VersionSource:
    """One stored version's file."""
    with request.app.state.engine.connect() as connection:
        try:
            source = model_source(connection, version)
        except LookupError as error:
            raise Problem(404, str(error)) from None
    return VersionSource(version=version, source=source)


@router.post("/validate", response_model=Validation)
def validate(body: Source, _: Writer) -> Validation:
    """Check a model file; every error with its line and field (nothing is saved)."""
    errors = check_source(body.source)
    return Validation(valid=not errors, errors=_problems(errors))


@router.post("/preview", response_model=Preview)
def preview(request: Request, body: Source, _: Writer) -> Preview:
    """What activating the file would change: stage and grade moves, new handovers.

    Nothing is written: the activation runs in a transaction that is rolled back.
    """
    try:
        found = preview_source(request.app.state.engine, body.source, now=clock(request))
    except SourceInvalid as invalid:
        raise _invalid(invalid) from None
    return _preview(found)


@router.post("/activate", response_model=Activation)
def activate(request: Request, body: Source, principal: Writer) -> Activation:
    """Save the file as the next version, activate it and recompute every contact (audited)."""
    actor = actor_of(request, principal)
    try:
        with request.app.state.engine.begin() as connection:
            result = activate_source(connection, body.source, now=clock(request), actor=actor)
    except SourceInvalid as invalid:
        raise _invalid(invalid) from None
    return _activation(result)


@router.post("/rollback", response_model=Activation)
def rollback(request: Request, body: Rollback, principal: Writer) -> Activation:
    """Make a stored version active again and recompute (audited)."""
    actor = actor_of(request, principal)
    try:
        with request.app.state.engine.begin() as connection:
            result = roll_back(connection, body.version, now=clock(request), actor=actor)
    except LookupError as error:
        raise field_problem("version", str(error)) from None
    return _activation(result)
