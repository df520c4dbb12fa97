"""The needs and competitor grid pages: the list, one grid's results with heatmaps, the rating
form (a table: points per need, scores per need and competitor) and the survey upload.

Everyone with ``understanding:read`` sees them; ``understanding:write``
creates, rates, imports, changes and deletes.  Thin adapters over
``services/need_grids.py``; the figures are ``domain/need_grid.py``'s and the
pictures ``web/understanding_charts.py``'s.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from silverplatter.domain.need_grid import NO_DEPARTMENT, GridResult
from silverplatter.domain.understanding_checks import SLUG, UnderstandingInvalid
from silverplatter.services.need_grids import (
    Grid,
    change_grid,
    create_grid,
    delete_grid,
    get_grid,
    grid_result,
    import_survey,
    list_grids,
    ratings_of,
    remove_rater,
    save_rating,
)
from silverplatter.services.sessions import Principal
from silverplatter.web.problems import Problem
from silverplatter.web.security import actor_of, clock, requires
from silverplatter.web.templating import render
from silverplatter.web.ui.worries import errors_of
from silverplatter.web.understanding_charts import heatmap

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, Depends(requires("understanding:read"))]
Writer = Annotated[Principal, Depends(requires("understanding:write"))]
Slug = Annotated[str, Path(max_length=100, pattern=SLUG.pattern)]
RaterId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Short = Annotated[str, Form(max_length=400)]
Long = Annotated[str, Form(max_length=6000)]
MAX_SURVEY_BYTES: Final = 5 * 1024 * 1024
DONE: Final = {
    "created": "Grid made. Rate it, and import what customers answered.",
    "rated": "Ratings saved.",
    "removed": "Rater removed with their ratings.",
    "changed": "Grid saved.",
    "deleted": "Grid deleted.",
}


def _not_found() -> Problem:
    return Problem(404, "there is no such needs grid")


@router.get("/grids", response_class=HTMLResponse)
def grids_page(
    request: Request, principal: Reader, done: Annotated[str | None, Query(max_length=40)] = None
) -> HTMLResponse:
    return _list(request, principal, message=DONE.get(done or ""))


def _list(
    request: Request,
    principal: Principal,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        grids = list_grids(connection)
    context = {
        "grids": grids,
        "values": values
        or {"needs": "Brand\nProduct\nQuality\nPrice\nService", "competitors": "Us\n"},
        "errors": errors or {},
        "message": message,
        "may_write": principal.may("understanding:write"),
    }
    return render(request, "grids.html", context, status_code=status_code)


@router.post("/grids", response_model=None)
def create(
    request: Request,
    principal: Writer,
    name: Short = "",
    slug: Short = "",
    needs: Long = "",
    competitors: Long = "",
    us: Short = "",
) -> Response:
    values = {"name": name, "slug": slug, "needs": needs, "competitors": competitors, "us": us}
    try:
        with request.app.state.engine.begin() as connection:
            made = create_grid(
                connection, values, actor=actor_of(request, principal), now=clock(request)
            )
    except UnderstandingInvalid as invalid:
        return _list(request, principal, values=values, errors=errors_of(invalid), status_code=422)
    return RedirectResponse(f"/grids/{made.slug}?done=created", status_code=303)


def _figures(grid: Grid, result: GridResult) -> dict[str, Markup]:
    """The heatmaps of a grid's results."""
    needs, rivals = grid.needs, grid.competitors
    inside, outside = result.internal, result.customer
    figures = {
        "internal": heatmap(
            needs,
            rivals,
            {cell: found.mean for cell, found in inside.scores.items()},
            notes={
                cell: f"sd {found.sd:.2f}, range {found.range:g}, {found.n} raters"
                for cell, found in inside.scores.items()
            },
            title="Scores 0–10, internal raters (mean)",
            low=0,
            high=10,
            chart_id="grid-internal",
        ),
        "spread": heatmap(
            needs,
            rivals,
            {cell: found.sd for cell, found in inside.scores.items()},
            title="Disagreement: standard deviation of internal scores",
            low=0,
            high=5,
            decimals=2,
            chart_id="grid-spread",
        ),
        "customers": heatmap(
            needs,
            rivals,
            {cell: found.mean for cell, found in outside.scores.items()},
            title="Scores 0–10, customers (mean)",
            low=0,
            high=10,
            chart_id="grid-customers",
        ),
    }
    differences = {
        (d.need, d.competitor): d.difference
        for d in result.differences
        if d.need is not None and d.competitor is not None
    }
    reach = max([abs(v) for v in differences.values()] + [1.0])
    figures["difference"] = heatmap(
        needs,
        rivals,
        differences,
        title="Internal minus customers (scores)",
        low=-reach,
        high=reach,
        diverging=True,
        chart_id="grid-difference",
    )
    columns = [*result.departments]
    points = {
        (need, name): found.weights[need].mean
        for name, found in result.departments.items()
        for need in needs
        if need in found.weights
    }
    if inside.raters:
        columns.append("All internal")
        points.update({(n, "All internal"): s.mean for n, s in inside.weights.items()})
    if outside.raters:
        columns.append("Customers")
        points.update({(n, "Customers"): s.mean for n, s in outside.weights.items()})
    top = max([*points.values(), 1.0])
    figures["weights"] = heatmap(
        needs,
        columns,
        points,
        title="Points per need (of 100) by department and from customers",
        low=0,
        high=top,
        chart_id="grid-weights",
    )
    return figures


