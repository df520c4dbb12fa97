"""The planning pages: the service-level dashboard with its charts, the plan form with
errors naming fields, activate and delete, the CSV and PDF, and who may do what."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from planning_world import build_planning_world
from web_world import NOW, Clock, SignedIn, seed_users, signed_in, web_app

HTML = {"Accept": "text/html"}
SVG = "{http://www.w3.org/2000/svg}"
FORM = {
    "name": "H2 growth",
    "starts_on": "2026-06",
    "period": "month",
    "periods": "3",
    "target": "60 000",
    "currency": "EUR",
    "lookback_months": "12",
}


@pytest.fixture
def application(engine: Engine, database_url: str) -> FastAPI:
    seed_users(engine)
    build_planning_world(engine)
    return web_app(engine, database_url, Clock(NOW))


def _text(page: str) -> str:
    page = re.sub(r"<svg.*?</svg>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _post(client: SignedIn, path: str, data: dict[str, str]) -> Any:
    return client.post(
        path, data={**data, "csrf_token": client.csrf}, headers=HTML, follow_redirects=False
    )


def test_a_plan_is_made_activated_and_tracked_on_the_dashboard(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    empty = _text(client.get("/planning", headers=HTML).text)
    assert "No plan is active, so there is no service level yet." in empty
    assert "MQL → SQL thin 7 of 18 38.9 % 25.7–53.9 % 30.0" in empty
    form = client.get("/planning/new", headers=HTML)
    assert form.status_code == 200
    assert 'placeholder="measured: 30000"' in form.text

    made = _post(client, "/planning/new", FORM)
    assert made.status_code == 303
    location = made.headers["location"]
    assert re.fullmatch(r"/planning/plans/\d+\?done=created", location)
    plan_id = location.split("/")[3].split("?")[0]
    page = _text(client.get(location, headers=HTML).text)
    assert "Plan saved. Activate it to make it marketing's service level." in page
    assert "10 SQLs and 24 MQLs a month." in page
    assert "2026-02 lead-in 0 · · · 24 8–144 88 21–738" in page
    assert "MQL → SQL: measured from only 18 trials" in page

    activated = _post(client, f"/planning/plans/{plan_id}/activate", {})
    assert activated.headers["location"] == "/planning?done=activated"
    board = client.get("/planning?done=activated", headers=HTML)
    text = _text(board.text)
    assert "Plan activated: it is now marketing's service level." in text
    assert "10 SQLs a month 24 MQLs a month" in text
    assert "SQLs this month 1 23 10 ahead" in text
    assert "MQLs this quarter 2 3 72 behind" in text
    chart = re.search(r'<svg[^>]*aria-labelledby="sla-sqls-title.*?</svg>', board.text, re.S)
    assert chart is not None
    root = ET.fromstring(chart.group(0))
    tips = [node.text for node in root.iter(f"{SVG}title")]
    assert "Jul 25: 4 SQLs" in tips
    assert "Mar 26 projected: 23" in tips
    assert "Service level: 10 SQLs a month" in tips

    csv_file = client.get(f"/planning/plans/{plan_id}/months.csv")
    assert csv_file.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv_file.text.splitlines()[1] == "2026-02,yes,0.00,0,0,0,0,0,0,0,0,0,24,8,144,88,21,738"
    pdf = client.get("/planning.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    deleted = _post(client, f"/planning/plans/{plan_id}/delete", {})
    assert deleted.headers["location"] == "/planning?done=deleted"
    assert client.get(f"/planning/plans/{plan_id}", headers=HTML).status_code == 404


def test_the_form_names_what_to_fix_and_keeps_what_was_typed(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    answer = _post(
        client,
        "/planning/new",
        {**FORM, "name": "", "target": "lots", "rates.mql_to_sql": "150"},
    )
    assert answer.status_code == 422
    text = _text(answer.text)
    assert "The plan was not made. Please fix:" in text
    assert "Name : required: what the plan is called" in text
    assert "Revenue target : expected an amount of revenue, not 'lots'" in text
    assert "MQL → SQL rate : expected a percentage from 0.01 to 100" in text
    assert 'name="rates.mql_to_sql" type="text" inputmode="decimal"' in answer.text
    assert 'value="150"' in answer.text


def test_sales_reads_but_does_not_plan(application: FastAPI) -> None:
    marketing = signed_in(application, "marketing")
    _post(marketing, "/planning/new", FORM)
    sales = signed_in(application, "sales")
    page = sales.get("/planning", headers=HTML)
    assert page.status_code == 200
    assert "New plan" not in _text(page.text)
    assert "Activate" not in _text(page.text)
    assert '<a href="/planning"' in page.text  # in the navigation
    assert sales.get("/planning/new", headers=HTML).status_code == 403
    refused = _post(sales, "/planning/new", FORM)
    assert refused.status_code == 403
    assert sales.get("/planning.pdf").status_code == 200


def test_a_plan_is_changed_from_its_own_inputs(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    made = _post(client, "/planning/new", {**FORM, "rates.mql_to_sql": "50"})
    plan_id = made.headers["location"].split("/")[3].split("?")[0]
    form = client.get(f"/planning/plans/{plan_id}/edit", headers=HTML)
    assert 'name="rates.mql_to_sql" type="text" inputmode="decimal"' in form.text
    assert 'value="50"' in form.text and 'value="H2 growth"' in form.text
    assert f'action="/planning/plans/{plan_id}/edit"' in form.text
    changed = _post(
        client, f"/planning/plans/{plan_id}/edit", {**FORM, "period": "quarter", "periods": "1"}
    )
    assert changed.headers["location"] == f"/planning/plans/{plan_id}?done=changed"
    page = _text(client.get(changed.headers["location"], headers=HTML).text)
    assert "Plan computed again and saved." in page
    # 60 000 a quarter is 20 000 a month: 2 deals in all, 10 SQLs → 4 a month.
    assert "60,000 EUR over 3 months from Jun 2026 (60,000 a quarter)" in page
    bad = _post(client, f"/planning/plans/{plan_id}/edit", {**FORM, "periods": "0"})
    assert bad.status_code == 422
    assert "How many : expected 1 to 36 whole months" in _text(bad.text)
