"""Editing the tier × needs matrix: needs segments (change, order, delete),
the offer modules of one cell and the care model of one tier.

Each change needs ``segmentation:write``, redirects back to ``/tiers`` when it
worked and shows its form again with the error next to the field when not.
Adding a needs segment and assigning the accounts are forms of the tiers page
itself (``ui/tiers.py``).
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silverplatter.domain.tier_matrix import MatrixInvalid
from silverplatter.domain.value_tiers import ALL_TIERS, PolicyInvalid
from silverplatter.services.needs_segments import (
    NeedsSegment,
    delete_needs_segment,
    move_needs_segment,
    needs_segment,
    update_needs_segment,
)
from silverplatter.services.segments import list_segments
from silverplatter.services.sessions import Principal
from silverplatter.services.tier_matrix import (
    care_models,
    offer_matrix,
    set_care_model,
    set_offer_cell,
)
from silverplatter.web.problems import Problem
from silverplatter.web.security import clock, requires
from silverplatter.web.templating import render

router = APIRouter(include_in_schema=False)

Writer = Annotated[Principal, Depends(requires("segmentation:write"))]
Short = Annotated[str, Form(max_length=200)]
Long = Annotated[str, Form(max_length=5000)]
Slug = Annotated[str, Path(max_length=100)]
Tier = Annotated[str, Path(max_length=20)]
TIER_NAMES: Final = {
    "gold": "Gold",
    "silver": "Silver",
    "bronze": "Bronze",
    "unclassified": "Unclassified",
}


def field_errors(invalid: PolicyInvalid | MatrixInvalid) -> dict[str, str]:
    """The first error per field (a list item's error under its list: ``modules``)."""
    found: dict[str, str] = {}
    for error in invalid.errors:
        found.setdefault(error.field.split("[")[0], error.message)
    return found


def _needs_or_404(request: Request, slug: str) -> NeedsSegment:
    try:
        with request.app.state.engine.connect() as connection:
            return needs_segment(connection, slug)
    except LookupError:
        raise Problem(404, f"there is no needs segment {slug!r}") from None


def _tier_or_404(tier: str) -> str:
    if tier not in ALL_TIERS:
        raise Problem(404, f"there is no tier {tier!r}; the tiers are {', '.join(ALL_TIERS)}")
    return tier


# --- needs segments ------------------------------------------------------------------


def _needs_page(
    request: Request,
    found: NeedsSegment,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        segments = list_segments(connection)
    context = {
        "needs": found,
        "segments": segments,
        "values": values
        or {
            "name": found.name,
            "slug": found.slug,
            "segment": found.segment_slug or "",
            "description": found.description or "",
        },
        "errors": errors or {},
    }
    return render(request, "tiers_needs_edit.html", context, status_code=status_code)


@router.get("/tiers/needs/{slug}", response_class=HTMLResponse)
def needs_page(request: Request, slug: Slug, _: Writer) -> HTMLResponse:
    return _needs_page(request, _needs_or_404(request, slug))


@router.post("/tiers/needs/{slug}", response_model=None)
def change(
    request: Request,
    slug: Slug,
    _: Writer,
    name: Short = "",
    new_slug: Short = "",
    segment: Short = "",
    description: Long = "",
) -> Response:
    found = _needs_or_404(request, slug)
    values = {"name": name, "slug": new_slug, "segment": segment, "description": description}
    document: dict[str, Any] = {
        "name": name,
        "slug": new_slug or found.slug,
        "segment": segment or None,
        "description": description or None,
    }
    try:
        with request.app.state.engine.begin() as connection:
            update_needs_segment(connection, slug, document, now=clock(request))
    except MatrixInvalid as invalid:
        return _needs_page(
            request, found, values=values, errors=field_errors(invalid), status_code=422
        )
    return RedirectResponse("/tiers?done=needs-changed#needs", status_code=303)


@router.post("/tiers/needs/{slug}/move", response_model=None)
def move(request: Request, slug: Slug, _: Writer, direction: Short = "") -> Response:
    if direction not in ("left", "right"):
        raise Problem(422, "direction: expected left or right")
    try:
        with request.app.state.engine.begin() as connection:
            move_needs_segment(
                connection, slug, -1 if direction == "left" else 1, now=clock(request)
            )
    except LookupError:
        raise Problem(404, f"there is no needs segment {slug!r}") from None
    return RedirectResponse("/tiers?done=needs-moved#needs", status_code=303)


@router.post("/tiers/needs/{slug}/delete", response_model=None)
def delete(request: Request, slug: Slug, _: Writer, confirm: Short = "") -> Response:
    found = _needs_or_404(request, slug)
    if confirm != "yes":
        errors = {"confirm": "tick the confirmation to delete this needs segment"}
        return _needs_page(request, found, errors=errors, status_code=422)
    try:
        with request.app.state.engine.begin() as connection:
            delete_needs_segment(connection, slug, now=clock(request))
    except LookupError:
        raise Problem(404, f"there is no needs segment {slug!r}") from None
    return RedirectResponse("/tiers?done=needs-deleted#needs", status_code=303)


# --- one cell of the matrix ----------------------------------------------------------


def _cell_page(
    request: Request,
    tier: str,
    found: NeedsSegment,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        cell = offer_matrix(connection).cell(tier, found.slug)
    context = {
        "tier": tier,
        "tier_name": TIER_NAMES[tier],
        "needs": found,
        "values": values or {"modules": "\n".join(cell.modules), "notes": cell.notes or ""},
        "errors": errors or {},
    }
    return render(request, "tiers_cell_edit.html", context, status_code=status_code)


@router.get("/tiers/cells/{tier}/{slug}", response_class=HTMLResponse)
def cell_page(request: Request, tier: Tier, slug: Slug, _: Writer) -> HTMLResponse:
    return _cell_page(request, _tier_or_404(tier), _needs_or_404(request, slug))


@router.post("/tiers/cells/{tier}/{slug}", response_model=None)
def save_cell(
    request: Request,
    tier: Tier,
    slug: Slug,
    _: Writer,
    modules: Long = "",
    notes: Long = "",
) -> Response:
    tier = _tier_or_404(tier)
    found = _needs_or_404(request, slug)
    try:
        with request.app.state.engine.begin() as connection:
            set_offer_cell(connection, tier, slug, modules, notes, now=clock(request))
    except MatrixInvalid as invalid:
        values = {"modules": modules, "notes": notes}
        return _cell_page(
            request, tier, found, values=values, errors=field_errors(invalid), status_code=422
        )
    return RedirectResponse("/tiers?done=cell#matrix", status_code=303)


# --- one tier's care model -----------------------------------------------------------


def _care_page(
    request: Request,
    tier: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        care = care_models(connection)[tier]
    context = {
        "tier": tier,
        "tier_name": TIER_NAMES[tier],
        "values": values
        or {
            "description": care.description or "",
            "touches_per_year": "" if care.touches_per_year is None else str(care.touches_per_year),
            "channels": "\n".join(care.channels),
            "owner_role": care.owner_role or "",
        },
        "errors": errors or {},
        "roles": ("marketing", "sales", "admin"),
    }
    return render(request, "tiers_care_edit.html", context, status_code=status_code)


@router.get("/tiers/care/{tier}", response_class=HTMLResponse)
def care_page(request: Request, tier: Tier, _: Writer) -> HTMLResponse:
    return _care_page(request, _tier_or_404(tier))


@router.post("/tiers/care/{tier}", response_model=None)
def save_care(
    request: Request,
    tier: Tier,
    _: Writer,
    description: Long = "",
    touches_per_year: Short = "",
    channels: Long = "",
    owner_role: Short = "",
) -> Response:
    tier = _tier_or_404(tier)
    values = {
        "description": description,
        "touches_per_year": touches_per_year,
        "channels": channels,
        "owner_role": owner_role,
    }
    try:
        with request.app.state.engine.begin() as connection:
            set_care_model(connection, tier, values, now=clock(request))
    except MatrixInvalid as invalid:
        return _care_page(
            request, tier, values=values, errors=field_errors(invalid), status_code=422
        )
    return RedirectResponse("/tiers?done=care#matrix", status_code=303)
