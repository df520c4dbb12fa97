"""The in-process import runner: start, wait, progress, counts, reject reports."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from silverplatter.importing import ImportFileError
from silverplatter.services.audit import Actor
from silverplatter.services.import_jobs import (
    ImportJobs,
    UploadTooLarge,
    recent_runs,
    run_info,
    safe_file_name,
    uploads_directory,
)
from silverplatter.services.users import create_user
from silverplatter.services.workspace import init_workspace
from silverplatter.storage.schema import contacts, import_runs

GOOD_AND_BAD = (
    "email,first_name,last_name\n"
    "lea@buyer.example,Lea,Laine\n"
    "not-an-email,Bad,Row\n"
    "otto@buyer.example,Otto,Oja\n"
)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _marketer(engine: Engine) -> int:
    init_workspace(engine, name="Seller Oy", now=NOW)
    with engine.begin() as connection:
        user = create_user(
            connection,
            email="mia@seller.example",
            name="Mia Marketer",
            role="marketing",
            password=None,
            now=NOW,
            actor=Actor(None),
        )
    return user.id


def _upload(runner: ImportJobs, text: str | bytes, name: str = "leads.csv") -> Path:
    data = text.encode() if isinstance(text, str) else text
    return runner.save(io.BytesIO(data), runner.new_folder() / name)


@pytest.fixture
def runner(engine: Engine, tmp_path: Path) -> ImportJobs:
    return ImportJobs(engine, tmp_path / "uploads")


def test_a_run_is_recorded_at_once_and_ends_with_exact_counts(
    engine: Engine, runner: ImportJobs
) -> None:
    marketer = _marketer(engine)
    run_id = runner.submit(
        _upload(runner, GOOD_AND_BAD), "contacts", now=NOW, actor=Actor(marketer)
    )
    assert runner.wait(run_id, timeout=30)
    info = run_info(runner, run_id)
    assert info is not None
    assert (info.status, info.rows_read, info.created, info.updated, info.rejected) == (
        "finished",
        3,
        2,
        0,
        1,
    )
    assert info.progress == 1.0
    assert info.started_by == "Mia Marketer"
    assert info.source_name == "leads.csv"
    assert info.rejects_file is not None
    lines = info.rejects_file.read_text(encoding="utf-8-sig").splitlines()
    assert lines == [
        "email,first_name,last_name,row_number,reason",
        "not-an-email,Bad,Row,3,email: 'not-an-email' is not a valid email address: "
        "An email address must have an @-sign.",
    ]
    assert sorted(path.name for path in info.rejects_file.parent.iterdir()) == ["leads.rejects.csv"]
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(contacts)).scalar() == 2


def test_a_file_without_the_email_column_is_refused_before_anything_is_written(
    engine: Engine, runner: ImportJobs
) -> None:
    source = _upload(runner, "name,company\nLea,Buyer Oy\n")
    with pytest.raises(ImportFileError, match="no column of the file maps to email"):
        runner.submit(source, "contacts", now=NOW, actor=Actor(None))
    assert not source.parent.exists()
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(import_runs)).scalar() == 0


def test_a_workbook_is_refused_with_what_to_do(engine: Engine, runner: ImportJobs) -> None:
    source = _upload(runner, b"PK\x03\x04rest of a zip", name="leads.xlsx")
    with pytest.raises(ImportFileError, match=r"looks like an Excel workbook.*save it as CSV"):
        runner.submit(source, "contacts", now=NOW, actor=Actor(None))


def test_runs_are_listed_newest_first_in_pages(engine: Engine, runner: ImportJobs) -> None:
    ids = []
    for number in range(3):
        text = f"email\nperson{number}@buyer.example\n"
        ids.append(runner.submit(_upload(runner, text), "contacts", now=NOW, actor=Actor(None)))
        runner.wait(ids[-1], timeout=30)
    page, following = recent_runs(runner, before_id=None, limit=2)
    assert [run.id for run in page] == [ids[2], ids[1]]
    assert following == ids[1]
    rest, last = recent_runs(runner, before_id=following, limit=2)
    assert [run.id for run in rest] == [ids[0]]
    assert last is None
    assert rest[0].started_by is None
    assert rest[0].rejects_file is None
    assert list(runner.uploads.iterdir()) == []


def test_only_reject_reports_under_the_uploads_directory_are_handed_out(
    runner: ImportJobs, tmp_path: Path
) -> None:
    inside = _upload(runner, "x")
    outside = tmp_path / "secret.csv"
    outside.write_text("secret")
    assert runner.holds(inside)
    assert not runner.holds(outside)
    assert not runner.holds(inside.parent / ".." / ".." / "secret.csv")
    assert not runner.holds(inside.parent / "missing.csv")


def test_an_upload_over_the_limit_is_refused_and_not_kept(engine: Engine, tmp_path: Path) -> None:
    small = ImportJobs(engine, tmp_path / "uploads", max_upload_bytes=10)
    target = small.new_folder() / "big.csv"
    with pytest.raises(UploadTooLarge):
        small.save(io.BytesIO(b"x" * 11), target)
    assert not target.exists()


def test_upload_names_and_folders() -> None:
    assert safe_file_name("../../etc/passwd") == "passwd"
    assert safe_file_name("C:\\Users\\mia\\leads 2026.csv") == "leads 2026.csv"
    assert safe_file_name("..") == "upload.csv"
    assert safe_file_name(None) == "upload.csv"
    assert uploads_directory("sqlite:////srv/sp/workspace.db") == Path("/srv/sp/uploads")
    assert uploads_directory("postgresql+psycopg://db/sp").name == "silverplatter-uploads"
