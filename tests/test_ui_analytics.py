"""The analytics pages: funnel by grouping, journeys, costs, CSV and PDF, by role."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, select, update

from analytics_world import build_analytics_world
from silverplatter.storage.access_schema import audit_log
from silverplatter.storage.planning_schema import channel_costs
from silverplatter.storage.schema import accounts, contacts
from web_world import seed_users, signed_in, web_app


@pytest.fixture
def application(engine: Engine, database_url: str) -> FastAPI:
    ids = build_analytics_world(engine)
    users = seed_users(engine)
    with engine.begin() as connection:
        connection.execute(
            update(accounts).where(accounts.c.id == ids["A1"]).values(owner_id=users["sales"])
        )
        connection.execute(
            update(contacts).where(contacts.c.id == ids["c6"]).values(owner_id=users["sales"])
        )
    return web_app(engine, database_url)


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).strip())


def _csv(body: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body)))


def test_the_funnel_page_by_tier(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    page = client.get("/analytics?group=tier")
    assert page.status_code == 200
    assert '<a href="/analytics" aria-current="page">Analytics</a>' in page.text
    text = _text(page.text)
    assert "Funnel contacts created all time" in text
    assert 'id="sp-analytics-funnel"' in page.text or "analytics-funnel" in page.text
    assert "gold 2 2 100.0% 2 100.0% 2 50.0% 1 100.0% 1 100.0% 1 0 1" in text
    assert "All 7 6 100.0% 6 33.3% 2 50.0% 1 100.0% 1 100.0% 1 1 1" in text


def test_conversion_and_time_csv(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    answer = client.get("/analytics/conversion.csv?group=cohort&from=2026-01-01&to=2026-01-31")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = _csv(answer.text)
    assert rows[0][:4] == ["Cohort (month created)", "Contacts", "Lead", "Lead → MQL"]
    assert rows[1][:6] == ["2026-01", "2", "2", "100.0%", "2", "50.0%"]
    assert rows[-1][0] == "All"
    times = _csv(client.get("/analytics/time-in-stage.csv?group=cohort").text)
    assert ["All", "MQL", "3", "10", "15"] in times


def test_bad_parameters_name_the_field(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    wrong = client.get("/analytics?group=colour")
    assert wrong.status_code == 422 and "group" in wrong.text
    late = client.get("/analytics?from=2026-03-01&to=2026-02-01")
    assert late.status_code == 422 and "to" in late.text
    malformed = client.get("/analytics/journeys?from=March")
    assert malformed.status_code == 422 and "YYYY-MM-DD" in malformed.text


def test_journeys_page_and_csv(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    page = client.get("/analytics/journeys")
    assert page.status_code == 200
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="sp-chart sp-journeys"' in page.text
    assert page.text.count('class="sp-band"') == 11
    text = _text(page.text)
    assert "Subscriber → Lead → MQL 2 2 40.0%" in text
    assert "5 contacts moved at least once (2 never moved)" in text
    paths = _csv(client.get("/analytics/journeys/paths.csv").text)
    assert paths[1] == ["Subscriber → Lead → MQL", "2", "2", "40.0%"]
    edges = _csv(client.get("/analytics/journeys/edges.csv").text)
    assert ["Lead", "MQL", "5", "4"] in edges


def test_sales_sees_own_records_only(application: FastAPI) -> None:
    client = signed_in(application, "sales")
    text = _text(client.get("/analytics?group=tier").text)
    assert "You see your own records only" in text
    assert "All 3 3 100.0% 3 66.7% 2" in text
    assert "Enter a cost" not in client.get("/analytics/costs").text
    refused = client.post(
        "/analytics/costs",
        data={"csrf_token": client.csrf, "channel": "email", "month": "2026-01", "amount": "1"},
    )
    assert refused.status_code == 403


def test_entering_and_deleting_costs(application: FastAPI, engine: Engine) -> None:
    client = signed_in(application, "marketing")
    saved = client.post(
        "/analytics/costs",
        data={"csrf_token": client.csrf, "channel": "paid_search", "month": "2026-01",
              "amount": "500", "note": "search ads"},
        follow_redirects=False,
    )  # fmt: skip
    assert saved.status_code == 303
    text = _text(client.get("/analytics/costs").text)
    assert "The cost was saved." not in text
    assert "2026-01 paid_search 500.00 1 1 500.00 500.00" in text
    assert "first touch" in text
    rows = _csv(client.get("/analytics/costs.csv").text)
    assert ["2026-01", "paid_search", "500.00", "1", "1", "500.00", "500.00"] in rows
    channels = _csv(client.get("/analytics/costs.csv?by=channel").text)
    assert channels[0][0] == "Channel"
    assert ["paid_search", "500.00", "2", "2", "500.00", "500.00"] in channels
    entered = _csv(client.get("/analytics/costs.csv?by=entered").text)
    assert entered == [
        ["Month", "Channel", "Amount", "Currency", "Note"],
        ["2026-01", "paid_search", "500.00", "EUR", "search ads"],
    ]
    bad = client.post(
        "/analytics/costs",
        data={"csrf_token": client.csrf, "channel": "paid_search", "month": "January",
              "amount": "5"},
    )  # fmt: skip
    assert bad.status_code == 422
    assert "expected a month as YYYY-MM" in bad.text
    with engine.connect() as connection:
        cost_id = connection.execute(select(channel_costs.c.id)).scalar_one()
    deleted = client.post(
        f"/analytics/costs/{cost_id}/delete",
        data={"csrf_token": client.csrf},
        follow_redirects=False,
    )
    assert deleted.status_code == 303
    with engine.connect() as connection:
        assert connection.execute(select(channel_costs.c.id)).first() is None
        actions = connection.execute(select(audit_log.c.action)).scalars().all()
    assert actions.count("channel_cost.saved") == 1
    assert actions.count("channel_cost.deleted") == 1


def test_the_pdf(application: FastAPI) -> None:
    client = signed_in(application, "sales")
    answer = client.get("/analytics/report.pdf?group=channel")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF-")
    assert answer.content.count(b"/Type /Page\n") + answer.content.count(b"/Type /Page ") >= 3