@router.get("/grids/{slug}", response_class=HTMLResponse)
def grid_page(
    request: Request,
    principal: Reader,
    slug: Slug,
    done: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    return _grid(request, principal, slug, message=DONE.get(done or ""))


def _grid(
    request: Request,
    principal: Principal,
    slug: str,
    *,
    message: str | None = None,
    survey_errors: list[tuple[str, str]] | None = None,
    edit_values: dict[str, str] | None = None,
    edit_errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        try:
            grid, result = grid_result(connection, slug)
        except LookupError:
            raise _not_found() from None
    context: dict[str, Any] = {
        "grid": grid,
        "result": result,
        "figures": _figures(grid, result),
        "no_department": NO_DEPARTMENT,
        "message": message,
        "survey_errors": survey_errors or [],
        "edit_values": edit_values
        or {
            "name": grid.name,
            "needs": "\n".join(grid.needs),
            "competitors": "\n".join(grid.competitors),
            "us": grid.us or "",
        },
        "edit_errors": edit_errors or {},
        "may_write": principal.may("understanding:write"),
    }
    return render(request, "grid.html", context, status_code=status_code)


def _rating_form(
    request: Request,
    grid: Grid,
    *,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = {"grid": grid, "values": values, "errors": errors or {}}
    return render(request, "grid_rate.html", context, status_code=status_code)


@router.get("/grids/{slug}/rate", response_class=HTMLResponse)
def rate_page(
    request: Request,
    principal: Writer,
    slug: Slug,
    rater: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        try:
            grid = get_grid(connection, slug)
        except LookupError:
            raise _not_found() from None
        values: dict[str, Any] = {"rater": "", "department": "", "points": {}, "scores": {}}
        if rater is not None:
            chosen = next((r for r in grid.raters if r.id == rater), None)
            if chosen is None:
                raise Problem(404, "there is no such rater in this grid")
            found = ratings_of(connection, grid)[rater]
            values = {
                "rater": chosen.name,
                "department": chosen.department or "",
                "source": chosen.source,
                "points": {need: f"{p:g}" for need, p in found.weights.items()},
                "scores": {cell: f"{s:g}" for cell, s in found.scores.items()},
            }
    return _rating_form(request, grid, values=values)


@router.post("/grids/{slug}/rate", response_model=None)
async def rate(request: Request, principal: Writer, slug: Slug) -> Response:
    form = await request.form()
    with request.app.state.engine.connect() as connection:
        try:
            grid = get_grid(connection, slug)
        except LookupError:
            raise _not_found() from None

    def field(name: str) -> str:
        value = form.get(name, "")
        return value[:400] if isinstance(value, str) else ""

    points = {need: field(f"points.{n}") for n, need in enumerate(grid.needs)}
    scores = {
        (need, rival): field(f"score.{n}.{k}")
        for n, need in enumerate(grid.needs)
        for k, rival in enumerate(grid.competitors)
    }
    values: dict[str, Any] = {
        "rater": field("rater"),
        "department": field("department"),
        "source": field("source") or "internal",
        "points": points,
        "scores": scores,
    }
    document = {
        "rater": values["rater"],
        "department": values["department"],
        "source": values["source"],
        "weights": points,
        "scores": {
            rival: {need: scores[(need, rival)] for need in grid.needs}
            for rival in grid.competitors
        },
    }
    try:
        with request.app.state.engine.begin() as connection:
            save_rating(
                connection, slug, document, actor=actor_of(request, principal), now=clock(request)
            )
    except UnderstandingInvalid as invalid:
        errors = {error.field: error.message for error in invalid.errors}
        return _rating_form(request, grid, values=values, errors=errors, status_code=422)
    return RedirectResponse(f"/grids/{slug}?done=rated#raters", status_code=303)


@router.post("/grids/{slug}/raters/{rater_id}/delete", response_model=None)
def remove(request: Request, principal: Writer, slug: Slug, rater_id: RaterId) -> Response:
    try:
        with request.app.state.engine.begin() as connection:
            remove_rater(
                connection, slug, rater_id, actor=actor_of(request, principal), now=clock(request)
            )
    except LookupError as missing:
        raise Problem(404, str(missing)) from None
    return RedirectResponse(f"/grids/{slug}?done=removed#raters", status_code=303)


@router.post("/grids/{slug}/survey", response_model=None)
async def survey(
    request: Request,
    principal: Writer,
    slug: Slug,
    file: Annotated[UploadFile, File(description="CSV of answers")],
    source: Short = "customer",
) -> Response:
    raw = await file.read(MAX_SURVEY_BYTES + 1)
    problems: list[tuple[str, str]] = []
    if len(raw) > MAX_SURVEY_BYTES:
        problems.append(("file", f"larger than {MAX_SURVEY_BYTES // (1024 * 1024)} MB"))
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.append(("file", "expected a UTF-8 text file (CSV)"))
        content = ""
    if not problems:
        try:
            with request.app.state.engine.begin() as connection:
                count = import_survey(
                    connection,
                    slug,
                    content,
                    source=source,
                    actor=actor_of(request, principal),
                    now=clock(request),
                )
        except LookupError:
            raise _not_found() from None
        except UnderstandingInvalid as invalid:
            problems = [(error.field, error.message) for error in invalid.errors]
    if problems:
        return _grid(request, principal, slug, survey_errors=problems, status_code=422)
    message = f"{count} {'answer' if count == 1 else 'answers'} imported."
    return _grid(request, principal, slug, message=message)


@router.post("/grids/{slug}/edit", response_model=None)
def edit(
    request: Request,
    principal: Writer,
    slug: Slug,
    name: Short = "",
    needs: Long = "",
    competitors: Long = "",
    us: Short = "",
) -> Response:
    values = {"name": name, "needs": needs, "competitors": competitors, "us": us}
    try:
        with request.app.state.engine.begin() as connection:
            change_grid(
                connection, slug, values, actor=actor_of(request, principal), now=clock(request)
            )
    except LookupError:
        raise _not_found() from None
    except UnderstandingInvalid as invalid:
        return _grid(
            request,
            principal,
            slug,
            edit_values=values,
            edit_errors=errors_of(invalid),
            status_code=422,
        )
    return RedirectResponse(f"/grids/{slug}?done=changed", status_code=303)


@router.post("/grids/{slug}/delete", response_model=None)
def delete(request: Request, principal: Writer, slug: Slug) -> Response:
    try:
        with request.app.state.engine.begin() as connection:
            delete_grid(connection, slug, actor=actor_of(request, principal), now=clock(request))
    except LookupError:
        raise _not_found() from None
    return RedirectResponse("/grids?done=deleted", status_code=303)
