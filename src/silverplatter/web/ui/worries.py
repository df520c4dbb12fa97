"""The worries pages: the list with a new-worry form, and one worry with its tags.

Everyone with ``understanding:read`` sees them; ``understanding:write``
creates, changes, tags and deletes.  A tag added or removed is saved at once
and the worry's profiles are recomputed in the background
(``web/worry_recompute.py``).  Changes redirect back (post/redirect/get) with
a ``done`` word; a bad form comes back with its errors at the fields.  Thin
adapters over ``services/worries.py`` and ``services/worry_profiles.py``.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silverplatter.domain.understanding_checks import SLUG, UnderstandingInvalid
from silverplatter.domain.worry_profile import KIND_LABELS, TARGET_KINDS
from silverplatter.services.sessions import Principal
from silverplatter.services.worries import (
    add_tag,
    change_worry,
    create_worry,
    delete_worry,
    get_worry,
    known_content,
    list_tags,
    list_worries,
    remove_tag,
)
from silverplatter.services.worry_profiles import half_life, profile_counts
from silverplatter.web.problems import Problem
from silverplatter.web.security import actor_of, clock, requires
from silverplatter.web.templating import render
from silverplatter.web.worry_recompute import recompute_runner

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, Depends(requires("understanding:read"))]
Writer = Annotated[Principal, Depends(requires("understanding:write"))]
Slug = Annotated[str, Path(max_length=100, pattern=SLUG.pattern)]
TagId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Short = Annotated[str, Form(max_length=400)]
Long = Annotated[str, Form(max_length=6000)]
DONE: Final = {
    "created": "Worry added. Tag the content that answers it.",
    "changed": "Worry saved.",
    "deleted": "Worry deleted with its tags and profile values.",
    "tagged": "Tag added. Profiles are being recomputed from everything people read.",
    "untagged": "Tag removed. Profiles are being recomputed.",
    "recompute": "Every worry profile is being recomputed from the event log.",
}


def errors_of(invalid: UnderstandingInvalid) -> dict[str, str]:
    """The first error per field, keyed by the field's first part (``weights`` of ``weights.X``)."""
    found: dict[str, str] = {}
    for error in invalid.errors:
        found.setdefault(error.field.split(".")[0].split("[")[0], error.message)
    return found


