"""The customer-understanding API: zipper boards (CRUD, changes, versions, export), the core
questions and strategy documents; problems name the field."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from fastapi import FastAPI
from PIL import Image
from sqlalchemy import Engine

from test_strategy_documents import core_questions
from web_world import NOW, Clock, SignedIn, seed_users, signed_in, web_app

BOARDS = "/api/v1/understanding/boards"


@pytest.fixture
def application(engine: Engine, database_url: str) -> FastAPI:
    seed_users(engine)
    return web_app(engine, database_url, Clock(NOW))


def _send(client: SignedIn, method: str, path: str, body: Any = None) -> Any:
    return client.request(
        method, path, json=body, headers={"X-CSRF-Token": client.csrf}, follow_redirects=False
    )


def _problem(response: Any) -> list[tuple[str, str]]:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return [(e["field"], e["message"]) for e in response.json().get("errors", [])]


def _change(client: SignedIn, version: int, change: dict[str, Any]) -> Any:
    return _send(
        client, "POST", f"{BOARDS}/spare-parts/changes", {"version": version, "change": change}
    )


def test_a_board_is_built_change_by_change_and_exported(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    created = _send(client, "POST", BOARDS, {"name": "Spare parts"})
    assert created.status_code == 201, created.text
    assert {k: created.json()[k] for k in ("slug", "version", "needs_segment")} == {
        "slug": "spare-parts",
        "version": 1,
        "needs_segment": None,
    }
    changes = [
        {"op": "add_step", "lane": "customer", "name": "Order parts"},
        {"op": "add_step", "lane": "customer", "name": "Install"},
        {"op": "add_step", "lane": "ours", "name": "Deliver"},
        {"op": "add_touchpoint", "customer_step": "c1", "our_step": "o3", "note": "web shop"},
        {"op": "add_situation", "step": "c1", "name": "Parts are late"},
        {"op": "place_worry", "situation": "s5", "worry_name": "The line stands still"},
        {"op": "move", "item": "c2", "index": 0},
    ]
    for version, change in enumerate(changes, start=1):
        answer = _change(client, version, change)
        assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["summary"] == "Moved 'Install'"
    board = body["board"]
    assert board["version"] == 8
    assert board["document"]["customer_steps"] == [
        {"id": "c2", "name": "Install"},
        {"id": "c1", "name": "Order parts"},
    ]
    worry = board["document"]["situations"][0]["worries"][0]
    assert board["worries"] == {str(worry): "The line stands still"}
    listed = client.get(BOARDS).json()
    assert [(b["slug"], b["version"], b["customer_steps"], b["touchpoints"]) for b in listed] == [
        ("spare-parts", 8, 2, 1)
    ]

    svg = client.get(f"{BOARDS}/spare-parts/export.svg")
    assert svg.status_code == 200
    assert svg.headers["content-type"] == "image/svg+xml"
    assert svg.headers["content-disposition"] == 'attachment; filename="spare-parts-v8.svg"'
    for text in ("Spare parts", "Order parts", "Install", "Deliver", "web shop", "Parts are late"):
        assert f">{text}</text>" in svg.text
    assert "• The line stands still" in svg.text
    png = client.get(f"{BOARDS}/spare-parts/export.png")
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    # twice 576 × 361.5: title 75, one card 47.3 + 16, two lanes of 51.6, the zipper 96, margin
    assert Image.open(BytesIO(png.content)).size == (1152, 723)
    pdf = client.get(f"{BOARDS}/spare-parts/export.pdf?version=4")
    assert pdf.content.startswith(b"%PDF-1.")
    assert pdf.headers["content-disposition"] == 'attachment; filename="spare-parts-v4.pdf"'
    assert client.get(f"{BOARDS}/spare-parts/export.gif").status_code == 422
    assert client.get(f"{BOARDS}/nope/export.svg").status_code == 404


def test_stale_versions_and_bad_changes_are_problems_naming_the_field(
    application: FastAPI,
) -> None:
    client = signed_in(application, "admin")
    _send(client, "POST", BOARDS, {"name": "Spare parts"})
    _change(client, 1, {"op": "add_step", "lane": "customer", "name": "Order parts"})
    stale = _change(client, 1, {"op": "add_step", "lane": "ours", "name": "Deliver"})
    assert stale.status_code == 409
    assert _problem(stale) == [
        (
            "version",
            "board 'spare-parts' is at version 2, not 1: somebody saved it since you opened it; "
            "reload it and make your change again",
        )
    ]
    bad = _change(client, 2, {"op": "add_situation", "step": "c9", "name": ""})
    assert bad.status_code == 422
    assert _problem(bad) == [("change.name", "must not be empty")]
    bad = _change(client, 2, {"op": "add_situation", "step": "c9", "name": "Late"})
    assert _problem(bad) == [("change.step", "there is no item 'c9' on this board")]
    bad = _change(client, 2, {"op": "teleport"})
    assert _problem(bad)[0][0] == "change.op"
    document = {"customer_steps": [{"id": "c1", "name": "A"}], "touchpoints": [{"id": "t2"}]}
    saved = _send(client, "PUT", f"{BOARDS}/spare-parts", {"version": 2, "document": document})
    assert saved.status_code == 422
    assert _problem(saved) == [
        ("document.touchpoints[0].customer_step", "is required"),
        ("document.touchpoints[0].our_step", "is required"),
    ]
    missing = _send(client, "POST", BOARDS, {"slug": "x"})
    assert _problem(missing) == [("name", "Field required")]
    assert client.get(f"{BOARDS}/spare-parts").json()["version"] == 2


def test_history_restore_details_and_delete(application: FastAPI) -> None:
    client = signed_in(application, "admin")
    _send(client, "POST", BOARDS, {"name": "Spare parts"})
    _change(client, 1, {"op": "add_step", "lane": "customer", "name": "Order parts"})
    _change(client, 2, {"op": "rename", "item": "c1", "name": "Buy parts"})
    history = client.get(f"{BOARDS}/spare-parts/versions").json()
    assert [(v["version"], v["saved_by"]) for v in history] == [
        (3, "Admin User"),
        (2, "Admin User"),
        (1, "Admin User"),
    ]
    old = client.get(f"{BOARDS}/spare-parts/versions/2").json()
    assert old["document"]["customer_steps"] == [{"id": "c1", "name": "Order parts"}]
    restored = _send(client, "POST", f"{BOARDS}/spare-parts/versions/2/restore", {"version": 3})
    assert restored.status_code == 200, restored.text
    assert restored.json()["version"] == 4
    assert restored.json()["document"]["customer_steps"] == [{"id": "c1", "name": "Order parts"}]
    stale = _send(client, "POST", f"{BOARDS}/spare-parts/versions/2/restore", {"version": 3})
    assert stale.status_code == 409
    assert client.get(f"{BOARDS}/spare-parts/versions/9").status_code == 404
    renamed = _send(client, "PATCH", f"{BOARDS}/spare-parts", {"name": "Parts", "slug": "parts"})
    assert (renamed.json()["slug"], renamed.json()["name"], renamed.json()["version"]) == (
        "parts",
        "Parts",
        4,
    )
    bad = _send(client, "PATCH", f"{BOARDS}/parts", {"needs_segment": "nope"})
    assert _problem(bad) == [("needs_segment", "there is no needs segment 'nope'")]
    assert _send(client, "DELETE", f"{BOARDS}/parts").status_code == 204
    assert client.get(f"{BOARDS}/parts").status_code == 404


def test_sales_reads_boards_but_may_not_change_them(application: FastAPI) -> None:
    writer = signed_in(application, "marketing")
    _send(writer, "POST", BOARDS, {"name": "Spare parts"})
    sales = signed_in(application, "sales")
    assert sales.get(f"{BOARDS}/spare-parts").status_code == 200
    refused = _send(sales, "POST", f"{BOARDS}/spare-parts/changes", {"version": 1, "change": {}})
    assert refused.status_code == 403


def test_core_questions_and_strategy_documents(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    core = "/api/v1/understanding/core-questions"
    assert client.get(core).status_code == 404
    assert client.get(core + ".pdf").status_code == 404
    few = core_questions(6)
    refused = _send(client, "PUT", core, {"body": few})
    assert refused.status_code == 422
    assert _problem(refused)[:2] == [
        ("body.questions[0].why", "write 7 to 10 bullets; there are 6"),
        ("body.questions[0].how", "write 7 to 10 bullets; there are 6"),
    ]
    first = _send(client, "PUT", core, {"body": core_questions()})
    assert (first.status_code, first.json()["version"]) == (200, 1)
    second = _send(client, "PUT", core, {"version": 1, "body": core_questions(8)})
    assert second.json()["version"] == 2
    assert _send(client, "PUT", core, {"version": 1, "body": core_questions()}).status_code == 409
    pdf = client.get(core + ".pdf")
    assert pdf.content.startswith(b"%PDF-1.")
    assert pdf.headers["content-disposition"] == 'attachment; filename="core-questions-v2.pdf"'

    strategy = "/api/v1/understanding/strategy"
    swot = _send(client, "POST", strategy, {"kind": "swot", "body": {"strengths": ["Service"]}})
    assert swot.status_code == 201, swot.text
    assert {k: swot.json()[k] for k in ("slug", "title", "version")} == {
        "slug": "swot",
        "title": "SWOT",
        "version": 1,
    }
    bad = _send(client, "POST", strategy, {"kind": "target_customer", "body": {"definition": ""}})
    assert _problem(bad) == [("body.definition", "must not be empty")]
    saved = _send(
        client,
        "PUT",
        f"{strategy}/swot",
        {"version": 1, "title": "SWOT 2026", "body": {"threats": ["Imports"]}},
    )
    assert (saved.json()["title"], saved.json()["body"]["threats"]) == ("SWOT 2026", ["Imports"])
    listed = client.get(strategy, params={"kind": "swot"}).json()
    assert [(d["slug"], d["version"]) for d in listed] == [("swot", 2)]
    assert [d["kind"] for d in client.get(strategy).json()] == ["core_questions", "swot"]
    versions = client.get(f"{strategy}/swot/versions").json()
    assert [(v["version"], v["saved_by"]) for v in versions] == [
        (2, "Marketing User"),
        (1, "Marketing User"),
    ]
    assert client.get(f"{strategy}/swot/versions/1").json()["body"]["strengths"] == ["Service"]
    restored = _send(client, "POST", f"{strategy}/swot/versions/1/restore", {"version": 2})
    assert (restored.json()["version"], restored.json()["body"]["strengths"]) == (3, ["Service"])
    assert _send(client, "DELETE", f"{strategy}/swot").status_code == 204
    assert client.get(f"{strategy}/swot").status_code == 404


def test_versions_beyond_the_integer_range_are_refused_not_crashed(application: FastAPI) -> None:
    client = signed_in(application, "admin")
    _send(client, "POST", BOARDS, {"name": "Spare parts"})
    huge = 2**63
    assert _change(client, huge, {"op": "remove", "item": "c1"}).status_code == 422
    assert client.get(f"{BOARDS}/spare-parts/versions/{huge}").status_code == 422
    restored = _send(client, "POST", f"{BOARDS}/spare-parts/versions/1/restore", {"version": huge})
    assert _problem(restored)[0][0] == "version"
    page = client.post(
        "/boards/spare-parts/restore",
        data={"csrf_token": client.csrf, "restored": str(huge), "version": "1"},
        headers={"Accept": "application/json"},
    )
    assert page.status_code == 422
