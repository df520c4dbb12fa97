"""The dashboard: the central KPI first, then the list, the funnel and the traffic, with charts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_dashboard_shows_the_new_addresses_kpi_and_its_charts(
    page_as: Callable[[str], Page], shoot: Callable[[Page, str], Path]
) -> None:
    from playwright.sync_api import expect

    page = page_as("marketing")
    page.goto("/")
    expect(page).to_have_title("Dashboard · Silverplatter")
    kpi = page.get_by_role("region", name="New email addresses this month")
    expect(kpi.locator(".dash-kpi-figure")).to_have_text("6 +20%")
    expect(kpi).to_contain_text("so far, against 5 in")
    expect(kpi.locator("figure svg")).to_have_count(1)

    facts = page.get_by_role("region", name="List size and quality")
    expect(facts.get_by_role("definition").first).to_have_text("300")
    for heading in ("MQLs and SQLs per month", "Stage conversion", "Owned and bought traffic"):
        expect(page.get_by_role("region", name=heading).locator("svg").first).to_be_visible()
    assert page.locator("main svg").count() >= 5
    shoot(page, "dashboard")
