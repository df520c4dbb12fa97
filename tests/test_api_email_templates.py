"""REST API of e-mail templates and broadcasts: problems name the part and the line;
variants; preview per contact; a test send to a real SMTP server."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from mail_world import smtp_server
from nurture_world import PUBLIC_URL, seed_world
from silverplatter.settings import Settings
from silverplatter.web.app import create_app
from web_world import Clock, SignedIn, seed_users
from web_world import signed_in as sign_in

HTML = (
    "<p>Hello {{ contact.first_name | default('there') }}</p>\n"
    "<p>{{ account.name | default('your company') }}</p>"
)


def _app(engine: Engine, database_url: str, **settings: object) -> FastAPI:
    seed_world(engine)
    seed_users(engine)
    configured = Settings(database_url=database_url, public_url=PUBLIC_URL, **settings)
    return create_app(configured, engine, clock=Clock())


def signed_in(application: FastAPI, role: str) -> SignedIn:
    """A signed-in client whose every request carries the session's CSRF token."""
    client = sign_in(application, role)
    client.headers["X-CSRF-Token"] = client.csrf
    return client


@pytest.fixture
def application(engine: Engine, database_url: str) -> FastAPI:
    return _app(engine, database_url)


def _create(client: object, **more: str) -> dict[str, object]:
    body = {
        "name": "Weekly news",
        "subject": "News for {{ contact.first_name }}",
        "html_body": HTML,
    }
    answer = client.post("/api/v1/templates", json=body | more)  # type: ignore[attr-defined]
    assert answer.status_code == 201, answer.text
    result: dict[str, object] = answer.json()
    return result


def test_create_read_change_and_roles(application: FastAPI) -> None:
    marketing = signed_in(application, "marketing")
    made = _create(marketing)
    assert (made["slug"], made["version"], made["text_body"], made["variants"]) == (
        "weekly-news",
        1,
        "",
        [],
    )
    sales = signed_in(application, "sales")
    assert sales.get(f"/api/v1/templates/{made['id']}").status_code == 200
    refused = sales.post("/api/v1/templates", json={"name": "x", "subject": "y", "html_body": "z"})
    assert refused.status_code == 403
    changed = marketing.put(
        f"/api/v1/templates/{made['id']}",
        json={"name": "Weekly news", "subject": "Hi", "html_body": HTML},
    )
    assert (changed.status_code, changed.json()["version"]) == (200, 2)
    taken = marketing.post(
        "/api/v1/templates", json={"name": "Weekly news", "subject": "x", "html_body": "y"}
    )
    assert (taken.status_code, taken.json()["errors"][0]["field"]) == (409, "slug")


def test_mistakes_name_the_part_and_the_line(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    answer = client.post(
        "/api/v1/templates",
        json={"name": "Broken", "subject": "Hi", "html_body": "<p>ok</p>\n<p>{{ contact.name }\n"},
    )
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"field": "html_body", "message": "unexpected '}'", "line": "2"}
    ]
    probe = client.post(
        "/api/v1/templates",
        json={"name": "Probe", "subject": "Hi", "html_body": "{{ ''.__class__.__mro__ }}"},
    )
    assert probe.status_code == 422
    assert probe.json()["errors"][0]["message"] == (
        "private attributes ('__class__', '__mro__') are not available"
    )


