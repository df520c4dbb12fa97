"""The planning pages: the service-level dashboard (``/planning``), a new plan's form,
one plan's months, changing (recomputing) it, activate and delete, the plan as CSV and
the page as PDF.

``planning:read`` sees them (sales too: the figures are the workspace's, not
anyone's records); ``planning:write`` creates, activates and deletes.  Thin
adapters over ``services/planning.py``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silverplatter.domain.planning import (
    NEED_LABELS,
    NEEDS,
    STEP_LABELS,
    STEPS,
    PlanInvalid,
    add_months,
    month_start,
)
from silverplatter.services.planning import (
    PlanRecord,
    activate_plan,
    create_plan,
    delete_plan,
    get_plan,
    list_plans,
    plan_csv,
    update_plan,
)
from silverplatter.services.planning_history import Measurement, measure
from silverplatter.services.planning_sla import SlaDashboard, sla_dashboard
from silverplatter.services.sessions import Principal
from silverplatter.web.downloads import csv_download
from silverplatter.web.planning_charts import sla_chart
from silverplatter.web.planning_pdf import planning_pdf
from silverplatter.web.problems import Problem
from silverplatter.web.security import actor_of, clock, requires
from silverplatter.web.templating import render

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, Depends(requires("planning:read"))]
Writer = Annotated[Principal, Depends(requires("planning:write"))]
PlanId = Annotated[int, Path(ge=1, le=2**31 - 1)]
DONE: Final = {
    "created": "Plan saved. Activate it to make it marketing's service level.",
    "changed": "Plan computed again and saved.",
    "activated": "Plan activated: it is now marketing's service level.",
    "deleted": "Plan deleted.",
}
#: What each form field is called on the page, for errors a marketer can act on.
FIELD_LABELS: Final = {
    "name": "Name",
    "starts_on": "First month",
    "period": "Target per",
    "periods": "How many",
    "target": "Revenue target",
    "average_deal_size": "Average deal size",
    "currency": "Currency",
    "lookback_months": "History to measure",
    **{f"rates.{step}": f"{STEP_LABELS[step]} rate" for step in STEPS},
    **{f"durations.{step}": f"{STEP_LABELS[step]} days" for step in STEPS},
}
FORM_FIELDS: Final = tuple(FIELD_LABELS)


def month_label(day: date) -> str:
    return day.strftime("%b %Y")


def charts(board: SlaDashboard) -> dict[str, Any]:
    labels = [m.month.strftime("%b %y") for m in board.months]
    plan = board.plan
    result: dict[str, Any] = {}
    for key, what in (("sqls", "SQLs"), ("mqls", "MQLs")):
        projection = board.month_projection.get(key)
        result[key] = sla_chart(
            labels,
            [getattr(m, key) for m in board.months],
            sla=None if plan is None else getattr(plan, f"sla_{key}_per_month"),
            projected=None if projection is None else projection.projected,
            title=f"{what} per month against the service level",
            what=what,
            chart_id=f"sla-{key}",
        )
    return result


def _context(request: Request, principal: Principal) -> dict[str, Any]:
    now = clock(request)
    with request.app.state.engine.connect() as connection:
        board = sla_dashboard(connection, now=now)
        measured = measure(connection, now=now)
        plans = list_plans(connection)
    return {
        "board": board,
        "plan": board.plan,
        "plans": plans,
        "measured": measured,
        "charts": charts(board),
        "now": now,
        "needs": NEEDS,
        "need_labels": NEED_LABELS,
        "steps": STEPS,
        "step_labels": STEP_LABELS,
        "may_write": principal.may("planning:write"),
        "month_label": month_label,
    }


@router.get("/planning", response_class=HTMLResponse)
def planning_page(
    request: Request,
    principal: Reader,
    done: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    context = _context(request, principal)
    context["message"] = DONE.get(done or "")
    return render(request, "planning.html", context)


@router.get("/planning.pdf", response_class=Response)
def planning_page_pdf(request: Request, principal: Reader) -> Response:
    context = _context(request, principal)
    body = planning_pdf(
        context["board"],
        context["measured"],
        workspace=getattr(request.app.state, "workspace_name", None) or "Silverplatter",
        now=context["now"],
    )
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="planning.pdf"'},
    )


def _form(
    request: Request,
    measured: Measurement,
    *,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    plan_id: int | None = None,
) -> HTMLResponse:
    context = {
        "heading": "New plan" if plan_id is None else "Change the plan",
        "action": "/planning/new" if plan_id is None else f"/planning/plans/{plan_id}/edit",
        "editing": plan_id is not None,
        "values": values,
        "errors": errors or {},
        "labels": FIELD_LABELS,
        "measured": measured,
        "steps": STEPS,
        "step_labels": STEP_LABELS,
    }
    return render(request, "planning_new.html", context, status_code=status_code)


@router.get("/planning/new", response_class=HTMLResponse)
def new_plan_page(request: Request, principal: Writer) -> HTMLResponse:
    now = clock(request)
    with request.app.state.engine.connect() as connection:
        measured = measure(connection, now=now)
    values = {
        "starts_on": add_months(month_start(now), 1).strftime("%Y-%m"),
        "period": "month",
        "periods": "6",
        "currency": "EUR",
        "lookback_months": "12",
    }
    return _form(request, measured, values=values)


@router.post("/planning/new", response_model=None)
async def create(request: Request, principal: Writer) -> Response:
    return await _save(request, principal, None)


async def _save(request: Request, principal: Principal, plan_id: int | None) -> Response:
    form = await request.form()
    values = {name: str(form.get(name) or "")[:200] for name in FORM_FIELDS}
    now = clock(request)
    actor = actor_of(request, principal)
    try:
        with request.app.state.engine.begin() as connection:
            if plan_id is None:
                saved = create_plan(connection, values, actor=actor, now=now)
            else:
                saved = update_plan(connection, plan_id, values, actor=actor, now=now)
    except LookupError:
        raise Problem(404, "there is no such plan") from None
    except PlanInvalid as invalid:
        errors: dict[str, str] = {}
        for error in invalid.errors:
            errors.setdefault(error.field, error.message)
        with request.app.state.engine.connect() as connection:
            measured = measure(connection, now=now)
        return _form(
            request, measured, values=values, errors=errors, status_code=422, plan_id=plan_id
        )
    done = "created" if plan_id is None else "changed"
    return RedirectResponse(f"/planning/plans/{saved.id}?done={done}", status_code=303)


def form_values(found: PlanRecord) -> dict[str, str]:
    """A stored plan's inputs as the form shows them (rates back in percent)."""
    inputs = found.inputs
    overridden = inputs.get("overridden", {})
    values = {
        "name": found.name,
        "starts_on": found.starts_on.strftime("%Y-%m"),
        "period": str(inputs.get("period", "month")),
        "periods": str(inputs.get("periods", found.months_count)),
        "target": f"{inputs.get('target_per_period', 0):g}",
        "currency": found.currency,
        "lookback_months": str(inputs.get("lookback_months", 12)),
        "average_deal_size": (
            f"{found.average_deal_size:f}" if overridden.get("average_deal_size") else ""
        ),
    }
    for step, share in overridden.get("rates", {}).items():
        values[f"rates.{step}"] = f"{share * 100:g}"
    for step, days in overridden.get("durations", {}).items():
        values[f"durations.{step}"] = f"{days:g}"
    return values


