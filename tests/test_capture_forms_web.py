"""The public form endpoints: CORS by allowed origin, inline errors, honeypot, rate limits,
the embed script and the opt-in link."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from forms_world import count, meeting_request, seed_forms
from silverplatter.services.audit import Actor
from silverplatter.services.forms import create_form
from silverplatter.services.scoring_backlog import backlog_size
from silverplatter.settings import Settings
from silverplatter.storage.capture_schema import form_submissions, outbound_mail
from silverplatter.storage.schema import consent_records, contacts
from silverplatter.web.app import create_app
from web_world import Clock, seed_users

SITE = "http://localhost:8765"
PUBLIC_URL = "https://leads.seller.example"
LEA = {
    "email": "lea@buyer.example",
    "first_name": "Lea",
    "topics_of_interest": ["ERP", "BI"],
    "consent": True,
}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def application(engine: Engine, database_url: str, clock: Clock) -> FastAPI:
    seed_users(engine)
    seed_forms(engine, workspace=False)
    settings = Settings(database_url=database_url, public_url=PUBLIC_URL)
    return create_app(settings, engine, clock=clock)


@pytest.fixture
def client(application: FastAPI) -> TestClient:
    return TestClient(application, base_url="http://127.0.0.1")


def _post(client: TestClient, payload: dict[str, Any], slug: str = "newsletter") -> Any:
    return client.post(f"/capture/forms/{slug}", json=payload, headers={"Origin": SITE})


def _stored(engine: Engine) -> int:
    with engine.connect() as connection:
        return count(connection, form_submissions)


def test_an_allowed_origin_gets_the_definition_its_preflight_and_a_submission(
    client: TestClient, engine: Engine
) -> None:
    definition = client.get("/capture/forms/newsletter", headers={"Origin": SITE})
    assert definition.status_code == 200
    assert definition.headers["access-control-allow-origin"] == SITE
    assert definition.headers["vary"] == "Origin"
    body = definition.json()
    assert body["action"] == f"{PUBLIC_URL}/capture/forms/newsletter"
    assert [field["name"] for field in body["fields"]] == ["email", "first_name", "company"]
    assert body["questions"][0] == {
        "key": "topics_of_interest",
        "label": "Which topics interest you?",
        "choices": ["ERP", "CRM", "BI"],
        "multiple": True,
        "required": False,
    }
    assert body["consent"]["version"] == 1
    assert (body["honeypot"], body["submit_label"]) == ("website", "Get the download")
    assert body["lead_magnet"] == {"title": "How to choose an ERP"}
    preflight = client.options(
        "/capture/forms/newsletter",
        headers={
            "Origin": SITE,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert {
        key: preflight.headers[key]
        for key in (
            "access-control-allow-origin",
            "access-control-allow-methods",
            "access-control-allow-headers",
            "access-control-max-age",
        )
    } == {
        "access-control-allow-origin": SITE,
        "access-control-allow-methods": "GET, POST, OPTIONS",
        "access-control-allow-headers": "Content-Type",
        "access-control-max-age": "600",
    }
    posted = _post(client, LEA)
    assert posted.status_code == 200
    assert posted.headers["access-control-allow-origin"] == SITE
    answer = posted.json()
    assert set(answer) == {"status", "message", "download_url"}
    assert answer["status"] == "ok"
    assert answer["message"] == (
        "Thank you! Please check your inbox and click the link to confirm your address."
    )
    assert answer["download_url"].startswith(f"{PUBLIC_URL}/capture/downloads/")
    assert _stored(engine) == 1
    with engine.connect() as connection:
        assert backlog_size(connection) == 1  # scored moments later, not while the visitor waits


def test_another_origin_is_refused_by_name_and_nothing_is_stored(
    client: TestClient, engine: Engine
) -> None:
    evil = "https://evil.example"
    message = (
        "https://evil.example is not one of the origins allowed to use the form newsletter; "
        "add it to the form's allowed origins"
    )
    for response in (
        client.get("/capture/forms/newsletter", headers={"Origin": evil}),
        client.options(
            "/capture/forms/newsletter",
            headers={"Origin": evil, "Access-Control-Request-Method": "POST"},
        ),
        client.post("/capture/forms/newsletter", json=LEA, headers={"Origin": evil}),
    ):
        assert response.status_code == 403
        assert "access-control-allow-origin" not in response.headers
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"] == [{"field": "origin", "message": message}]
    # the meeting form allows only the company's own site
    refused = _post(client, {**LEA, "last_name": "Laine"}, slug="request-a-meeting")
    assert refused.status_code == 403
    assert _stored(engine) == 0


def test_without_an_origin_no_cors_headers_are_sent(client: TestClient) -> None:
    response = client.get("/capture/forms/newsletter")
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_bad_answers_come_back_as_inline_errors(client: TestClient, engine: Engine) -> None:
    response = _post(client, {"email": "lea@", "topics_of_interest": ["HR"], "consent": False})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["access-control-allow-origin"] == SITE
    assert response.json() == {
        "type": "about:blank",
        "title": "Invalid input",
        "status": 422,
        "detail": "email: enter a valid e-mail address, such as name@company.com (and 2 more)",
        "errors": [
            {"field": "email", "message": "enter a valid e-mail address, such as name@company.com"},
            {
                "field": "topics_of_interest",
                "message": "'HR' is not an answer to this question; choose from ERP, CRM, BI",
            },
            {"field": "consent", "message": "tick the box to agree before sending the form"},
        ],
    }
    assert _stored(engine) == 0


def test_a_plain_form_post_repeats_keys_for_several_answers(
    client: TestClient, engine: Engine
) -> None:
    response = client.post(
        "/capture/forms/newsletter",
        data={
            "email": "otto@buyer.example",
            "topics_of_interest": ["ERP", "CRM"],
            "responsibilities": "Finance",
            "consent": "on",
            "website": "",
        },
        headers={"Origin": SITE},
    )
    assert response.status_code == 200, response.text
    with engine.connect() as connection:
        answers = connection.execute(select(form_submissions.c.answers)).scalar_one()
    assert answers == {"topics_of_interest": ["ERP", "CRM"], "responsibilities": "Finance"}


def test_a_filled_honeypot_gets_the_usual_answer_and_stores_nothing(
    client: TestClient, engine: Engine
) -> None:
    response = _post(client, {**LEA, "website": "http://cheap.example"})
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "message": "Thank you! Please check your inbox and click the link to confirm your address.",
    }
    with engine.connect() as connection:
        for table in (form_submissions, contacts, consent_records, outbound_mail):
            assert count(connection, table) == 0, table.name


def test_unknown_forms_unreadable_bodies_and_other_media_types(client: TestClient) -> None:
    missing = client.get("/capture/forms/no-such-form", headers={"Origin": SITE})
    assert missing.status_code == 404
    assert missing.json()["detail"] == "there is no open form 'no-such-form'"
    broken = client.post(
        "/capture/forms/newsletter",
        content=b"[1, 2",
        headers={"Origin": SITE, "Content-Type": "application/json"},
    )
    assert broken.status_code == 400
    assert broken.json()["errors"] == [{"field": "body", "message": "expected a JSON object"}]
    xml = client.post(
        "/capture/forms/newsletter",
        content=b"<lead/>",
        headers={"Origin": SITE, "Content-Type": "application/xml"},
    )
    assert xml.status_code == 415


def test_fifty_rapid_submissions_hit_the_limit_and_a_later_one_passes(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    answers = [_post(client, {**LEA, "email": f"bot{n}@spam.example"}) for n in range(50)]
    statuses = [response.status_code for response in answers]
    assert statuses == [200] * 5 + [429] * 45
    refused = answers[5]
    assert refused.headers["retry-after"] == "60"
    assert refused.headers["access-control-allow-origin"] == SITE
    assert refused.json()["detail"] == ("too many submissions from your address; try again in 60 s")
    assert _stored(engine) == 5
    clock.advance(seconds=30)
    assert _post(client, {**LEA, "email": "early@buyer.example"}).status_code == 429
    clock.advance(seconds=31)
    later = _post(client, LEA)
    assert later.status_code == 200
    assert _stored(engine) == 6


def test_one_address_is_limited_across_forms_too(
    application: FastAPI, client: TestClient, engine: Engine
) -> None:
    with engine.begin() as connection:
        for n in range(4):
            create_form(
                connection,
                meeting_request(slug=f"event-{n}", name=f"Event {n}", allowed_origins=[SITE]),
                actor=Actor(None),
                now=application.state.clock(),
            )
    meeting = {"first_name": "Lea", "last_name": "Laine", "consent": "yes"}
    statuses = []
    for slug in ("newsletter", "event-0", "event-1", "event-2", "event-3"):
        for n in range(5):
            payload = {**(LEA if slug == "newsletter" else meeting), "email": f"p{n}@b.example"}
            statuses.append(_post(client, payload, slug=slug).status_code)
    assert statuses == [200] * 20 + [429] * 5
    assert _stored(engine) == 20


def test_the_embed_script_knows_the_apps_address(client: TestClient) -> None:
    script = client.get("/capture/forms/newsletter/embed.js")
    assert script.status_code == 200
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert f'var BASE = "{PUBLIC_URL}/capture/forms/";' in script.text
    assert "__SP_URL__" not in script.text
    assert "innerHTML" not in script.text
    assert "sp_vid" in script.text


def _confirm_link(engine: Engine) -> str:
    with engine.connect() as connection:
        text = connection.execute(select(outbound_mail.c.text_body)).scalar_one()
    match = re.search(rf"{re.escape(PUBLIC_URL)}(/capture/opt-in/\S+)", text)
    assert match
    return match.group(1)


def _words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_the_opt_in_link_confirms_once_and_then_says_so(client: TestClient, engine: Engine) -> None:
    _post(client, LEA)
    link = _confirm_link(engine)
    first = client.get(link)
    assert first.status_code == 200
    assert "Thank you, your subscription is confirmed" in _words(first.text)
    assert "Download your copy" in first.text
    again = client.get(link)
    assert again.status_code == 200
    assert "Your subscription is already confirmed" in _words(again.text)
    with engine.connect() as connection:
        actions = connection.execute(
            select(consent_records.c.action).order_by(consent_records.c.id)
        )
        assert list(actions.scalars()) == ["granted", "confirmed"]


def test_forged_and_expired_opt_in_links_get_a_page_saying_what_to_do(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    _post(client, LEA)
    link = _confirm_link(engine)
    forged = client.get(link[:-3] + ("xyz" if not link.endswith("xyz") else "abc"))
    assert forged.status_code == 400
    assert "This confirmation link is not valid" in _words(forged.text)
    assert "fill in the form again" in _words(forged.text)
    clock.advance(days=8)
    expired = client.get(link)
    assert expired.status_code == 410
    assert "This confirmation link has expired" in _words(expired.text)
    with engine.connect() as connection:
        assert count(connection, consent_records) == 1
