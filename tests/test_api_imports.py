"""The import API: upload, follow the run, fetch the reject report, list runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, update

from silverplatter.importing.mapping import preset_names
from silverplatter.services.import_jobs import ImportJobs
from silverplatter.storage.schema import import_runs
from silverplatter.web.api.imports import PresetChoice
from web_world import SignedIn, seed_users, signed_in, web_app

GOOD_AND_BAD = (
    "email,first_name,last_name\n"
    "lea@buyer.example,Lea,Laine\n"
    "not-an-email,Bad,Row\n"
    "otto@buyer.example,Otto,Oja\n"
)
REJECTS = (
    "email,first_name,last_name,row_number,reason\r\n"
    "not-an-email,Bad,Row,3,email: 'not-an-email' is not a valid email address: "
    "An email address must have an @-sign.\r\n"
)


@pytest.fixture
def application(engine: Engine, database_url: str, tmp_path: Path) -> FastAPI:
    seed_users(engine)
    application = web_app(engine, database_url)
    application.state.import_jobs = ImportJobs(engine, tmp_path / "uploads")
    return application


def _upload(client: SignedIn, text: str, name: str = "leads.csv", **form: str) -> Any:
    return client.post(
        "/api/v1/imports",
        headers={"X-CSRF-Token": client.csrf},
        files={"file": (name, text.encode(), "text/csv")},
        data={"object_type": "contacts", **form},
    )


def _finished(application: FastAPI, response: Any) -> int:
    assert response.status_code == 202, response.text
    run_id: int = response.json()["id"]
    assert application.state.import_jobs.wait(run_id, timeout=30)
    return run_id


def test_an_upload_is_accepted_and_its_run_ends_with_exact_counts(
    application: FastAPI,
) -> None:
    client = signed_in(application, "marketing")
    response = _upload(client, GOOD_AND_BAD)
    run_id = _finished(application, response)
    assert response.headers["location"] == f"/api/v1/imports/{run_id}"
    assert response.json()["source_name"] == "leads.csv"
    run = client.get(f"/api/v1/imports/{run_id}").json()
    assert {key: run[key] for key in ("status", "progress", "rows_read", "started_by")} == {
        "status": "finished",
        "progress": 1.0,
        "rows_read": 3,
        "started_by": "Marketing User",
    }
    counts = [run[key] for key in ("created", "updated", "unchanged", "rejected")]
    assert counts == [2, 0, 0, 1]
    assert run["rejects_url"] == f"/api/v1/imports/{run_id}/rejects"
    rejects = client.get(run["rejects_url"])
    assert rejects.status_code == 200
    assert rejects.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="leads-rejects.csv"' in rejects.headers["content-disposition"]
    assert rejects.content.decode("utf-8-sig") == REJECTS


def test_importing_the_same_file_again_changes_nothing(application: FastAPI) -> None:
    client = signed_in(application, "admin")
    _finished(application, _upload(client, GOOD_AND_BAD))
    again = _finished(application, _upload(client, GOOD_AND_BAD))
    run = client.get(f"/api/v1/imports/{again}").json()
    assert [run[key] for key in ("created", "updated", "unchanged", "rejected")] == [0, 0, 2, 1]


def test_a_file_without_the_email_column_is_a_problem_naming_the_file(
    application: FastAPI,
) -> None:
    client = signed_in(application, "marketing")
    response = _upload(client, "name,company\nLea,Buyer Oy\n")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["errors"][0]["field"] == "file"
    assert problem["detail"].startswith(
        "no column of the file maps to email. The file's columns are: 'name', 'company'."
    )
    assert client.get("/api/v1/imports").json() == {"items": [], "next": None}


def test_form_fields_are_checked(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    wrong_type = _upload(client, GOOD_AND_BAD, object_type="people")
    assert wrong_type.status_code == 422
    assert wrong_type.json()["errors"][0]["field"] == "object_type"
    wrong_preset = _upload(client, GOOD_AND_BAD, preset="pipedrive")
    assert wrong_preset.json()["errors"][0]["field"] == "preset"
    assert set(PresetChoice.__args__) == {"none", *preset_names()}


def test_a_preset_reads_another_systems_header(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    hubspot = "Record ID,Email,First Name,Last Name\n101,lea@buyer.example,Lea,Laine\n"
    run_id = _finished(application, _upload(client, hubspot, preset="hubspot"))
    run = client.get(f"/api/v1/imports/{run_id}").json()
    assert (run["preset"], run["created"], run["rejected"], run["rejects_url"]) == (
        "hubspot",
        1,
        0,
        None,
    )
    assert client.get(f"/api/v1/imports/{run_id}/rejects").status_code == 404


def test_rejects_are_served_only_from_the_run_row_under_the_uploads_directory(
    application: FastAPI, engine: Engine, tmp_path: Path
) -> None:
    client = signed_in(application, "marketing")
    run_id = _finished(application, _upload(client, GOOD_AND_BAD, name="../../secret.csv"))
    assert client.get(f"/api/v1/imports/{run_id}").json()["source_name"] == "secret.csv"
    assert not (tmp_path / "secret.csv").exists()
    secret = tmp_path / "secret.txt"
    secret.write_text("do not serve")
    for planted in (str(secret), str(tmp_path / "uploads" / ".." / "secret.txt")):
        with engine.begin() as connection:
            connection.execute(
                update(import_runs).where(import_runs.c.id == run_id).values(rejects_path=planted)
            )
        refused = client.get(f"/api/v1/imports/{run_id}/rejects")
        assert refused.status_code == 404
        assert "do not serve" not in refused.text
    for probe in ("/api/v1/imports/..%2F..%2Fsecret.txt/rejects", "/api/v1/imports/-1/rejects"):
        assert client.get(probe).status_code in (404, 422)


def test_runs_are_listed_newest_first_in_pages(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    ids = [
        _finished(application, _upload(client, f"email\np{number}@buyer.example\n"))
        for number in range(3)
    ]
    first = client.get("/api/v1/imports", params={"limit": 2}).json()
    assert [run["id"] for run in first["items"]] == [ids[2], ids[1]]
    rest = client.get("/api/v1/imports", params={"limit": 2, "after": first["next"]}).json()
    assert [run["id"] for run in rest["items"]] == [ids[0]]
    assert rest["next"] is None
    assert client.get("/api/v1/imports/999").status_code == 404


def test_sales_may_not_import(application: FastAPI) -> None:
    client = signed_in(application, "sales")
    assert _upload(client, GOOD_AND_BAD).status_code == 403
    assert client.get("/api/v1/imports").status_code == 403
    assert client.get("/api/v1/imports/1").status_code == 403
    assert client.get("/api/v1/imports/1/rejects").status_code == 403
