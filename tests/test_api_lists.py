"""``GET /api/v1/lists/kpis``: the list KPIs as JSON, for marketing and admins."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from list_world import NOW, build_list_world
from web_world import Clock, seed_users, signed_in, web_app


@pytest.fixture
def application(engine: Engine, database_url: str) -> FastAPI:
    build_list_world(engine)
    seed_users(engine)
    return web_app(engine, database_url, Clock(NOW))


def test_the_kpis_of_three_months(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    response = client.get("/api/v1/lists/kpis", params={"months": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["as_of"] == "2026-03-02T09:00:00Z"
    assert body["list"] == {
        "contacts": 8,
        "size": 3,
        "share_of_contacts": 0.375,
        "engaged": 2,
        "quality": pytest.approx(2 / 3),
        "quality_days": 90,
    }
    assert [m["month"] for m in body["months"]] == ["2026-01", "2026-02", "2026-03"]
    february = body["months"][1]
    assert february == {
        "month": "2026-02",
        "new_addresses": 3,
        "by_source": {"form:newsletter": 1, "form:erp-guide": 1, "api": 1},
        "by_form": {"newsletter": 1, "erp-guide": 1},
        "by_lead_magnet": {"erp-pdf": 1},
        "leavers": {
            "unsubscribed": 1,
            "hard_bounce": 1,
            "complaint": 0,
            "manual": 1,
            "erased": 0,
            "total": 3,
        },
        "net_growth": 0,
        "owned": {"views": 0, "visitors": 0, "addresses": 0, "rate": None},
        "bought": {"views": 3, "visitors": 2, "addresses": 1, "rate": 0.5},
        "untracked": 2,
    }
    assert body["sources"][0] == "form:newsletter"
    assert (body["forms"], body["lead_magnets"]) == (["erp-guide", "newsletter"], ["erp-pdf"])


def test_twelve_months_by_default(application: FastAPI) -> None:
    client = signed_in(application, "admin")
    body = client.get("/api/v1/lists/kpis").json()
    assert body["months"][0]["month"] == "2025-04"
    assert len(body["months"]) == 12


@pytest.mark.parametrize("months", ["0", "37", "many"])
def test_a_bad_number_of_months_names_the_field(application: FastAPI, months: str) -> None:
    client = signed_in(application, "admin")
    response = client.get("/api/v1/lists/kpis", params={"months": months})
    assert response.status_code == 422
    assert "months" in response.text


def test_sales_may_not_read_the_list_kpis(application: FastAPI) -> None:
    client = signed_in(application, "sales")
    assert client.get("/api/v1/lists/kpis").status_code == 403
