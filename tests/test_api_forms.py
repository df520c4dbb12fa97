"""The forms API: list, read, create and change forms, list submissions, errors by field."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, insert, select

from forms_world import NOW, WORDING, meeting_request, newsletter, seed_forms
from silverplatter.services.forms import Form
from silverplatter.storage.access_schema import audit_log
from silverplatter.storage.capture_schema import form_submissions
from silverplatter.storage.schema import contacts
from web_world import SignedIn, seed_users, signed_in, web_app


@pytest.fixture
def application(engine: Engine, database_url: str) -> FastAPI:
    seed_users(engine)
    return web_app(engine, database_url)


@pytest.fixture
def forms(engine: Engine, application: FastAPI) -> dict[str, Form]:
    return seed_forms(engine, workspace=False)


def _write(client: SignedIn, method: str, path: str, body: dict[str, Any]) -> Any:
    return client.request(method, path, json=body, headers={"X-CSRF-Token": client.csrf})


def test_a_form_is_created_and_read_back(application: FastAPI, forms: dict[str, Form]) -> None:
    client = signed_in(application, "marketing")
    body = meeting_request(slug="request-a-quote", name="Request a quote")
    created = _write(client, "POST", "/api/v1/forms", body)
    assert created.status_code == 201, created.text
    form = created.json()
    assert created.headers["location"] == f"/api/v1/forms/{form['id']}"
    assert {key: form[key] for key in ("slug", "name", "cta_kind", "version")} == {
        "slug": "request-a-quote",
        "name": "Request a quote",
        "cta_kind": "hard",
        "version": 1,
    }
    assert form["fields"][0] == {
        "name": "email",
        "label": "E-mail",
        "required": True,
        "type": "email",
        "property": False,
        "choices": None,
        "multiple": None,
    }
    assert (form["consent_wording_version"], form["double_opt_in"], form["lead_magnet"]) == (
        1,
        False,
        None,
    )
    assert form["embed_code"] == (
        '<div data-silverplatter-form="request-a-quote"></div>\n'
        '<script src="http://127.0.0.1:8000/capture/forms/request-a-quote/embed.js" defer>'
        "</script>"
    )
    read = client.get(f"/api/v1/forms/{form['id']}")
    assert read.status_code == 200
    assert read.json() == form


def test_forms_are_listed_in_pages(application: FastAPI, forms: dict[str, Form]) -> None:
    client = signed_in(application, "admin")
    first = client.get("/api/v1/forms", params={"limit": 1}).json()
    assert [item["slug"] for item in first["items"]] == ["newsletter"]
    assert first["next"] == forms["newsletter"].id
    second = client.get("/api/v1/forms", params={"limit": 1, "after": first["next"]}).json()
    assert [item["slug"] for item in second["items"]] == ["request-a-meeting"]
    assert second["next"] is None
    newsletter_out = first["items"][0]
    assert newsletter_out["lead_magnet"] == "erp-guide"
    assert newsletter_out["questions"][0]["property"] == "topics"
    assert newsletter_out["consent_wording"] == WORDING


def test_a_change_bumps_the_version_and_is_audited(
    application: FastAPI, engine: Engine, forms: dict[str, Form]
) -> None:
    client = signed_in(application, "marketing")
    form_id = forms["newsletter"].id
    changed = _write(
        client,
        "PATCH",
        f"/api/v1/forms/{form_id}",
        {"consent_wording": "New words.", "lead_magnet": None, "cta_kind": "hard"},
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["version"], body["consent_wording_version"], body["lead_magnet"]) == (2, 2, None)
    assert body["name"] == "Newsletter"  # what was not sent is kept
    with engine.connect() as connection:
        entry = connection.execute(
            select(audit_log.c.action, audit_log.c.details, audit_log.c.user_id).order_by(
                audit_log.c.id.desc()
            )
        ).first()
    assert entry is not None
    assert (entry.action, entry.details) == (
        "form.changed",
        {
            "form_id": form_id,
            "version": 2,
            "changed": ["consent_wording", "cta_kind", "lead_magnet"],
            "consent_wording_version": 2,
        },
    )
    assert entry.user_id is not None


def test_refusals_are_problems_naming_each_field(
    application: FastAPI, forms: dict[str, Form]
) -> None:
    client = signed_in(application, "marketing")
    body = newsletter(
        questions=[{"key": "q", "label": "Q", "choices": ["a", "b"], "property": "nothing"}],
        allowed_origins=["https://www.example.com/shop"],
    )
    refused = _write(client, "POST", "/api/v1/forms", body)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"] == [
        {"field": "questions[0].property", "message": "there is no contact property 'nothing'"},
        {
            "field": "allowed_origins[0]",
            "message": "expected an origin such as https://www.example.com or "
            "http://localhost:8080 (no path, query or user), got 'https://www.example.com/shop'",
        },
        {"field": "slug", "message": "newsletter is already the slug of another form"},
    ]
    shape = _write(client, "POST", "/api/v1/forms", {**body, "cta_kind": "medium"})
    assert shape.status_code == 422
    assert shape.json()["errors"][0]["field"] == "cta_kind"
    fixed = _write(client, "PATCH", f"/api/v1/forms/{forms['newsletter'].id}", {"slug": "news"})
    assert fixed.status_code == 422
    assert fixed.json()["errors"][0]["field"] == "slug"
    missing = _write(client, "PATCH", "/api/v1/forms/999", {"name": "x"})
    assert missing.status_code == 404
    assert client.get("/api/v1/forms/99999999999").status_code == 404


def test_sales_may_not_read_or_change_forms(application: FastAPI, forms: dict[str, Form]) -> None:
    client = signed_in(application, "sales")
    assert client.get("/api/v1/forms").status_code == 403
    assert _write(client, "POST", "/api/v1/forms", newsletter(slug="x")).status_code == 403


def test_submissions_newest_first_in_pages(
    application: FastAPI, engine: Engine, forms: dict[str, Form]
) -> None:
    with engine.begin() as connection:
        contact_id = connection.execute(
            insert(contacts)
            .values(
                email="lea@buyer.example",
                email_key="lea@buyer.example",
                custom={},
                created_at=NOW,
                updated_at=NOW,
            )
            .returning(contacts.c.id)
        ).scalar_one()
        ids = [
            connection.execute(
                insert(form_submissions)
                .values(
                    form_id=forms["newsletter"].id,
                    contact_id=contact_id,
                    answers={"responsibilities": "IT"},
                    opt_in="unconfirmed",
                    visitor_id="v1" if minute == 2 else None,
                    submitted_at=NOW + timedelta(minutes=minute),
                )
                .returning(form_submissions.c.id)
            ).scalar_one()
            for minute in range(3)
        ]
    client = signed_in(application, "marketing")
    path = f"/api/v1/forms/{forms['newsletter'].id}/submissions"
    first = client.get(path, params={"limit": 2}).json()
    assert [item["id"] for item in first["items"]] == [ids[2], ids[1]]
    assert first["items"][0] == {
        "id": ids[2],
        "submitted_at": "2026-03-02T09:02:00Z",
        "contact_id": contact_id,
        "email": "lea@buyer.example",
        "opt_in": "unconfirmed",
        "confirmed_at": None,
        "answers": {"responsibilities": "IT"},
        "visitor_id": "v1",
    }
    rest = client.get(path, params={"limit": 2, "after": first["next"]}).json()
    assert ([item["id"] for item in rest["items"]], rest["next"]) == ([ids[0]], None)
    other = client.get(f"/api/v1/forms/{forms['request-a-meeting'].id}/submissions").json()
    assert other == {"items": [], "next": None}
    assert client.get("/api/v1/forms/999/submissions").status_code == 404
