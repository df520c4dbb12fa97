"""The administration API: users, personal tokens and the audit log, on both backends."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from web_world import NOW, Clock, SignedIn, seed_users, signed_in, web_app


def _post(client: SignedIn, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json=body, headers={"X-CSRF-Token": client.csrf})


def _patch(client: SignedIn, path: str, body: dict[str, Any]) -> Any:
    return client.patch(path, json=body, headers={"X-CSRF-Token": client.csrf})


def _delete(client: SignedIn, path: str) -> Any:
    return client.delete(path, headers={"X-CSRF-Token": client.csrf})


def test_admin_creates_a_user_pages_through_users_and_changes_the_role(
    engine: Engine, database_url: str
) -> None:
    ids = seed_users(engine)
    application = web_app(engine, database_url)
    admin = signed_in(application, "admin")

    created = _post(
        admin,
        "/api/v1/users",
        {
            "email": "Lea@Seller.example",
            "name": " Lea Laine ",
            "role": "sales",
            "password": "x" * 10,
        },
    )
    assert created.status_code == 201
    lea = created.json()
    assert lea == {
        "id": lea["id"],
        "email": "Lea@seller.example",
        "name": "Lea Laine",
        "role": "sales",
        "active": True,
    }

    first = admin.get("/api/v1/users?limit=3").json()
    assert [user["email"] for user in first["items"]] == [
        "ada@seller.example",
        "mia@seller.example",
        "sam@seller.example",
    ]
    assert first["next"] == ids["sales"]
    second = admin.get(f"/api/v1/users?limit=3&after={first['next']}").json()
    assert second == {"items": [lea], "next": None}

    changed = _patch(admin, f"/api/v1/users/{lea['id']}", {"role": "marketing"})
    assert changed.json()["role"] == "marketing"
    deactivated = _patch(admin, f"/api/v1/users/{lea['id']}", {"active": False})
    assert deactivated.json()["active"] is False

    audit = admin.get("/api/v1/audit").json()
    assert [(entry["action"], entry["subject"], entry["details"]) for entry in audit["items"]][
        :3
    ] == [
        ("user.deactivated", "Lea@seller.example", {}),
        ("user.role_changed", "Lea@seller.example", {"from": "sales", "to": "marketing"}),
        ("user.created", "Lea@seller.example", {"role": "sales"}),
    ]
    newest = audit["items"][0]
    assert newest["meaning"] == "a user was deactivated"
    assert (newest["user_name"], newest["user_id"]) == ("Admin User", ids["admin"])
    assert newest["occurred_at"] == NOW.isoformat().replace("+00:00", "Z")


def test_user_errors_are_problems_naming_the_field(engine: Engine, database_url: str) -> None:
    ids = seed_users(engine)
    admin = signed_in(web_app(engine, database_url), "admin")
    body = {"email": "ada@seller.example", "name": "Ada Again", "role": "admin"}
    duplicate = _post(admin, "/api/v1/users", body)
    assert duplicate.status_code == 422
    assert duplicate.headers["content-type"] == "application/problem+json"
    assert duplicate.json()["errors"] == [
        {"field": "email", "message": "a user with the e-mail ada@seller.example already exists"}
    ]
    short_password = {**body, "email": "x@seller.example", "password": "short"}
    short = _post(admin, "/api/v1/users", short_password)
    assert [error["field"] for error in short.json()["errors"]] == ["password"]
    bad_role = _patch(admin, f"/api/v1/users/{ids['sales']}", {"role": "owner"})
    assert [error["field"] for error in bad_role.json()["errors"]] == ["role"]
    assert _patch(admin, "/api/v1/users/999", {"role": "sales"}).status_code == 404
    myself = _patch(admin, f"/api/v1/users/{ids['admin']}", {"active": False})
    assert myself.status_code == 422
    assert myself.json()["errors"][0]["field"] == "active"


def test_token_is_shown_once_works_and_records_its_last_use(
    engine: Engine, database_url: str
) -> None:
    ids = seed_users(engine)
    clock = Clock()
    application = web_app(engine, database_url, clock)
    marketing = signed_in(application, "marketing")

    issued = _post(marketing, "/api/v1/tokens", {"name": "CRM sync", "scopes": ["tokens:own"]})
    assert issued.status_code == 201
    secret = issued.json()["token"]
    assert secret.startswith(f"sp_{issued.json()['prefix']}_")

    clock.advance(hours=1)
    program = TestClient(application, headers={"Authorization": f"Bearer {secret}"})
    listed = program.get("/api/v1/tokens").json()["items"]
    assert len(listed) == 1
    assert listed[0]["name"] == "CRM sync"
    assert listed[0]["user_id"] == ids["marketing"]
    assert listed[0]["scopes"] == ["tokens:own"]
    assert "token" not in listed[0]
    assert listed[0]["last_used_at"] == "2026-03-02T10:00:00Z"
    # The token carries only tokens:own: it cannot mint a wider one.
    wider = program.post("/api/v1/tokens", json={"name": "more", "scopes": ["records:read"]})
    assert wider.status_code == 422
    assert wider.json()["errors"][0]["field"] == "scopes"


def test_marketing_sees_and_revokes_only_its_own_tokens(engine: Engine, database_url: str) -> None:
    seed_users(engine)
    application = web_app(engine, database_url)
    admin = signed_in(application, "admin")
    marketing = signed_in(application, "marketing")
    admins = _post(admin, "/api/v1/tokens", {"name": "ops", "scopes": ["audit:read"]}).json()
    own = _post(marketing, "/api/v1/tokens", {"name": "mine", "scopes": ["records:read"]}).json()
    beyond = _post(marketing, "/api/v1/tokens", {"name": "x", "scopes": ["users:manage"]})
    assert beyond.status_code == 422

    assert [t["name"] for t in marketing.get("/api/v1/tokens").json()["items"]] == ["mine"]
    assert marketing.get("/api/v1/tokens?everyone=true").status_code == 403
    assert _delete(marketing, f"/api/v1/tokens/{admins['id']}").status_code == 404
    assert _delete(marketing, f"/api/v1/tokens/{own['id']}").status_code == 204

    everyone = admin.get("/api/v1/tokens?everyone=true").json()["items"]
    assert [(t["name"], t["revoked_at"] is not None) for t in everyone] == [
        ("mine", True),
        ("ops", False),
    ]
    assert _delete(admin, f"/api/v1/tokens/{admins['id']}").status_code == 204
    revoked = TestClient(application, headers={"Authorization": f"Bearer {admins['token']}"})
    assert revoked.get("/api/v1/audit").status_code == 401


def test_audit_pages_newest_first_and_filters_by_action(engine: Engine, database_url: str) -> None:
    seed_users(engine)
    admin = signed_in(web_app(engine, database_url), "admin")
    for number in range(3):
        _post(admin, "/api/v1/tokens", {"name": f"token {number}", "scopes": ["audit:read"]})
    first = admin.get("/api/v1/audit?limit=2&action=token.created").json()
    assert [entry["details"]["name"] for entry in first["items"]] == ["token 2", "token 1"]
    rest = admin.get(f"/api/v1/audit?limit=2&action=token.created&after={first['next']}").json()
    assert ([entry["details"]["name"] for entry in rest["items"]], rest["next"]) == (
        ["token 0"],
        None,
    )
    everything = admin.get("/api/v1/audit").json()["items"]
    assert [entry["action"] for entry in everything].count("user.created") == 3
    unknown = admin.get("/api/v1/audit?action=nonsense")
    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (422, "action")
    assert (
        signed_in(web_app(engine, database_url), "marketing").get("/api/v1/audit").status_code
        == 403
    )
