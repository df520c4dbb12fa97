"""Worries, tags and worry profiles over the API: problems name the field, tags recompute the
profiles in the background, a salesperson sees only their own records' profiles."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, select, update

from silverplatter.domain.records import AccountFields, ContactFields
from silverplatter.services.ingest import ingest_events
from silverplatter.services.records import upsert_accounts, upsert_contacts
from silverplatter.storage.schema import accounts, contacts
from web_world import NOW, Clock, SignedIn, seed_users, signed_in, web_app

BASE = "/api/v1/understanding"


@pytest.fixture
def world(engine: Engine, database_url: str) -> tuple[FastAPI, dict[str, int]]:
    users = seed_users(engine)
    with engine.begin() as connection:
        upsert_accounts(connection, [AccountFields(name="Nordtek", domain="nordtek.fi")], now=NOW)
        upsert_contacts(
            connection,
            [ContactFields(email="anna@nordtek.fi", account_domain="nordtek.fi")],
            now=NOW,
        )
        read = [
            {
                "type": "page_view",
                "email": "anna@nordtek.fi",
                "occurred_at": (NOW - timedelta(days=90)).isoformat(),
                "properties": {"url": "/guides/delivery-delays"},
            },
            {
                "type": "content_download",
                "email": "anna@nordtek.fi",
                "occurred_at": NOW.isoformat(),
                "properties": {"content_id": "delivery-checklist"},
            },
        ]
        assert ingest_events(connection, read, now=NOW).errors == []
        ids = {
            "anna": connection.execute(select(contacts.c.id)).scalar_one(),
            "nordtek": connection.execute(select(accounts.c.id)).scalar_one(),
            **users,
        }
    return web_app(engine, database_url, Clock(NOW)), ids


def _send(client: SignedIn, method: str, path: str, body: Any = None) -> Any:
    return client.request(method, BASE + path, json=body, headers={"X-CSRF-Token": client.csrf})


def _problem(response: Any) -> list[tuple[str, str]]:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return [(e["field"], e["message"]) for e in response.json().get("errors", [])]


def test_a_worry_is_made_tagged_and_shows_in_profiles_and_on_the_queue(
    world: tuple[FastAPI, dict[str, int]],
) -> None:
    application, ids = world
    client = signed_in(application, "marketing")
    made = _send(
        client,
        "POST",
        "/worries",
        {"name": "Delivery reliability", "talking_point": "Ask about late deliveries"},
    )
    assert made.status_code == 201, made.text
    assert made.json()["slug"] == "delivery-reliability"
    for tag in (
        {"kind": "url_pattern", "target": "/guides/delivery-*"},
        {"kind": "content", "target": "delivery-checklist", "weight": 2},
    ):
        added = _send(client, "POST", "/worries/delivery-reliability/tags", tag)
        assert added.status_code == 201, added.text
    application.state.worry_recompute.wait(30)
    listed = _send(client, "GET", "/worries").json()
    assert [(w["slug"], w["tags"], w["contacts"], w["accounts"]) for w in listed] == [
        ("delivery-reliability", 2, 1, 1)
    ]
    profile = _send(client, "GET", f"/contacts/{ids['anna']}/worries").json()
    # 1 read 90 days ago (half-life 90: 0.5) and 2 now: 2.5.
    assert profile["half_life_days"] == 90.0
    assert [(w["worry"], w["value"], w["talking_point"]) for w in profile["worries"]] == [
        ("delivery-reliability", 2.5, "Ask about late deliveries")
    ]
    assert profile["worries"][0]["last_read_at"] == "2026-03-02T09:00:00Z"
    account = _send(client, "GET", f"/accounts/{ids['nordtek']}/worries").json()
    assert [(w["worry"], w["value"]) for w in account["worries"]] == [("delivery-reliability", 2.5)]
    listed_tags = _send(client, "GET", "/worries/delivery-reliability/tags").json()
    # neither names a lead magnet, form or e-mail of the workspace: no name, nothing to flag
    assert [(t["kind"], t["content"], t["warning"]) for t in listed_tags] == [
        ("content", None, None),
        ("url_pattern", None, None),
    ]
    flagged = _send(
        client, "POST", "/worries/delivery-reliability/tags", {"kind": "form", "target": "tco"}
    ).json()
    assert (flagged["content"], flagged["warning"]) == (None, "no form has this slug")
    assert (
        _send(client, "DELETE", f"/worries/delivery-reliability/tags/{flagged['id']}").status_code
        == 204
    )
    tags = {t["kind"]: t["id"] for t in listed_tags}
    removed = _send(client, "DELETE", f"/worries/delivery-reliability/tags/{tags['content']}")
    assert removed.status_code == 204
    application.state.worry_recompute.wait(30)
    profile = _send(client, "GET", f"/contacts/{ids['anna']}/worries").json()
    assert [w["value"] for w in profile["worries"]] == [0.5]
    changed = _send(client, "PATCH", "/worries/delivery-reliability", {"name": "Deliveries"})
    assert changed.json()["name"] == "Deliveries"
    assert _send(client, "DELETE", "/worries/delivery-reliability").status_code == 204
    assert _send(client, "GET", "/worries/delivery-reliability").status_code == 404


def test_bad_input_is_a_problem_naming_each_field(world: tuple[FastAPI, dict[str, int]]) -> None:
    application, _ids = world
    client = signed_in(application, "admin")
    bad = _send(client, "POST", "/worries", {"name": " ", "slug": "Bad Slug"})
    assert bad.status_code == 422
    assert _problem(bad) == [
        ("name", "required"),
        ("slug", "expected lower-case letters, digits and hyphens, e.g. cost-control"),
    ]
    _send(client, "POST", "/worries", {"name": "Costs"})
    tag = _send(
        client, "POST", "/worries/costs/tags", {"kind": "tweet", "target": "x", "weight": 0}
    )
    assert _problem(tag) == [
        ("kind", "expected one of url_pattern, lead_magnet, form, email, content"),
        ("weight", "expected more than 0"),
    ]
    nul = _send(client, "POST", "/worries", {"name": "A\x00B"})
    assert _problem(nul) == [("name", "expected text without NUL characters")]
    assert _send(client, "GET", "/worries/Not_A_Slug").status_code == 422
    assert (
        _send(client, "POST", "/worries/nope/tags", {"kind": "form", "target": "x"}).status_code
        == 404
    )
    recompute = _send(client, "POST", "/worries/recompute")
    assert (recompute.status_code, recompute.json()) == (
        202,
        {"status": "started", "worries": "all"},
    )
    application.state.worry_recompute.wait(30)


def test_roles_and_record_visibility(world: tuple[FastAPI, dict[str, int]], engine: Engine) -> None:
    application, ids = world
    sales = signed_in(application, "sales")
    assert _send(sales, "GET", "/worries").status_code == 200
    assert _send(sales, "POST", "/worries", {"name": "X"}).status_code == 403
    # Not the salesperson's contact or account yet: as if it did not exist.
    assert _send(sales, "GET", f"/contacts/{ids['anna']}/worries").status_code == 404
    assert _send(sales, "GET", f"/accounts/{ids['nordtek']}/worries").status_code == 404
    with engine.begin() as connection:
        connection.execute(
            update(accounts).where(accounts.c.id == ids["nordtek"]).values(owner_id=ids["sales"])
        )
    assert _send(sales, "GET", f"/contacts/{ids['anna']}/worries").json()["worries"] == []
    assert _send(sales, "GET", f"/accounts/{ids['nordtek']}/worries").status_code == 200
