"""The tiers page: the value pyramid, the offer matrix with care models, needs segments and
the value-tier policy with its preview and apply.

Everyone with ``segmentation:read`` sees the page; ``segmentation:write``
changes it.  Preview answers an htmx request with the before → after
fragment alone and a plain form post with the whole page; changes redirect
back (post/redirect/get) with a ``done`` word.  The edit pages of one needs
segment, one matrix cell and one care model are in ``ui/tiers_edit.py``.
Thin adapters over ``services/value_tiers.py``, ``services/needs_segments.py``
and ``services/tier_matrix.py``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import Connection

from silverplatter.domain.tier_matrix import MatrixInvalid
from silverplatter.domain.value_tiers import (
    ANNUAL_REVENUE,
    CUSTOM_PREFIX,
    DEFAULT_MONTHS,
    RANKED_TIERS,
    REVENUE_WITH_US,
    UNCLASSIFIED,
    Number,
    PolicyInvalid,
    TierPolicy,
)
from silverplatter.services.needs_segments import (
    assign_needs_segments,
    create_needs_segment,
    list_needs_segments,
)
from silverplatter.services.segments import list_segments
from silverplatter.services.sessions import Principal
from silverplatter.services.tier_matrix import (
    NO_NEEDS,
    Pyramid,
    care_models,
    offer_matrix,
    pyramid,
)
from silverplatter.services.value_tiers import (
    TierPreview,
    apply_policy,
    check_policy,
    current_policy,
    policy_history,
    preview_policy,
    save_policy,
)
from silverplatter.storage.properties import definitions_for
from silverplatter.web.problems import Problem
from silverplatter.web.pyramid_chart import PyramidBand, pyramid_chart
from silverplatter.web.security import actor_of, clock, requires
from silverplatter.web.templating import render
from silverplatter.web.ui import tiers_edit
from silverplatter.web.ui.tiers_edit import field_errors

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, Depends(requires("segmentation:read"))]
Writer = Annotated[Principal, Depends(requires("segmentation:write"))]
Short = Annotated[str, Form(max_length=200)]
Long = Annotated[str, Form(max_length=5000)]
CONFIRMED: Final = "yes"
TIER_NAMES: Final = {
    "gold": "Gold",
    "silver": "Silver",
    "bronze": "Bronze",
    UNCLASSIFIED: "Unclassified",
}

#: Confirmations after a redirect, by the ``done`` word.
DONE: Final = {
    "saved": "Policy saved. Nothing moved yet: apply it to put the accounts in their tiers.",
    "needs-created": "Needs segment added.",
    "needs-changed": "Needs segment saved.",
    "needs-deleted": "Needs segment deleted; its accounts have no needs segment now.",
    "needs-moved": "Order changed. Assign the accounts again to follow it.",
    "cell": "Offer modules saved.",
    "care": "Care model saved.",
}


def amount(value: Number) -> str:
    """A cut-off for people: thousands separated, decimals only when there are any."""
    exact = Decimal(str(value))
    if exact == exact.to_integral_value():
        return f"{int(exact):,}"
    return f"{exact:,.6f}".rstrip("0").rstrip(".")


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def pyramid_figure(found: Pyramid) -> Markup:
    """The pyramid SVG of the counts: gold at the top, unclassified beside."""
    keys = [key for key, _label in found.columns]
    bands = [
        PyramidBand(
            TIER_NAMES[tier],
            tier,
            [(found.cell(tier, key).accounts, found.cell(tier, key).contacts) for key in keys],
        )
        for tier in RANKED_TIERS
    ]
    beside = PyramidBand(
        TIER_NAMES[UNCLASSIFIED],
        UNCLASSIFIED,
        [(found.tier_total(UNCLASSIFIED).accounts, found.tier_total(UNCLASSIFIED).contacts)],
    )
    return pyramid_chart(
        bands,
        [label for _key, label in found.columns],
        beside,
        title="Accounts by value tier and needs segment",
        width=960,
        chart_id="tiers-pyramid",
    )


def metric_choices(connection: Connection) -> list[tuple[str, str]]:
    """The metrics a policy may use here: the two built in and each number property."""
    numbers = sorted(
        name for name, d in definitions_for(connection, "account").items() if d.type == "number"
    )
    return [
        (REVENUE_WITH_US, "Revenue with us (won deals)"),
        (ANNUAL_REVENUE, "Annual revenue (potential)"),
        *((f"{CUSTOM_PREFIX}{name}", f"Account property: {name}") for name in numbers),
    ]


def form_values(policy: TierPolicy | None) -> dict[str, str]:
    """The policy form's fields for ``policy`` (or the defaults)."""
    if policy is None:
        return {"metric": REVENUE_WITH_US, "method": "thresholds", "months": str(DEFAULT_MONTHS)}
    values = {
        "metric": policy.metric,
        "method": policy.method,
        "months": str(policy.months),
    }
    for tier, bound in policy.bounds.items():
        values[tier] = format(bound.normalize(), "f")
    return values


def policy_document(values: dict[str, str]) -> dict[str, Any]:
    """The policy document a submitted form describes (blank tiers left out)."""
    metric = values.get("metric", "").strip()
    document: dict[str, Any] = {
        "metric": metric,
        "method": values.get("method", "").strip(),
        "bounds": {tier: values[tier] for tier in RANKED_TIERS if values.get(tier, "").strip()},
    }
    months = values.get("months", "").strip()
    if metric == REVENUE_WITH_US and months:
        document["months"] = int(months) if months.isdigit() else months
    return document


