"""The predictive scoring page: a version's report beside the baselines, training, activation.

``/predictive`` shows the chosen version (``?version=N``; by default the
active one, else the newest): the held-out metrics of the model, the rule
score and the naive-Bayes baseline on the same rows, a reliability plot and
a lift chart, and the features that mattered.  Users who may write models
train a new version from the form, activate a version or roll back.
Thin adapters over ``services/predictive.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from silverplatter.domain.predictive_checks import TrainingRefused
from silverplatter.domain.predictive_features import OUTCOMES
from silverplatter.domain.predictive_report import METRICS, formatted, report_rows, verdict
from silverplatter.services import predictive
from silverplatter.services.predictive_training import TrainingInputError, TrainingRequest
from silverplatter.services.sessions import Principal
from silverplatter.web.charts import Series, line_chart
from silverplatter.web.security import clock, requires
from silverplatter.web.templating import render

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, Depends(requires("model:read"))]
Writer = Annotated[Principal, Depends(requires("model:write"))]
VersionId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Chosen = Annotated[int | None, Query(ge=1, le=2**31 - 1)]


def reliability_chart(metrics: dict[str, Any]) -> Markup:
    """Predicted against observed rate per probability bin: on the diagonal when calibrated."""
    points = metrics.get("reliability") or []
    labels = [f"{predicted:.0%}" for predicted, _observed, _rows in points]
    return line_chart(
        [
            Series("Predicted", [round(p * 100, 2) for p, _o, _r in points]),
            Series("Observed", [round(o * 100, 2) for _p, o, _r in points]),
        ],
        title="Reliability: predicted and observed rate per probability bin",
        x_labels=labels,
        y_label="%",
        chart_id="predictive-reliability",
    )


def lift_chart(metrics: dict[str, Any]) -> Markup:
    """Share of positives found when contacting the top x % by probability."""
    points = metrics.get("lift_curve") or []
    return line_chart(
        [
            Series("Model", [round(found * 100, 2) for _share, found in points]),
            Series("Random order", [round(share * 100, 2) for share, _found in points]),
        ],
        title="Cumulative gains: positives found by contacting the top of the list",
        x_labels=[f"{share:.0%}" for share, _found in points],
        y_label="% found",
        chart_id="predictive-lift",
    )


def _page(
    request: Request,
    principal: Principal,
    *,
    chosen: int | None,
    message: str | None = None,
    error: str | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        found = predictive.versions(connection)
    shown = None
    if chosen is not None:
        shown = next((info for info in found if info.id == chosen), None)
    if shown is None:
        shown = next((info for info in found if info.active), found[0] if found else None)
    context: dict[str, Any] = {
        "versions": found,
        "shown": shown,
        "may_write": principal.may("model:write"),
        "message": message,
        "error": error,
        "form": form or {"outcome": "sql", "horizon_days": 90, "split": "time"},
        "outcomes": OUTCOMES,
        "metric_names": METRICS,
        "formatted": formatted,
    }
    if shown is not None:
        metrics = shown.metrics
        context.update(
            rows=report_rows(metrics),
            verdict=verdict(metrics),
            reliability=reliability_chart(metrics),
            lift=lift_chart(metrics),
            importance=metrics.get("importance", [])[:15],
            dropped=metrics.get("dropped", {}),
        )
    return render(request, "predictive_page.html", context, status_code=status_code)


@router.get("/predictive", response_class=HTMLResponse)
def page(request: Request, principal: Reader, version: Chosen = None) -> Response:
    return _page(request, principal, chosen=version)


def _cutoff(text: str) -> datetime | None:
    """A date or time from the form; a date means its midnight UTC."""
    if not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise TrainingInputError("cutoff", "expected a date such as 2026-01-31") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@router.post("/predictive/train", response_class=HTMLResponse)
def train(
    request: Request,
    principal: Writer,
    outcome: Annotated[str, Form(max_length=20)] = "sql",
    horizon_days: Annotated[int, Form(ge=1, le=3650)] = 90,
    cutoff: Annotated[str, Form(max_length=40)] = "",
    split: Annotated[str, Form(max_length=20)] = "time",
    exclude: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    form = {
        "outcome": outcome,
        "horizon_days": horizon_days,
        "cutoff": cutoff,
        "split": split,
        "exclude": exclude,
    }
    try:
        request_ = TrainingRequest(
            outcome=outcome,
            horizon_days=horizon_days,
            cutoff=_cutoff(cutoff),
            split=split,  # type: ignore[arg-type]
            exclude=tuple(name for name in exclude.replace(",", " ").split() if name),
        )
        info = predictive.train(
            request.app.state.engine, request_, now=clock(request), user_id=principal.user_id
        )
    except (TrainingInputError, TrainingRefused) as refused:
        return _page(
            request, principal, chosen=None, error=str(refused), form=form, status_code=422
        )
    return RedirectResponse(f"/predictive?version={info.id}", status_code=303)


@router.post("/predictive/versions/{version}/activate", response_class=HTMLResponse)
def activate(request: Request, version: VersionId, principal: Writer) -> Response:
    try:
        scored = predictive.activate(request.app.state.engine, version, now=clock(request))
    except predictive.NoSuchVersion as error:
        return _page(request, principal, chosen=None, error=str(error), status_code=404)
    return _page(
        request,
        principal,
        chosen=version,
        message=f"Version {version} is active; {scored:,} contacts scored.",
    )


@router.post("/predictive/rollback", response_class=HTMLResponse)
def rollback(request: Request, principal: Writer) -> Response:
    try:
        version = predictive.rollback(request.app.state.engine, now=clock(request))
    except predictive.NoSuchVersion as error:
        return _page(request, principal, chosen=None, error=str(error), status_code=409)
    return _page(request, principal, chosen=version, message=f"Rolled back to version {version}.")
