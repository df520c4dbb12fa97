"""The segments API: CRUD, preview, count, members by keyset, snapshot, problems by rule part."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from segment_world import build
from web_world import NOW, SignedIn, signed_in, web_app

ACTIVE_FINNS = {
    "all": [
        {"field": "contact.grade", "op": "gte", "value": "b"},
        {"field": "contact.country", "op": "equals", "value": "Finland"},
        {"event": "email_click", "within_days": 30},
    ]
}


@pytest.fixture
def application(engine: Engine, database_url: str) -> FastAPI:
    build(engine)
    return web_app(engine, database_url)


def _send(client: SignedIn, method: str, path: str, body: Any = None) -> Any:
    return client.request(method, path, json=body, headers={"X-CSRF-Token": client.csrf})


def test_create_read_change_and_delete(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    made = _send(
        client,
        "POST",
        "/api/v1/segments",
        {"slug": "active-finns", "name": "Active Finns", "rule": ACTIVE_FINNS},
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert made.headers["location"] == f"/api/v1/segments/{body['id']}"
    assert body["rule"]["all"][:2] == [
        {"field": "contact.grade", "op": "gte", "value": "B"},
        {"field": "contact.country", "op": "equals", "value": "FI"},
    ]
    assert {key: body[key] for key in ("kind", "member_count", "created_by")} == {
        "kind": "dynamic",
        "member_count": None,
        "created_by": "Marketing User",
    }
    path = f"/api/v1/segments/{body['id']}"
    assert _send(client, "GET", f"{path}/count").json() == {
        "count": 1,
        "counted_at": NOW.isoformat().replace("+00:00", "Z"),
    }
    listed = client.get("/api/v1/segments").json()["items"]
    assert [(item["slug"], item["member_count"]) for item in listed] == [("active-finns", 1)]
    changed = _send(client, "PATCH", path, {"name": "Finns who click"})
    assert (changed.status_code, changed.json()["name"]) == (200, "Finns who click")
    assert changed.json()["rule"] == body["rule"]
    assert _send(client, "DELETE", path).status_code == 204
    assert client.get(path).status_code == 404


def test_preview_members_and_snapshot(application: FastAPI) -> None:
    client = signed_in(application, "admin")
    preview = _send(client, "POST", "/api/v1/segments/preview", {"rule": {"all": []}})
    assert preview.json()["count"] == 6
    made = _send(
        client,
        "POST",
        "/api/v1/segments",
        {"slug": "everyone", "name": "Everyone", "kind": "static", "rule": {"all": []}},
    ).json()
    path = f"/api/v1/segments/{made['id']}"
    assert client.get(f"{path}/members").json() == {"items": [], "next": None}
    assert _send(client, "POST", f"{path}/snapshot").json() == {"members": 6}
    first = client.get(f"{path}/members", params={"limit": 4}).json()
    assert [item["email"] for item in first["items"]] == [
        "anna@nordtek.fi",
        "pekka@nordtek.fi",
        "erik@vasa-energi.se",
        "sara@vasa-energi.se",
    ]
    assert first["items"][0] == {
        "id": first["items"][0]["id"],
        "email": "anna@nordtek.fi",
        "first_name": "Anna",
        "last_name": "Virtanen",
        "title": "CTO",
        "country": "FI",
        "lifecycle_stage": "mql",
        "account_name": "Nordtek",
        "grade": "A",
        "score": 80.0,
    }
    rest = client.get(f"{path}/members", params={"limit": 4, "after": first["next"]}).json()
    assert [item["email"] for item in rest["items"]] == ["ola@bergendata.no", "lone@example.com"]
    assert rest["next"] is None


def test_problems_name_the_part_of_the_rule(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    bad = {
        "all": [
            {"field": "contact.country", "op": "equals", "value": "FI"},
            {"field": "contact.title", "op": "contains", "value": "x'; DROP TABLE contacts;--"},
            {"event": "email_click", "within_days": 0},
            {"field": "contact.custom.nope", "op": "equals", "value": 1},
        ]
    }
    refused = _send(client, "POST", "/api/v1/segments/preview", {"rule": bad})
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"] == [
        {
            "field": "rule.all[2].within_days",
            "message": "expected at least 1",
        },
        {
            "field": "rule.all[3].field",
            "message": "unknown field 'contact.custom.nope' (define the custom property first)",
        },
    ]
    assert refused.json()["detail"] == ("rule.all[2].within_days: expected at least 1 (and 1 more)")
    literal = {
        "field": "contact.title",
        "op": "contains",
        "value": "O'Reilly; DROP TABLE contacts;--",
    }
    assert _send(client, "POST", "/api/v1/segments/preview", {"rule": literal}).json()["count"] == 1
    bad_slug = _send(
        client, "POST", "/api/v1/segments", {"slug": "Bad Slug", "name": "x", "rule": {"all": []}}
    )
    assert bad_slug.status_code == 422
    assert bad_slug.json()["errors"][0]["field"] == "slug"
    _send(
        client, "POST", "/api/v1/segments", {"slug": "finns", "name": "Finns", "rule": {"all": []}}
    )
    taken = _send(
        client, "POST", "/api/v1/segments", {"slug": "finns", "name": "Finns", "rule": {"all": []}}
    )
    assert (taken.status_code, taken.json()["errors"]) == (
        422,
        [{"field": "slug", "message": "a segment 'finns' exists already"}],
    )


def test_refusals_of_state(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    finns = _send(
        client,
        "POST",
        "/api/v1/segments",
        {"slug": "finns", "name": "Finns", "rule": ACTIVE_FINNS["all"][1]},
    ).json()
    _send(
        client,
        "POST",
        "/api/v1/segments",
        {
            "slug": "fans",
            "name": "Fans",
            "rule": {"field": "segment", "op": "member_of", "value": "finns"},
        },
    )
    in_use = _send(client, "DELETE", f"/api/v1/segments/{finns['id']}")
    assert (in_use.status_code, in_use.json()["detail"]) == (
        409,
        "segment: still used by segment 'Fans'",
    )
    live = _send(client, "POST", f"/api/v1/segments/{finns['id']}/snapshot")
    assert live.status_code == 409
    circle = _send(
        client,
        "PATCH",
        f"/api/v1/segments/{finns['id']}",
        {"rule": {"field": "segment", "op": "member_of", "value": "fans"}},
    )
    assert circle.json()["errors"] == [
        {
            "field": "segment 'fans': rule.value",
            "message": "segments refer in a circle: finns → fans → finns",
        }
    ]
    assert signed_in(application, "sales").get("/api/v1/segments").status_code == 403
