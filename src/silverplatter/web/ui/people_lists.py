"""The people-lists page: imported social followers and NPS survey respondents, with how
many matched a contact or an account, the upload form and a delete button per list.

``planning:read`` sees the page; ``planning:write`` imports and deletes.  A
thin adapter over ``services/people_lists.py``; the lost-lead report reads the
lists (sections "Social followers" and "NPS").
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silverplatter.domain.people_lists import HEADERS, KIND_LABELS, LIST_KINDS, PeopleListError
from silverplatter.services.people_lists import (
    delete_people_list,
    import_people_list_data,
    people_lists,
)
from silverplatter.services.sessions import Principal
from silverplatter.web.problems import Problem
from silverplatter.web.security import actor_of, clock, requires
from silverplatter.web.templating import render

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, Depends(requires("planning:read"))]
Writer = Annotated[Principal, Depends(requires("planning:write"))]
ListId = Annotated[int, Path(ge=1, le=2**31 - 1)]
MAX_BYTES: Final = 50 * 1024 * 1024
DONE: Final = {"deleted": "List deleted with its people."}


def _page(
    request: Request,
    principal: Principal,
    *,
    values: dict[str, str] | None = None,
    error: str | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        found = people_lists(connection)
    context = {
        "lists": found,
        "kinds": [(kind, KIND_LABELS[kind]) for kind in LIST_KINDS],
        "kind_labels": KIND_LABELS,
        "headers": HEADERS,
        "values": values or {},
        "error": error,
        "message": message,
        "may_write": principal.may("planning:write"),
    }
    return render(request, "people_lists.html", context, status_code=status_code)


@router.get("/people-lists", response_class=HTMLResponse)
def lists_page(
    request: Request, principal: Reader, done: Annotated[str | None, Query(max_length=40)] = None
) -> HTMLResponse:
    return _page(request, principal, message=DONE.get(done or ""))


@router.post("/people-lists", response_model=None)
async def upload(
    request: Request,
    principal: Writer,
    file: Annotated[UploadFile, File(description="CSV of people")],
    kind: Annotated[str, Form(max_length=40)] = "",
    name: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    values = {"kind": kind, "name": name}
    data = await file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        error = f"file: larger than {MAX_BYTES // (1024 * 1024)} MB"
        return _page(request, principal, values=values, error=error, status_code=422)
    try:
        imported = import_people_list_data(
            request.app.state.engine,
            data,
            filename=file.filename or "list.csv",
            kind=kind,
            name=name,
            actor=actor_of(request, principal),
            now=clock(request),
        )
    except PeopleListError as refused:
        return _page(request, principal, values=values, error=str(refused), status_code=422)
    people = "person" if imported.entries == 1 else "people"
    message = (
        f"Imported {imported.entries} {people} into “{imported.name}”: "
        f"{imported.matched_contacts} matched a contact, "
        f"{imported.matched_accounts} an account."
    )
    if imported.ignored_columns:
        message += f" Columns left out: {', '.join(imported.ignored_columns)}."
    return _page(request, principal, message=message)


@router.post("/people-lists/{list_id}/delete", response_model=None)
def delete(request: Request, principal: Writer, list_id: ListId) -> Response:
    try:
        with request.app.state.engine.begin() as connection:
            delete_people_list(
                connection, list_id, actor=actor_of(request, principal), now=clock(request)
            )
    except PeopleListError:
        raise Problem(404, f"there is no people list {list_id}") from None
    return RedirectResponse("/people-lists?done=deleted", status_code=303)
