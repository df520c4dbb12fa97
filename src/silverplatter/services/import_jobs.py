"""Imports started from the web, run in background threads of this process.

A small in-process runner until the task queue arrives: :meth:`ImportJobs.submit`
starts :func:`~silverplatter.services.importing.import_csv` in a thread and
returns as soon as the file has passed the whole-file checks and its run is
recorded in ``import_runs`` (a file the import refuses raises
:class:`ImportFileError` there and then, and no run is recorded).  The
run's counts live in its row; how far through the file it is (bytes done of
total) lives here, in memory, while it runs.

Uploaded files are kept under an uploads directory, one folder per upload,
with the run's reject report beside the file.  Once a run has finished only
its reject report stays (a failed run keeps its file, to be imported
again).  Only reject reports under that directory are ever served back.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Final

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from silverplatter.importing import ImportFileError
from silverplatter.importing.mapping import ObjectType
from silverplatter.services import audit
from silverplatter.services.importing import import_csv
from silverplatter.storage import import_runs as store

#: The largest file the web accepts, in bytes.
MAX_UPLOAD_BYTES: Final = 200 * 1024 * 1024
#: The largest mapping file (TOML) the web accepts, in bytes.
MAX_MAPPING_BYTES: Final = 256 * 1024
#: Where uploads go when the workspace is not a SQLite file (PostgreSQL).
DEFAULT_UPLOADS: Final = Path(tempfile.gettempdir()) / "silverplatter-uploads"
#: Finished jobs remembered for their progress and error message.
REMEMBERED: Final = 200
_CHUNK: Final = 1 << 20
_log = logging.getLogger(__name__)
_POLL: Final = 0.02

#: First bytes of files that are often uploaded by mistake instead of a CSV export.
_NOT_CSV: Final = (
    (b"PK\x03\x04", "an Excel workbook or a zip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls)"),
    (b"%PDF", "a PDF document"),
)


class UploadTooLarge(ValueError):
    """The upload is larger than the limit."""


def uploads_directory(database_url: str) -> Path:
    """``uploads`` beside a SQLite workspace file, else :data:`DEFAULT_UPLOADS`."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(str(url.database)).resolve().parent / "uploads"
    return DEFAULT_UPLOADS


def safe_file_name(name: str | None, default: str = "upload.csv") -> str:
    """The last part of a browser-sent file name, with no path and no odd characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(c if c.isalnum() or c in "._- ()" else "_" for c in base).strip(" .")
    return kept[:200] or default


def check_csv_like(path: Path) -> None:
    """Refuse a workbook, a PDF or another binary file with words a marketer can act on."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    for signature, what in _NOT_CSV:
        if head.startswith(signature):
            raise ImportFileError(
                f"{path.name} looks like {what}, not a CSV file. Open it in your spreadsheet "
                "program, save it as CSV (comma- or semicolon-separated) and upload that file."
            )
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    if not utf16 and b"\x00" in head:
        raise ImportFileError(
            f"{path.name} is not a text file. Export the records as CSV and upload that file."
        )


@dataclass
class Job:
    """One import while it runs, and shortly after."""

    source: Path
    object_type: str
    total_bytes: int
    done_bytes: int = 0
    run_id: int | None = None
    error: str | None = None
    finished: threading.Event = field(default_factory=threading.Event)

    @property
    def fraction(self) -> float:
        if self.finished.is_set():
            return 1.0
        return min(1.0, self.done_bytes / self.total_bytes) if self.total_bytes else 0.0


