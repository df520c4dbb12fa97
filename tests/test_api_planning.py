"""Planning over the API: the measured funnel, plans (create with overrides, list, get,
activate, delete), the service-level figures, errors naming fields, and roles."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from planning_world import build_planning_world
from web_world import NOW, Clock, SignedIn, seed_users, signed_in, web_app

BASE = "/api/v1/planning"
PLAN = {"name": "H2 growth", "starts_on": "2026-06", "periods": 3, "target": 60000}


@pytest.fixture
def application(engine: Engine, database_url: str) -> FastAPI:
    seed_users(engine)
    build_planning_world(engine)
    return web_app(engine, database_url, Clock(NOW))


def _send(client: SignedIn, method: str, path: str, body: Any = None) -> Any:
    return client.request(method, BASE + path, json=body, headers={"X-CSRF-Token": client.csrf})


def _problem(response: Any) -> list[tuple[str, str]]:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return [(e["field"], e["message"]) for e in response.json().get("errors", [])]


def test_plans_over_the_api(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    measured = _send(client, "GET", "/measured").json()
    assert measured["steps"]["sql_to_opportunity"] == {
        "successes": 2,
        "trials": 7,
        "rate": 2 / 7,
        "low": pytest.approx(0.12533, abs=1e-5),
        "high": pytest.approx(0.52754, abs=1e-5),
        "median_days": 21.0,
        "thin": True,
    }
    assert measured["average_won_amount"] == 30000.0

    made = _send(client, "POST", "/plans", PLAN)
    assert made.status_code == 201, made.text
    plan = made.json()
    assert (plan["sla_sqls_per_month"], plan["sla_mqls_per_month"]) == (10, 24)
    assert plan["active"] is False
    assert plan["months"][0]["month"] == "2026-02-01"

    hand = _send(
        client,
        "POST",
        "/plans",
        {**PLAN, "name": "By hand", "rates": {"mql_to_sql": 50}, "durations": {"mql_to_sql": 10}},
    ).json()
    assert hand["inputs"]["overridden"]["rates"] == {"mql_to_sql": 0.5}
    assert hand["sla_mqls_per_month"] == 19

    activated = _send(client, "POST", f"/plans/{plan['id']}/activate")
    assert activated.json()["active"] is True
    listing = _send(client, "GET", "/plans").json()
    assert [(p["name"], p["active"]) for p in listing] == [("H2 growth", True), ("By hand", False)]
    assert _send(client, "GET", f"/plans/{hand['id']}").json()["name"] == "By hand"

    board = _send(client, "GET", "/dashboard").json()
    assert board["plan_id"] == plan["id"]
    assert board["sla_sqls_per_month"] == 10
    assert board["months"][-1] == {"month": "2026-03-01", "mqls": 2, "sqls": 1, "current": True}
    assert board["month_projection"]["sqls"] == {
        "period_start": "2026-03-01",
        "period_end": "2026-04-01",
        "actual": 1,
        "projected": 23,
        "target": 10,
        "status": "ahead",
    }
    assert board["quarter_projection"]["mqls"]["status"] == "behind"

    changed = _send(client, "PUT", f"/plans/{hand['id']}", {**PLAN, "name": "By hand, again"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == "By hand, again"
    assert changed.json()["inputs"]["overridden"]["rates"] == {}
    assert _send(client, "PUT", "/plans/999", PLAN).status_code == 404

    assert _send(client, "DELETE", f"/plans/{hand['id']}").status_code == 204
    missing = _send(client, "GET", f"/plans/{hand['id']}")
    assert missing.status_code == 404
    assert missing.json()["detail"] == f"there is no plan {hand['id']}"


def test_bad_plans_are_refused_naming_the_field(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    bad = _send(client, "POST", "/plans", {**PLAN, "starts_on": "June", "rates": {"mql_to_sql": 0}})
    assert bad.status_code == 422
    assert _problem(bad) == [
        ("starts_on", "expected a month as YYYY-MM, not 'June'"),
        ("rates.mql_to_sql", "expected a percentage from 0.01 to 100"),
    ]
    unknown = _send(client, "POST", "/plans", {**PLAN, "rates": {"mql_to_xyz": 5}})
    assert unknown.status_code == 422
    assert _problem(unknown)[0][0] == "rates.mql_to_xyz.[key]"


def test_sales_reads_the_figures_but_cannot_plan(application: FastAPI) -> None:
    marketing = signed_in(application, "marketing")
    plan = _send(marketing, "POST", "/plans", PLAN).json()
    sales = signed_in(application, "sales")
    assert _send(sales, "GET", "/plans").status_code == 200
    assert _send(sales, "GET", "/dashboard").status_code == 200
    assert _send(sales, "GET", "/measured").status_code == 200
    assert _send(sales, "POST", "/plans", PLAN).status_code == 403
    assert _send(sales, "POST", f"/plans/{plan['id']}/activate").status_code == 403
    assert _send(sales, "DELETE", f"/plans/{plan['id']}").status_code == 403