def _list_page(
    request: Request,
    principal: Principal,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        worries = list_worries(connection)
        counts = profile_counts(connection)
    runner = getattr(request.app.state, "worry_recompute", None)
    context = {
        "worries": worries,
        "counts": counts,
        "values": values or {},
        "errors": errors or {},
        "message": message,
        "may_write": principal.may("understanding:write"),
        "half_life": half_life(),
        "recomputing": runner is not None and runner.running,
    }
    return render(request, "worries.html", context, status_code=status_code)


@router.get("/worries", response_class=HTMLResponse)
def worries_page(
    request: Request, principal: Reader, done: Annotated[str | None, Query(max_length=40)] = None
) -> HTMLResponse:
    return _list_page(request, principal, message=DONE.get(done or ""))


@router.post("/worries", response_model=None)
def create(
    request: Request,
    principal: Writer,
    name: Short = "",
    slug: Short = "",
    description: Long = "",
    talking_point: Long = "",
) -> Response:
    values = {
        "name": name,
        "slug": slug,
        "description": description,
        "talking_point": talking_point,
    }
    try:
        with request.app.state.engine.begin() as connection:
            made = create_worry(
                connection, values, actor=actor_of(request, principal), now=clock(request)
            )
    except UnderstandingInvalid as invalid:
        return _list_page(
            request, principal, values=values, errors=errors_of(invalid), status_code=422
        )
    return RedirectResponse(f"/worries/{made.slug}?done=created", status_code=303)


@router.post("/worries/recompute", response_model=None)
def recompute_all(request: Request, principal: Writer) -> Response:
    recompute_runner(request).request(None)
    return RedirectResponse("/worries?done=recompute", status_code=303)


def _worry_page(
    request: Request,
    principal: Principal,
    slug: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    tag_values: dict[str, str] | None = None,
    tag_errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        try:
            worry = get_worry(connection, slug)
        except LookupError:
            raise Problem(404, "there is no such worry") from None
        tags = list_tags(connection, slug)
        counts = profile_counts(connection).get(worry.id, (0, 0))
        known = known_content(connection)
    runner = getattr(request.app.state, "worry_recompute", None)
    context: dict[str, Any] = {
        "worry": worry,
        "tags": tags,
        "counts": counts,
        "known": known,
        "kinds": [(kind, KIND_LABELS[kind]) for kind in TARGET_KINDS],
        "values": values
        or {
            "name": worry.name,
            "slug": worry.slug,
            "description": worry.description or "",
            "talking_point": worry.talking_point or "",
        },
        "errors": errors or {},
        "tag_values": tag_values or {"kind": "url_pattern", "weight": "1"},
        "tag_errors": tag_errors or {},
        "message": message,
        "may_write": principal.may("understanding:write"),
        "recomputing": runner is not None and runner.running,
    }
    return render(request, "worry.html", context, status_code=status_code)


@router.get("/worries/{slug}", response_class=HTMLResponse)
def worry_page(
    request: Request,
    principal: Reader,
    slug: Slug,
    done: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    return _worry_page(request, principal, slug, message=DONE.get(done or ""))


@router.post("/worries/{slug}", response_model=None)
def change(
    request: Request,
    principal: Writer,
    slug: Slug,
    name: Short = "",
    new_slug: Annotated[str, Form(alias="slug", max_length=400)] = "",
    description: Long = "",
    talking_point: Long = "",
) -> Response:
    values = {
        "name": name,
        "slug": new_slug,
        "description": description,
        "talking_point": talking_point,
    }
    try:
        with request.app.state.engine.begin() as connection:
            changed = change_worry(
                connection, slug, values, actor=actor_of(request, principal), now=clock(request)
            )
    except LookupError:
        raise Problem(404, "there is no such worry") from None
    except UnderstandingInvalid as invalid:
        return _worry_page(
            request, principal, slug, values=values, errors=errors_of(invalid), status_code=422
        )
    return RedirectResponse(f"/worries/{changed.slug}?done=changed", status_code=303)


@router.post("/worries/{slug}/delete", response_model=None)
def delete(request: Request, principal: Writer, slug: Slug) -> Response:
    try:
        with request.app.state.engine.begin() as connection:
            delete_worry(connection, slug, actor=actor_of(request, principal), now=clock(request))
    except LookupError:
        raise Problem(404, "there is no such worry") from None
    return RedirectResponse("/worries?done=deleted", status_code=303)


@router.post("/worries/{slug}/tags", response_model=None)
def tag(
    request: Request,
    principal: Writer,
    slug: Slug,
    kind: Short = "",
    target: Short = "",
    weight: Short = "",
) -> Response:
    values = {"kind": kind, "target": target, "weight": weight}
    try:
        with request.app.state.engine.begin() as connection:
            added = add_tag(
                connection,
                slug,
                values,
                actor=actor_of(request, principal),
                now=clock(request),
                recompute=False,
            )
    except LookupError:
        raise Problem(404, "there is no such worry") from None
    except UnderstandingInvalid as invalid:
        return _worry_page(
            request,
            principal,
            slug,
            tag_values=values,
            tag_errors=errors_of(invalid),
            status_code=422,
        )
    recompute_runner(request).request([added.worry_id])
    return RedirectResponse(f"/worries/{slug}?done=tagged#tags", status_code=303)


@router.post("/worries/{slug}/tags/{tag_id}/delete", response_model=None)
def untag(request: Request, principal: Writer, slug: Slug, tag_id: TagId) -> Response:
    try:
        with request.app.state.engine.begin() as connection:
            worry_id = remove_tag(
                connection,
                slug,
                tag_id,
                actor=actor_of(request, principal),
                now=clock(request),
                recompute=False,
            )
    except LookupError as missing:
        raise Problem(404, str(missing)) from None
    recompute_runner(request).request([worry_id])
    return RedirectResponse(f"/worries/{slug}?done=untagged#tags", status_code=303)
