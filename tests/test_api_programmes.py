"""The programmes API: built-ins, create from a definition or a template, problems naming
the definition's parts, stale versions, status actions, enrolling by hand, enrolments with
their history."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from programme_world import NOW, build
from silverplatter.services.programme_tick import tick
from web_world import signed_in, web_app

JSON = {"Accept": "application/json"}
DEFINITION: dict[str, Any] = {
    "entry": {"event": "form_submit", "properties": {"form": "guide"}},
    "goal_stages": ["sql"],
    "steps": [
        {"id": "hello", "type": "send_email", "template": "welcome"},
        {"id": "pause", "type": "wait", "days": 2},
        {"id": "next", "type": "send_email", "template": "welcome-2"},
    ],
}


def _client(engine: Engine, database_url: str, role: str = "marketing") -> Any:
    client = signed_in(web_app(engine, database_url), role)
    client.headers.update({"X-CSRF-Token": client.csrf, **JSON})
    return client


def test_programmes_are_made_changed_and_run_over_the_api(
    engine: Engine, database_url: str
) -> None:
    ids = build(engine)
    client = _client(engine, database_url)
    templates = client.get("/api/v1/programmes/templates").json()
    assert [t["key"] for t in templates] == [
        "buying_window_clock",
        "lead_refinery",
        "re_permission",
        "welcome",
    ]
    assert templates[0]["parameters"][1] == {
        "name": "lead_months",
        "description": "Months before the window opens that nurture starts",
        "default": 24,
    }
    made = client.post(
        "/api/v1/programmes", json={"slug": "guide", "name": "Guide", "definition": DEFINITION}
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["status"], body["version"], body["definition"]) == ("draft", 1, DEFINITION)
    programme_id = body["id"]
    started = client.post(f"/api/v1/programmes/{programme_id}/activate")
    assert started.json()["programme"]["status"] == "active"
    enrolled = client.post(
        f"/api/v1/programmes/{programme_id}/enrolments",
        json={"contact_ids": [ids["ada"], ids["ben"], 999_999]},
    )
    assert enrolled.json() == {"enrolled": 2}
    tick(engine, now=NOW)
    page = client.get(f"/api/v1/programmes/{programme_id}/enrolments?limit=1").json()
    assert [(e["contact_name"], e["step"], e["due_at"]) for e in page["items"]] == [
        ("Ada", "next", "2026-03-04T09:00:00Z")
    ]
    assert page["next"] == page["items"][0]["id"]
    detail = client.get(f"/api/v1/programmes/{programme_id}/enrolments/{page['next']}").json()
    assert [(h["step"], h["action"]) for h in detail["history"]] == [
        ("hello", "sent"),
        ("pause", "waiting"),
    ]
    one = client.get(f"/api/v1/programmes/{programme_id}").json()
    assert one["next_steps"] == {"next": 2}
    assert one["enrolments"] == {"active": 2, "paused": 0, "completed": 0, "exited": 0}
    changed = client.put(
        f"/api/v1/programmes/{programme_id}",
        json={
            "name": "Guide",
            "definition": {**DEFINITION, "steps": DEFINITION["steps"][:2]},
            "version": 1,
        },
    )
    assert changed.json()["moved"] == 0 and changed.json()["completed"] == 2
    stale = client.put(
        f"/api/v1/programmes/{programme_id}",
        json={"name": "Guide", "definition": DEFINITION, "version": 1},
    )
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["field"] == "version"
    versions = client.get(f"/api/v1/programmes/{programme_id}/versions").json()
    assert [v["version"] for v in versions] == [2, 1]
    paused = client.post(f"/api/v1/programmes/{programme_id}/pause").json()
    assert (paused["programme"]["status"], paused["enrolments"]) == ("paused", 0)
    again = client.post(f"/api/v1/programmes/{programme_id}/pause")
    assert again.status_code == 409
    assert again.json()["errors"] == [
        {"field": "status", "message": "a paused programme cannot be paused; it must be active"}
    ]


def test_bad_definitions_are_named_part_by_part(engine: Engine, database_url: str) -> None:
    build(engine)
    client = _client(engine, database_url)
    bad = {
        "entry": {"segment": "leads"},
        "steps": [
            {"id": "hello", "type": "send_email"},
            {
                "id": "check",
                "type": "branch",
                "arms": [{"when": {"field": "score", "op": "gte", "value": "high"}, "steps": []}],
            },
        ],
    }
    response = client.post("/api/v1/programmes", json={"slug": "bad", "definition": bad})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "definition.steps[0].template", "message": "is required"},
        {"field": "definition.steps[1].arms", "message": "must be a list of 2 to 6 arms"},
    ]
    both = client.post(
        "/api/v1/programmes", json={"slug": "x", "definition": bad, "template": "welcome"}
    )
    assert both.status_code == 422
    from_template = client.post(
        "/api/v1/programmes",
        json={
            "slug": "refinery",
            "template": "lead_refinery",
            "parameters": {"touches_per_year": 13},
        },
    )
    assert from_template.json()["errors"] == [
        {"field": "parameters.touches_per_year", "message": "must be at most 12"}
    ]
    made = client.post(
        "/api/v1/programmes", json={"slug": "welcome", "template": "welcome", "parameters": {}}
    )
    assert made.status_code == 201 and made.json()["template"] == "welcome"
    taken = client.post(
        "/api/v1/programmes", json={"slug": "welcome", "template": "welcome", "parameters": {}}
    )
    assert taken.status_code == 409
    sales = _client(engine, database_url, "sales")
    assert sales.get("/api/v1/programmes").status_code == 200
    assert (
        sales.post("/api/v1/programmes", json={"slug": "s", "template": "welcome"}).status_code
        == 403
    )
    assert client.get("/api/v1/programmes/999").status_code == 404
