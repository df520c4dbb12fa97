"""The forms pages: the list with this month's figures, the editor with inline errors,
and a form's page with its embed code and latest submissions."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, insert, select

from forms_world import NOW, WORDING, seed_forms
from silverplatter.services.forms import Form
from silverplatter.storage.access_schema import audit_log
from silverplatter.storage.capture_schema import consent_wordings, form_submissions
from silverplatter.storage.schema import contacts
from web_world import SignedIn, seed_users, signed_in, web_app


@pytest.fixture
def application(engine: Engine, database_url: str) -> FastAPI:
    seed_users(engine)
    return web_app(engine, database_url)


@pytest.fixture
def forms(engine: Engine, application: FastAPI) -> dict[str, Form]:
    return seed_forms(engine, workspace=False)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _editor_fields(**values: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Webinar sign-up",
        "slug": "webinar",
        "cta_kind": "soft",
        "lead_magnet": "",
        "double_opt_in": "on",
        "active": "on",
        "ask.first_name": "on",
        "required.first_name": "on",
        "label.first_name": "Your first name",
        "order.first_name": "1",
        "order.email": "2",
        "ask.company": "on",
        "order.company": "3",
        "q0.key": "topics_of_interest",
        "q0.label": "Which topics?",
        "q0.choices": "ERP\r\nBI\r\n",
        "q0.multiple": "on",
        "q0.property": "topics",
        "q2.key": "current_situation",
        "q2.label": "Where are you now?",
        "q2.choices": "Looking\nNot looking",
        "q2.required": "on",
        "consent_wording": "Yes, send me the webinar invitations.",
        "success_message": "See you there!",
        "allowed_origins": "https://www.seller.example\n\nhttp://localhost:8765/",
    }
    data.update(values)
    return data


def _post(client: SignedIn, path: str, data: dict[str, Any]) -> Any:
    return client.post(
        path,
        data={**data, "csrf_token": client.csrf},
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )


def test_the_list_shows_this_months_figures(
    application: FastAPI, engine: Engine, forms: dict[str, Form]
) -> None:
    with engine.begin() as connection:
        for opt_in, at in (
            ("confirmed", NOW - timedelta(hours=2)),
            ("unconfirmed", NOW - timedelta(hours=1)),
            ("confirmed", NOW - timedelta(days=35)),
        ):
            connection.execute(
                insert(form_submissions).values(
                    form_id=forms["newsletter"].id, answers={}, opt_in=opt_in, submitted_at=at
                )
            )
    page = signed_in(application, "marketing").get("/forms")
    assert page.status_code == 200
    text = _text(page.text)
    assert "Newsletter newsletter soft yes 2 50 % taking submissions" in text
    assert "Request a meeting request-a-meeting hard no 0 — taking submissions" in text
    assert 'href="/forms/new"' in page.text
    assert 'aria-current="page">Forms</a>' in page.text
    assert "style=" not in page.text and "<script>" not in page.text


def test_admin_sees_it_too_and_sales_may_not(application: FastAPI, forms: dict[str, Form]) -> None:
    assert signed_in(application, "admin").get("/forms").status_code == 200
    sales = signed_in(application, "sales")
    for path in ("/forms", f"/forms/{forms['newsletter'].id}", "/forms/new"):
        response = sales.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 403, path
    assert "Capture" not in _text(sales.get("/").text)


def test_a_new_form_is_saved_from_the_editor(
    application: FastAPI, engine: Engine, forms: dict[str, Form]
) -> None:
    client = signed_in(application, "marketing")
    editor = client.get("/forms/new")
    assert editor.status_code == 200
    assert 'id="field-email-ask"' in editor.text and 'id="q4-choices"' in editor.text
    assert '<option value="erp-guide">How to choose an ERP</option>' in editor.text
    assert '<option value="topics">Topics (topics)</option>' in editor.text
    response = _post(client, "/forms", _editor_fields())
    assert response.status_code == 303
    form_id = int(response.headers["location"].split("/")[2].split("?")[0])
    assert response.headers["location"] == f"/forms/{form_id}?done=created"
    page = client.get(response.headers["location"])
    text = _text(page.text)
    assert "Form created." in text
    assert "&lt;div data-silverplatter-form=&#34;webinar&#34;&gt;&lt;/div&gt;" in page.text
    assert "/capture/forms/webinar/embed.js" in page.text
    assert "Allowed origins: https://www.seller.example , http://localhost:8765" in text
    assert "Your first name required E-mail required Company Which topics?" in text
    assert "No submissions yet." in text
    api = client.get(f"/api/v1/forms/{form_id}").json()
    assert [(f["name"], f["label"], f["required"]) for f in api["fields"]] == [
        ("first_name", "Your first name", True),
        ("email", "E-mail", True),
        ("company", "Company", False),
    ]
    assert [(q["key"], q["choices"], q["multiple"], q["required"], q["property"])
            for q in api["questions"]] == [
        ("topics_of_interest", ["ERP", "BI"], True, False, "topics"),
        ("current_situation", ["Looking", "Not looking"], False, True, None),
    ]  # fmt: skip
    assert (api["success_message"], api["double_opt_in"], api["version"]) == (
        "See you there!",
        True,
        1,
    )


def test_errors_come_back_next_to_their_inputs(
    application: FastAPI, engine: Engine, forms: dict[str, Form]
) -> None:
    client = signed_in(application, "marketing")
    response = _post(
        client,
        "/forms",
        _editor_fields(
            slug="newsletter",
            **{"q2.choices": "Looking", "label.company": "x" * 201},
            allowed_origins="https://ok.example\nwww.example.com",
        ),
    )
    assert response.status_code == 422
    html = response.text
    assert _text(html).count("The form was not saved:") == 1
    expected = {
        "form-slug": "newsletter is already the slug of another form",
        "field-company-label": "must be at most 200 characters, got 201",
        "q2-choices": "give 2 to 12 choices, got 1",
        "form-origins": "line 2: expected an origin such as https://www.example.com or "
        "http://localhost:8080, got &#39;www.example.com&#39;",
    }
    for input_id, message in expected.items():
        assert f'id="{input_id}-error">{message}</p>' in html, input_id
        assert re.search(rf'id="{input_id}"[^>]*aria-invalid="true"', html), input_id
    assert '<a href="#q2-choices">Question 3, choices: give 2 to 12 choices, got 1</a>' in html
    # what was typed is kept
    assert 'value="Webinar sign-up"' in html and "Looking</textarea>" in html
    with engine.connect() as connection:
        assert (
            connection.execute(select(audit_log.c.action)).scalars().all().count("form.created")
            == 2
        )


def test_editing_changes_the_form_and_adds_a_wording_version(
    application: FastAPI, engine: Engine, forms: dict[str, Form]
) -> None:
    client = signed_in(application, "marketing")
    form = forms["newsletter"]
    editor = client.get(f"/forms/{form.id}/edit")
    assert editor.status_code == 200
    assert 'value="Work e-mail"' in editor.text
    assert 'id="form-slug" name="slug"' in editor.text and "readonly" in editor.text
    data = _editor_fields(
        name="Newsletter",
        slug="ignored-when-editing",
        consent_wording="Yes, email me the monthly newsletter.",
        lead_magnet="erp-guide",
        allowed_origins="https://www.seller.example",
    )
    response = _post(client, f"/forms/{form.id}", data)
    assert response.status_code == 303
    assert response.headers["location"] == f"/forms/{form.id}?done=saved"
    page = _text(client.get(response.headers["location"]).text)
    assert "Changes saved." in page
    assert "Version 2" in page
    assert f"2 Yes, email me the monthly newsletter. 2026-03-02 09:00 1 {WORDING}" in page
    with engine.connect() as connection:
        versions = connection.execute(
            select(consent_wordings.c.version).where(consent_wordings.c.form_id == form.id)
        ).scalars()
        assert sorted(versions) == [1, 2]


def test_a_forms_page_lists_the_latest_submissions(
    application: FastAPI, engine: Engine, forms: dict[str, Form]
) -> None:
    with engine.begin() as connection:
        contact_id = connection.execute(
            insert(contacts)
            .values(
                email="lea@buyer.example",
                email_key="lea@buyer.example",
                first_name="Lea",
                last_name="Laine",
                custom={},
                created_at=NOW,
                updated_at=NOW,
            )
            .returning(contacts.c.id)
        ).scalar_one()
        connection.execute(
            insert(form_submissions).values(
                form_id=forms["newsletter"].id,
                contact_id=contact_id,
                answers={"topics_of_interest": ["ERP", "BI"], "responsibilities": "IT"},
                opt_in="confirmed",
                submitted_at=NOW,
            )
        )
    page = signed_in(application, "marketing").get(f"/forms/{forms['newsletter'].id}")
    text = _text(page.text)
    assert (
        "2026-03-02 09:00 Lea Laine lea@buyer.example confirmed "
        "topics of interest: ERP, BI responsibilities: IT"
    ) in text
    assert f'href="/contacts/{contact_id}"' in page.text
    missing = signed_in(application, "marketing").get("/forms/999", headers={"Accept": "text/html"})
    assert missing.status_code == 404
