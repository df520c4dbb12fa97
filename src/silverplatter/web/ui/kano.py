"""The Kano pages: the studies with a new-study form, and one study's results with its
charts (Better against |Worse|, category shares), a segment filter and the CSV import.

Everyone with ``understanding:read`` sees them; ``understanding:write``
creates, imports and deletes.  Thin adapters over ``services/kano_studies.py``.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from silverplatter.domain.kano import ANSWERS, CATEGORIES, CATEGORY_NAMES
from silverplatter.domain.understanding_checks import SLUG, UnderstandingInvalid
from silverplatter.services.kano_studies import (
    KanoResult,
    create_study,
    delete_study,
    import_answers_csv,
    kano_result,
    list_studies,
)
from silverplatter.services.sessions import Principal
from silverplatter.web.problems import Problem
from silverplatter.web.security import actor_of, clock, requires
from silverplatter.web.templating import render
from silverplatter.web.ui.worries import errors_of
from silverplatter.web.understanding_charts import KanoPoint, kano_scatter, kano_shares

router = APIRouter(include_in_schema=False)

Reader = Annotated[Principal, Depends(requires("understanding:read"))]
Writer = Annotated[Principal, Depends(requires("understanding:write"))]
Slug = Annotated[str, Path(max_length=100, pattern=SLUG.pattern)]
Short = Annotated[str, Form(max_length=400)]
Segment = Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$")]
MAX_FILE_BYTES: Final = 20 * 1024 * 1024
DONE: Final = {
    "created": "Study made. Import the questionnaire's answers.",
    "deleted": "Study deleted with its answers.",
}


@router.get("/kano", response_class=HTMLResponse)
def studies_page(
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
        studies = list_studies(connection)
    context = {
        "studies": studies,
        "values": values or {},
        "errors": errors or {},
        "message": message,
        "may_write": principal.may("understanding:write"),
    }
    return render(request, "kano_list.html", context, status_code=status_code)


@router.post("/kano", response_model=None)
def create(request: Request, principal: Writer, name: Short = "", slug: Short = "") -> Response:
    values = {"name": name, "slug": slug}
    try:
        with request.app.state.engine.begin() as connection:
            made = create_study(
                connection, values, actor=actor_of(request, principal), now=clock(request)
            )
    except UnderstandingInvalid as invalid:
        return _list(request, principal, values=values, errors=errors_of(invalid), status_code=422)
    return RedirectResponse(f"/kano/{made.slug}?done=created", status_code=303)


def charts(found: KanoResult) -> dict[str, object]:
    answered = [r for r in found.features if r.answers]
    return {
        "scatter": kano_scatter(
            [
                KanoPoint(r.feature, r.better, abs(r.worse), r.category)
                for r in answered
                if r.better is not None and r.worse is not None
            ],
            title="Better against |Worse|",
            chart_id="kano-scatter",
        ),
        "shares": kano_shares(
            [(r.feature, r.counts) for r in found.features],
            title="Category shares per feature",
            chart_id="kano-shares",
        ),
    }


def _study(
    request: Request,
    principal: Principal,
    slug: str,
    segment: str | None = None,
    *,
    message: str | None = None,
    import_errors: list[tuple[str, str]] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with request.app.state.engine.connect() as connection:
        try:
            found = kano_result(connection, slug, segment=segment)
        except LookupError:
            raise Problem(404, "there is no such Kano study") from None
        except UnderstandingInvalid as invalid:
            raise Problem(404, str(invalid)) from None
    context = {
        "found": found,
        "charts": charts(found),
        "categories": CATEGORIES,
        "names": CATEGORY_NAMES,
        "answers": ANSWERS,
        "message": message,
        "import_errors": import_errors or [],
        "may_write": principal.may("understanding:write"),
    }
    return render(request, "kano_study.html", context, status_code=status_code)


@router.get("/kano/{slug}", response_class=HTMLResponse)
def study_page(
    request: Request,
    principal: Reader,
    slug: Slug,
    segment: Segment = None,
    done: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    return _study(request, principal, slug, segment or None, message=DONE.get(done or ""))


@router.post("/kano/{slug}/answers", response_model=None)
async def import_file(
    request: Request,
    principal: Writer,
    slug: Slug,
    file: Annotated[UploadFile, File(description="CSV of answers")],
) -> Response:
    raw = await file.read(MAX_FILE_BYTES + 1)
    problems: list[tuple[str, str]] = []
    content = ""
    if len(raw) > MAX_FILE_BYTES:
        problems.append(("file", f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB"))
    else:
        try:
            content = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            problems.append(("file", "expected a UTF-8 text file (CSV)"))
    count = 0
    if not problems:
        try:
            with request.app.state.engine.begin() as connection:
                count = import_answers_csv(
                    connection,
                    slug,
                    content,
                    actor=actor_of(request, principal),
                    now=clock(request),
                )
        except LookupError:
            raise Problem(404, "there is no such Kano study") from None
        except UnderstandingInvalid as invalid:
            problems = [(error.field, error.message) for error in invalid.errors]
    if problems:
        return _study(request, principal, slug, import_errors=problems, status_code=422)
    message = f"{count} {'answer' if count == 1 else 'answers'} imported."
    return _study(request, principal, slug, message=message)


@router.post("/kano/{slug}/delete", response_model=None)
def delete(request: Request, principal: Writer, slug: Slug) -> Response:
    try:
        with request.app.state.engine.begin() as connection:
            delete_study(connection, slug, actor=actor_of(request, principal), now=clock(request))
    except LookupError:
        raise Problem(404, "there is no such Kano study") from None
    return RedirectResponse("/kano?done=deleted", status_code=303)
