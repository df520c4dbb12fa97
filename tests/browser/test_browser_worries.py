"""Worries in the browser: marketing tags content with a worry, a contact in the sales queue
reads that content, and the worry's talking point appears on their card; the needs grid and
Kano pages with the demo's research, for the user guide's pictures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from silverplatter.services.demo.research import ensure_demo_research
from silverplatter.services.ingest import ingest_events
from silverplatter.storage.engine import make_engine
from silverplatter.storage.schema import contacts

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

#: The moment the session's demo workspace was built at (``conftest.NOW``).
NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)

#: The last card of the demo sales queue (``test_browser_queue.CARDS``).
READER = ("Aino", "Hämäläinen")
TALKING_POINT = "Ask which orders slipped last quarter and what it cost them"


def _read_tagged_content(demo_url: str) -> None:
    """The reader downloads the tagged guide (an event the scoring model gives no points)."""
    engine = make_engine(demo_url)
    try:
        with engine.begin() as connection:
            email = connection.execute(
                select(contacts.c.email).where(
                    contacts.c.first_name == READER[0], contacts.c.last_name == READER[1]
                )
            ).scalar_one()
            item = {
                "type": "content_download",
                "email": email,
                "occurred_at": (NOW + timedelta(minutes=1)).isoformat(),
                "properties": {"content_id": "late-deliveries-guide", "title": "Late deliveries"},
            }
            assert ingest_events(connection, [item], now=NOW + timedelta(minutes=2)).errors == []
    finally:
        engine.dispose()


def test_a_talking_point_appears_on_the_card_after_the_contact_reads_tagged_content(
    page_as: Callable[[str], Page], demo_url: str, shoot: Callable[[Page, str], Path]
) -> None:
    from playwright.sync_api import expect

    marketing = page_as("marketing")
    marketing.goto("/worries")
    new = marketing.locator("#new-worry")
    new.get_by_role("textbox", name="Name what the customer worries about").fill("Late deliveries")
    new.get_by_label("Talking point for sales").fill(TALKING_POINT)
    new.get_by_role("button", name="Add worry").click()
    expect(marketing.get_by_role("heading", name="Late deliveries", level=1)).to_be_visible()
    tag = marketing.locator("#new-tag")
    tag.get_by_label("Kind").select_option(label="Content id")
    tag.get_by_label("Target").fill("late-deliveries-guide")
    tag.get_by_label("Weight").fill("2")
    tag.get_by_role("button", name="Add tag").click()
    expect(marketing.get_by_text("Tag added.")).to_be_visible()
    expect(marketing.locator("#tags tbody tr")).to_have_text(
        ["Content id late-deliveries-guide — 2.0 Remove"], use_inner_text=True
    )
    marketing.evaluate("window.scrollTo(0, 0)")
    shoot(marketing, "worry")

    sales = page_as("sales")
    sales.goto("/queue")
    card = sales.get_by_role("article", name=" ".join(READER))
    expect(card).to_be_visible()
    expect(card.get_by_text("Talking points")).to_have_count(0)

    _read_tagged_content(demo_url)
    sales.reload()
    card = sales.get_by_role("article", name=" ".join(READER))
    points = card.locator(".queue-talking-points")
    expect(points).to_contain_text(f"Late deliveries: {TALKING_POINT}")
    card.scroll_into_view_if_needed()
    shoot(sales, "queue-talking-points")

    card.get_by_role("link", name=" ".join(READER)).click()
    worries = sales.get_by_role("region", name="Worries")
    expect(worries.get_by_role("row").filter(has_text="Late deliveries")).to_contain_text("2.00")


def test_the_grid_and_kano_pages_draw_the_demo_research(
    page_as: Callable[[str], Page], demo_url: str, shoot: Callable[[Page, str], Path]
) -> None:
    from playwright.sync_api import expect

    engine = make_engine(demo_url)
    try:
        with engine.begin() as connection:
            ensure_demo_research(connection, now=NOW)
    finally:
        engine.dispose()
    page = page_as("marketing")
    page.goto("/grids")
    page.get_by_role("link", name="ERP buyers in manufacturing").click()
    expect(page.get_by_role("heading", name="ERP buyers in manufacturing", level=1)).to_be_visible()
    totals = page.locator("#totals tbody tr").first
    expect(totals).to_contain_text("Us")
    expect(page.locator("svg.sp-chart-heatmap")).to_have_count(5)
    expect(page.locator("#differences tr.un-largest").first).to_contain_text("Points on Service")
    page.locator(".un-figures").scroll_into_view_if_needed()
    shoot(page, "needs-grid")

    page.goto("/kano")
    page.get_by_role("link", name="ERP features 2026").click()
    expect(page.locator("#kano-results tbody tr")).to_have_count(7)
    expect(
        page.locator("#kano-results tbody tr").filter(has_text="Single sign-on")
    ).to_contain_text("Must-be")
    page.get_by_label("Segment").select_option("Enterprise")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url("/kano/erp-features-2026?segment=Enterprise", ignore_case=False)
    expect(page.locator("svg.sp-chart-kano circle")).to_have_count(7)
    page.goto("/kano/erp-features-2026")
    page.locator(".un-figures").scroll_into_view_if_needed()
    shoot(page, "kano")
