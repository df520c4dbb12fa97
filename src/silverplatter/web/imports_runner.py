"""What the import page and the import API share: the runner and taking an upload.

The runner (:class:`~silverplatter.services.import_jobs.ImportJobs`) is made
on first use and kept on ``app.state.import_jobs``; a test may put its own
there first.  Uploads go beside a SQLite workspace file, else to the
runner's default directory.
"""

from __future__ import annotations

import threading
from pathlib import Path

from fastapi import Request, UploadFile

from silverplatter.importing import ImportFileError
from silverplatter.importing.mapping import ObjectType
from silverplatter.services.import_jobs import (
    MAX_MAPPING_BYTES,
    ImportJobs,
    UploadTooLarge,
    safe_file_name,
    uploads_directory,
)
from silverplatter.services.sessions import Principal
from silverplatter.web.problems import Problem, field_problem
from silverplatter.web.security import actor_of, clock

_made = threading.Lock()


def runner(request: Request) -> ImportJobs:
    """This application's import runner."""
    state = request.app.state
    with _made:
        jobs: ImportJobs | None = getattr(state, "import_jobs", None)
        if jobs is None:
            jobs = ImportJobs(state.engine, uploads_directory(state.settings.database_url))
            state.import_jobs = jobs
    return jobs


def start_import(
    request: Request,
    principal: Principal,
    *,
    file: UploadFile,
    object_type: ObjectType,
    preset: str | None,
    mapping: UploadFile | None,
    create_properties: bool,
) -> int:
    """Keep the upload and start importing it; the run's id.

    A file refused as a whole (not a CSV, a missing required column, a bad
    mapping) is a 422 naming the ``file`` or ``mapping`` field.
    """
    jobs = runner(request)
    if not file.filename:
        raise field_problem("file", "choose a CSV file to import")
    folder = jobs.new_folder()
    field = "file"
    try:
        source = jobs.save(file.file, folder / safe_file_name(file.filename))
        mapping_file: Path | None = None
        if mapping is not None and mapping.filename:
            field = "mapping"
            name = safe_file_name(mapping.filename, "mapping.toml")
            mapping_file = jobs.save(
                mapping.file, folder / "mapping" / name, limit=MAX_MAPPING_BYTES
            )
    except UploadTooLarge as error:
        jobs.discard(folder)
        raise field_problem(field, str(error), 413) from None
    if mapping_file is not None and preset:
        jobs.discard(folder)
        raise field_problem("mapping", "choose either a preset or a mapping file, not both")
    try:
        return jobs.submit(
            source,
            object_type,
            now=clock(request),
            actor=actor_of(request, principal),
            preset=preset,
            mapping_file=mapping_file,
            create_properties=create_properties,
        )
    except ImportFileError as error:
        message = str(error)
        named = "mapping" if mapping_file is not None and "mapping file" in message else "file"
        raise Problem(422, message, errors=[{"field": named, "message": message}]) from None
