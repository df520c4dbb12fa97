"""Needs grids over the API: make, rate, import a CSV survey, read the results (the ratings
and hand-computed figures of ``tests/test_need_grid.py``); problems name field, row and column."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from web_world import NOW, Clock, SignedIn, seed_users, signed_in, web_app

BASE = "/api/v1/understanding/grids"
NEEDS = ("Brand", "Price", "Service")
SURVEY = (
    "respondent,points: Brand,points: Price,points: Service,Us: Brand,Us: Price,Us: Service,"
    "Rival: Brand,Rival: Price,Rival: Service\n"
    "C1,20,30,50,6,6,6,7,6,8\n"
    "C2,10,50,40,5,7,7,8,4,7\n"
)


@pytest.fixture
def application(engine: Engine, database_url: str) -> FastAPI:
    seed_users(engine)
    return web_app(engine, database_url, Clock(NOW))


def _send(client: SignedIn, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
    headers = {"X-CSRF-Token": client.csrf, **kwargs.pop("headers", {})}
    return client.request(method, BASE + path, json=body, headers=headers, **kwargs)


def _problem(response: Any) -> list[tuple[str, str]]:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return [(e["field"], e["message"]) for e in response.json().get("errors", [])]


def _rating(
    rater: str,
    department: str,
    points: tuple[int, ...],
    us: tuple[int, ...],
    rival: tuple[int, ...],
) -> dict[str, Any]:
    return {
        "rater": rater,
        "department": department,
        "weights": dict(zip(NEEDS, points, strict=True)),
        "scores": {
            "Us": dict(zip(NEEDS, us, strict=True)),
            "Rival": dict(zip(NEEDS, rival, strict=True)),
        },
    }


def test_a_grid_is_rated_surveyed_and_read(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    made = _send(
        client,
        "POST",
        "",
        {"name": "ERP buyers", "needs": list(NEEDS), "competitors": ["Us", "Rival"]},
    )
    assert made.status_code == 201, made.text
    assert (made.json()["slug"], made.json()["us"]) == ("erp-buyers", "Us")
    for rating in (
        _rating("Maija", "Marketing", (50, 20, 30), (8, 5, 7), (6, 7, 5)),
        _rating("Sami", "Sales", (10, 60, 30), (6, 4, 8), (7, 8, 6)),
        _rating("Kaisa", "Customer service", (20, 20, 60), (7, 5, 9), (6, 7, 4)),
    ):
        saved = _send(client, "PUT", "/erp-buyers/ratings", rating)
        assert saved.status_code == 200, saved.text
    imported = _send(
        client, "POST", "/erp-buyers/survey", content=SURVEY, headers={"Content-Type": "text/csv"}
    )
    assert imported.json() == {"respondents": 2, "source": "customer"}
    results = _send(client, "GET", "/erp-buyers/results").json()
    # Internal totals 20.3/3 and 18.2/3; customers' 6.4 and 6.4 (tests/test_need_grid.py).
    assert results["internal"]["totals"]["Us"]["mean"] == round(20.3 / 3, 6)
    assert results["internal"]["totals"]["Rival"]["mean"] == round(18.2 / 3, 6)
    assert results["customer"]["totals"]["Us"]["mean"] == 6.4
    assert results["internal"]["weights"]["Service"] == {
        "n": 3,
        "mean": 40.0,
        "sd": round(200**0.5, 6),
        "low": 30.0,
        "high": 60.0,
    }
    assert results["differences"][0] == {
        "need": "Brand",
        "competitor": None,
        "internal": round(80 / 3, 6),
        "customer": 15.0,
        "difference": round(80 / 3 - 15, 6),
    }
    assert results["department_gaps"][0] == {
        "need": "Brand",
        "competitor": None,
        "highest": "Marketing",
        "lowest": "Sales",
        "gap": 40.0,
        "means": {"Customer service": 20.0, "Marketing": 50.0, "Sales": 10.0},
    }
    ratings = _send(client, "GET", "/erp-buyers/ratings").json()
    assert [(r["name"], r["source"]) for r in ratings] == [
        ("Kaisa", "internal"),
        ("Maija", "internal"),
        ("Sami", "internal"),
        ("C1", "customer"),
        ("C2", "customer"),
    ]
    assert ratings[1]["weights"] == {"Brand": 50.0, "Price": 20.0, "Service": 30.0}
    assert ratings[1]["scores"]["Us"] == {"Brand": 8.0, "Price": 5.0, "Service": 7.0}
    assert _send(client, "DELETE", f"/erp-buyers/raters/{ratings[0]['id']}").status_code == 204
    changed = _send(client, "PATCH", "/erp-buyers", {"us": "Rival"})
    assert changed.json()["us"] == "Rival"
    listed = _send(client, "GET", "").json()
    assert [(g["slug"], g["internal_raters"], g["customer_raters"]) for g in listed] == [
        ("erp-buyers", 2, 2)
    ]
    assert _send(client, "DELETE", "/erp-buyers").status_code == 204
    assert _send(client, "GET", "/erp-buyers").status_code == 404


def test_problems_name_the_field_or_the_row_and_column(application: FastAPI) -> None:
    client = signed_in(application, "admin")
    bad = _send(client, "POST", "", {"name": "G", "needs": ["A", "a"], "competitors": []})
    assert _problem(bad) == [
        ("needs[1]", "'a' is named twice"),
        ("competitors", "name at least one"),
    ]
    _send(client, "POST", "", {"name": "G", "needs": list(NEEDS), "competitors": ["Us"]})
    short = _send(
        client, "PUT", "/g/ratings", {"rater": "R", "weights": {"Brand": 50, "Price": 45}}
    )
    assert _problem(short) == [
        ("weights", "the points must add up to 100; they add up to 95, 5 short of 100")
    ]
    wrong = _send(
        client,
        "POST",
        "/g/survey",
        content="respondent,points: Brand,Us: Taste\nC1,100,5\n",
        headers={"Content-Type": "text/csv"},
    )
    assert _problem(wrong) == [
        (
            "row 1, column 3 ('Us: Taste')",
            "'Taste' is not a need of this grid (Brand, Price, Service)",
        )
    ]
    cell = _send(
        client,
        "POST",
        "/g/survey",
        content="respondent,points: Brand,Us: Brand\nC1,100,12\n",
        headers={"Content-Type": "text/csv"},
    )
    assert _problem(cell) == [
        ("row 2, column 'Us: Brand'", "expected a number from 0 to 10, got 12")
    ]
    as_json = _send(client, "POST", "/g/survey", {"respondent": "C1"})
    assert as_json.status_code == 415
    sales = signed_in(application, "sales")
    assert sales.get(BASE + "/g/results").status_code == 200
    assert (
        _send(sales, "PUT", "/g/ratings", {"rater": "S", "weights": {"Brand": 100}}).status_code
        == 403
    )
