"""The import pages: upload a CSV, watch its progress, read and download the rejects.

``/import`` holds the upload form and the recent runs.  Posting the form
keeps the file, starts the import in the background and sends the browser
to ``/import/{run_id}``, whose progress part htmx asks for again every
second (the same URL with the ``HX-Request`` header) until the run ends and
the part becomes the summary.  A file refused as a whole comes back on the
form with the reason in words.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from silverplatter.importing.mapping import OBJECT_TYPES
from silverplatter.services.import_jobs import MAX_UPLOAD_BYTES, RunInfo, recent_runs
from silverplatter.services.sessions import Principal
from silverplatter.web.api.imports import found_run, rejects_download
from silverplatter.web.imports_runner import runner, start_import
from silverplatter.web.problems import Problem
from silverplatter.web.security import requires
from silverplatter.web.templating import render

router = APIRouter(include_in_schema=False)

Importer = Annotated[Principal, Depends(requires("imports:write"))]
RECENT: Final = 20

OBJECT_LABELS: Final[dict[str, str]] = {
    "contacts": "Contacts (people)",
    "accounts": "Accounts (companies)",
    "events": "Events (visits, opens, downloads …)",
    "opportunities": "Opportunities (deals)",
}
PRESET_LABELS: Final[dict[str, str]] = {
    "none": "Silverplatter's own column names",
    "hubspot": "HubSpot export",
    "salesforce": "Salesforce report",
    "mautic": "Mautic export",
}
STATUS_LABELS: Final[dict[str, str]] = {
    "running": "Importing",
    "finished": "Finished",
    "failed": "Stopped",
}


def percent(run: RunInfo) -> int | None:
    return None if run.progress is None else int(run.progress * 100)


def _labels() -> dict[str, Any]:
    return {
        "object_labels": OBJECT_LABELS,
        "preset_labels": PRESET_LABELS,
        "status_labels": STATUS_LABELS,
        "percent": percent,
        "max_megabytes": MAX_UPLOAD_BYTES // (1024 * 1024),
    }


def _form_page(
    request: Request,
    *,
    after: int | None = None,
    chosen: dict[str, Any] | None = None,
    error: Problem | None = None,
) -> HTMLResponse:
    runs, following = recent_runs(runner(request), before_id=after, limit=RECENT)
    errors = {item["field"]: item["message"] for item in error.errors} if error else {}
    return render(
        request,
        "imports_page.html",
        {
            **_labels(),
            "runs": runs,
            "following": following,
            "older": after is not None,
            "chosen": chosen or {"object_type": "contacts", "preset": "none"},
            "error": next(iter(errors.values()), error.detail) if error else None,
            "errors": errors,
        },
        status_code=error.status if error else 200,
    )


@router.get("/import", response_class=HTMLResponse)
def import_page(
    request: Request, _: Importer, after: Annotated[int | None, Query(ge=1)] = None
) -> HTMLResponse:
    """The upload form and the recent runs."""
    return _form_page(request, after=after)


@router.post("/import", response_class=HTMLResponse)
def upload(
    request: Request,
    principal: Importer,
    file: Annotated[UploadFile | None, File()] = None,
    object_type: Annotated[str, Form()] = "",
    preset: Annotated[str, Form()] = "none",
    mapping: Annotated[UploadFile | None, File()] = None,
    create_properties: Annotated[str, Form()] = "no",
) -> Response:
    """Keep the file, start the import, show its run (or the form with the reason)."""
    chosen = {"object_type": object_type, "preset": preset, "create": create_properties == "yes"}
    try:
        if object_type not in OBJECT_TYPES:
            raise _field("object_type", "choose what the rows of the file are")
        if preset not in PRESET_LABELS:
            raise _field("preset", "choose one of the listed systems")
        if file is None or not file.filename:
            raise _field("file", "choose a CSV file to import")
        run_id = start_import(
            request,
            principal,
            file=file,
            object_type=object_type,
            preset=None if preset == "none" else preset,
            mapping=mapping,
            create_properties=create_properties == "yes",
        )
    except Problem as problem:
        return _form_page(request, chosen=chosen, error=problem)
    return RedirectResponse(f"/import/{run_id}", status_code=303)


def _field(name: str, message: str) -> Problem:
    return Problem(422, message, errors=[{"field": name, "message": message}])


@router.get("/import/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, _: Importer, run_id: int) -> HTMLResponse:
    """One run; its progress part alone when htmx asks for it."""
    run = found_run(runner(request), run_id)
    partial = request.headers.get("HX-Request") == "true"
    template = "imports_progress.html" if partial else "imports_run.html"
    return render(request, template, {**_labels(), "run": run})


@router.get("/import/{run_id}/rejects", response_class=FileResponse)
def rejects(request: Request, _: Importer, run_id: int) -> FileResponse:
    """The run's reject report as a CSV file."""
    return rejects_download(found_run(runner(request), run_id))
