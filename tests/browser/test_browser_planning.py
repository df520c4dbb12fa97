"""Planning in a browser: marketing fills in a plan on the demo, is told which rates the
thin history cannot give, enters them, activates the plan and reads the service level
against a year of MQL and SQL arrivals."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import insert, select

from silverplatter.storage.engine import make_engine
from silverplatter.storage.lifecycle_schema import stage_transitions
from silverplatter.storage.schema import contacts

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser
NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


def _history(demo_url: str) -> None:
    """A year of MQLs and SQLs added to the demo's own stage history: contact k of 120
    becomes an MQL k × 3 days before now, every third of them an SQL a week later."""
    engine = make_engine(demo_url)
    try:
        with engine.begin() as connection:
            known = connection.execute(
                select(stage_transitions.c.id).where(stage_transitions.c.transition == "history")
            ).first()
            if known is not None:
                return
            ids = connection.execute(
                select(contacts.c.id).order_by(contacts.c.id).limit(120)
            ).scalars()
            moves = []
            for k, contact in enumerate(ids, start=1):
                mql = NOW - timedelta(days=3 * k, hours=1)
                moves.append((contact, "lead", "mql", mql))
                if k % 3 == 0:
                    moves.append((contact, "mql", "sql", mql + timedelta(days=7)))
            connection.execute(
                insert(stage_transitions),
                [
                    {
                        "contact_id": contact,
                        "from_stage": before,
                        "to_stage": after,
                        "transition": "history",
                        "actor": "rule",
                        "reason": "earlier history",
                        "occurred_at": when,
                    }
                    for contact, before, after, when in moves
                ],
            )
    finally:
        engine.dispose()


def test_marketing_plans_backwards_and_reads_the_service_level(
    demo_url: str, page_as: Callable[[str], Page], shoot: Callable[[Page, str], Path]
) -> None:
    from playwright.sync_api import expect

    _history(demo_url)
    page = page_as("marketing")
    page.goto("/")
    page.get_by_role("link", name="Planning", exact=True).click()
    expect(page.get_by_role("heading", name="Planning and the service level")).to_be_visible()
    expect(page.locator("#sla")).to_contain_text("No plan is active")
    page.get_by_role("link", name="New plan").click()
    page.get_by_label("Name", exact=True).fill("FY26 growth")
    page.get_by_label("Revenue target").fill("150000")
    page.get_by_label("How many").fill("6")
    page.get_by_label("SQL → opportunity rate").fill("30")
    page.get_by_label("SQL → opportunity days").fill("21")
    page.get_by_role("button", name="Compute and save the plan").click()

    expect(page.get_by_role("status")).to_contain_text("Plan saved.")
    expect(page.get_by_role("heading", name=re.compile("FY26 growth"))).to_be_visible()
    inputs = page.locator("#plan-inputs")
    expect(inputs).to_contain_text("set by hand")
    opportunities = inputs.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="SQL → opportunity", exact=True)
    )
    # The demo's sales opened 4 deals from its 47 SQLs of the last year; the hand-set rate wins.
    expect(opportunities.get_by_role("cell")).to_have_text(
        ["30.0 % set by hand", "30.0–30.0 %", "21.0 set by hand", "4 of 47, median 2.8 days"]
    )
    page.get_by_role("button", name="Activate as the service level").click()

    expect(page.get_by_role("status")).to_have_text(
        "Plan activated: it is now marketing's service level."
    )
    sla = page.locator("#sla")
    expect(sla).to_contain_text(re.compile(r"\d+ SQLs a month"))
    expect(page.locator("#projection")).to_contain_text("SQLs this month")
    expect(page.locator("#chart-sqls svg")).to_be_visible()
    expect(page.locator("#plan-months tbody tr").first).to_contain_text("lead-in")
    shoot(page, "planning")
    page.locator("#chart-sqls").evaluate("element => element.scrollIntoView()")
    shoot(page, "planning-charts")
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF of this page").click()
    assert download.value.suggested_filename == "planning.pdf"
