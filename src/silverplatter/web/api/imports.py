"""REST API for imports: upload a CSV, follow its run, fetch its reject report.

``POST /api/v1/imports`` answers 202 as soon as the file has passed the
whole-file checks and its run is recorded; the import goes on in the
background.  ``GET /api/v1/imports/{id}`` tells how far it is and what it
did.  Runs are listed newest first, keyset-paginated: pass the previous
page's ``next`` as ``after``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Final, Literal, cast

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from silverplatter.importing.mapping import ObjectType
from silverplatter.services.import_jobs import ImportJobs, RunInfo, recent_runs, run_info
from silverplatter.services.sessions import Principal
from silverplatter.web.imports_runner import runner, start_import
from silverplatter.web.problems import Problem
from silverplatter.web.security import requires

router = APIRouter(prefix="/api/v1", tags=["imports"])

Importer = Annotated[Principal, Depends(requires("imports:write"))]
#: The shipped presets, and ``none`` for Silverplatter's own column names.
PresetChoice = Literal["none", "hubspot", "mautic", "salesforce"]
RunStatus = Literal["running", "finished", "failed"]
MAX_LIMIT: Final = 200
After = Annotated[
    int | None, Query(ge=1, description="the `next` cursor of the previous page, if any")
]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="runs per page")]


class ImportRunOut(BaseModel):
    id: int
    object_type: ObjectType
    source_name: str = Field(description="the uploaded file's name")
    preset: str | None = Field(description="the preset or mapping file used; null for none")
    status: RunStatus
    progress: float | None = Field(
        description="share of the file read, 0–1; null when this server cannot tell"
    )
    started_at: datetime
    finished_at: datetime | None
    started_by: str | None = Field(description="who uploaded the file, when known")
    rows_read: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    error: str | None = Field(description="why the run stopped, when it failed")
    rejects_url: str | None = Field(description="where to fetch the reject report, if any")

    @classmethod
    def of(cls, run: RunInfo) -> ImportRunOut:
        return cls(
            id=run.id,
            object_type=cast(ObjectType, run.object_type),
            source_name=run.source_name,
            preset=run.preset,
            status=cast(RunStatus, run.status),
            progress=run.progress,
            started_at=run.started_at,
            finished_at=run.finished_at,
            started_by=run.started_by,
            rows_read=run.rows_read,
            created=run.created,
            updated=run.updated,
            unchanged=run.unchanged,
            rejected=run.rejected,
            error=run.error,
            rejects_url=f"/api/v1/imports/{run.id}/rejects" if run.rejects_file else None,
        )


class ImportRunPage(BaseModel):
    items: list[ImportRunOut]
    next: int | None = Field(description="pass as `after` for older runs; null on the last")


def found_run(jobs: ImportJobs, run_id: int) -> RunInfo:
    run = run_info(jobs, run_id)
    if run is None:
        raise Problem(404, f"there is no import run {run_id}")
    return run


def rejects_download(run: RunInfo) -> FileResponse:
    """The run's reject report as a CSV download; 404 when it has none to give."""
    if run.rejects_file is None:
        detail = (
            "this import rejected no rows"
            if run.rejected == 0
            else "the reject report of this run is not kept on this server"
        )
        raise Problem(404, detail)
    return FileResponse(
        run.rejects_file,
        media_type="text/csv; charset=utf-8",
        filename=f"{Path(run.source_name).stem or 'import'}-rejects.csv",
    )


@router.get("/imports", response_model=ImportRunPage)
def list_imports(
    request: Request, _: Importer, after: After = None, limit: Limit = 50
) -> ImportRunPage:
    """Import runs, newest first."""
    page, following = recent_runs(runner(request), before_id=after, limit=limit)
    return ImportRunPage(items=[ImportRunOut.of(run) for run in page], next=following)


@router.post(
    "/imports",
    response_model=ImportRunOut,
    status_code=202,
    responses={
        413: {"description": "the file is too large"},
        422: {"description": "the file cannot be imported; `errors` names the field"},
    },
)
def create_import(
    request: Request,
    response: Response,
    principal: Importer,
    file: Annotated[UploadFile, File(description="the CSV file")],
    object_type: Annotated[ObjectType, Form(description="what the rows are")],
    preset: Annotated[PresetChoice, Form(description="which system exported the file")] = "none",
    mapping: Annotated[
        UploadFile | None, File(description="a TOML mapping file, instead of a preset")
    ] = None,
    create_properties: Annotated[
        bool, Form(description="define custom properties for unknown columns")
    ] = False,
) -> ImportRunOut:
    """Upload a CSV file and start importing it in the background."""
    run_id = start_import(
        request,
        principal,
        file=file,
        object_type=object_type,
        preset=None if preset == "none" else preset,
        mapping=mapping,
        create_properties=create_properties,
    )
    response.headers["Location"] = f"/api/v1/imports/{run_id}"
    return ImportRunOut.of(found_run(runner(request), run_id))


@router.get("/imports/{run_id}", response_model=ImportRunOut)
def get_import(request: Request, _: Importer, run_id: int) -> ImportRunOut:
    """One run: its status, how far it is, its counts."""
    return ImportRunOut.of(found_run(runner(request), run_id))


@router.get(
    "/imports/{run_id}/rejects",
    response_class=FileResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "the reject report"}},
)
def get_rejects(request: Request, _: Importer, run_id: int) -> FileResponse:
    """The rows the run turned down, with their row number and the reason."""
    return rejects_download(found_run(runner(request), run_id))
