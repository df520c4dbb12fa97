"""The template and broadcast pages: editor mistakes with their line, preview per contact in a
sandboxed frame, a broadcast from draft through the recipient confirmation to cancelling."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from nurture_world import PUBLIC_URL, add_template, seed_world
from silverplatter.services.audit import Actor
from silverplatter.services.segments import SegmentDraft, create_segment
from silverplatter.settings import Settings
from silverplatter.web.app import create_app
from web_world import NOW, Clock, seed_users, signed_in

RULE = {"all": [{"field": "contact.email_domain", "op": "equals", "value": "buyer.example"}]}


@pytest.fixture
def application(engine: Engine, database_url: str) -> FastAPI:
    seed_world(engine)
    seed_users(engine)
    return create_app(
        Settings(database_url=database_url, public_url=PUBLIC_URL), engine, clock=Clock()
    )


def test_the_editor_names_the_line_of_a_mistake(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    page = client.post(
        "/templates",
        data={
            "csrf_token": client.csrf,
            "name": "Broken",
            "subject": "Hi",
            "html_body": "<p>one</p>\n<p>{% if contact.first_name %}two</p>",
        },
    )
    assert page.status_code == 422
    assert "<strong>html body</strong>: line 2: Unexpected end of template" in page.text
    made = client.post(
        "/templates",
        data={
            "csrf_token": client.csrf,
            "name": "Welcome",
            "subject": "Welcome {{ contact.first_name | default('aboard') }}",
            "html_body": "<p>Hi {{ contact.first_name | default('there') }}</p>",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    listing = client.get("/templates")
    assert re.search(r'<a href="/templates/\d+">Welcome</a>', listing.text)


def test_preview_per_contact_in_a_sandboxed_frame(application: FastAPI, engine: Engine) -> None:
    template = add_template(engine)
    client = signed_in(application, "sales")
    page = client.get(f"/templates/{template}", params={"contact": "lea@buyer.example"})
    assert page.status_code == 200
    assert '<dd id="preview-subject">News for Lea</dd>' in page.text
    assert "Send test" not in page.text  # sales reads, does not send
    frame = client.get(
        f"/templates/{template}/preview.html", params={"contact": "lea@buyer.example"}
    )
    assert frame.headers["content-security-policy"].endswith("sandbox")
    assert frame.headers["x-frame-options"] == "SAMEORIGIN"
    assert frame.text.startswith("<html><body><h1>Hello Lea</h1><p>News for Buyer Oy.</p>")
    nobody = client.get(f"/templates/{template}", params={"contact": "nobody@x.example"})
    assert "no contact &#39;nobody@x.example&#39;; showing sample values" in nobody.text
    assert client.get("/templates/999").status_code == 404


def test_a_broadcast_from_draft_to_cancelled(application: FastAPI, engine: Engine) -> None:
    template = add_template(engine)
    with engine.begin() as connection:
        segment = create_segment(
            connection,
            SegmentDraft(slug="buyers", name="Buyers", rule=RULE),
            actor=Actor(None),
            now=NOW,
        ).id
    client = signed_in(application, "marketing")
    form = client.get("/broadcasts/new")
    assert "Buyers" in form.text and "Newsletter" in form.text
    missing = client.post(
        "/broadcasts", data={"csrf_token": client.csrf, "name": "Week 10", "template_id": ""}
    )
    assert missing.status_code == 422 and "<strong>template</strong>: choose one" in missing.text
    made = client.post(
        "/broadcasts",
        data={
            "csrf_token": client.csrf,
            "name": "Week 10",
            "template_id": str(template),
            "segment_id": str(segment),
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    page = client.get(made.headers["location"])
    assert '<strong id="recipient-count">2</strong> people now' in page.text
    url = made.headers["location"].split("?")[0]
    unconfirmed = client.post(f"{url}/schedule", data={"csrf_token": client.csrf, "at": ""})
    assert unconfirmed.status_code == 422 and "tick the box" in unconfirmed.text
    scheduled = client.post(
        f"{url}/schedule",
        data={"csrf_token": client.csrf, "at": "2026-03-09T08:00", "confirm": "yes"},
        follow_redirects=False,
    )
    assert scheduled.headers["location"].endswith("?done=scheduled")
    shown = client.get(scheduled.headers["location"])
    assert "scheduled for 2026-03-09 08:00 UTC" in shown.text
    cancelled = client.post(
        f"{url}/cancel", data={"csrf_token": client.csrf}, follow_redirects=False
    )
    assert cancelled.status_code == 303
    listing = client.get("/broadcasts")
    assert re.search(r"Week 10</a>.*?cancelled", listing.text, re.DOTALL)
    sales = signed_in(application, "sales")
    assert sales.get("/broadcasts/new").status_code == 403
    assert sales.get("/broadcasts").status_code == 200
