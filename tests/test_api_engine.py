"""The engine API's events ingest, and who may use which of the engine's routes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from lead_world import NOW, event
from silverplatter.services.api_tokens import issue_token
from silverplatter.services.audit import Actor
from silverplatter.services.scoring_backlog import BacklogRun, score_backlog
from test_api_engine_world import (
    JSON,
    MARKETING,
    TUESDAY,
    World,
    build,
    count_contacts,
    count_events,
)
from web_world import signed_in

PROBLEM = "application/problem+json"


@pytest.fixture
def world(engine: Engine, database_url: str) -> World:
    return build(engine, database_url)


def _batch() -> list[dict[str, Any]]:
    return [
        event("page_view", "ceo@acme.fi", 0.5, url="/pricing"),
        event("email_open", "director@pohja.fi", 0.25),
        {
            **event("form_submit", "new@acme.fi", 0.1, cta="soft", form="guide_download"),
            "contact": {"first_name": "Nea", "last_name": "Uusi", "account_domain": "acme.fi"},
        },
        event("page_view", "@kauppa.se", 0.2, url="/"),
        {
            "type": "page_view",
            "occurred_at": "2026-06-01T10:00:00+00:00",
            "visitor_id": "v-42",
            "channel": "web",
            "traffic": "bought",
            "idempotency_key": "ad-click-42",
        },
    ]


def test_a_batch_goes_in_once_and_a_resend_adds_nothing(world: World) -> None:
    client = signed_in(world.app, "marketing")
    before = count_events(world.engine), count_contacts(world.engine)
    headers = {"X-CSRF-Token": client.csrf}
    first = client.post("/api/v1/events", json={"events": _batch()}, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json() == {
        "accepted": 5,
        "duplicates": 0,
        "contacts_created": 1,
        "queued_for_scoring": 5,
    }
    # The web process's scorer folds the backlog in; here the service does it.
    with world.engine.begin() as connection:
        assert score_backlog(connection, now=TUESDAY) == BacklogRun(5, 1)
    again = client.post("/api/v1/events", json={"events": _batch()}, headers=headers)
    assert again.json() == {
        "accepted": 0,
        "duplicates": 5,
        "contacts_created": 0,
        "queued_for_scoring": 0,
    }
    with world.engine.begin() as connection:
        assert score_backlog(connection, now=TUESDAY) == BacklogRun(0, 0)
    assert (count_events(world.engine), count_contacts(world.engine)) == (
        before[0] + 5,
        before[1] + 1,
    )


def test_an_item_repeated_within_a_batch_counts_as_a_duplicate(world: World) -> None:
    client = signed_in(world.app, "admin")
    item = event("page_view", "ops@acme.fi", 0.3, url="/blog/x")
    response = client.post(
        "/api/v1/events", json={"events": [item, item]}, headers={"X-CSRF-Token": client.csrf}
    )
    assert response.json()["accepted"] == 1
    assert response.json()["duplicates"] == 1


def test_a_bad_field_rejects_the_whole_batch_and_is_named(world: World) -> None:
    client = signed_in(world.app, "marketing")
    before = count_events(world.engine), count_contacts(world.engine)
    items = _batch()
    items[3]["occurred_at"] = "yesterday"
    response = client.post(
        "/api/v1/events", json={"events": items}, headers={"X-CSRF-Token": client.csrf}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert [error["field"] for error in body["errors"]] == ["events[3].occurred_at"]
    assert body["detail"].startswith("events[3].occurred_at: ")
    assert (count_events(world.engine), count_contacts(world.engine)) == before


def test_an_item_the_service_refuses_rolls_the_batch_back(world: World) -> None:
    client = signed_in(world.app, "marketing")
    before = count_events(world.engine), count_contacts(world.engine)
    items = _batch()
    items[1] = event("page_view", "stranger@nowhere.example", 0.2)
    items[4] = event("page_view", "@unknown-domain.example", 0.2)
    response = client.post(
        "/api/v1/events", json={"events": items}, headers={"X-CSRF-Token": client.csrf}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "events[1].email",
            "message": "no contact with email stranger@nowhere.example; "
            "only form_submit events create contacts",
        },
        {
            "field": "events[4].account_domain",
            "message": "no account with domain unknown-domain.example",
        },
    ]
    assert "nothing of this batch was stored" in response.json()["detail"]
    # The form submission at index 2 would have created new@acme.fi: it did not.
    assert (count_events(world.engine), count_contacts(world.engine)) == before


def test_a_batch_holds_one_to_a_thousand_events(world: World) -> None:
    client = signed_in(world.app, "admin")
    headers = {"X-CSRF-Token": client.csrf}
    item = event("page_view", "ops@acme.fi", 0.3)
    too_many = client.post("/api/v1/events", json={"events": [item] * 1001}, headers=headers)
    assert too_many.status_code == 422
    assert [error["field"] for error in too_many.json()["errors"]] == ["events"]
    empty = client.post("/api/v1/events", json={"events": []}, headers=headers)
    assert empty.status_code == 422
    subjectless = client.post(
        "/api/v1/events",
        json={"events": [{"type": "page_view", "occurred_at": "2026-06-01T10:00:00Z"}]},
        headers=headers,
    )
    assert [error["field"] for error in subjectless.json()["errors"]] == ["events[0]"]


def test_values_no_database_stores_are_named_not_crashed_on(world: World) -> None:
    client = signed_in(world.app, "admin")
    headers = {"X-CSRF-Token": client.csrf, "Content-Type": "application/json"}
    item = '{"type": "page_view", "occurred_at": "2026-06-01T10:00:00Z", "visitor_id": "v", '
    cases = [
        (item + '"properties": {"url": "/a\\u0000b"}}', "events[0].properties.url"),
        (item + '"properties": {"depth": [1, NaN]}}', "events[0].properties.depth[1]"),
        (item + '"contact_id": 99999999999}', "events[0].contact_id"),
        (item + '"channel": "w\\u0000"}', "events[0].channel"),
        (item.replace("2026-06-01T10:00:00Z", "0001-01-01T00:00:00+14:00")[:-2] + "}",
         "events[0].occurred_at"),
        ("[1, 2", "body"),
    ]  # fmt: skip
    for events, field in cases:
        response = client.post(
            "/api/v1/events", content=f'{{"events": [{events}]}}', headers=headers
        )
        assert response.status_code == 422, events
        assert response.json()["errors"][0]["field"] == field, events
    # "NaN" inside a string is just text.
    fine = item + '"properties": {"title": "NaN and Infinity"}}'
    stored = client.post("/api/v1/events", content=f'{{"events": [{fine}]}}', headers=headers)
    assert stored.json()["accepted"] == 1
    as_form = client.post(
        "/api/v1/events", data={"events": "x"}, headers={"X-CSRF-Token": client.csrf}
    )
    assert as_form.status_code == 415


def test_an_integrator_sends_events_with_a_scoped_token(world: World) -> None:
    with world.engine.begin() as connection:
        writer = issue_token(
            connection, MARKETING, name="site", scopes=["events:write"], now=NOW, actor=Actor(None)
        )
        reader = issue_token(
            connection, MARKETING, name="ro", scopes=["records:read"], now=NOW, actor=Actor(None)
        )
    client = signed_in(world.app, "marketing")
    client.cookies.clear()
    batch = {"events": [event("page_view", "ops@acme.fi", 0.3, url="/x")]}
    sent = client.post(
        "/api/v1/events", json=batch, headers={"Authorization": f"Bearer {writer.token}"}
    )
    assert sent.status_code == 200
    assert sent.json()["accepted"] == 1
    refused = client.post(
        "/api/v1/events", json=batch, headers={"Authorization": f"Bearer {reader.token}"}
    )
    assert refused.status_code == 403


#: Who may reach what: (role, method, path, body, status); ``{ops}`` is Sales User's.
ROLE_CASES = [
    ("sales", "POST", "/api/v1/events", {"events": []}, 403),
    ("marketing", "POST", "/api/v1/queue/{ops}/accept", {}, 403),
    ("marketing", "POST", "/api/v1/contacts/{ops}/qualification", {"need": "x"}, 403),
    ("marketing", "POST", "/api/v1/contacts/{ops}/transitions", {"transition": "accept"}, 403),
    ("marketing", "GET", "/api/v1/queue", None, 200),
    ("marketing", "GET", "/api/v1/contacts/{ops}/explanation", None, 200),
    ("sales", "GET", "/api/v1/contacts/{ops}/explanation", None, 200),
    # Pohja is Sofia's: to another salesperson its people do not exist.
    ("sales", "GET", "/api/v1/contacts/{director}/explanation", None, 404),
    ("sales", "GET", "/api/v1/contacts/{director}/stages", None, 404),
    ("sales", "POST", "/api/v1/queue/{director}/accept", {}, 404),
    ("sales", "POST", "/api/v1/contacts/{director}/qualification", {"need": "x"}, 404),
    ("admin", "GET", "/api/v1/contacts/{director}/stages", None, 200),
    ("admin", "GET", "/api/v1/contacts/999999/explanation", None, 404),
    ("admin", "GET", "/api/v1/contacts/99999999999/explanation", None, 422),
]


def test_each_role_reaches_what_it_may(world: World) -> None:
    clients = {role: signed_in(world.app, role) for role in ("admin", "marketing", "sales")}
    ops, director = world.ids["ops@acme.fi"], world.ids["director@pohja.fi"]
    answered = []
    for role, method, path, body, _status in ROLE_CASES:
        client = clients[role]
        response = client.request(
            method,
            path.format(ops=ops, director=director),
            json=body,
            headers={**JSON, "X-CSRF-Token": client.csrf},
        )
        answered.append((role, method, path, body, response.status_code))
    assert answered == ROLE_CASES
