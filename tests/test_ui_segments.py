"""Segment pages: the list, the rule builder with its live count and errors, members, snapshot."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from segment_world import build
from silverplatter.services import segments as service
from silverplatter.services.audit import Actor
from web_world import NOW, SignedIn, signed_in, web_app

HTMX = {"HX-Request": "true"}


@pytest.fixture
def world(engine: Engine, database_url: str) -> tuple[FastAPI, dict[str, int]]:
    ids = build(engine)
    return web_app(engine, database_url), ids


def _make(engine: Engine, slug: str, rule: dict[str, Any], kind: str = "dynamic") -> Any:
    with engine.begin() as connection:
        draft = service.draft_of({"slug": slug, "name": slug.title(), "kind": kind, "rule": rule})
        return service.create_segment(connection, draft, actor=Actor(None), now=NOW)


def _post(client: SignedIn, path: str, data: dict[str, Any], **headers: str) -> Any:
    return client.post(
        path,
        data={"csrf_token": client.csrf, **data},
        headers=headers,
        follow_redirects=False,
    )


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


FINNS_FORM = {
    "name": "Finns",
    "slug": "finns",
    "kind": "dynamic",
    "r:kind": "all",
    "r.0:kind": "field",
    "r.0:field": "contact.country",
    "r.0:op": "equals",
    "r.0:value": "finland",
}


def test_the_list_shows_segments_with_their_counts_to_marketing_only(
    world: tuple[FastAPI, dict[str, int]], engine: Engine
) -> None:
    application, _ = world
    _make(engine, "finns", {"field": "contact.country", "op": "equals", "value": "FI"})
    marketing = signed_in(application, "marketing")
    page = marketing.get("/segments")
    assert page.status_code == 200
    assert 'href="/segments/new"' in page.text
    assert "Finns finns dynamic — never" in _text(page.text)
    assert '<a href="/segments" aria-current="page">Segments</a>' in page.text
    marketing.get("/segments/1")
    assert "Finns finns dynamic 2" in _text(marketing.get("/segments").text)
    assert signed_in(application, "sales").get("/segments").status_code == 403


def test_the_builder_adds_conditions_and_counts_as_it_goes(
    world: tuple[FastAPI, dict[str, int]],
) -> None:
    application, _ = world
    client = signed_in(application, "marketing")
    editor = client.get("/segments/new")
    assert editor.status_code == 200
    assert "2 contacts match this rule now" in _text(editor.text)  # "country is FI" to start with
    added = _post(client, "/segments/editor", {**FINNS_FORM, "action": "add-event:r"}, **HTMX)
    assert added.status_code == 200
    assert added.text.lstrip().startswith('<div id="segment-rule"')
    assert (
        'name="r.1:event" type="text" list="segment-event-types" value="email_click"' in added.text
    )
    assert "1 contact match this rule now" in _text(added.text)  # Finns who clicked: Anna
    grouped = _post(client, "/segments/editor", {**FINNS_FORM, "action": "add-group:r"}, **HTMX)
    assert 'name="r.1:kind"' in grouped.text and 'name="r.1.0:field"' in grouped.text
    removed = _post(client, "/segments/editor", {**FINNS_FORM, "action": "remove:r.0"}, **HTMX)
    assert "6 contacts match this rule now" in _text(removed.text)
    assert "No conditions: every contact." in _text(removed.text)


def test_changing_a_field_offers_its_operators_and_errors_show_at_the_condition(
    world: tuple[FastAPI, dict[str, int]],
) -> None:
    application, _ = world
    client = signed_in(application, "marketing")
    switched = _post(
        client, "/segments/editor", {**FINNS_FORM, "r.0:field": "account.employees"}, **HTMX
    )
    assert '<option value="gt">more than</option>' in switched.text
    assert '<option value="equals" selected>is</option>' in switched.text
    assert 'name="r.0:value" type="number"' in switched.text
    bad = {**FINNS_FORM, "r.0:field": "account.employees", "r.0:op": "gt", "r.0:value": "many"}
    refused = _post(client, "/segments/editor", bad, **HTMX)
    assert "The rule has 1 problem; they are marked at their conditions." in _text(refused.text)
    assert (
        '<ul class="segment-errors" role="alert">'
        "<li><code>value</code>: expected a number</li></ul>" in refused.text
    )


def test_raw_json_is_accepted_and_its_errors_named(world: tuple[FastAPI, dict[str, int]]) -> None:
    application, _ = world
    client = signed_in(application, "marketing")
    rule = (
        '{"any": [{"field": "contact.grade", "op": "gte", "value": "B"},'
        ' {"event": "email_click", "within_days": 30}]}'
    )
    used = _post(
        client, "/segments/editor", {**FINNS_FORM, "action": "json", "rule_json": rule}, **HTMX
    )
    assert "3 contacts match this rule now" in _text(used.text)
    assert 'name="r:kind" aria-label="Group">' in used.text
    assert '<option value="any" selected>Any of</option>' in used.text
    broken = _post(
        client, "/segments/editor", {**FINNS_FORM, "action": "json", "rule_json": "{"}, **HTMX
    )
    assert "not valid JSON: Expecting property name enclosed in double quotes" in broken.text
    assert '<details class="segment-json" open>' in broken.text


def test_saving_shows_the_members_and_refuses_bad_input(
    world: tuple[FastAPI, dict[str, int]], engine: Engine
) -> None:
    application, _ = world
    client = signed_in(application, "marketing")
    created = _post(client, "/segments", FINNS_FORM)
    assert created.status_code == 303
    segment_id = int(created.headers["location"].rsplit("/", 1)[1])
    page = client.get(created.headers["location"])
    words = _text(page.text)
    assert "Members 2" in words
    assert "Contact: country is FI" in words
    assert "Anna Virtanen anna@nordtek.fi Nordtek FI mql A 80.0" in words
    assert "Pekka Korhonen pekka@nordtek.fi" in words
    again = _post(client, "/segments", FINNS_FORM)
    assert again.status_code == 422
    assert "Slug: a segment &#39;finns&#39; exists already" in again.text
    bad_rule = _post(client, "/segments", {**FINNS_FORM, "slug": "other", "r.0:value": "Atlantis"})
    assert bad_rule.status_code == 422
    assert "is not a country" in bad_rule.text
    changed = _post(
        client,
        f"/segments/{segment_id}",
        {**FINNS_FORM, "segment_id": str(segment_id), "name": "Suomi", "r.0:value": "SE"},
    )
    assert changed.status_code == 303
    assert "Sara O&#39;Brien" in client.get(f"/segments/{segment_id}").text


def test_snapshot_paging_and_delete(world: tuple[FastAPI, dict[str, int]], engine: Engine) -> None:
    application, _ = world
    everyone = _make(engine, "everyone", {"all": []}, kind="static")
    client = signed_in(application, "admin")
    taken = _post(client, f"/segments/{everyone.id}/snapshot", {})
    assert taken.headers["location"] == f"/segments/{everyone.id}?snapshot=6"
    first = client.get(taken.headers["location"])
    assert "Snapshot taken: 6 members." in first.text
    assert "Next page" not in first.text
    dynamic = _make(engine, "finns", {"field": "contact.country", "op": "equals", "value": "FI"})
    assert _post(client, f"/segments/{dynamic.id}/snapshot", {}).status_code == 409
    gone = _post(client, f"/segments/{dynamic.id}/delete", {})
    assert gone.headers["location"] == "/segments?deleted=Finns"
    assert "Segment &#39;Finns&#39; was deleted." in client.get(gone.headers["location"]).text
    assert client.get(f"/segments/{dynamic.id}").status_code == 404
