"""People lists over the API: import a CSV body, list with matches, delete; roles checked."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from lost_lead_world import account, contact
from web_world import NOW, Clock, SignedIn, seed_users, signed_in, web_app

BASE = "/api/v1/people-lists"
CSV = "email,name,score,comment\nann@acme.example,Ann,10,Love it\nbo@else.example,Bo,2,\n"


@pytest.fixture
def application(engine: Engine, database_url: str) -> FastAPI:
    seed_users(engine)
    with engine.begin() as c:
        acme = account(c, "Acme", domain="acme.example")
        contact(c, "ann@acme.example", account_id=acme)
    return web_app(engine, database_url, Clock(NOW))


def _import(client: SignedIn, body: str, **params: str) -> Any:
    return client.post(
        BASE,
        params={"kind": "nps_survey", "name": "NPS Q1", **params},
        content=body.encode(),
        headers={"X-CSRF-Token": client.csrf, "Content-Type": "text/csv"},
    )


def test_marketing_imports_lists_and_deletes(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    made = _import(client, CSV, source="survey tool")
    assert made.status_code == 201, made.text
    assert made.json() == {
        "list_id": 1,
        "name": "NPS Q1",
        "kind": "nps_survey",
        "entries": 2,
        "matched_contacts": 1,
        "matched_accounts": 1,
        "ignored_columns": [],
    }
    listed = client.get(BASE).json()
    assert [
        {key: item[key] for key in ("id", "name", "source", "entries", "unmatched", "imported_by")}
        for item in listed
    ] == [
        {
            "id": 1,
            "name": "NPS Q1",
            "source": "survey tool",
            "entries": 2,
            "unmatched": 1,
            "imported_by": "Marketing User",
        }
    ]
    gone = client.delete(f"{BASE}/1", headers={"X-CSRF-Token": client.csrf})
    assert gone.status_code == 204
    assert client.get(BASE).json() == []
    again = client.delete(f"{BASE}/1", headers={"X-CSRF-Token": client.csrf})
    assert again.status_code == 404


def test_a_bad_row_is_a_problem_naming_row_and_field(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    refused = _import(client, "email,score\nann@acme.example,9\nbo@else.example,-1\n")
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"] == [
        {
            "field": "score",
            "message": "row 3, score: expected a whole number from 0 to 10, got -1",
            "row": "3",
        }
    ]
    assert client.get(BASE).json() == []
    wrong_type = client.post(
        BASE,
        params={"kind": "nps_survey", "name": "X"},
        content=b"{}",
        headers={"X-CSRF-Token": client.csrf, "Content-Type": "application/json"},
    )
    assert wrong_type.status_code == 415


def test_sales_reads_but_may_not_import_or_delete(application: FastAPI) -> None:
    marketing = signed_in(application, "marketing")
    assert _import(marketing, CSV).status_code == 201
    sales = signed_in(application, "sales")
    assert [item["name"] for item in sales.get(BASE).json()] == ["NPS Q1"]
    assert _import(sales, CSV).status_code == 403
    assert sales.delete(f"{BASE}/1", headers={"X-CSRF-Token": sales.csrf}).status_code == 403
