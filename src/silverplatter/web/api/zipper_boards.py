"""Zipper boards over the API (``/api/v1/understanding/boards``): CRUD, changes, history, export.

Thin adapters over ``services/zipper_boards.py``.  Saving a whole document
(``PUT``) and applying one change (``POST …/changes``) both carry the
``version`` the client edited: a stale one is a 409 problem whose ``errors``
name ``version`` and say which version is current.  A bad document or change
is a 422 problem naming each path (``document.touchpoints[2].our_step``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from silverplatter.domain.document_checks import DocumentInvalid, StaleVersion
from silverplatter.domain.zipper_changes import OPERATIONS
from silverplatter.services.sessions import Principal
from silverplatter.services.zipper_boards import (
    ZipperBoard,
    board_at,
    board_history,
    change_board,
    create_board,
    delete_board,
    get_board,
    list_boards,
    restore_board,
    save_board,
    update_board_details,
    worry_names,
)
from silverplatter.web.problems import Problem
from silverplatter.web.security import actor_of, clock, requires
from silverplatter.web.zipper_export import Format, board_download

router = APIRouter(tags=["customer understanding"])

Reader = Annotated[Principal, Depends(requires("understanding:read"))]
Writer = Annotated[Principal, Depends(requires("understanding:write"))]
Slug = Annotated[str, Path(max_length=100, description="the board's slug")]
Version = Annotated[int, Path(ge=1, le=2**31 - 1, description="a saved version")]
Short = Annotated[str, Field(max_length=300)]
BASE = "/api/v1/understanding/boards"


def document_problem(invalid: DocumentInvalid) -> Problem:
    errors = [{"field": e.field, "message": e.message} for e in invalid.errors]
    return Problem(422, str(invalid), errors=errors)


def stale_problem(stale: StaleVersion) -> Problem:
    return Problem(409, str(stale), errors=[{"field": "version", "message": str(stale)}])


def not_found(error: LookupError) -> Problem:
    return Problem(404, str(error.args[0]) if error.args else "not found")


class BoardSummary(BaseModel):
    slug: str
    name: str
    needs_segment: str | None = Field(description="the needs segment's slug")
    version: int
    customer_steps: int
    our_steps: int
    touchpoints: int
    situations: int
    solutions: int
    updated_at: datetime

    @classmethod
    def of(cls, found: ZipperBoard) -> BoardSummary:
        board = found.board
        return cls(
            slug=found.slug,
            name=found.name,
            needs_segment=found.needs_segment_slug,
            version=found.version,
            customer_steps=len(board.customer_steps),
            our_steps=len(board.our_steps),
            touchpoints=len(board.touchpoints),
            situations=len(board.situations),
            solutions=len(board.solutions),
            updated_at=found.updated_at,
        )


class BoardOut(BaseModel):
    slug: str
    name: str
    needs_segment: str | None = Field(description="the needs segment's slug")
    version: int = Field(description="send it back when saving")
    document: dict[str, Any] = Field(
        description="serial, customer_steps, our_steps, touchpoints, situations, solutions"
    )
    worries: dict[str, str] = Field(description="the name of each worry id on the board")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, connection: Connection, found: ZipperBoard) -> BoardOut:
        names = worry_names(connection, found.board.worry_ids())
        return cls(
            slug=found.slug,
            name=found.name,
            needs_segment=found.needs_segment_slug,
            version=found.version,
            document=found.board.document(),
            worries={str(key): value for key, value in names.items()},
            created_at=found.created_at,
            updated_at=found.updated_at,
        )


class BoardIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Short
    slug: Short | None = Field(None, description="made from the name when left out")
    needs_segment: Short | None = Field(None, description="a needs segment's slug")
    document: dict[str, Any] | None = Field(None, description="empty when left out")


class DetailsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Short | None = None
    slug: Short | None = None
    needs_segment: Short | None = Field(None, description="a needs segment's slug")


class SaveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=2**31 - 1, description="the version you edited")
    document: dict[str, Any]


class ChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=2**31 - 1, description="the version you edited")
    change: dict[str, Any] = Field(
        description="an op and its fields: "
        + "; ".join(f"{op} — {meaning}" for op, (_m, meaning) in OPERATIONS.items())
        + ". place_worry and answer_worry take worry_name instead of worry to name "
        "(and create) a worry.",
        examples=[{"op": "add_step", "lane": "customer", "name": "Order spare parts"}],
    )


class ChangeOut(BaseModel):
    board: BoardOut
    summary: str
    created: str | None = Field(description="the id of the item the change added")


class RestoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=2**31 - 1, description="the board's version you saw (the newest)")


class VersionOut(BaseModel):
    version: int
    saved_at: datetime
    saved_by: str | None


class VersionDocument(BaseModel):
    version: int
    document: dict[str, Any]


@router.get(BASE, response_model=list[BoardSummary])
def boards(request: Request, principal: Reader) -> list[BoardSummary]:
    """Every zipper board, by name."""
    with request.app.state.engine.connect() as connection:
        return [BoardSummary.of(found) for found in list_boards(connection)]


@router.post(BASE, response_model=BoardOut, status_code=201)
def create(request: Request, principal: Writer, body: BoardIn) -> BoardOut:
    """Start a board (empty, or from a document) at version 1."""
    try:
        with request.app.state.engine.begin() as connection:
            found = create_board(
                connection,
                body.model_dump(exclude_none=True),
                now=clock(request),
                actor=actor_of(request, principal),
            )
            return BoardOut.of(connection, found)
    except DocumentInvalid as invalid:
        raise document_problem(invalid) from None


@router.get(BASE + "/{slug}", response_model=BoardOut)
def board(request: Request, principal: Reader, slug: Slug) -> BoardOut:
    try:
        with request.app.state.engine.connect() as connection:
            return BoardOut.of(connection, get_board(connection, slug))
    except LookupError as error:
        raise not_found(error) from None


@router.put(BASE + "/{slug}", response_model=BoardOut)
def save(request: Request, principal: Writer, slug: Slug, body: SaveIn) -> BoardOut:
    """Store a whole document as the next version."""
    try:
        with request.app.state.engine.begin() as connection:
            found = save_board(
                connection,
                slug,
                body.document,
                version=body.version,
                now=clock(request),
                actor=actor_of(request, principal),
            )
            return BoardOut.of(connection, found)
    except LookupError as error:
        raise not_found(error) from None
    except DocumentInvalid as invalid:
        raise document_problem(invalid) from None
    except StaleVersion as stale:
        raise stale_problem(stale) from None


@router.patch(BASE + "/{slug}", response_model=BoardOut)
def details(request: Request, principal: Writer, slug: Slug, body: DetailsIn) -> BoardOut:
    """Rename a board, change its slug or needs segment (not versioned)."""
    try:
        with request.app.state.engine.begin() as connection:
            found = update_board_details(
                connection,
                slug,
                body.model_dump(exclude_unset=True),
                now=clock(request),
                actor=actor_of(request, principal),
            )
            return BoardOut.of(connection, found)
    except LookupError as error:
        raise not_found(error) from None
    except DocumentInvalid as invalid:
        raise document_problem(invalid) from None


@router.delete(BASE + "/{slug}", status_code=204, response_class=Response)
def delete(request: Request, principal: Writer, slug: Slug) -> Response:
    """Delete a board and its history."""
    try:
        with request.app.state.engine.begin() as connection:
            delete_board(connection, slug, now=clock(request), actor=actor_of(request, principal))
    except LookupError as error:
        raise not_found(error) from None
    return Response(status_code=204)


@router.post(BASE + "/{slug}/changes", response_model=ChangeOut)
def change(request: Request, principal: Writer, slug: Slug, body: ChangeIn) -> ChangeOut:
    """Apply one change (add, rename, move, link, remove …) and store the next version."""
    try:
        with request.app.state.engine.begin() as connection:
            found, applied = change_board(
                connection,
                slug,
                body.change,
                version=body.version,
                now=clock(request),
                actor=actor_of(request, principal),
            )
            out = BoardOut.of(connection, found)
    except LookupError as error:
        raise not_found(error) from None
    except DocumentInvalid as invalid:
        raise document_problem(invalid) from None
    except StaleVersion as stale:
        raise stale_problem(stale) from None
    return ChangeOut(board=out, summary=applied.summary, created=applied.created)


@router.get(BASE + "/{slug}/versions", response_model=list[VersionOut])
def versions(request: Request, principal: Reader, slug: Slug) -> list[VersionOut]:
    """Saved versions, newest first, with who saved each and when."""
    try:
        with request.app.state.engine.connect() as connection:
            found = board_history(connection, slug)
    except LookupError as error:
        raise not_found(error) from None
    return [VersionOut(version=v.version, saved_at=v.saved_at, saved_by=v.saved_by) for v in found]


@router.get(BASE + "/{slug}/versions/{version}", response_model=VersionDocument)
def version_document(
    request: Request, principal: Reader, slug: Slug, version: Version
) -> VersionDocument:
    try:
        with request.app.state.engine.connect() as connection:
            found = board_at(connection, slug, version)
    except LookupError as error:
        raise not_found(error) from None
    return VersionDocument(version=version, document=found.document())


@router.post(BASE + "/{slug}/versions/{version}/restore", response_model=BoardOut)
def restore(
    request: Request, principal: Writer, slug: Slug, version: Version, body: RestoreIn
) -> BoardOut:
    """Save version ``version`` again as the newest."""
    try:
        with request.app.state.engine.begin() as connection:
            found = restore_board(
                connection,
                slug,
                version,
                version=body.version,
                now=clock(request),
                actor=actor_of(request, principal),
            )
            return BoardOut.of(connection, found)
    except LookupError as error:
        raise not_found(error) from None
    except StaleVersion as stale:
        raise stale_problem(stale) from None


@router.get(
    BASE + "/{slug}/export.{fmt}",
    response_class=Response,
    responses={
        200: {
            "content": {"image/svg+xml": {}, "image/png": {}, "application/pdf": {}},
            "description": "the board drawn: two lanes, touchpoints, situations, solutions",
        }
    },
)
def export(
    request: Request,
    principal: Reader,
    slug: Slug,
    fmt: Format,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    """The board as SVG, PNG or PDF (``?version=`` for a saved version)."""
    try:
        with request.app.state.engine.connect() as connection:
            return board_download(connection, slug, fmt, version)
    except LookupError as error:
        raise not_found(error) from None


__all__ = ["VersionOut", "actor_of", "document_problem", "not_found", "router", "stale_problem"]
