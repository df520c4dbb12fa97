"""The tiers API: policy get/put/preview/apply, needs segments, the matrix, care models,
the pyramid's counts; problems name the field."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from tiers_world import NOW, add_segment, build, tiers_and_needs, topic_rule
from web_world import Clock, SignedIn, seed_users, signed_in, web_app

POLICY = {
    "metric": "annual_revenue",
    "method": "percentiles",
    "bounds": {"gold": 10, "silver": 20, "bronze": 30},
}


@pytest.fixture
def application(engine: Engine, database_url: str) -> FastAPI:
    seed_users(engine)
    with engine.begin() as connection:
        build(connection)
        add_segment(connection, "delivery-worriers", topic_rule("delivery"))
        add_segment(connection, "cost-worriers", topic_rule("cost"))
    return web_app(engine, database_url, Clock(NOW))


def _send(client: SignedIn, method: str, path: str, body: Any = None) -> Any:
    return client.request(
        method, path, json=body, headers={"X-CSRF-Token": client.csrf}, follow_redirects=False
    )


def _problem(response: Any) -> list[tuple[str, str]]:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return [(e["field"], e["message"]) for e in response.json().get("errors", [])]


def test_a_policy_is_put_previewed_and_applied(application: FastAPI, engine: Engine) -> None:
    client = signed_in(application, "marketing")
    assert client.get("/api/v1/tiers/policy").json() == {"current": None, "history": []}
    assert _send(client, "POST", "/api/v1/tiers/apply").status_code == 409
    saved = _send(client, "PUT", "/api/v1/tiers/policy", POLICY)
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert {key: body[key] for key in ("metric", "method", "bounds", "months", "saved_by")} == {
        "metric": "annual_revenue",
        "method": "percentiles",
        "bounds": {"gold": 10.0, "silver": 20.0, "bronze": 30.0},
        "months": None,
        "saved_by": "Marketing User",
    }
    preview = _send(client, "POST", "/api/v1/tiers/preview").json()
    assert {k: preview[k] for k in ("accounts", "with_value", "moving", "cut_offs")} == {
        "accounts": 8,
        "with_value": 7,
        "moving": 2,
        "cut_offs": {"gold": 900_000_000.0, "silver": 120_000_000.0, "bronze": 45_000_000.0},
    }
    assert [m for m in preview["moves"] if m["before"] != m["after"]] == [
        {"before": "silver", "after": "bronze", "accounts": 1},
        {"before": "bronze", "after": "unclassified", "accounts": 1},
    ]
    other = {"metric": "revenue_with_us", "method": "thresholds", "bounds": {"gold": 300000}}
    tried = _send(client, "POST", "/api/v1/tiers/preview", other).json()
    assert (tried["with_value"], tried["after"]["gold"]) == (5, 1)
    applied = _send(client, "POST", "/api/v1/tiers/apply")
    assert applied.status_code == 200
    result = applied.json()
    assert (result["moving"], result["contacts_requalified"], result["stage_changes"]) == (2, 5, 0)
    with engine.connect() as connection:
        assert tiers_and_needs(connection)["Elm"] == ("unclassified", None)
    state = client.get("/api/v1/tiers/policy").json()
    assert state["current"]["applied_at"] == "2026-06-01T12:00:00Z"
    assert len(state["history"]) == 1


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {**POLICY, "bounds": {"gold": 50, "silver": 40, "bronze": 30}},
            [("bounds", "the shares add up to 120 %; at most 100")],
        ),
        (
            {"metric": "custom:note", "method": "thresholds", "bounds": {"gold": 1}},
            [
                (
                    "metric",
                    "the account property 'note' holds text values; a tier needs a number property",
                )
            ],
        ),
        (
            {**POLICY, "bounds": {"platinum": 1}},
            [("bounds.platinum", "Extra inputs are not permitted")],
        ),
        (
            {
                "metric": "annual_revenue",
                "method": "thresholds",
                "bounds": {"gold": 1, "silver": 5},
            },
            [("bounds.silver", "must be below gold's 1, got 5")],
        ),
        ({**POLICY, "months": 0}, [("months", "Input should be greater than or equal to 1")]),
    ],
)
def test_a_bad_policy_is_a_problem_naming_the_field(
    application: FastAPI, body: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    client = signed_in(application, "marketing")
    refused = _send(client, "PUT", "/api/v1/tiers/policy", body)
    assert refused.status_code == 422
    assert _problem(refused) == expected


def test_sales_reads_but_does_not_change(application: FastAPI) -> None:
    client = signed_in(application, "sales")
    assert client.get("/api/v1/tiers/pyramid").status_code == 200
    refused = _send(client, "PUT", "/api/v1/tiers/policy", POLICY)
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "your role (sales) may not change value tiers, needs segments, the offer matrix and "
        "care models"
    )


def test_needs_segments_over_the_api(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    made = _send(
        client,
        "POST",
        "/api/v1/tiers/needs-segments",
        {"name": "Cost efficiency", "segment": "cost-worriers"},
    )
    assert made.status_code == 201, made.text
    assert made.headers["location"] == "/api/v1/tiers/needs-segments/cost-efficiency"
    _send(
        client,
        "POST",
        "/api/v1/tiers/needs-segments",
        {"name": "Delivery", "slug": "delivery", "segment": "delivery-worriers"},
    )
    twice = _send(client, "POST", "/api/v1/tiers/needs-segments", {"name": "Delivery"})
    assert twice.status_code == 422
    assert _problem(twice) == [("name", "another needs segment is already called 'Delivery'")]
    assigned = _send(client, "POST", "/api/v1/tiers/needs-segments/assign").json()
    assert assigned == {
        "moved": 5,  # cost first: Aalto, Dune, Harbor; then delivery: Birch, Elm
        "accounts": {"Cost efficiency": 3, "Delivery": 2, "": 3},
        "contacts_requalified": 0,
    }
    order = _send(client, "PUT", "/api/v1/tiers/needs-segments/order", {"order": ["delivery"]})
    assert order.status_code == 422
    assert _problem(order) == [("order", "name every needs segment once; missing: cost-efficiency")]
    ordered = _send(
        client,
        "PUT",
        "/api/v1/tiers/needs-segments/order",
        {"order": ["delivery", "cost-efficiency"]},
    ).json()
    assert [(n["slug"], n["position"], n["accounts"]) for n in ordered] == [
        ("delivery", 1, 2),  # not assigned again yet
        ("cost-efficiency", 2, 3),
    ]
    changed = _send(
        client, "PATCH", "/api/v1/tiers/needs-segments/delivery", {"name": "Delivery reliability"}
    )
    assert changed.json()["name"] == "Delivery reliability"
    listed = client.get("/api/v1/tiers/needs-segments").json()
    assert [(n["slug"], n["name"], n["segment"]) for n in listed] == [
        ("delivery", "Delivery reliability", "delivery-worriers"),
        ("cost-efficiency", "Cost efficiency", "cost-worriers"),
    ]
    assert _send(client, "DELETE", "/api/v1/tiers/needs-segments/delivery").status_code == 204
    missing = client.get("/api/v1/tiers/needs-segments/delivery")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "there is no needs segment 'delivery'"


def test_the_matrix_and_care_models_over_the_api(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    _send(
        client, "POST", "/api/v1/tiers/needs-segments", {"name": "Cost", "segment": "cost-worriers"}
    )
    bad = _send(
        client,
        "PUT",
        "/api/v1/tiers/matrix",
        {"cells": [{"tier": "gold", "needs_segment": "cost", "modules": ["ok", ""]},
                   {"tier": "gold", "needs_segment": "nope"}]},
    )  # fmt: skip
    assert bad.status_code == 422
    assert _problem(bad) == [("cells[1].needs_segment", "there is no needs segment 'nope'")]
    cells = {
        "cells": [
            {"tier": "gold", "needs_segment": "cost", "modules": ["Cost workshop", "Gold module"]},
            {"tier": "bronze", "needs_segment": "cost", "modules": ["Webinar"], "notes": "Online"},
        ]
    }
    put = _send(client, "PUT", "/api/v1/tiers/matrix", cells)
    assert put.status_code == 200
    got = client.get("/api/v1/tiers/matrix").json()
    assert got["needs_segments"] == ["cost"]
    assert sorted((c["tier"], c["modules"], c["notes"]) for c in got["cells"]) == [
        ("bronze", ["Webinar"], "Online"),
        ("gold", ["Cost workshop", "Gold module"], None),
    ]
    care = _send(
        client,
        "PUT",
        "/api/v1/tiers/care-models/silver",
        {"description": "More face to face", "touches_per_year": 12, "channels": ["Meetings"]},
    )
    assert care.status_code == 200
    assert care.json()["updated_at"] == "2026-06-01T12:00:00Z"
    refused = _send(client, "PUT", "/api/v1/tiers/care-models/silver", {"owner_role": "ceo"})
    assert refused.status_code == 422
    assert _problem(refused)[0][0] == "owner_role"
    models = client.get("/api/v1/tiers/care-models").json()
    assert [(m["tier"], m["touches_per_year"]) for m in models] == [
        ("gold", None),
        ("silver", 12),
        ("bronze", None),
        ("unclassified", None),
    ]
    assert _send(client, "PUT", "/api/v1/tiers/care-models/platinum", {}).status_code == 422


def test_the_pyramid_counts(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    _send(
        client, "POST", "/api/v1/tiers/needs-segments", {"name": "Cost", "segment": "cost-worriers"}
    )
    _send(client, "POST", "/api/v1/tiers/needs-segments/assign")
    body = client.get("/api/v1/tiers/pyramid").json()
    assert body["columns"] == [
        {"slug": "cost", "name": "Cost"},
        {"slug": "", "name": "No needs segment"},
    ]
    assert body["contacts_without_account"] == 1
    counts = [
        (t["tier"], t["accounts"], t["contacts"], [(c["accounts"], c["contacts"]) for c in cells])
        for t in body["tiers"]
        for cells in [t["cells"]]
    ]
    assert counts == [
        ("gold", 1, 2, [(1, 2), (0, 0)]),
        ("silver", 3, 4, [(1, 1), (2, 3)]),
        ("bronze", 2, 4, [(1, 1), (1, 3)]),
        ("unclassified", 2, 1, [(0, 0), (2, 1)]),
    ]  # fmt: skip