class ImportJobs:
    """Runs imports in background threads and remembers how far each has come."""

    def __init__(
        self,
        engine: Engine,
        uploads: Path,
        *,
        max_upload_bytes: int = MAX_UPLOAD_BYTES,
        start_timeout: float = 300.0,
    ) -> None:
        self.engine = engine
        self.uploads = uploads
        self.max_upload_bytes = max_upload_bytes
        self.start_timeout = start_timeout
        self._jobs: dict[int, Job] = {}
        self._lock = threading.Lock()
        self._starting = threading.Lock()

    # -- uploads --------------------------------------------------------------

    def new_folder(self) -> Path:
        """A fresh folder for one upload, under the uploads directory."""
        folder = self.uploads / secrets.token_hex(12)
        folder.mkdir(parents=True, exist_ok=False)
        return folder

    def save(self, stream: IO[bytes], target: Path, *, limit: int | None = None) -> Path:
        """Copy ``stream`` to ``target``; :class:`UploadTooLarge` past ``limit`` bytes."""
        most = self.max_upload_bytes if limit is None else limit
        written = 0
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            for chunk in _chunks(stream):
                written += len(chunk)
                if written > most:
                    out.close()
                    target.unlink(missing_ok=True)
                    raise UploadTooLarge(f"the file is larger than {most // (1024 * 1024)} MB")
                out.write(chunk)
        return target

    def discard(self, folder: Path) -> None:
        """Remove an upload's folder that will not be imported."""
        if folder.resolve().is_relative_to(self.uploads.resolve()):
            _remove(folder)

    def holds(self, path: Path) -> bool:
        """Whether ``path`` is a file inside the uploads directory (no way out via ``..``)."""
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return False
        return resolved.is_file() and resolved.is_relative_to(self.uploads.resolve())

    # -- running ----------------------------------------------------------------

    def submit(
        self,
        source: Path,
        object_type: ObjectType,
        *,
        now: datetime,
        actor: audit.Actor,
        preset: str | None = None,
        mapping_file: Path | None = None,
        create_properties: bool = False,
    ) -> int:
        """Start importing ``source``; the run's id once it is recorded.

        :class:`ImportFileError` when the file is refused as a whole before
        anything is written; the upload's folder is removed then.
        """
        try:
            check_csv_like(source)
        except ImportFileError:
            _remove(source.parent)
            raise
        job = Job(source=source, object_type=object_type, total_bytes=source.stat().st_size)
        with self._starting:
            with self.engine.connect() as connection:
                baseline = store.latest_run_id(connection)
            worker = threading.Thread(
                target=self._work,
                args=(job, now, preset, mapping_file, create_properties),
                name=f"import {source.name}",
                daemon=True,
            )
            worker.start()
            run_id = self._recorded(job, baseline)
        if run_id is None:
            _remove(source.parent)
            raise ImportFileError(job.error or f"{source.name} could not be imported")
        with self.engine.begin() as connection:
            audit.record(
                connection,
                store.AUDIT_ACTION,
                store.audit_subject(run_id),
                actor=actor,
                now=now,
                details={"run_id": run_id, "file": source.name, "object_type": object_type},
            )
        return run_id

    def _recorded(self, job: Job, baseline: int) -> int | None:
        """Wait until the job's run is in ``import_runs`` or the job has ended without one."""
        deadline = time.monotonic() + self.start_timeout
        while True:
            ended = job.finished.wait(_POLL)
            with self.engine.connect() as connection:
                run_id = job.run_id or store.run_started_after(
                    connection,
                    after_id=baseline,
                    source_name=job.source.name,
                    object_type=job.object_type,
                )
            if run_id is not None:
                with self._lock:
                    job.run_id = run_id
                    self._jobs[run_id] = job
                    self._forget_old()
                return run_id
            if ended:
                return None
            if time.monotonic() > deadline:
                job.error = "the import did not start in time; try again later"
                return None

    def _work(
        self,
        job: Job,
        now: datetime,
        preset: str | None,
        mapping_file: Path | None,
        create_properties: bool,
    ) -> None:
        def progress(done: int, total: int) -> None:
            job.done_bytes, job.total_bytes = done, total

        try:
            summary = import_csv(
                self.engine,
                job.source,
                job.object_type,  # type: ignore[arg-type]
                now=now,
                preset=preset,
                mapping_file=mapping_file,
                rejects_path=job.source.with_name(f"{job.source.stem}.rejects.csv"),
                create_properties=create_properties,
                progress=progress,
            )
            job.run_id = summary.run_id
            _tidy(job.source, keep=summary.rejects_path)
        except ImportFileError as error:
            job.error = str(error)
        except Exception as error:  # the thread must report, not die silently
            _log.exception("import of %s stopped", job.source.name)
            job.error = f"the import stopped on an unexpected error ({type(error).__name__})"
        finally:
            job.finished.set()

    def _forget_old(self) -> None:
        finished = [run_id for run_id, job in self._jobs.items() if job.finished.is_set()]
        for run_id in sorted(finished)[: max(0, len(finished) - REMEMBERED)]:
            del self._jobs[run_id]

    # -- watching ---------------------------------------------------------------

    def job(self, run_id: int) -> Job | None:
        """The job of a run started by this process, while it is remembered."""
        with self._lock:
            return self._jobs.get(run_id)

    def wait(self, run_id: int, timeout: float | None = None) -> bool:
        """Wait for the run to end; False when it is still running after ``timeout``."""
        job = self.job(run_id)
        return True if job is None else job.finished.wait(timeout)


@dataclass(frozen=True)
class RunInfo:
    """An import run as the web shows it: its row, who started it, how far it is."""

    id: int
    object_type: str
    source_name: str
    preset: str | None
    status: str
    started_at: datetime
    finished_at: datetime | None
    started_by: str | None
    rows_read: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    #: Share of the file read (0–1) while this process runs it; None when unknown.
    progress: float | None
    #: Why the run stopped, when it failed in this process.
    error: str | None
    #: The reject report, when there is one this server may hand out.
    rejects_file: Path | None

    @property
    def running(self) -> bool:
        return self.status == "running"


def _info(runner: ImportJobs, row: Any) -> RunInfo:
    job = runner.job(row.id)
    rejects = Path(row.rejects_path) if row.rejects_path else None
    if row.status == "finished":
        progress: float | None = 1.0
    else:
        progress = job.fraction if job is not None else None
    return RunInfo(
        id=row.id,
        object_type=row.object_type,
        source_name=row.source_name,
        preset=row.preset,
        status=row.status,
        started_at=row.started_at,
        finished_at=row.finished_at,
        started_by=row.started_by,
        rows_read=row.rows_read,
        created=row.created,
        updated=row.updated,
        unchanged=row.unchanged,
        rejected=row.rejected,
        progress=progress,
        error=job.error if job is not None and row.status == "failed" else None,
        rejects_file=rejects if rejects is not None and runner.holds(rejects) else None,
    )


def run_info(runner: ImportJobs, run_id: int) -> RunInfo | None:
    """One run, or None when there is no such run."""
    with runner.engine.connect() as connection:
        row = store.run_by_id(connection, run_id)
    return None if row is None else _info(runner, row)


def recent_runs(
    runner: ImportJobs, *, before_id: int | None, limit: int
) -> tuple[list[RunInfo], int | None]:
    """Runs newest first, and the cursor of the next (older) page, None on the last."""
    with runner.engine.connect() as connection:
        rows = store.runs_page(connection, before_id=before_id, limit=limit + 1)
    page = [_info(runner, row) for row in rows[:limit]]
    return page, page[-1].id if len(rows) > limit else None


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    while chunk := stream.read(_CHUNK):
        yield chunk


def _tidy(source: Path, keep: Path | None) -> None:
    """After a finished run, keep only its reject report: the upload holds personal data."""
    if keep is None:
        _remove(source.parent)
        return
    for item in source.parent.iterdir():
        if item.is_dir():
            _remove(item)
        elif item != keep:
            item.unlink(missing_ok=True)


def _remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
