"""BANT, named lifecycle transitions and explanations over the API, on the fixed world."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from test_api_engine_world import ADMIN, JSON, SALES, SOFIA, World, build
from web_world import signed_in

BANT = {
    "budget": "200k",
    "authority": "the CEO decides",
    "need": "delivery",
    "timeline": "2026-09-01",
}


def fade(points: float, days: float, half_life: float = 45) -> float:
    return points * 2.0 ** (-days / half_life)


@pytest.fixture
def world(engine: Engine, database_url: str) -> World:
    return build(engine, database_url)


def test_sales_records_bant_and_reads_the_latest(world: World) -> None:
    client = signed_in(world.app, "sales")
    headers = {**JSON, "X-CSRF-Token": client.csrf}
    url = f"/api/v1/contacts/{world.ids['ops@acme.fi']}/qualification"
    assert client.get(url, headers=JSON).status_code == 404
    partial = client.post(url, json={"need": " delivery ", "satisfaction": 4}, headers=headers)
    assert partial.status_code == 201
    assert partial.json() == {
        "budget": None,
        "budget_amount": None,
        "authority": None,
        "need": "delivery",
        "timeline": None,
        "current_supplier": None,
        "contract_end": None,
        "satisfaction": 4,
        "complete": False,
        "missing": ["budget", "authority (who decides)", "timeline (when they intend to buy)"],
    }
    full = client.post(url, json={**BANT, "budget_amount": "200000"}, headers=headers)
    latest = client.get(url, headers=JSON).json()
    assert latest == full.json()
    assert (latest["complete"], latest["missing"], latest["budget_amount"]) == (
        True,
        [],
        "200000.00",
    )
    assert latest["timeline"] == "2026-09-01"


def test_a_bad_qualification_is_refused_naming_the_field(world: World) -> None:
    client = signed_in(world.app, "sales")
    headers = {**JSON, "X-CSRF-Token": client.csrf}
    url = f"/api/v1/contacts/{world.ids['ops@acme.fi']}/qualification"
    cases = [
        ({"need": "x", "satisfaction": 11}, "satisfaction"),
        ({"timeline": "next spring"}, "timeline"),
        ({"budget_amount": -5}, "budget_amount"),
        ({"need": "x", "notes": "extra"}, "notes"),
        ({}, "body"),
    ]
    for body, field in cases:
        response = client.post(url, json=body, headers=headers)
        assert response.status_code == 422, body
        assert response.json()["errors"][0]["field"] == field
    assert client.get(url, headers=JSON).status_code == 404


def test_a_named_transition_moves_the_contact_and_an_illegal_one_says_what_is_allowed(
    world: World,
) -> None:
    client = signed_in(world.app, "admin")
    headers = {**JSON, "X-CSRF-Token": client.csrf}
    cfo = world.ids["cfo@unknown.co.uk"]
    url = f"/api/v1/contacts/{cfo}/transitions"

    def move(body: dict[str, Any]) -> Any:
        return client.post(url, json=body, headers=headers)

    win = move({"transition": "win"})
    assert win.status_code == 409
    assert win.json()["errors"] == [
        {
            "field": "transition",
            "message": "win does not apply to a contact at stage subscriber; from subscriber "
            "the allowed transitions are: become_lead, qualify_as_mql, hand_over_as_sql, "
            "recycle, disqualify",
        }
    ]
    unknown = move({"transition": "promote"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "transition"
    assert move({"transition": "recycle", "reason": " "}).json()["errors"] == [
        {"field": "reason", "message": "recycle needs a reason"}
    ]
    no_bant = move({"transition": "hand_over_as_sql", "reason": "called us"})
    assert no_bant.status_code == 409
    assert "needs a complete BANT qualification" in no_bant.json()["errors"][0]["message"]

    handed = move({"transition": "hand_over_as_sql", "reason": "called us", "hard_cta": True})
    assert handed.status_code == 201
    assert handed.json() == {
        "contact_id": cfo,
        "transition": "hand_over_as_sql",
        "from_stage": "subscriber",
        "to_stage": "sql",
        "reason": "called us",
        "at": "2026-06-02T15:00:00Z",
        # Round robin in the unclassified tier: Sales User had solo@example.org last.
        "handover": {
            "owner_id": SOFIA,
            "assignment": "round_robin",
            "tier": "unclassified",
            "due_at": "2026-06-09T15:00:00Z",
        },
    }
    stages = client.get(f"/api/v1/contacts/{cfo}/stages", headers=JSON).json()
    assert stages["stage"] == "sql"
    assert [step["name"] for step in stages["allowed"]] == [
        "send_back",
        "accept",
        "open_opportunity",
        "recycle",
        "disqualify",
    ]
    assert stages["history"] == [
        {
            "from_stage": "subscriber",
            "to_stage": "sql",
            "transition": "hand_over_as_sql",
            "actor": "user",
            "user_id": ADMIN,
            "reason": "called us",
            "occurred_at": "2026-06-02T15:00:00Z",
        }
    ]


def test_bant_lets_sales_hand_over_without_a_hard_cta(world: World) -> None:
    client = signed_in(world.app, "sales")
    headers = {**JSON, "X-CSRF-Token": client.csrf}
    ceo = world.ids["ceo@acme.fi"]
    client.post(f"/api/v1/contacts/{ceo}/qualification", json=BANT, headers=headers)
    handed = client.post(
        f"/api/v1/contacts/{ceo}/transitions",
        json={"transition": "hand_over_as_sql", "reason": "qualified in a call"},
        headers=headers,
    )
    assert handed.status_code == 201, handed.text
    assert handed.json()["handover"]["owner_id"] == SALES
    assert handed.json()["handover"]["assignment"] == "account_owner"


def test_the_explanation_gives_every_number(world: World) -> None:
    client = signed_in(world.app, "sales")
    response = client.get(f"/api/v1/contacts/{world.ids['ops@acme.fi']}/explanation", headers=JSON)
    assert response.status_code == 200
    found = response.json()
    assert (found["at"], found["model_version"], found["stage"]) == (
        "2026-06-02T15:00:00Z",
        1,
        "sql",
    )
    assert found["grade"]["letter"] == "A-"
    assert [(line["label"], line["outcome"], line["step"]) for line in found["grade"]["lines"]] == [
        ("Target industry", "match", "+2/3"),
        ("Large company (revenue)", "match", "+1"),
        ("Mid-size company (employees)", "match", "+1/3"),
        ("Senior role", "mismatch", "0"),
        ("Operations, finance or IT", "match", "+1/3"),
        ("Nordic and Baltic markets", "match", "+1/3"),
    ]
    # Tuesday 15:00: the hard CTA is 2.125 days old, the page views' capped day 11.625.
    cta, views = fade(40, 2.125), fade(5, 11.625)
    score = found["score"]
    assert score["value"] == pytest.approx(cta + views, abs=1e-9)
    assert score["engine_value"] == pytest.approx(cta + views, abs=1e-9)
    assert [
        (c["rule"], c["events"], c["points"], c["buying_stage"], c["last_event_at"])
        for c in score["contributions"]
    ] == [
        ("asked for contact, a demo or a quote", 1, 40.0, "decision", "2026-05-31T12:00:00Z"),
        ("page_view", 7, 5.0, "awareness", "2026-05-22T18:00:00Z"),
    ]
    assert score["contributions"][1]["buckets"] == [
        {
            "period": "day",
            "starts_at": "2026-05-22T00:00:00Z",
            "events": 7,
            "raw": 7.0,
            "counted": 5.0,
            "value": pytest.approx(views, abs=1e-9),
            "capped": True,
        }
    ]
    thresholds = found["thresholds"]
    assert (thresholds["tier"], thresholds["qualification"]) == ("gold", "sql")
    assert thresholds["mql"] == [{"text": "score 42.9 ≥ 20", "met": True}]
    assert thresholds["sql"] == [
        {"text": "flag hard_cta", "met": True},
        {"text": "score 42.9 ≥ 10", "met": True},
        {"text": "seniority Manager is one of C-level", "met": False},
    ]
    assert thresholds["missing_for_sql"] == ["seniority Manager is one of C-level"]
    assert found["flags"] == ["hard_cta"]
    why = "asked for contact, a demo or a quote 2 days ago; meets flag hard_cta, score 42.9 ≥ 10"
    assert found["why_now"] == why
    assert found["next_step"] == f"call within 1 working day: {why}"
    assert found["bant"] is None
    assert found["account"]["name"] == "Acme Machinery Oy"
    assert found["reality_check"]["touches_before_sql"] == 8
    assert found["reality_check"]["days_to_sql"] == 10.0