@router.get("/planning/plans/{plan_id}/edit", response_class=HTMLResponse)
def edit_plan_page(request: Request, principal: Writer, plan_id: PlanId) -> HTMLResponse:
    found = _plan(request, plan_id)
    with request.app.state.engine.connect() as connection:
        measured = measure(connection, now=clock(request))
    return _form(request, measured, values=form_values(found), plan_id=plan_id)


@router.post("/planning/plans/{plan_id}/edit", response_model=None)
async def edit(request: Request, principal: Writer, plan_id: PlanId) -> Response:
    return await _save(request, principal, plan_id)


def _plan(request: Request, plan_id: int) -> PlanRecord:
    with request.app.state.engine.connect() as connection:
        try:
            return get_plan(connection, plan_id)
        except LookupError:
            raise Problem(404, "there is no such plan") from None


@router.get("/planning/plans/{plan_id}", response_class=HTMLResponse)
def plan_page(
    request: Request,
    principal: Reader,
    plan_id: PlanId,
    done: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    context = {
        "plan": _plan(request, plan_id),
        "needs": NEEDS,
        "need_labels": NEED_LABELS,
        "steps": STEPS,
        "step_labels": STEP_LABELS,
        "message": DONE.get(done or ""),
        "may_write": principal.may("planning:write"),
        "month_label": month_label,
    }
    return render(request, "planning_plan.html", context)


@router.get("/planning/plans/{plan_id}/months.csv", response_class=Response)
def plan_csv_file(request: Request, principal: Reader, plan_id: PlanId) -> Response:
    found = _plan(request, plan_id)
    return csv_download(plan_csv(found), f"plan-{found.id}.csv")


@router.post("/planning/plans/{plan_id}/activate", response_model=None)
def activate(request: Request, principal: Writer, plan_id: PlanId) -> Response:
    try:
        with request.app.state.engine.begin() as connection:
            activate_plan(
                connection, plan_id, actor=actor_of(request, principal), now=clock(request)
            )
    except LookupError:
        raise Problem(404, "there is no such plan") from None
    return RedirectResponse("/planning?done=activated", status_code=303)


@router.post("/planning/plans/{plan_id}/delete", response_model=None)
def delete(request: Request, principal: Writer, plan_id: PlanId) -> Response:
    try:
        with request.app.state.engine.begin() as connection:
            delete_plan(connection, plan_id, actor=actor_of(request, principal), now=clock(request))
    except LookupError:
        raise Problem(404, "there is no such plan") from None
    return RedirectResponse("/planning?done=deleted", status_code=303)
