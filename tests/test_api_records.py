"""The records API in-process on both backends: lists, scope, writes, errors."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from records_world import build
from web_world import Clock, signed_in, web_app

PROBLEM = "application/problem+json"


def _world(engine: Engine, database_url: str) -> tuple[dict[str, int], Any, Clock]:
    ids = build(engine)
    clock = Clock()
    return ids, web_app(engine, database_url, clock), clock


def test_contact_list_filters_pages_and_scopes(engine: Engine, database_url: str) -> None:
    ids, app, _ = _world(engine, database_url)
    marketing = signed_in(app, "marketing")
    first = marketing.get("/api/v1/contacts", params={"sort": "score", "limit": 3}).json()
    assert [c["email"] for c in first["items"]] == [
        "anna@nordtek.fi",
        "erik@vasa-energi.se",
        "sara@vasa-energi.se",
    ]
    anna = first["items"][0]
    assert (anna["name"], anna["grade"], anna["score"], anna["lifecycle_stage"]) == (
        "Anna Virtanen",
        "A",
        80.0,
        "mql",
    )
    assert anna["account"] == {
        "id": ids["nordtek.fi"],
        "name": "Nordtek Oy",
        "domain": "nordtek.fi",
        "value_tier": "gold",
    }
    rest = marketing.get(
        "/api/v1/contacts", params={"sort": "score", "limit": 3, "after": first["next"]}
    ).json()
    assert [c["email"] for c in rest["items"]] == [
        "pekka@nordtek.fi",
        "lone@example.com",
        "ola@bergendata.no",
    ]
    assert rest["next"] is None
    sales = signed_in(app, "sales")
    mine = sales.get("/api/v1/contacts").json()
    assert [c["email"] for c in mine["items"]] == [
        "pekka@nordtek.fi",
        "erik@vasa-energi.se",
        "anna@nordtek.fi",
    ]
    assert [a["name"] for a in sales.get("/api/v1/accounts").json()["items"]] == ["Nordtek Oy"]
    assert sales.get(f"/api/v1/contacts/{ids['anna@nordtek.fi']}").status_code == 200
    hidden = sales.get(f"/api/v1/contacts/{ids['sara@vasa-energi.se']}")
    assert (hidden.status_code, hidden.headers["content-type"]) == (404, PROBLEM)
    assert sales.get(f"/api/v1/accounts/{ids['vasa-energi.se']}").status_code == 404


def test_injection_strings_are_harmless(engine: Engine, database_url: str) -> None:
    _, app, _ = _world(engine, database_url)
    client = signed_in(app, "admin")
    found = client.get("/api/v1/contacts", params={"q": "' OR 1=1 --"})
    assert (found.status_code, found.json()["items"]) == (200, [])
    bad_sort = client.get("/api/v1/contacts", params={"sort": "name; DROP TABLE contacts --"})
    assert bad_sort.status_code == 422
    assert bad_sort.headers["content-type"] == PROBLEM
    assert [e["field"] for e in bad_sort.json()["errors"]] == ["sort"]
    bad_cursor = client.get("/api/v1/accounts", params={"after": "' OR 1=1 --"})
    assert [e["field"] for e in bad_cursor.json()["errors"]] == ["after"]
    other_sort = client.get("/api/v1/contacts", params={"limit": 1}).json()["next"]
    mixed = client.get("/api/v1/contacts", params={"after": other_sort, "sort": "score"})
    assert (mixed.status_code, mixed.json()["errors"][0]["field"]) == (422, "after")
    assert len(client.get("/api/v1/contacts").json()["items"]) == 6


def test_create_contact_and_problem_naming_the_field(engine: Engine, database_url: str) -> None:
    ids, app, _ = _world(engine, database_url)
    client = signed_in(app, "marketing")
    headers = {"X-CSRF-Token": client.csrf}
    bad = client.post("/api/v1/contacts", json={"email": "not-an-address"}, headers=headers)
    assert bad.status_code == 422 and bad.headers["content-type"] == PROBLEM
    body = bad.json()
    assert (body["status"], body["title"], body["errors"][0]["field"]) == (
        422,
        "Invalid input",
        "email",
    )
    unknown_owner = client.post(
        "/api/v1/contacts",
        json={"email": "new@nordtek.fi", "owner_email": "nobody@seller.example"},
        headers=headers,
    )
    assert unknown_owner.json()["errors"][0]["field"] == "owner_email"
    unknown_property = client.post(
        "/api/v1/contacts",
        json={"email": "new@nordtek.fi", "custom": {"budget_owner": "yes"}},
        headers=headers,
    )
    assert unknown_property.json()["errors"][0]["field"] == "custom.budget_owner"
    created = client.post(
        "/api/v1/contacts",
        json={"email": "New@Nordtek.fi", "first_name": "Nina", "account_domain": "nordtek.fi"},
        headers=headers,
    )
    assert created.status_code == 201
    assert (created.json()["email"], created.json()["account"]["id"]) == (
        "New@nordtek.fi",
        ids["nordtek.fi"],
    )
    again = client.post(
        "/api/v1/contacts", json={"email": "new@nordtek.fi", "first_name": "Nina"}, headers=headers
    )
    assert (again.status_code, again.json()["id"]) == (200, created.json()["id"])
    assert "password" not in created.text


def test_patch_is_idempotent(engine: Engine, database_url: str) -> None:
    ids, app, clock = _world(engine, database_url)
    client = signed_in(app, "admin")
    headers = {"X-CSRF-Token": client.csrf}
    url = f"/api/v1/contacts/{ids['ola@bergendata.no']}"
    change = {
        "title": "CTO",
        "decision_role": "Decision Maker",
        "owner_email": "SAM@seller.example",
    }
    clock.advance(hours=1)
    first = client.patch(url, json=change, headers=headers)
    assert first.status_code == 200
    assert (first.json()["title"], first.json()["decision_role"]) == ("CTO", "decision_maker")
    assert first.json()["owner"] == {
        "id": ids["sales"],
        "name": "Sales User",
        "email": "sam@seller.example",
    }
    clock.advance(hours=1)
    second = client.patch(url, json=change, headers=headers)
    assert second.json() == first.json()
    assert first.json()["updated_at"] == "2026-03-02T10:00:00Z"
    renamed_key = client.patch(url, json={"email": "x@bergendata.no"}, headers=headers)
    assert renamed_key.json()["errors"][0]["field"] == "email"
    bad_role = client.patch(url, json={"decision_role": "boss"}, headers=headers)
    assert bad_role.json()["errors"][0]["field"] == "decision_role"
    missing = client.patch("/api/v1/contacts/999999", json={"title": "CTO"}, headers=headers)
    assert missing.status_code == 404

    account = f"/api/v1/accounts/{ids['bergendata.no']}"
    renamed = client.patch(
        account, json={"name": "Bergen Data ASA", "employees": 40}, headers=headers
    )
    assert (renamed.json()["name"], renamed.json()["employees"]) == ("Bergen Data ASA", 40)
    assert client.patch(account, json={"name": "Bergen Data ASA"}, headers=headers).json() == (
        renamed.json()
    )
    moved = client.patch(account, json={"domain": "elsewhere.no"}, headers=headers)
    assert (moved.status_code, moved.json()["errors"][0]["field"]) == (422, "domain")


def test_account_create_and_list(engine: Engine, database_url: str) -> None:
    _, app, _ = _world(engine, database_url)
    client = signed_in(app, "marketing")
    headers = {"X-CSRF-Token": client.csrf}
    nameless = client.post("/api/v1/accounts", json={"industry": "Retail"}, headers=headers)
    assert nameless.status_code == 422
    made = client.post(
        "/api/v1/accounts",
        json={
            "name": "Aalto Retail Oy",
            "domain": "https://www.aalto-retail.fi/",
            "value_tier": "gold",
        },
        headers=headers,
    )
    assert made.status_code == 201
    assert (made.json()["domain"], made.json()["contacts"], made.json()["score"]) == (
        "aalto-retail.fi",
        0,
        None,
    )
    listed = client.get("/api/v1/accounts", params={"tier": "gold"}).json()
    assert [a["name"] for a in listed["items"]] == ["Aalto Retail Oy", "Nordtek Oy"]


def test_properties_opportunities_and_meetings(engine: Engine, database_url: str) -> None:
    ids, app, _ = _world(engine, database_url)
    client = signed_in(app, "marketing")
    headers = {"X-CSRF-Token": client.csrf}
    defined = client.post(
        "/api/v1/properties",
        json={
            "object_type": "contact",
            "name": "budget_owner",
            "label": "Budget owner",
            "type": "choice",
            "choices": ["Yes", "No"],
        },
        headers=headers,
    )
    assert defined.status_code == 201
    twice = client.post("/api/v1/properties", json=defined.json(), headers=headers)
    assert (twice.status_code, twice.json()["errors"][0]["field"]) == (409, "name")
    no_choices = client.post(
        "/api/v1/properties",
        json={"object_type": "account", "name": "x", "label": "X", "type": "choice"},
        headers=headers,
    )
    assert no_choices.json()["errors"][0]["field"] == "choices"
    listed = client.get("/api/v1/properties", params={"object_type": "contact"}).json()
    assert [p["name"] for p in listed["items"]] == ["budget_owner"]
    url = f"/api/v1/contacts/{ids['anna@nordtek.fi']}"
    wrong = client.patch(url, json={"custom": {"budget_owner": "maybe"}}, headers=headers)
    assert wrong.json()["errors"][0]["field"] == "custom.budget_owner"
    right = client.patch(url, json={"custom": {"budget_owner": "yes"}}, headers=headers)
    assert right.json()["custom"] == {"budget_owner": "Yes"}

    deal = client.post(
        "/api/v1/opportunities",
        json={
            "name": "Line 3 upgrade",
            "account_domain": "nordtek.fi",
            "stage": "Proposal",
            "amount": "120000",
            "contact_email": "anna@nordtek.fi",
        },
        headers=headers,
    )
    assert deal.status_code == 201
    assert (deal.json()["status"], deal.json()["account"]["name"]) == ("open", "Nordtek Oy")
    nowhere = client.post(
        "/api/v1/opportunities",
        json={"name": "X", "account_domain": "nowhere.fi", "stage": "Proposal"},
        headers=headers,
    )
    assert nowhere.json()["errors"][0]["field"] == "account"
    met = client.post(
        "/api/v1/meetings",
        json={
            "occurred_at": "2026-03-01T10:00:00+02:00",
            "account_id": ids["nordtek.fi"],
            "subject": "Discovery",
            "attendees": [{"contact_id": ids["anna@nordtek.fi"]}, {"name": "Their CFO"}],
        },
        headers=headers,
    )
    assert met.status_code == 201
    assert [a["contact_email"] or a["name"] for a in met.json()["attendees"]] == [
        "anna@nordtek.fi",
        "Their CFO",
    ]
    assert met.json()["occurred_at"] == "2026-03-01T08:00:00Z"
    ghost = client.post(
        "/api/v1/meetings",
        json={"occurred_at": "2026-03-01T10:00:00Z", "attendees": [{"contact_id": 999999}]},
        headers=headers,
    )
    assert ghost.json()["errors"][0]["field"] == "attendees[0].contact_id"
    sales = signed_in(app, "sales")
    assert [m["subject"] for m in sales.get("/api/v1/meetings").json()["items"]] == ["Discovery"]
    deals = sales.get("/api/v1/opportunities", params={"status": "open"}).json()
    assert [d["name"] for d in deals["items"]] == ["Line 3 upgrade"]
    refused = sales.post("/api/v1/meetings", json={}, headers={"X-CSRF-Token": sales.csrf})
    assert refused.status_code == 403
