"""REST API of the suppression list: read, add, lift; problems name the field."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from silverplatter.services.suppression import address_hash, suppress
from web_world import NOW, seed_users, signed_in, web_app


@pytest.fixture
def application(engine: Engine, database_url: str) -> FastAPI:
    seed_users(engine)
    with engine.begin() as connection:
        suppress(connection, "gone@buyer.example", reason="erased", source="erasure 1", now=NOW)
        suppress(connection, "left@buyer.example", reason="unsubscribed", source="link", now=NOW)
    return web_app(engine, database_url)


def test_the_list_with_counts(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    answer = client.get("/api/v1/suppressions", params={"reason": "erased"})
    assert answer.status_code == 200
    assert answer.json() == {
        "items": [
            {
                "email": None,
                "address_hash": address_hash("gone@buyer.example"),
                "reason": "erased",
                "source": "erasure 1",
                "created_at": "2026-03-02T09:00:00Z",
            }
        ],
        "total": 1,
        "counts": {
            "unsubscribed": 1,
            "hard_bounce": 0,
            "complaint": 0,
            "erased": 1,
            "manual": 0,
        },
    }
    looked_up = client.get("/api/v1/suppressions", params={"address": "LEFT@buyer.example"})
    assert [item["email"] for item in looked_up.json()["items"]] == ["left@buyer.example"]
    bad = client.get("/api/v1/suppressions", params={"reason": "bored"})
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["errors"][0]["field"] == "reason"


def test_adding_then_adding_again(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    headers = {"X-CSRF-Token": client.csrf}
    body = {"email": "Lea@Buyer.example", "reason": "complaint", "note": "called"}
    first = client.post("/api/v1/suppressions", json=body, headers=headers)
    assert first.status_code == 201
    assert first.json() == {
        "added": True,
        "suppression": {
            "email": "lea@buyer.example",
            "address_hash": address_hash("lea@buyer.example"),
            "reason": "complaint",
            "source": "added by hand: called",
            "created_at": first.json()["suppression"]["created_at"],
        },
    }
    second = client.post(
        "/api/v1/suppressions", json={"email": "lea@buyer.example"}, headers=headers
    )
    assert (second.status_code, second.json()["added"]) == (200, False)
    assert second.json()["suppression"]["reason"] == "complaint"


@pytest.mark.parametrize(
    ("body", "status", "field", "detail"),
    [
        ({"email": "nope"}, 422, "email", "email: 'nope' is not a valid email address"),
        ({"email": "a@b.example", "reason": "erased"}, 422, "reason", None),
        ({"email": "a@b.example", "colour": "red"}, 422, "colour", None),
        ({"email": "a@b.example", "note": "n" * 151}, 422, "note", None),
    ],
)
def test_adding_problems_name_the_field(
    application: FastAPI, body: dict[str, str], status: int, field: str, detail: str | None
) -> None:
    client = signed_in(application, "marketing")
    answer = client.post("/api/v1/suppressions", json=body, headers={"X-CSRF-Token": client.csrf})
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["errors"][0]["field"] == field
    if detail is not None:
        assert problem["detail"].startswith(detail)


def test_lifting(application: FastAPI) -> None:
    client = signed_in(application, "admin")
    headers = {"X-CSRF-Token": client.csrf}
    lifted = client.post(
        "/api/v1/suppressions/lift", json={"email": "left@buyer.example"}, headers=headers
    )
    assert (lifted.status_code, lifted.json()) == (
        200,
        {"email": "left@buyer.example", "reason": "unsubscribed"},
    )
    unknown = client.post(
        "/api/v1/suppressions/lift", json={"email": "left@buyer.example"}, headers=headers
    )
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "email: the address is not on the suppression list"
    erased = client.post(
        "/api/v1/suppressions/lift", json={"email": "gone@buyer.example"}, headers=headers
    )
    assert erased.status_code == 409
    assert erased.json()["errors"] == [
        {"field": "email", "message": "the person was erased; their address stays on the list"}
    ]


def test_sales_may_not_read_and_tokens_need_the_scope(application: FastAPI) -> None:
    sales = signed_in(application, "sales")
    assert sales.get("/api/v1/suppressions").status_code == 403
    marketing = signed_in(application, "marketing")
    issued = marketing.post(
        "/api/v1/tokens",
        json={"name": "reader", "scopes": ["capture:read"]},
        headers={"X-CSRF-Token": marketing.csrf},
    )
    assert issued.status_code == 201, issued.text
    bearer = {"Authorization": f"Bearer {issued.json()['token']}"}
    from fastapi.testclient import TestClient

    client = TestClient(application)
    assert client.get("/api/v1/suppressions", headers=bearer).status_code == 200
    refused = client.post("/api/v1/suppressions", json={"email": "x@buyer.example"}, headers=bearer)
    assert refused.status_code == 403
