"""The analytics API: funnel by grouping, journeys, channel costs CRUD, cost per MQL/SQL."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, update

from analytics_world import build_analytics_world
from silverplatter.storage.schema import accounts
from web_world import seed_users, signed_in, web_app


@pytest.fixture
def application(engine: Engine, database_url: str) -> FastAPI:
    ids = build_analytics_world(engine)
    users = seed_users(engine)
    with engine.begin() as connection:
        connection.execute(
            update(accounts).where(accounts.c.id == ids["A1"]).values(owner_id=users["sales"])
        )
    return web_app(engine, database_url)


def test_funnel_by_channel(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    answer = client.get("/api/v1/analytics/funnel?group=channel")
    assert answer.status_code == 200
    body = answer.json()
    assert body["grouping"] == "channel"
    groups = {g["key"]: g for g in body["groups"]}
    paid = groups["paid_search"]
    assert paid["contacts"] == 2
    assert [s["reached"] for s in paid["steps"]] == [2, 2, 2, 1, 1, 1]
    assert paid["steps"][2] | {} == {
        "stage": "sql",
        "reached": 2,
        "advanced": 1,
        "rate": 0.5,
        "recycled": 0,
        "disqualified": 1,
        "stays": 2,
        "median_days": 1,
        "p75_days": 3,
    }
    assert body["total"]["contacts"] == 7
    february = client.get("/api/v1/analytics/funnel?group=form&from=2026-02-01&to=2026-02-28")
    assert {g["key"]: g["contacts"] for g in february.json()["groups"]} == {
        "guide": 1,
        "(no form)": 2,
    }
    bad = client.get("/api/v1/analytics/funnel?group=colour")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "group"


def test_journeys_for_sales_cover_their_records(application: FastAPI) -> None:
    everyone = signed_in(application, "marketing").get("/api/v1/analytics/journeys?top=1").json()
    assert everyone["contacts"] == 5
    assert everyone["top"] == [
        {"stages": ["subscriber", "lead", "mql"], "contacts": 2, "share": 0.4}
    ]
    assert {"from_stage": "lead", "to_stage": "mql", "moves": 5, "contacts": 4} in everyone["edges"]
    mine = signed_in(application, "sales").get("/api/v1/analytics/journeys").json()
    assert (mine["contacts"], mine["never_moved"]) == (2, 0)


def test_costs_crud_and_cost_per_lead(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    headers = {"X-CSRF-Token": client.csrf}
    saved = client.post(
        "/api/v1/analytics/costs",
        json={"channel": "paid_search", "month": "2026-01", "amount": "500"},
        headers=headers,
    )
    assert saved.status_code == 200, saved.text
    cost = saved.json()
    assert (cost["channel"], cost["month"], cost["amount"]) == ("paid_search", "2026-01", "500.00")
    client.post(
        "/api/v1/analytics/costs",
        json={"channel": "paid_search", "month": "2026-02", "amount": "300", "note": "ads"},
        headers=headers,
    )
    listed = client.get("/api/v1/analytics/costs").json()
    assert [(c["month"], c["amount"]) for c in listed] == [
        ("2026-01", "500.00"),
        ("2026-02", "300.00"),
    ]
    report = client.get("/api/v1/analytics/cost-per-lead").json()
    assert report["attribution"].startswith("first touch")
    paid = next(r for r in report["channels"] if r["channel"] == "paid_search")
    assert paid == {
        "channel": "paid_search",
        "month": None,
        "cost": "800.00",
        "mqls": 2,
        "sqls": 2,
        "cost_per_mql": "400.00",
        "cost_per_sql": "400.00",
    }
    wrong = client.post(
        "/api/v1/analytics/costs",
        json={"channel": "pigeon", "month": "2026-01", "amount": "5"},
        headers=headers,
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "channel"
    gone = client.delete(f"/api/v1/analytics/costs/{cost['id']}", headers=headers)
    assert gone.status_code == 204
    again = client.delete(f"/api/v1/analytics/costs/{cost['id']}", headers=headers)
    assert again.status_code == 404


def test_sales_may_read_but_not_enter_costs(application: FastAPI) -> None:
    client = signed_in(application, "sales")
    assert client.get("/api/v1/analytics/cost-per-lead").status_code == 200
    refused = client.post(
        "/api/v1/analytics/costs",
        json={"channel": "email", "month": "2026-01", "amount": "5"},
        headers={"X-CSRF-Token": client.csrf},
    )
    assert refused.status_code == 403
