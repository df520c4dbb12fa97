"""The lost-lead API: the report and one section as JSON, the three actions with refusals
naming the field, sales on its own candidates only; and the tasks API."""

from __future__ import annotations

from sqlalchemy import Engine, select

from mining_world import account, at, contact, deal, programme
from silverplatter.storage.schema import accounts
from web_world import seed_users, signed_in, web_app


def _world(engine: Engine) -> dict[str, int]:
    ids = dict(seed_users(engine))
    with engine.begin() as c:
        ids["nu"] = account(c, "Nu Oy", owner_id=ids["sales"])
        ids["ann"] = contact(c, "Ann", "Nu", account_id=ids["nu"])
        deal(
            c,
            ids["nu"],
            "Nu pilot",
            status="lost",
            closed_at=at(2025, 6, 10),
            lost_reason="No decision",
            contact_id=ids["ann"],
        )
        ids["mu"] = account(c, "Mu Oy")
        deal(
            c, ids["mu"], "Mu payroll", status="lost", closed_at=at(2025, 9, 1), lost_reason="Price"
        )
        ids["refinery"] = programme(c, "refinery", "Lead refinery")
    return ids


def _headers(client: object) -> dict[str, str]:
    return {"X-CSRF-Token": client.csrf}  # type: ignore[attr-defined]


def test_the_report_and_a_section_as_json(engine: Engine, database_url: str) -> None:
    ids = _world(engine)
    client = signed_in(web_app(engine, database_url), "marketing")
    report = client.get("/api/v1/mining?limit=5").json()
    keys = [s["key"] for s in report["sections"]]
    assert keys[:4] == ["cross_sell", "closed_lost", "barren_programmes", "met_decision_makers"]
    lost = client.get("/api/v1/mining/closed_lost").json()
    assert lost["total"] == 2 and lost["actions"] == ["assign", "enrol", "task"]
    assert lost["candidates"][0] == {
        "reason": "Lost 'Nu pilot' on 2025-06-10 (No decision): reopen 6 months after the buyer "
        "made no decision",
        "contact_id": ids["ann"],
        "contact_name": "Ann Nu",
        "contact_email": "ann@nu.example",
        "account_id": ids["nu"],
        "account_name": "Nu Oy",
        "owner_id": ids["sales"],
        "owner_name": "Sales User",
        "suggested_on": "2026-03-02",
        "figures": {
            "deal": "Nu pilot",
            "lost_on": "2025-06-10",
            "lost_reason": "No decision",
            "kind": "no_decision",
            "rule_date": "2025-12-10",
        },
    }
    assert client.get("/api/v1/mining/everything").status_code == 404


def test_actions_and_their_refusals(engine: Engine, database_url: str) -> None:
    ids = _world(engine)
    client = signed_in(web_app(engine, database_url), "marketing")
    target = {"contact_id": ids["ann"], "account_id": ids["nu"]}
    made = client.post(
        "/api/v1/mining/closed_lost/tasks",
        json={"targets": [target], "title": "Reopen", "due_on": "2026-03-09"},
        headers=_headers(client),
    )
    assert made.status_code == 200, made.text
    assert made.json()["count"] == 1 and len(made.json()["task_ids"]) == 1
    enrolled = client.post(
        "/api/v1/mining/closed_lost/enrol",
        json={"targets": [target], "programme_id": ids["refinery"]},
        headers=_headers(client),
    )
    assert enrolled.json() == {"count": 1, "task_ids": []}
    moved = client.post(
        "/api/v1/mining/ghost_accounts/assign",
        json={"targets": [{"account_id": ids["mu"]}], "owner_id": ids["marketing"]},
        headers=_headers(client),
    )
    assert moved.json() == {"count": 1, "task_ids": []}
    bad = client.post(
        "/api/v1/mining/closed_lost/assign",
        json={"targets": [{"contact_id": 99999}], "owner_id": ids["sales"]},
        headers=_headers(client),
    )
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {"field": "targets[0].contact_id", "message": "no contact 99999"}
    ]
    tasks = client.get("/api/v1/tasks").json()["items"]
    assert [(t["title"], t["owner_id"], t["source"]) for t in tasks] == [
        ("Reopen", ids["sales"], "mining:closed_lost")
    ]


def test_sales_reads_and_acts_on_its_own_only(engine: Engine, database_url: str) -> None:
    ids = _world(engine)
    application = web_app(engine, database_url)
    sales = signed_in(application, "sales")
    lost = sales.get("/api/v1/mining/closed_lost").json()
    assert [c["account_name"] for c in lost["candidates"]] == ["Nu Oy"]
    refused = sales.post(
        "/api/v1/mining/closed_lost/assign",
        json={"targets": [{"account_id": ids["mu"]}], "owner_id": ids["sales"]},
        headers=_headers(sales),
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "targets[0]"
    enrolling = sales.post(
        "/api/v1/mining/closed_lost/enrol",
        json={
            "targets": [{"contact_id": ids["ann"], "account_id": ids["nu"]}],
            "programme_id": ids["refinery"],
        },
        headers=_headers(sales),
    )
    assert enrolling.status_code == 403
    assert "needs the nurture:write permission" in enrolling.text
    with engine.connect() as c:
        assert (
            c.execute(select(accounts.c.owner_id).where(accounts.c.id == ids["mu"])).scalar()
            is None
        )
    own = sales.post(
        "/api/v1/tasks",
        json={"title": "Mine", "owner_id": ids["marketing"]},
        headers=_headers(sales),
    )
    assert own.status_code == 422 and own.json()["errors"][0]["field"] == "owner_id"
    mine = sales.post("/api/v1/tasks", json={"title": "Mine"}, headers=_headers(sales))
    assert mine.status_code == 201 and mine.json()["owner_id"] == ids["sales"]
    marketing = signed_in(application, "marketing")
    theirs = marketing.post("/api/v1/tasks", json={"title": "Theirs"}, headers=_headers(marketing))
    assert [t["title"] for t in sales.get("/api/v1/tasks").json()["items"]] == ["Mine"]
    assert len(marketing.get("/api/v1/tasks").json()["items"]) == 2
    only = marketing.get(f"/api/v1/tasks?owner_id={ids['marketing']}").json()["items"]
    assert [t["title"] for t in only] == ["Theirs"]
    closing = sales.post(f"/api/v1/tasks/{theirs.json()['id']}/done", headers=_headers(sales))
    assert closing.status_code == 404
    done = sales.post(f"/api/v1/tasks/{mine.json()['id']}/done", headers=_headers(sales))
    assert done.json()["status"] == "done"
