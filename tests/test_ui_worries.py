"""The worries pages: list, new worry, tags added and removed (profiles recomputed in the
background), the profile on the contact and account pages, and who may change what."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, select

from silverplatter.domain.records import AccountFields, ContactFields
from silverplatter.services.email_templates import TemplateDraft, create_template
from silverplatter.services.ingest import ingest_events
from silverplatter.services.lead_magnets import create_lead_magnet
from silverplatter.services.records import upsert_accounts, upsert_contacts
from silverplatter.storage.schema import accounts, contacts
from web_world import NOW, Clock, SignedIn, seed_users, signed_in, web_app

HTML = {"Accept": "text/html"}


@pytest.fixture
def world(engine: Engine, database_url: str) -> tuple[FastAPI, dict[str, int]]:
    seed_users(engine)
    with engine.begin() as connection:
        upsert_accounts(connection, [AccountFields(name="Nordtek", domain="nordtek.fi")], now=NOW)
        upsert_contacts(
            connection,
            [ContactFields(email="anna@nordtek.fi", account_domain="nordtek.fi")],
            now=NOW,
        )
        ingest_events(
            connection,
            [
                {
                    "type": "page_view",
                    "email": "anna@nordtek.fi",
                    "occurred_at": (NOW - timedelta(days=45)).isoformat(),
                    "properties": {"url": "/benchmarks/erp-tco"},
                }
            ],
            now=NOW,
        )
        ids = {
            "anna": connection.execute(select(contacts.c.id)).scalar_one(),
            "nordtek": connection.execute(select(accounts.c.id)).scalar_one(),
        }
    return web_app(engine, database_url, Clock(NOW)), ids


def _text(page: str) -> str:
    page = re.sub(r"<svg.*?</svg>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _post(client: SignedIn, path: str, data: dict[str, str]) -> Any:
    return client.post(
        path, data={**data, "csrf_token": client.csrf}, headers=HTML, follow_redirects=False
    )


def test_a_worry_is_added_tagged_and_shows_on_the_people_pages(
    world: tuple[FastAPI, dict[str, int]],
) -> None:
    application, ids = world
    client = signed_in(application, "marketing")
    assert "No worries yet." in _text(client.get("/worries", headers=HTML).text)
    made = _post(
        client,
        "/worries",
        {"name": "Cost control", "talking_point": "Offer the TCO benchmark walkthrough"},
    )
    assert (made.status_code, made.headers["location"]) == (
        303,
        "/worries/cost-control?done=created",
    )
    tagged = _post(
        client,
        "/worries/cost-control/tags",
        {"kind": "url_pattern", "target": "/benchmarks/*", "weight": "2"},
    )
    assert tagged.headers["location"] == "/worries/cost-control?done=tagged#tags"
    application.state.worry_recompute.wait(30)
    page = _text(client.get("/worries/cost-control?done=tagged", headers=HTML).text)
    assert "Tag added. Profiles are being recomputed" in page
    assert "People with it 1 Accounts with it 1 Tags 1" in page
    assert "Pages (URL pattern) /benchmarks/* — 2.0 Remove" in page
    listing = _text(client.get("/worries", headers=HTML).text)
    assert "Cost control Offer the TCO benchmark walkthrough 1 1 1" in listing
    # 2 points read 45 days ago with a 90-day half-life: 2/√2 = 1.41.
    contact = _text(client.get(f"/contacts/{ids['anna']}", headers=HTML).text)
    assert "Worries What they read and clicked reveals" in contact
    assert "Cost control 1.41 2026-01-16 Offer the TCO benchmark walkthrough" in contact
    account = _text(client.get(f"/accounts/{ids['nordtek']}", headers=HTML).text)
    assert "Cost control 1.41 2026-01-16" in account
    tag_id = re.search(
        r"/worries/cost-control/tags/(\d+)/delete", client.get("/worries/cost-control").text
    )
    assert tag_id is not None
    removed = _post(client, f"/worries/cost-control/tags/{tag_id.group(1)}/delete", {})
    assert removed.status_code == 303
    application.state.worry_recompute.wait(30)
    contact = _text(client.get(f"/contacts/{ids['anna']}", headers=HTML).text)
    assert "Nothing they read is tagged with a worry yet." in contact
    assert (
        _post(client, "/worries/cost-control/delete", {}).headers["location"]
        == "/worries?done=deleted"
    )


def test_bad_forms_come_back_with_their_errors(world: tuple[FastAPI, dict[str, int]]) -> None:
    application, _ids = world
    client = signed_in(application, "admin")
    bad = _post(client, "/worries", {"name": "", "slug": "", "talking_point": "x"})
    assert bad.status_code == 422
    assert "Nothing was added: name: required." in _text(bad.text)
    _post(client, "/worries", {"name": "Costs"})
    tag = _post(client, "/worries/costs/tags", {"kind": "url_pattern", "target": "pricing"})
    assert tag.status_code == 422
    assert "Not tagged: target: expected a page path or pattern such as /guides/erp-*." in _text(
        tag.text
    )
    renamed = _post(client, "/worries/costs", {"name": "Costs", "slug": "Bad Slug"})
    assert renamed.status_code == 422
    assert "Not saved: slug: expected lower-case letters" in _text(renamed.text)
    assert client.get("/worries/nope", headers=HTML).status_code == 404


def test_sales_reads_but_does_not_change(world: tuple[FastAPI, dict[str, int]]) -> None:
    application, _ids = world
    sales = signed_in(application, "sales")
    page = sales.get("/worries", headers=HTML)
    assert page.status_code == 200
    assert 'action="/worries"' not in page.text
    assert _post(sales, "/worries", {"name": "X"}).status_code == 403
    assert _post(sales, "/worries/recompute", {}).status_code == 403


def test_tags_name_the_content_they_point_at_and_flag_targets_that_are_none_of_ours(
    world: tuple[FastAPI, dict[str, int]], engine: Engine
) -> None:
    application, _ids = world
    with engine.begin() as connection:
        create_template(
            connection,
            TemplateDraft(
                name="Delivery nurture 1",
                subject="Late deliveries?",
                html_body="<p>Hello</p>",
                slug="delivery-1",
            ),
            user_id=None,
            now=NOW,
        )
        create_lead_magnet(
            connection,
            title="Late deliveries checklist",
            content=b"%PDF-1.4 checklist",
            file_name="checklist.pdf",
            slug="delivery-checklist",
            now=NOW,
        )
    client = signed_in(application, "marketing")
    _post(client, "/worries", {"name": "Late deliveries"})
    page = client.get("/worries/late-deliveries", headers=HTML).text
    # the target field offers the workspace's own content, by kind and then name
    assert re.findall(r'<option value="([^"]+)" label="([^"]+)"', page) == [
        ("delivery-checklist", "Lead magnet: Late deliveries checklist"),
        ("delivery-1", "E-mail (campaign or template key): Delivery nurture 1"),
        ("delivery-checklist", "Content id: Late deliveries checklist"),
    ]
    for kind, target in (
        ("email", "delivery-1"),
        ("lead_magnet", "delivery-checklst"),
        ("email", "broadcast:99"),
        ("content", "delivery-checklist"),
        ("url_pattern", "/guides/delivery-*"),
    ):
        added = _post(client, "/worries/late-deliveries/tags", {"kind": kind, "target": target})
        assert added.status_code == 303, added.text
    rows = _text(client.get("/worries/late-deliveries", headers=HTML).text.split('id="tags"')[1])
    assert (
        "Kind Target Content Weight Remove "
        "Content id delivery-checklist Late deliveries checklist 1.0 Remove "
        "E-mail (campaign or template key) broadcast:99 Not found: no e-mail template or "
        "broadcast has this key; only imported events with this campaign id match 1.0 Remove "
        "E-mail (campaign or template key) delivery-1 Delivery nurture 1 1.0 Remove "
        "Lead magnet delivery-checklst Not found: no lead magnet has this slug 1.0 Remove "
        "Pages (URL pattern) /guides/delivery-* — 1.0 Remove Tag content"
    ) in rows
    application.state.worry_recompute.wait(30)


def test_the_segment_builder_offers_each_worry_and_finds_the_people_who_have_it(
    world: tuple[FastAPI, dict[str, int]],
) -> None:
    application, _ids = world
    client = signed_in(application, "marketing")
    _post(client, "/worries", {"name": "Cost control"})
    _post(client, "/worries/cost-control/tags", {"kind": "url_pattern", "target": "/benchmarks/*"})
    application.state.worry_recompute.wait(30)
    editor = client.get("/segments/new", headers=HTML).text
    assert '<option value="contact.worry.cost-control">Worry: Cost control</option>' in editor
    assert '<option value="account.worry.cost-control">Account worry: Cost control</option>' in (
        editor
    )
    rule = {
        "name": "Cost worriers",
        "slug": "cost-worriers",
        "kind": "dynamic",
        "r:kind": "all",
        "r.0:kind": "field",
        "r.0:field": "contact.worry.cost-control",
        "r.0:op": "gte",
        "r.0:value": "0.7",
    }
    created = _post(client, "/segments", rule)
    assert created.status_code == 303, created.text
    # anna read it 45 days ago with a 90-day half-life: 1/√2 = 0.707, just over 0.7
    members = _text(client.get(created.headers["location"], headers=HTML).text)
    assert "Members 1" in members and "anna@nordtek.fi" in members
    higher = _post(
        client,
        created.headers["location"],
        {**rule, "segment_id": created.headers["location"].rsplit("/", 1)[1], "r.0:value": "0.71"},
    )
    assert higher.status_code == 303, higher.text
    assert "Members 0" in _text(client.get(created.headers["location"], headers=HTML).text)
