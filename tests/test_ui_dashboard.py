"""The dashboard page: exact figures on the fixed world of ``test_dashboard``, per role."""

from __future__ import annotations

import html as entities
import re

from sqlalchemy import Engine

from test_dashboard import NOW, _world
from test_ui_queue import _world as _queue_world
from web_world import Clock, seed_users, signed_in, web_app


def _text(html: str) -> str:
    """The page's words, tags dropped and white space squeezed."""
    return entities.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def _page(engine: Engine, database_url: str, role: str) -> str:
    seed_users(engine, now=NOW)
    with engine.begin() as connection:
        _world(connection)
    app = web_app(engine, database_url, Clock(NOW))
    response = signed_in(app, role).get("/")
    assert response.status_code == 200
    return response.text


def test_the_central_kpi_comes_first_with_its_change(engine: Engine, database_url: str) -> None:
    html = _page(engine, database_url, "marketing")
    words = _text(html)
    assert "New email addresses this month 3 +50%" in words
    assert "2026-01 so far, against 2 in 2025-12." in words
    # The KPI is the first card on the page.
    assert html.index('id="kpi-heading"') < html.index('id="attention-heading"')
    assert html.index('id="kpi-heading"') < html.index('id="list-heading"')
    # Its chart: twelve months, the current one highlighted.
    assert 'id="new-addresses-title"' in html
    assert "Bar chart: 2025-02 0, " in html
    assert "2025-10 1, 2025-11 0, 2025-12 2, 2026-01 3." in html
    assert 'class="sp-bar sp-highlight"' in html


def test_list_size_and_quality_in_counts_and_shares(engine: Engine, database_url: str) -> None:
    words = _text(_page(engine, database_url, "admin"))
    assert "Contacts 7 " in words
    assert "May be emailed (consent) 4 57%" in words
    assert "Confirmed by double opt-in 2 50% of those with consent" in words
    assert "On a known account 3 43%" in words
    assert "With a known role 3 43%" in words
    assert "Engaged in the last 90 days 4 57%" in words
    assert "Graded A or B 2 29%" in words


def test_qualification_conversion_and_traffic(engine: Engine, database_url: str) -> None:
    html = _page(engine, database_url, "sales")
    words = _text(html)
    assert "2025-11: MQL 1, SQL 0. 2025-12: MQL 2, SQL 1. 2026-01: MQL 1, SQL 1." in html
    assert "Lead → MQL 4 3 75%" in words
    assert "MQL → SQL 5 1 20%" in words
    assert "SQL → Opportunity 2 1 50%" in words
    assert "Opportunity → Customer 1 1 100%" in words
    assert "Funnel: Lead 4; MQL 5 (125% of Lead); SQL 2 (40% of MQL)" in html
    assert "Last 30 days: 6 owned, 2 bought (75% owned), 1 untagged." in words
    assert "Split of 8: Owned 75% (6), Bought 25% (2)." in html
    assert "2026-01: Owned 5, Bought 2." in html
    assert "organic 3 2 0 partner 2 2 0 email 1 1 0 google_ads 1 0 1 linkedin_ads 1 0 1" in words


def test_what_needs_you_for_marketing_and_admin(engine: Engine, database_url: str) -> None:
    words = _text(_page(engine, database_url, "marketing"))
    assert "What needs you 1 MQL this month See the contacts" in words
    assert "overdue" not in words


def test_what_needs_you_for_sales_is_its_overdue_queue(engine: Engine, database_url: str) -> None:
    app, _ = _queue_world(engine, database_url)
    sales = _text(signed_in(app, "sales").get("/").text)
    assert "What needs you 1 overdue lead in your queue Open your queue" in sales
    admin = _text(signed_in(app, "admin").get("/").text)
    assert "0 MQLs this month" in admin
    assert "2 overdue leads in the team's queue Open the queue" in admin


def test_an_empty_workspace_renders_for_every_role(engine: Engine, database_url: str) -> None:
    seed_users(engine)
    app = web_app(engine, database_url)
    for role in ("admin", "marketing", "sales"):
        words = _text(signed_in(app, role).get("/").text)
        assert "New email addresses this month 0 no earlier month to compare" in words
        assert "May be emailed (consent) 0 —" in words
        assert "No traffic in the last 30 days." in words