def page(
    request: Request,
    principal: Principal,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    needs_values: dict[str, str] | None = None,
    needs_errors: dict[str, str] | None = None,
    preview: TierPreview | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        found = pyramid(connection)
        current = current_policy(connection)
        context = {
            "pyramid": found,
            "figure": pyramid_figure(found),
            "matrix": offer_matrix(connection),
            "care": care_models(connection),
            "needs": list_needs_segments(connection),
            "segments": list_segments(connection),
            "current": current,
            "history": policy_history(connection),
            "metrics": metric_choices(connection),
        }
    context.update(
        {
            "tiers": [*RANKED_TIERS, UNCLASSIFIED],
            "tier_names": TIER_NAMES,
            "no_needs": NO_NEEDS,
            "values": values or form_values(current.policy if current else None),
            "errors": errors or {},
            "needs_values": needs_values or {},
            "needs_errors": needs_errors or {},
            "preview": preview,
            "message": message,
            "may_edit": principal.may("segmentation:write"),
            "amount": amount,
        }
    )
    return render(request, "tiers_page.html", context, status_code=status_code)


@router.get("/tiers", response_class=HTMLResponse)
def tiers_page(
    request: Request,
    principal: Reader,
    done: Annotated[str | None, Query(max_length=40)] = None,
    moved: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
    changed: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
) -> HTMLResponse:
    message = DONE.get(done or "")
    if done == "applied" and moved is not None:
        message = f"Policy applied: {moved} {'account' if moved == 1 else 'accounts'} changed tier"
        message += f" and {changed or 0} {'person' if changed == 1 else 'people'} changed stage."
    if done == "assigned" and moved is not None:
        message = (
            f"Needs segments assigned: {moved} {'account' if moved == 1 else 'accounts'} "
            "changed needs segment."
        )
    return page(request, principal, message=message)


def _policy_form(
    metric: str, method: str, months: str, gold: str, silver: str, bronze: str
) -> dict[str, str]:
    return {
        "metric": metric,
        "method": method,
        "months": months,
        "gold": gold,
        "silver": silver,
        "bronze": bronze,
    }


@router.post("/tiers/policy/preview", response_class=HTMLResponse)
def preview(
    request: Request,
    principal: Writer,
    metric: Short = "",
    method: Short = "",
    months: Short = "",
    gold: Short = "",
    silver: Short = "",
    bronze: Short = "",
) -> HTMLResponse:
    values = _policy_form(metric, method, months, gold, silver, bronze)
    try:
        with request.app.state.engine.begin() as connection:
            policy = check_policy(connection, policy_document(values))
            found = preview_policy(connection, policy, now=clock(request))
    except PolicyInvalid as invalid:
        errors = field_errors(invalid)
        if is_htmx(request):
            return render(request, "tiers_preview.html", {"errors": errors, "preview": None})
        return page(request, principal, values=values, errors=errors, status_code=422)
    if is_htmx(request):
        context = {"errors": {}, "preview": found, "tier_names": TIER_NAMES, "amount": amount}
        return render(request, "tiers_preview.html", context)
    return page(request, principal, values=values, preview=found)


@router.post("/tiers/policy", response_model=None)
def save(
    request: Request,
    principal: Writer,
    metric: Short = "",
    method: Short = "",
    months: Short = "",
    gold: Short = "",
    silver: Short = "",
    bronze: Short = "",
    action: Short = "save",
    confirm: Short = "",
) -> Response:
    """Save the policy; with ``action=apply`` (confirmed) also apply it."""
    values = _policy_form(metric, method, months, gold, silver, bronze)
    applying = action == "apply"
    if applying and confirm != CONFIRMED:
        errors = {"confirm": "tick the confirmation to move the accounts"}
        return page(request, principal, values=values, errors=errors, status_code=422)
    actor = actor_of(request, principal)
    now = clock(request)
    try:
        with request.app.state.engine.begin() as connection:
            policy = check_policy(connection, policy_document(values))
            current = current_policy(connection)
            if current is None or current.policy != policy:
                save_policy(connection, policy_document(values), now=now, actor=actor)
            if not applying:
                return RedirectResponse("/tiers?done=saved#policy", status_code=303)
            done = apply_policy(connection, now=now, actor=actor)
    except PolicyInvalid as invalid:
        return page(
            request, principal, values=values, errors=field_errors(invalid), status_code=422
        )
    target = (
        f"/tiers?done=applied&moved={done.preview.moving}"
        f"&changed={done.requalified.stage_changes}#pyramid"
    )
    return RedirectResponse(target, status_code=303)


@router.post("/tiers/needs", response_model=None)
def create(
    request: Request,
    principal: Writer,
    name: Short = "",
    slug: Short = "",
    segment: Short = "",
    description: Long = "",
) -> Response:
    values = {"name": name, "slug": slug, "segment": segment, "description": description}
    document = {key: value for key, value in values.items() if value.strip()}
    try:
        with request.app.state.engine.begin() as connection:
            create_needs_segment(connection, document, now=clock(request))
    except MatrixInvalid as invalid:
        return page(
            request,
            principal,
            needs_values=values,
            needs_errors=field_errors(invalid),
            status_code=422,
        )
    return RedirectResponse("/tiers?done=needs-created#needs", status_code=303)


@router.post("/tiers/needs/assign", response_model=None)
def assign(request: Request, principal: Writer) -> Response:
    actor = actor_of(request, principal)
    try:
        with request.app.state.engine.begin() as connection:
            done = assign_needs_segments(connection, now=clock(request), actor=actor)
    except MatrixInvalid as invalid:
        raise Problem(409, str(invalid)) from None
    return RedirectResponse(f"/tiers?done=assigned&moved={done.moved}#pyramid", status_code=303)


# After this module's routes: ``/tiers/needs/assign`` must win over ``/tiers/needs/{slug}``.
router.include_router(tiers_edit.router)
