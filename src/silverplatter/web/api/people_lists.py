"""REST API for people lists: imported social followers and NPS survey respondents.

``planning:read`` lists them with their matches; ``planning:write`` imports a
list (the CSV file as a ``text/csv`` body; the accepted headers are in
``domain/people_lists.py`` and the user guide) and deletes one.  An import is
all or nothing: a bad row is answered 422 naming the row and field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel

from silverplatter.domain.people_lists import PeopleListError
from silverplatter.services.people_lists import (
    delete_people_list,
    import_people_list_data,
    people_lists,
)
from silverplatter.services.sessions import Principal
from silverplatter.web.problems import Problem
from silverplatter.web.security import actor_of, clock, requires

router = APIRouter(prefix="/api/v1", tags=["people lists"])

Read = Annotated[Principal, Depends(requires("planning:read"))]
Write = Annotated[Principal, Depends(requires("planning:write"))]
ListId = Annotated[int, Path(ge=1, le=2**31 - 1)]
MAX_BYTES: Final = 50 * 1024 * 1024
CSV_BODY: Final = {
    "requestBody": {
        "required": True,
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


class PeopleListOut(BaseModel):
    id: int
    name: str
    kind: str
    source: str | None
    imported_at: datetime
    imported_by: str | None
    entries: int
    matched_contacts: int
    matched_accounts: int
    unmatched: int


class ImportedOut(BaseModel):
    list_id: int
    name: str
    kind: str
    entries: int
    matched_contacts: int
    matched_accounts: int
    ignored_columns: list[str]


def refused(error: PeopleListError) -> Problem:
    """A 422 naming the row and field of the bad value, when it is one row's."""
    detail: dict[str, str] = {"field": error.field or "file", "message": str(error)}
    if error.row is not None:
        detail["row"] = str(error.row)
    return Problem(422, str(error), errors=[detail])


@router.get("/people-lists", response_model=list[PeopleListOut], summary="Imported people lists")
def listing(request: Request, principal: Read) -> list[PeopleListOut]:
    with request.app.state.engine.connect() as connection:
        found = people_lists(connection)
    return [PeopleListOut.model_validate(item, from_attributes=True) for item in found]


@router.post(
    "/people-lists",
    response_model=ImportedOut,
    status_code=201,
    summary="Import a people list (CSV body): all rows or none",
    openapi_extra=CSV_BODY,
)
async def import_list(
    request: Request,
    principal: Write,
    kind: Annotated[Literal["social_followers", "nps_survey"], Query()],
    name: Annotated[str, Query(min_length=1, max_length=200)],
    source: Annotated[str | None, Query(max_length=200)] = None,
) -> ImportedOut:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ("text/csv", "text/plain"):
        raise Problem(415, "send the file as the body with Content-Type: text/csv")
    data = await request.body()
    if len(data) > MAX_BYTES:
        raise Problem(413, f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        imported = import_people_list_data(
            request.app.state.engine,
            data,
            filename=source or "list.csv",
            kind=kind,
            name=name,
            actor=actor_of(request, principal),
            now=clock(request),
            source=source,
        )
    except PeopleListError as error:
        raise refused(error) from None
    return ImportedOut(
        list_id=imported.list_id,
        name=imported.name,
        kind=imported.kind,
        entries=imported.entries,
        matched_contacts=imported.matched_contacts,
        matched_accounts=imported.matched_accounts,
        ignored_columns=list(imported.ignored_columns),
    )


@router.delete(
    "/people-lists/{list_id}",
    status_code=204,
    response_class=Response,
    summary="Delete a people list and its people",
)
def delete(request: Request, principal: Write, list_id: ListId) -> Response:
    try:
        with request.app.state.engine.begin() as connection:
            delete_people_list(
                connection, list_id, actor=actor_of(request, principal), now=clock(request)
            )
    except PeopleListError:
        raise Problem(404, f"there is no people list {list_id}") from None
    return Response(status_code=204)


__all__ = ["refused", "router"]
