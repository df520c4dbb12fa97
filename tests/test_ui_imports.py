"""The import pages: the form, a run's progress and summary, the reject report."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from silverplatter.services.import_jobs import ImportJobs
from silverplatter.storage.schema import import_runs
from web_world import NOW, SignedIn, seed_users, signed_in, web_app

GOOD_AND_BAD = (
    "email,first_name,last_name\n"
    "lea@buyer.example,Lea,Laine\n"
    "not-an-email,Bad,Row\n"
    "otto@buyer.example,Otto,Oja\n"
)


@pytest.fixture
def application(engine: Engine, database_url: str, tmp_path: Path) -> FastAPI:
    seed_users(engine)
    application = web_app(engine, database_url)
    application.state.import_jobs = ImportJobs(engine, tmp_path / "uploads")
    return application


def _post(client: SignedIn, text: str | bytes, name: str = "leads.csv", **form: str) -> Any:
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        "/import",
        files={"file": (name, data, "text/csv")},
        data={"csrf_token": client.csrf, "object_type": "contacts", "preset": "none", **form},
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_the_import_page_offers_the_form(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    page = client.get("/import")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert f'name="csrf_token" value="{client.csrf}"' in page.text
    for label in ('for="import-file"', 'for="import-object-type"', 'for="import-preset"'):
        assert label in page.text
    assert "HubSpot export" in page.text
    assert "No imports yet." in page.text
    assert "imports.css" in page.text
    assert "style=" not in page.text
    assert "<script>" not in page.text


def test_an_upload_leads_to_its_run_with_counts_and_the_reject_report(
    application: FastAPI,
) -> None:
    client = signed_in(application, "marketing")
    posted = _post(client, GOOD_AND_BAD)
    assert posted.status_code == 303
    target = posted.headers["location"]
    run_id = int(target.rsplit("/", 1)[1])
    assert application.state.import_jobs.wait(run_id, timeout=30)
    page = client.get(target)
    text = _text(page.text)
    assert "Import finished" in text
    assert "Rows read 3 Created 2 Updated 0 Unchanged 0 Rejected 1" in text
    assert "hx-trigger" not in page.text
    assert f'href="/import/{run_id}/rejects"' in page.text
    report = client.get(f"/import/{run_id}/rejects")
    assert report.status_code == 200
    lines = report.content.decode("utf-8-sig").splitlines()
    assert lines[1].startswith("not-an-email,Bad,Row,3,email: 'not-an-email' is not a valid")
    listed = _text(client.get("/import").text)
    assert "leads.csv contacts Finished 2 0 0 1 2026-03-02 09:00 Marketing User" in listed


def test_a_bad_file_comes_back_on_the_form_with_the_reason(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    missing = _post(client, "name,company\nLea,Buyer Oy\n", object_type="contacts")
    assert missing.status_code == 422
    text = _text(missing.text)
    assert "The file was not imported." in text
    assert "no column of the file maps to email" in text
    assert 'aria-invalid="true"' in missing.text
    workbook = _post(client, b"PK\x03\x04zip", name="leads.xlsx")
    assert workbook.status_code == 422
    assert "looks like an Excel workbook or a zip archive, not a CSV file" in workbook.text
    no_type = _post(client, GOOD_AND_BAD, object_type="")
    assert no_type.status_code == 422
    assert "choose what the rows of the file are" in no_type.text


def test_a_running_import_polls_its_progress(application: FastAPI, engine: Engine) -> None:
    with engine.begin() as connection:
        run_id = connection.execute(
            import_runs.insert()
            .values(
                object_type="contacts",
                source_name="<b>big</b>.csv",
                status="running",
                started_at=NOW,
                rows_read=4000,
                created=3900,
                updated=0,
                unchanged=0,
                rejected=100,
            )
            .returning(import_runs.c.id)
        ).scalar_one()
    client = signed_in(application, "marketing")
    part = client.get(f"/import/{run_id}", headers={"HX-Request": "true"})
    assert part.status_code == 200
    assert 'hx-trigger="every 1s"' in part.text
    assert "<progress" in part.text
    assert "<html" not in part.text
    assert "4,000 rows so far: 3,900 created" in _text(part.text)
    page = client.get(f"/import/{run_id}")
    assert "&lt;b&gt;big&lt;/b&gt;.csv" in page.text
    assert "<b>big</b>" not in page.text
    assert client.get(f"/import/{run_id}/rejects").status_code == 404


def test_sales_may_not_import(application: FastAPI) -> None:
    client = signed_in(application, "sales")
    assert client.get("/import").status_code == 403
    assert _post(client, GOOD_AND_BAD).status_code == 403
    assert client.get("/import/1").status_code == 403
    assert client.get("/import/1/rejects").status_code == 403


def test_a_form_without_its_csrf_token_is_refused(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    response = client.post(
        "/import",
        files={"file": ("leads.csv", GOOD_AND_BAD.encode(), "text/csv")},
        data={"object_type": "contacts"},
        follow_redirects=False,
    )
    assert response.status_code == 403
