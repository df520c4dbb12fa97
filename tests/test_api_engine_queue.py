"""The sales queue over the API: the ranked cards, their pages, and acting on them."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from test_api_engine_world import JSON, TUESDAY, World, build
from web_world import signed_in

ACCEPT = "Sales accepted the handover and works the contact."
OVERDUE = "Overdue by 1 day: call today, then accept, recycle or disqualify"
QUALIFY = "Qualify in a call (BANT), then accept or recycle"


def fade(points: float, days: float, half_life: float = 45) -> float:
    return points * 2.0 ** (-days / half_life)


@pytest.fixture
def world(engine: Engine, database_url: str) -> World:
    return build(engine, database_url)


def _card(card: dict[str, Any]) -> tuple[Any, ...]:
    return (
        card["email"],
        card["stage"],
        card["account_name"],
        card["tier"],
        card["grade"],
        card["owner_name"],
        card["why_now"],
        card["window"],
        card["next_step"],
        card["due_at"],
        card["overdue"],
        card["days_overdue"],
    )


OPS = (
    "ops@acme.fi", "sql", "Acme Machinery Oy", "gold", "A-", "Sales User",
    ["asked for contact 2 days ago"], "unknown", OVERDUE, "2026-06-02T12:00:00Z", True, 1,
)  # fmt: skip
DIRECTOR = (
    "director@pohja.fi", "sql", "Pohja Metals Oy", "silver", "B", "Sofia Sales",
    ["asked for contact yesterday"], "unknown",
    "Call now: they asked for contact; then accept or recycle",
    "2026-06-03T12:00:00Z", False, 0,
)  # fmt: skip
BUYER = (
    "buyer@kauppa.se", "sql", "Kauppa Retail AB", "bronze", "D", "Sales User",
    [], "unknown", QUALIFY, "2026-06-08T12:00:00Z", False, 0,
)  # fmt: skip
SOLO = (
    "solo@example.org", "sql", None, "unclassified", None, "Sales User",
    [], "unknown", QUALIFY, "2026-06-08T12:00:00Z", False, 0,
)  # fmt: skip


def test_cards_come_overdue_first_then_by_tier_with_every_field(world: World) -> None:
    client = signed_in(world.app, "admin")
    response = client.get("/api/v1/queue", headers=JSON)
    assert response.status_code == 200
    body = response.json()
    assert [_card(card) for card in body["items"]] == [OPS, DIRECTOR, BUYER, SOLO]
    assert body["next"] is None
    scores = [card["score"] for card in body["items"]]
    assert scores[:3] == pytest.approx(
        [
            # Scored at handover (Monday noon): a capped day of page views, then the hard CTA.
            fade(5, 10.5) + fade(40, 1),
            fade(15, 90) + fade(40, 0.5),
            fade(3, 21.5) + fade(-50, 2),
        ],
        abs=1e-9,
    )
    assert scores[3] is None
    first = body["items"][0]
    assert first["contact_id"] == world.ids["ops@acme.fi"]
    assert (first["name"], first["title"], first["buying_window"]) == ("ops@acme.fi", None, None)


def test_sales_sees_its_own_cards_and_others_may_ask_for_theirs(world: World) -> None:
    sales = signed_in(world.app, "sales")
    own = sales.get("/api/v1/queue", headers=JSON).json()["items"]
    assert [card["email"] for card in own] == ["ops@acme.fi", "buyer@kauppa.se", "solo@example.org"]
    admin = signed_in(world.app, "admin")
    assert admin.get("/api/v1/queue?owner=me", headers=JSON).json() == {"items": [], "next": None}
    wrong = admin.get("/api/v1/queue?owner=everyone", headers=JSON)
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "owner"


def test_the_queue_pages_with_a_cursor(world: World) -> None:
    client = signed_in(world.app, "admin")
    first = client.get("/api/v1/queue?limit=2", headers=JSON).json()
    assert [card["email"] for card in first["items"]] == ["ops@acme.fi", "director@pohja.fi"]
    assert first["next"] == f"2.{world.ids['director@pohja.fi']}"
    second = client.get(f"/api/v1/queue?limit=2&after={first['next']}", headers=JSON).json()
    assert [card["email"] for card in second["items"]] == ["buyer@kauppa.se", "solo@example.org"]
    assert second["next"] is None
    # The director was accepted meanwhile: the page after it starts where it stood.
    with_sales = signed_in(world.app, "admin")
    director = world.ids["director@pohja.fi"]
    accepted = with_sales.post(
        f"/api/v1/queue/{director}/accept", json={}, headers={"X-CSRF-Token": with_sales.csrf}
    )
    assert accepted.status_code == 200
    again = client.get(f"/api/v1/queue?limit=2&after={first['next']}", headers=JSON).json()
    assert [card["email"] for card in again["items"]] == ["solo@example.org"]
    bad = client.get("/api/v1/queue?after=nonsense", headers=JSON)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "after"


def test_sales_accepts_recycles_disqualifies_and_opens_opportunities(world: World) -> None:
    client = signed_in(world.app, "sales")
    headers = {**JSON, "X-CSRF-Token": client.csrf}
    ids = world.ids

    def act(email: str, action: str, body: dict[str, Any]) -> Any:
        return client.post(f"/api/v1/queue/{ids[email]}/{action}", json=body, headers=headers)

    no_reason = act("buyer@kauppa.se", "recycle", {})
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"
    blank = act("buyer@kauppa.se", "disqualify", {"reason": "   "})
    assert blank.status_code == 422

    accepted = act("ops@acme.fi", "accept", {})
    assert accepted.status_code == 200
    assert accepted.json() == {
        "contact_id": ids["ops@acme.fi"],
        "transition": "accept",
        "from_stage": "sql",
        "to_stage": "sal",
        "reason": ACCEPT,
        "at": "2026-06-02T15:00:00Z",
        "handover": None,
    }
    twice = act("ops@acme.fi", "accept", {})
    assert twice.status_code == 409
    assert twice.json()["errors"] == [
        {"field": "transition", "message": "the contact is already at stage sal"}
    ]
    recycled = act("buyer@kauppa.se", "recycle", {"reason": " budget frozen until 2027 "})
    assert (recycled.json()["to_stage"], recycled.json()["reason"]) == (
        "recycled",
        "budget frozen until 2027",
    )
    opened = act("solo@example.org", "opportunity", {"reason": "quote sent"})
    assert opened.json()["transition"] == "open_opportunity"
    assert act("ops@acme.fi", "disqualify", {"reason": "a reseller"}).json()["from_stage"] == "sal"

    # Every handover of Sales User is closed: the queue holds only Sofia's director.
    assert client.get("/api/v1/queue", headers=JSON).json()["items"] == []
    admin = signed_in(world.app, "admin")
    left = admin.get("/api/v1/queue", headers=JSON).json()["items"]
    assert [card["email"] for card in left] == ["director@pohja.fi"]
    stages = admin.get(f"/api/v1/contacts/{ids['ops@acme.fi']}/stages", headers=JSON).json()
    assert [(m["transition"], m["actor"], m["user_id"]) for m in stages["history"]] == [
        ("hand_over_as_sql", "rule", None),
        ("accept", "user", 3),
        ("disqualify", "user", 3),
    ]
    assert stages["history"][-1]["occurred_at"] == TUESDAY.isoformat().replace("+00:00", "Z")
