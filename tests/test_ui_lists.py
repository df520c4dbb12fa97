"""The list KPIs page: figures in words, charts, the capture sub-navigation."""

from __future__ import annotations

import html
import re

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from list_world import NOW, build_list_world
from web_world import Clock, seed_users, signed_in, web_app

HTML = {"Accept": "text/html"}


@pytest.fixture
def application(engine: Engine, database_url: str) -> FastAPI:
    build_list_world(engine)
    seed_users(engine)
    return web_app(engine, database_url, Clock(NOW))


def _text(page: str) -> str:
    page = re.sub(r"<svg.*?</svg>", " ", page, flags=re.S)
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", page).split()))


def test_the_page_shows_the_list_in_words_and_charts(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    response = client.get("/lists?months=3", headers=HTML)
    assert response.status_code == 200
    text = _text(response.text)
    for words in (
        "List KPIs as of 2026-03-02 09:00 UTC, last 3 months",
        "New addresses this month 1 2026-03 so far; 2 left, net -1.",
        "On the list (consent, not suppressed) 3 All contacts 8 38% on the list "
        "Engaged in the last 90 days 2 67% of the list",
        "2026-03 1 2 -1 1 0 0% 0 0 —",
        "2026-02 3 3 +0 0 0 — 2 1 50%",
        "2026-01 2 1 +1 1 1 100% 0 0 —",
        "Form This month 3 months erp-guide 1 2 newsletter 0 2",
        "Lead magnet This month 3 months erp-pdf 1 2",
    ):
        assert words in text, words
    for chart in ("list-sources", "list-leavers", "list-visitors", "list-touches"):
        assert f'id="{chart}' in response.text
    assert '<a href="/lists" aria-current="page">List KPIs</a>' in response.text
    assert 'style="' not in response.text


def test_months_out_of_range_are_refused(application: FastAPI) -> None:
    client = signed_in(application, "admin")
    assert client.get("/lists?months=2", headers=HTML).status_code == 422


def test_sales_may_not_see_the_list_kpis(application: FastAPI) -> None:
    client = signed_in(application, "sales")
    assert client.get("/lists", headers=HTML).status_code == 403


def test_the_dashboard_shows_the_list_this_month(application: FastAPI) -> None:
    marketing = signed_in(application, "marketing").get("/", headers=HTML).text
    text = _text(marketing)
    assert (
        "The list this month On the list (consent, not suppressed) 3 38% of contacts "
        "Left this month 2 List quality (engaged in 90 days) 67% 2 people "
        "New addresses, first visit owned 0 New addresses, first visit bought 0 "
        "All list KPIs"
    ) in text
    sales = _text(signed_in(application, "sales").get("/", headers=HTML).text)
    assert "The list this month On the list (consent, not suppressed) 3" in sales
    assert "All list KPIs" not in sales
