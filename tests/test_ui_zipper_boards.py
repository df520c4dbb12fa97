"""The zipper board pages: list and create, the editor (JSON changes and plain forms),
history and restore, exports; sales reads without controls."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from silverplatter.services.audit import Actor
from silverplatter.services.needs_segments import create_needs_segment
from silverplatter.services.zipper_boards import change_board, create_board, worry_id_named
from web_world import NOW, Clock, SignedIn, seed_users, signed_in, web_app


@pytest.fixture
def application(engine: Engine, database_url: str) -> FastAPI:
    seed_users(engine)
    with engine.begin() as connection:
        create_needs_segment(connection, {"name": "Uptime"}, now=NOW)
        worry_id_named(connection, "The line stands still", now=NOW, actor=Actor(None))
        create_board(connection, {"name": "Spare parts"}, now=NOW, actor=Actor(None))
        for version, change in enumerate(
            [
                {"op": "add_step", "lane": "customer", "name": "Order parts"},
                {"op": "add_step", "lane": "customer", "name": "Install"},
                {"op": "add_step", "lane": "ours", "name": "Deliver"},
                {"op": "add_situation", "step": "c1", "name": "Parts are late"},
            ],
            start=1,
        ):
            change_board(
                connection, "spare-parts", change, version=version, now=NOW, actor=Actor(None)
            )
    return web_app(engine, database_url, Clock(NOW))


def _text(page: str) -> str:
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).strip()
    return html.unescape(re.sub(r" ([.,;:])", r"\1", words))


def _json(client: SignedIn, version: int, change: dict[str, Any]) -> Any:
    return client.post(
        "/boards/spare-parts/changes",
        json={"version": version, "change": change},
        headers={"X-CSRF-Token": client.csrf},
    )


def test_the_list_shows_boards_and_creates_one(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    page = client.get("/boards")
    assert page.status_code == 200
    assert '<a href="/boards" aria-current="page">Customer</a>' in page.text
    assert "Spare parts" in page.text and "style=" not in page.text and "<script>" not in page.text
    refused = client.post(
        "/boards", data={"csrf_token": client.csrf, "name": "Spare parts"}, follow_redirects=False
    )
    assert refused.status_code == 422
    assert "Slug: another board already has the slug &#39;spare-parts&#39;" in refused.text
    created = client.post(
        "/boards",
        data={"csrf_token": client.csrf, "name": "Ferries", "needs_segment": "uptime"},
        follow_redirects=False,
    )
    assert (created.status_code, created.headers["location"]) == (
        303,
        "/boards/ferries?done=created",
    )
    page = client.get("/boards/ferries?done=created")
    assert "Board created. Add the customer's steps first, then ours." in _text(page.text)
    assert "Needs segment Uptime" in _text(page.text)


def test_the_editor_applies_json_changes_and_answers_with_the_redrawn_editor(
    application: FastAPI,
) -> None:
    client = signed_in(application, "marketing")
    page = client.get("/boards/spare-parts")
    assert page.status_code == 200
    assert 'data-version="5"' in page.text and '/static/zipper-editor.js"' in page.text
    assert (
        'id="item-c1" data-id="c1" data-kind="customer_step" data-index="0" draggable="true"'
        in page.text
    )
    answer = _json(client, 5, {"op": "add_touchpoint", "customer_step": "c2", "our_step": "o3"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["version"], body["summary"], body["created"]) == (
        6,
        "Joined 'Install' to 'Deliver'",
        "t5",
    )
    assert body["html"].lstrip().startswith('<div id="zb-editor"')
    assert 'data-version="6"' in body["html"] and "↔ Deliver" in body["html"]
    answer = _json(client, 6, {"op": "place_worry", "situation": "s4", "worry_name": "Wrong part"})
    assert answer.json()["summary"] == "Put 'Wrong part' on 'Parts are late'"
    listed = re.search(r'<datalist id="zb-worry-list">(.*?)</datalist>', answer.json()["html"])
    assert listed is not None
    assert re.findall(r'<option value="([^"]+)">', listed.group(1)) == [
        "The line stands still",
        "Wrong part",
    ]
    stale = _json(client, 6, {"op": "move", "item": "c2", "index": 0})
    assert stale.status_code == 409
    assert stale.json()["detail"].startswith("board 'spare-parts' is at version 7, not 6")
    bad = _json(client, 7, {"op": "move", "item": "s4", "index": 0, "to": "o3"})
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {"field": "change.to", "message": "'o3' is one of our steps; a customer step was expected"}
    ]
    missing = client.post(
        "/boards/spare-parts/changes", json={"change": {}}, headers={"X-CSRF-Token": client.csrf}
    )
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "version"


def test_the_buttons_post_the_same_changes_without_javascript(application: FastAPI) -> None:
    client = signed_in(application, "admin")
    page = client.get("/boards/spare-parts")
    assert 'id="right-c1" title="Move Order parts right"' in page.text
    moved = client.post(
        "/boards/spare-parts/changes",
        data={"csrf_token": client.csrf, "version": "5", "op": "move", "item": "c1", "index": "1"},
        follow_redirects=False,
    )
    assert (moved.status_code, moved.headers["location"]) == (
        303,
        "/boards/spare-parts?done=changed#item-c1",
    )
    page = client.get("/boards/spare-parts?done=changed")
    assert "Change saved." in page.text
    names = re.findall(r'<h3 class="zb-name">([^<]+)</h3>', page.text)
    assert names == ["Install", "Order parts", "Deliver"]
    stale = client.post(
        "/boards/spare-parts/changes",
        data={"csrf_token": client.csrf, "version": "5", "op": "remove", "item": "c1"},
        headers={"Accept": "text/html"},
    )
    assert stale.status_code == 409
    assert "(your change was not saved)" in _text(stale.text)
    empty = client.post(
        "/boards/spare-parts/changes",
        data={"csrf_token": client.csrf, "version": "6", "op": "add_step", "lane": "ours"},
        headers={"Accept": "text/html"},
    )
    assert empty.status_code == 422
    assert "Nothing was changed: is required" in _text(empty.text)


def test_history_restore_details_delete_and_exports(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    history = client.get("/boards/spare-parts/history")
    rows = re.findall(r'<td class="num">(\d+)( \(newest\))?</td>', history.text)
    assert [number for number, _newest in rows] == ["5", "4", "3", "2", "1"]
    assert history.text.count('aria-label="Restore version') == 4
    restored = client.post(
        "/boards/spare-parts/restore",
        data={"csrf_token": client.csrf, "restored": "2", "version": "5"},
        follow_redirects=False,
    )
    assert restored.headers["location"] == "/boards/spare-parts?done=restored"
    page = client.get("/boards/spare-parts")
    assert re.findall(r'<h3 class="zb-name">([^<]+)</h3>', page.text) == ["Order parts"]
    assert 'data-version="6"' in page.text
    svg = client.get("/boards/spare-parts/export.svg?version=5")
    assert svg.headers["content-type"] == "image/svg+xml"
    assert ">Parts are late</text>" in svg.text
    assert client.get("/boards/spare-parts/export.png").content[:4] == b"\x89PNG"
    assert client.get("/boards/spare-parts/export.pdf").content[:5] == b"%PDF-"
    renamed = client.post(
        "/boards/spare-parts/details",
        data={
            "csrf_token": client.csrf,
            "name": "Parts",
            "new_slug": "parts",
            "needs_segment": "uptime",
        },
        follow_redirects=False,
    )
    assert renamed.headers["location"] == "/boards/parts?done=details"
    unconfirmed = client.post("/boards/parts/delete", data={"csrf_token": client.csrf})
    assert unconfirmed.status_code == 422
    deleted = client.post(
        "/boards/parts/delete",
        data={"csrf_token": client.csrf, "confirm": "yes"},
        follow_redirects=False,
    )
    assert deleted.headers["location"] == "/boards?done=deleted"
    assert client.get("/boards/parts", headers={"Accept": "text/html"}).status_code == 404


def test_sales_sees_the_board_without_controls(application: FastAPI) -> None:
    client = signed_in(application, "sales")
    page = client.get("/boards/spare-parts")
    assert page.status_code == 200
    assert "Order parts" in page.text and "Parts are late" in page.text
    assert "zipper-editor.js" not in page.text
    assert 'draggable="true"' not in page.text and "/changes" not in page.text
    assert "Board details" not in page.text
    refused = _json(client, 5, {"op": "remove", "item": "c1"})
    assert refused.status_code == 403
    history = client.get("/boards/spare-parts/history")
    assert "Restore" not in history.text