def test_variants_and_preview_per_contact(application: FastAPI, engine: Engine) -> None:
    client = signed_in(application, "marketing")
    made = _create(client)
    variant = client.put(
        f"/api/v1/templates/{made['id']}/variants",
        json={
            "decision_role": "decision_maker",
            "subject": "For the decision maker, {{ contact.first_name }}",
            "html_body": "<p>The return on it</p>",
        },
    )
    assert variant.status_code == 200
    assert [(v["decision_role"], v["buying_stage"]) for v in variant.json()["variants"]] == [
        ("decision_maker", None)
    ]
    bad = client.put(
        f"/api/v1/templates/{made['id']}/variants",
        json={"decision_role": "ceo", "subject": "x", "html_body": "y"},
    )
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "decision_role")
    from sqlalchemy import select

    from silverplatter.storage.schema import contacts

    with engine.connect() as connection:
        ids = dict(connection.execute(select(contacts.c.email, contacts.c.id)).all())
    lea = client.post(
        f"/api/v1/templates/{made['id']}/preview", json={"contact_id": ids["lea@buyer.example"]}
    ).json()
    assert (lea["subject"], lea["variant"], lea["decision_role"]) == (
        "For the decision maker, Lea",
        "decision_maker",
        "decision_maker",
    )
    assert lea["text"].startswith("The return on it\n\nUnsubscribe: " + PUBLIC_URL)
    olli = client.post(
        f"/api/v1/templates/{made['id']}/preview", json={"contact_id": ids["olli@buyer.example"]}
    ).json()
    assert (olli["subject"], olli["variant"]) == ("News for Olli", "base")
    assert olli["html"].startswith("<p>Hello Olli</p>\n<p>Buyer Oy</p>")
    sample = client.post(f"/api/v1/templates/{made['id']}/preview", json={}).json()
    assert sample["subject"] == "News for Sample"
    missing = client.post(f"/api/v1/templates/{made['id']}/preview", json={"contact_id": 999})
    assert missing.status_code == 404


def test_test_send_goes_through_the_smtp_server(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    with smtp_server() as inbox:
        application = _app(
            engine,
            database_url,
            smtp_url=f"smtp://127.0.0.1:{inbox.port}",
            task_queue_path=str(tmp_path / "tasks.db"),
        )
        client = signed_in(application, "marketing")
        made = _create(client)
        answer = client.post(
            f"/api/v1/templates/{made['id']}/test", json={"to": "me@seller.example"}
        )
        assert answer.status_code == 200, answer.text
        refused = client.post(f"/api/v1/templates/{made['id']}/test", json={"to": "not an address"})
        inbox.wait_for(1)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "to"
    assert [message["Subject"] for message in inbox.messages] == ["[Test] News for Sample"]
    assert [rcpts for _s, rcpts in inbox.envelopes] == [["me@seller.example"]]


def test_test_send_without_a_server_says_so(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    made = _create(client)
    answer = client.post(f"/api/v1/templates/{made['id']}/test", json={"to": "me@seller.example"})
    assert answer.status_code == 422
    assert "no SMTP server" in answer.json()["detail"]


def test_broadcast_api_flow(application: FastAPI, engine: Engine) -> None:
    client = signed_in(application, "marketing")
    made = _create(client)
    segment = client.post(
        "/api/v1/segments",
        json={
            "slug": "buyers",
            "name": "Buyers",
            "rule": {
                "all": [{"field": "contact.email_domain", "op": "equals", "value": "buyer.example"}]
            },
        },
    )
    assert segment.status_code == 201, segment.text
    draft = client.post(
        "/api/v1/broadcasts",
        json={"name": "Week 10", "template_id": made["id"], "segment_id": segment.json()["id"]},
    )
    assert (draft.status_code, draft.json()["status"]) == (201, "draft")
    broadcast = draft.json()["id"]
    assert client.get(f"/api/v1/broadcasts/{broadcast}/recipients").json() == {"recipients": 2}
    scheduled = client.post(
        f"/api/v1/broadcasts/{broadcast}/schedule", json={"at": "2026-03-09T08:00:00Z"}
    )
    assert (scheduled.json()["status"], scheduled.json()["scheduled_at"]) == (
        "scheduled",
        "2026-03-09T08:00:00Z",
    )
    assert client.post(f"/api/v1/broadcasts/{broadcast}/cancel").json() == {"withdrawn": 0}
    again = client.post(f"/api/v1/broadcasts/{broadcast}/cancel")
    assert (again.status_code, again.json()["errors"][0]["field"]) == (409, "status")
    bad = client.post("/api/v1/broadcasts", json={"name": "x", "template_id": 99, "segment_id": 1})
    assert bad.json()["errors"] == [{"field": "template_id", "message": "no template with id 99"}]
    figures = client.get(f"/api/v1/broadcasts/{broadcast}").json()["figures"]
    assert figures == {
        "recipients": 0, "sent": 0, "delivered": 0, "bounced": 0, "suppressed": 0,
        "failed": 0, "waiting": 0, "opens": 0, "clicks": 0, "unsubscribes": 0,
    }  # fmt: skip
