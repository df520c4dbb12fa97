"""Champion moves on the pages and in the API, by role: the list, its CSV, the contact's
employment history, the account's people who left and joined, marking a move by hand,
and a contact created through the API raising a move."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from champion_world import NOW, World, build
from silverplatter.services.champion_moves import detect_moves
from silverplatter.services.workspace import init_workspace
from silverplatter.storage.planning_schema import champion_moves
from silverplatter.storage.schema import contacts
from web_world import Clock, SignedIn, signed_in, web_app

JSON = {"Content-Type": "application/json"}


def _world(engine: Engine, database_url: str) -> tuple[World, Any]:
    init_workspace(engine, name="Seller Oy", now=NOW)
    world = build(engine)
    with engine.begin() as connection:
        detect_moves(connection, list(world.contacts.values()), now=NOW)
    return world, web_app(engine, database_url, Clock(NOW))


def _as(application: Any, who: str) -> SignedIn:
    return signed_in(application, f"{who}@example.com")


def _moves(engine: Engine) -> list[tuple[int, int, str]]:
    m = champion_moves.c
    with engine.connect() as connection:
        rows = connection.execute(
            select(m.contact_id, m.to_account_id, m.matched_by).order_by(m.id)
        )
        return [(int(a), int(b), str(c)) for a, b, c in rows]


def test_the_moves_page_and_its_csv_by_role(engine: Engine, database_url: str) -> None:
    _world_built, application = _world(engine, database_url)
    mia = _as(application, "mia")
    page = mia.get("/champion-moves")
    assert page.status_code == 200
    assert 'href="/champion-moves"' in page.text
    assert page.text.count('<td class="nowrap">') == 2
    assert "Jane Doe" in page.text and "Matti Meikalainen" in page.text
    assert "same LinkedIn profile" in page.text and "same name, new e-mail domain" in page.text
    assert "<strong>yes</strong>: decision role decision maker" in page.text
    exported = mia.get("/champion-moves.csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert [line.split(",")[1] for line in exported.text.splitlines()] == [
        "name",
        "Matti Meikalainen",
        "Jane Doe",
    ]

    olle = _as(application, "olle")
    own = olle.get("/champion-moves")
    assert own.status_code == 200
    assert own.text.count('<td class="nowrap">') == 1 and "Jane Doe" in own.text
    assert "Download CSV" not in own.text
    assert olle.get("/champion-moves.csv").status_code == 403


def test_the_contact_page_shows_the_history_and_the_form_to_whom_may_write(
    engine: Engine, database_url: str
) -> None:
    world, application = _world(engine, database_url)
    c, a = world.contacts, world.accounts
    mia = _as(application, "mia")
    jane = mia.get(f"/contacts/{c['jane']}")
    assert jane.status_code == 200
    assert 'id="employment">Employment history' in jane.text
    assert f'Moved to <a href="/accounts/{a["new"]}">New AB</a> from Old Oy' in jane.text
    assert '<td class="nowrap">2025-03-03</td><td class="nowrap">2026-02-02</td>' in jane.text
    assert "Mark as moved to account" in jane.text

    olle = _as(application, "olle")
    jane2 = olle.get(f"/contacts/{c['jane2']}")
    assert jane2.status_code == 200
    assert f'Came from <a href="/accounts/{a["old"]}">Old Oy</a>' in jane2.text
    assert "Mark as moved to account" not in jane2.text
    assert olle.get(f"/contacts/{c['jane']}").status_code == 404

    old = mia.get(f"/accounts/{a['old']}")
    assert "People who left and joined" in old.text
    assert old.text.count("Left for") == 2
    assert "Joined from" in mia.get(f"/accounts/{a['new']}").text


def test_marking_a_move_on_the_page(engine: Engine, database_url: str) -> None:
    world, application = _world(engine, database_url)
    c, a = world.contacts, world.accounts
    mia = _as(application, "mia")
    path = f"/contacts/{c['anna']}/moves"
    refused = mia.post(path, data={"account": "nowhere.example", "csrf_token": mia.csrf})
    assert refused.status_code == 422
    assert "no account with the domain nowhere.example" in refused.text
    olle = _as(application, "olle")
    assert (
        olle.post(path, data={"account": "look.example", "csrf_token": olle.csrf}).status_code
        == 403
    )
    done = mia.post(
        path, data={"account": "look.example", "csrf_token": mia.csrf}, follow_redirects=False
    )
    assert (done.status_code, done.headers["location"]) == (
        303,
        f"/contacts/{c['anna']}#employment",
    )
    assert _moves(engine)[-1] == (c["anna"], a["look"], "user")
    again = mia.post(path, data={"account": str(a["look"]), "csrf_token": mia.csrf})
    assert again.status_code == 422 and "the contact already works at Look Oy" in again.text


def test_the_api_lists_shows_history_and_marks_moves(engine: Engine, database_url: str) -> None:
    world, application = _world(engine, database_url)
    c, a = world.contacts, world.accounts
    mia = _as(application, "mia")
    mia.headers.update({"X-CSRF-Token": mia.csrf, **JSON})
    listed = mia.get("/api/v1/champion-moves").json()["items"]
    assert [(m["name"], m["matched_by"], m["champion"]) for m in listed] == [
        ("Matti Meikalainen", "name_domain", []),
        ("Jane Doe", "linkedin", ["decision role decision maker"]),
    ]
    assert [t["owner_name"] for t in listed[1]["tasks"]] == ["Sam Sales", "Olle Owner"]
    olle = _as(application, "olle")
    assert [m["name"] for m in olle.get("/api/v1/champion-moves").json()["items"]] == ["Jane Doe"]

    history = mia.get(f"/api/v1/contacts/{c['jane']}/employment").json()
    assert [(j["account_name"], j["ended_at"]) for j in history["jobs"]] == [
        ("Old Oy", "2026-02-02T09:00:00Z"),
        ("New AB", None),
    ]
    assert olle.get(f"/api/v1/contacts/{c['jane']}/employment").status_code == 404
    assert mia.get("/api/v1/contacts/999/employment").status_code == 404

    marked = mia.post(f"/api/v1/contacts/{c['pia']}/moves", json={"to_account_id": a["new"]})
    assert marked.status_code == 201
    body = marked.json()
    assert (body["matched_by"], body["to_account"], body["nobody_alerted_at"]) == (
        "user",
        "New AB",
        [],
    )
    again = mia.post(f"/api/v1/contacts/{c['pia']}/moves", json={"to_account_id": a["new"]})
    assert again.status_code == 422
    assert again.json()["errors"] == [
        {"field": "to_account_id", "message": "the contact already works at New AB"}
    ]
    missing = mia.post("/api/v1/contacts/999/moves", json={"to_account_id": a["new"]})
    assert missing.status_code == 404
    sam = _as(application, "sam")
    sam.headers.update({"X-CSRF-Token": sam.csrf, **JSON})
    denied = sam.post(f"/api/v1/contacts/{c['anna']}/moves", json={"to_account_id": a["look"]})
    assert denied.status_code == 403


def test_a_contact_created_through_the_api_raises_the_move(
    engine: Engine, database_url: str
) -> None:
    world, application = _world(engine, database_url)
    c, a = world.contacts, world.accounts
    mia = _as(application, "mia")
    mia.headers.update({"X-CSRF-Token": mia.csrf, **JSON})
    created = mia.post(
        "/api/v1/contacts",
        json={
            "email": "pia.virta@new.example",
            "first_name": "PIA",
            "last_name": "Virta",
            "account_domain": "new.example",
        },
    )
    assert created.status_code == 201
    assert _moves(engine)[-1] == (c["pia"], a["new"], "name_domain")
    with engine.connect() as connection:
        pia = connection.execute(
            select(contacts.c.account_id).where(contacts.c.id == c["pia"])
        ).scalar_one()
    assert pia == a["old"]
