"""The lost-lead page: sections with counts, reasons and dates; ticking candidates and
acting on them; CSV; sales seeing and acting on its own candidates only; and /tasks."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import Engine, select

from mining_world import account, at, contact, deal, programme
from silverplatter.storage.nurture_schema import enrolments
from silverplatter.storage.planning_schema import tasks
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


def _row(page: str, name: str) -> str:
    """The row number of the candidate named ``name`` on the page."""
    found = re.search(
        rf'name="pick" value="(\d+)" id="pick-closed_lost-\d+" aria-label="Select {name}"', page
    )
    assert found, name
    return found.group(1)


def test_the_report_page_lists_candidates_with_reasons_and_dates(
    engine: Engine, database_url: str
) -> None:
    ids = _world(engine)
    client = signed_in(web_app(engine, database_url), "marketing")
    page = client.get("/mining")
    assert page.status_code == 200
    assert (
        'href="/mining" aria-current="page">Lost leads</a>' in page.text
        and 'href="/tasks">Tasks</a>' in page.text
    )
    assert '<details id="closed_lost" class="mining-section">' in page.text
    assert 'aria-label="2 candidates">2</span>' in page.text
    assert (
        "Lost &#39;Nu pilot&#39; on 2025-06-10 (No decision): reopen 6 months after the buyer "
        "made no decision" in page.text
    )
    assert '<td class="nowrap">2026-03-02</td>' in page.text  # past its date: due today
    assert f'<option value="{ids["refinery"]}">Lead refinery</option>' in page.text
    assert page.text.count('<details id="') == 10 and "Not available yet" not in page.text
    for key in ("cross_sell", "closed_lost", "barren_programmes", "met_decision_makers"):
        assert f'<details id="{key}"' in page.text


def test_ticked_candidates_get_tasks_and_are_enrolled(engine: Engine, database_url: str) -> None:
    ids = _world(engine)
    client = signed_in(web_app(engine, database_url), "marketing")
    page = client.get("/mining").text
    nu = _row(page, "Ann Nu")
    form = {
        "csrf_token": client.csrf,
        "pick": [nu],
        f"target_{nu}": f"{ids['ann']}:{ids['nu']}",
        f"reason_{nu}": "Lost 'Nu pilot'",
        "title": "Reopen the Nu deal",
        "due_on": "2026-03-09",
        "task_owner_id": "",
        "action": "task",
    }
    done = client.post("/mining/closed_lost/act", data=form, follow_redirects=False)
    assert (
        done.status_code == 303
        and done.headers["location"] == "/mining?done=task&count=1#closed_lost"
    )
    assert "1 tasks created" in client.get(done.headers["location"]).text
    with engine.connect() as c:
        made = c.execute(select(tasks)).one()
    assert (made.title, made.owner_id, made.source, made.notes) == (
        "Reopen the Nu deal",
        ids["sales"],
        "mining:closed_lost",
        "Lost 'Nu pilot'",
    )
    for page_path in (f"/contacts/{ids['ann']}", f"/accounts/{ids['nu']}"):
        shown = client.get(page_path).text
        assert '<h2 id="record-tasks">Open tasks</h2>' in shown, page_path
        listed = "2026-03-09: <strong>Reopen the Nu deal</strong> — Sales User (mining:closed_lost)"
        assert listed in shown
    enrolled = client.post(
        "/mining/closed_lost/act",
        data={**form, "action": "enrol", "programme_id": str(ids["refinery"])},
        follow_redirects=True,
    )
    assert "1 contacts entered the programme." in enrolled.text
    with engine.connect() as c:
        assert c.execute(select(enrolments.c.contact_id)).scalars().all() == [ids["ann"]]
    refused = client.post("/mining/closed_lost/act", data={**form, "action": "assign"})
    assert refused.status_code == 422
    assert "<code>owner_id</code>" in refused.text
    nothing = client.post("/mining/closed_lost/act", data={**form, "pick": []})
    assert nothing.status_code == 422 and "<code>targets</code>" in nothing.text


def test_sales_sees_its_own_candidates_and_cannot_act_on_others(
    engine: Engine, database_url: str
) -> None:
    ids = _world(engine)
    client = signed_in(web_app(engine, database_url), "sales")
    page = client.get("/mining").text
    assert "Nu pilot" in page and "Mu payroll" not in page
    assert "You see the candidates on contacts and accounts you own." in page
    assert 'value="enrol"' not in page and 'value="task"' in page
    enrolling = client.post(
        "/mining/closed_lost/act",
        data={
            "csrf_token": client.csrf,
            "pick": ["0"],
            "target_0": f"{ids['ann']}:{ids['nu']}",
            "action": "enrol",
            "programme_id": str(ids["refinery"]),
        },
    )
    assert enrolling.status_code == 403
    assert "needs the nurture:write permission" in enrolling.text
    refused = client.post(
        "/mining/closed_lost/act",
        data={
            "csrf_token": client.csrf,
            "pick": ["0"],
            "target_0": f":{ids['mu']}",
            "action": "assign",
            "owner_id": str(ids["sales"]),
        },
    )
    assert refused.status_code == 422
    assert (
        "<code>targets[0]</code>: you may act only on contacts and accounts you own" in refused.text
    )
    with engine.connect() as c:
        owner = c.execute(select(accounts.c.owner_id).where(accounts.c.id == ids["mu"])).scalar()
    assert owner is None
    exported = client.get("/mining/closed_lost.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [row["account_name"] for row in rows] == ["Nu Oy"]
    whole = client.get("/mining.csv")
    sections = [row["section"] for row in csv.DictReader(io.StringIO(whole.text))]
    assert sections.count("closed_lost") == 1 and "Mu Oy" not in whole.text
    assert client.get("/mining/everything.csv").status_code == 404


def test_the_tasks_page_mine_for_sales_everyones_by_owner_for_marketing(
    engine: Engine, database_url: str
) -> None:
    ids = _world(engine)
    application = web_app(engine, database_url)
    marketing = signed_in(application, "marketing")
    made = marketing.post(
        "/tasks",
        data={
            "csrf_token": marketing.csrf,
            "title": "Call Ann",
            "due_on": "2026-03-05",
            "owner_id": str(ids["sales"]),
        },
        follow_redirects=True,
    )
    assert "Task created." in made.text and "Call Ann" in made.text
    marketing.post("/tasks", data={"csrf_token": marketing.csrf, "title": "Plan the webinar"})
    everyone = marketing.get("/tasks").text
    assert "Call Ann" in everyone and "Plan the webinar" in everyone
    only_sales = marketing.get(f"/tasks?owner={ids['sales']}").text
    assert "Call Ann" in only_sales and "Plan the webinar" not in only_sales
    refused = marketing.post("/tasks", data={"csrf_token": marketing.csrf, "title": ""})
    assert refused.status_code == 422 and "<code>title</code>" in refused.text
    sales = signed_in(application, "sales")
    mine = sales.get("/tasks").text
    assert "My tasks" in mine and "Call Ann" in mine and "Plan the webinar" not in mine
    with engine.connect() as c:
        theirs = c.execute(select(tasks.c.id).where(tasks.c.title == "Plan the webinar")).scalar()
        ours = c.execute(select(tasks.c.id).where(tasks.c.title == "Call Ann")).scalar()
    assert sales.post(f"/tasks/{theirs}/done", data={"csrf_token": sales.csrf}).status_code == 404
    closed = sales.post(
        f"/tasks/{ours}/done", data={"csrf_token": sales.csrf}, follow_redirects=True
    )
    assert "Task marked done." in closed.text and "No open tasks." in closed.text
