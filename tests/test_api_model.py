"""The scoring model API: read, versions, validate, preview, activate (audited), roll back."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import Engine, select

from lead_world import NOW
from model_world import BROKEN, CHANGED, DEFAULT, build_scored_world, row_counts
from silverplatter.storage.access_schema import audit_log
from web_world import Clock, seed_users, signed_in, web_app


def _world(engine: Engine, database_url: str) -> tuple[dict[str, int], FastAPI]:
    users = seed_users(engine, NOW)
    build_scored_world(engine)
    return users, web_app(engine, database_url, Clock(NOW))


def test_read_the_active_model_and_its_versions(engine: Engine, database_url: str) -> None:
    _, application = _world(engine, database_url)
    client = signed_in(application, "sales")
    body = client.get("/api/v1/model").json()
    assert (body["version"], body["name"], body["source"]) == (1, "B2B default", DEFAULT)
    page = client.get("/api/v1/model/versions").json()
    assert [(v["version"], v["active"], v["created_by"]) for v in page["items"]] == [
        (1, True, None)
    ]
    assert page["next"] is None
    assert client.get("/api/v1/model/versions/1").json() == {"version": 1, "source": DEFAULT}
    missing = client.get("/api/v1/model/versions/9")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert client.get("/api/v1/model/versions/99999999999").status_code == 422
    assert client.get("/api/v1/model/versions?after=0").status_code == 422


def test_sales_may_read_but_not_change_the_model(engine: Engine, database_url: str) -> None:
    _, application = _world(engine, database_url)
    client = signed_in(application, "sales")
    headers = {"X-CSRF-Token": client.csrf}
    for path in ("validate", "preview", "activate"):
        response = client.post(f"/api/v1/model/{path}", json={"source": DEFAULT}, headers=headers)
        assert response.status_code == 403, path
    refused = client.post("/api/v1/model/rollback", json={"version": 1}, headers=headers)
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "your role (sales) may not validate, save and activate scoring models"
    )


def test_validate_names_line_and_field(engine: Engine, database_url: str) -> None:
    _, application = _world(engine, database_url)
    client = signed_in(application, "marketing")
    headers = {"X-CSRF-Token": client.csrf}
    broken = client.post("/api/v1/model/validate", json={"source": BROKEN}, headers=headers)
    assert broken.status_code == 200
    assert broken.json() == {
        "valid": False,
        "errors": [
            {"line": 69, "field": "engagement.rules[1].points", "message": "expected a number"}
        ],
    }
    valid = client.post("/api/v1/model/validate", json={"source": CHANGED}, headers=headers)
    assert valid.json() == {"valid": True, "errors": []}
    empty = client.post("/api/v1/model/validate", json={}, headers=headers)
    assert empty.status_code == 422
    assert empty.json()["errors"] == [{"field": "source", "message": "Field required"}]


def test_preview_then_activate_with_an_audit_entry(engine: Engine, database_url: str) -> None:
    users, application = _world(engine, database_url)
    client = signed_in(application, "marketing")
    headers = {"X-CSRF-Token": client.csrf}
    counts = row_counts(engine)
    preview = client.post("/api/v1/model/preview", json={"source": CHANGED}, headers=headers)
    assert preview.status_code == 200
    assert preview.json() == {
        "active_version": 1,
        "contacts": 6,
        "stage_changes": 3,
        "stage_moves": [
            {"origin": "lead", "target": "mql", "contacts": 1},
            {"origin": "lead", "target": "sql", "contacts": 1},
            {"origin": "mql", "target": "lead", "contacts": 1},
        ],
        "grade_changes": 2,
        "grade_moves": [
            {"origin": "B", "target": "B+", "contacts": 1},
            {"origin": "D+", "target": "C-", "contacts": 1},
        ],
        "handovers": 1,
    }
    counts_after_sign_in = row_counts(engine)
    assert {k: v for k, v in counts_after_sign_in.items() if k != "web_sessions"} == {
        k: v for k, v in counts.items() if k != "web_sessions"
    }

    activated = client.post("/api/v1/model/activate", json={"source": CHANGED}, headers=headers)
    assert activated.status_code == 200
    assert activated.json() == {"version": 2, "contacts": 6, "accounts": 4, "stage_changes": 3}
    with engine.connect() as connection:
        entry = connection.execute(
            select(audit_log).where(audit_log.c.action == "model.activated")
        ).one()
    assert (entry.user_id, entry.subject) == (users["marketing"], "scoring model version 2")
    assert entry.details["stage_changes"] == 3
    versions = client.get("/api/v1/model/versions?limit=1").json()
    assert [v["version"] for v in versions["items"]] == [2]
    assert versions["items"][0]["activated_by"] == "Marketing User"
    assert versions["next"] == 2
    older = client.get("/api/v1/model/versions?limit=1&after=2").json()
    assert [v["version"] for v in older["items"]] == [1]

    back = client.post("/api/v1/model/rollback", json={"version": 1}, headers=headers)
    assert back.json() == {"version": 1, "contacts": 6, "accounts": 4, "stage_changes": 3}
    assert client.get("/api/v1/model").json()["version"] == 1
    nowhere = client.post("/api/v1/model/rollback", json={"version": 7}, headers=headers)
    assert nowhere.status_code == 422
    assert nowhere.json()["errors"] == [
        {"field": "version", "message": "no scoring model version 7"}
    ]


def test_an_invalid_file_is_a_problem_naming_line_and_field(
    engine: Engine, database_url: str
) -> None:
    _, application = _world(engine, database_url)
    client = signed_in(application, "marketing")
    headers = {"X-CSRF-Token": client.csrf}
    for path in ("preview", "activate"):
        response = client.post(f"/api/v1/model/{path}", json={"source": BROKEN}, headers=headers)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["detail"] == (
            "the model file is not valid: line 69, engagement.rules[1].points: expected a number"
        )
        assert body["errors"] == [
            {"field": "engagement.rules[1].points", "line": 69, "message": "expected a number"}
        ]
    assert client.get("/api/v1/model").json()["version"] == 1
