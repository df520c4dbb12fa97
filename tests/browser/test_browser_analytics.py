"""The analytics pages in a real browser on the demo workspace: the funnel by a
grouping and the journeys' flow chart, with screenshots for the docs."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_the_funnel_by_value_tier(
    page_as: Callable[[str], Page], shoot: Callable[[Page, str], Path]
) -> None:
    from playwright.sync_api import expect

    page = page_as("marketing")
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Analytics").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Funnel")
    page.get_by_label("Group by").select_option("tier")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/analytics\?group=tier"))
    expect(page.get_by_role("heading", name="Conversion by value tier")).to_be_visible()
    funnel = page.get_by_role("img", name="Contacts that reached each stage")
    expect(funnel).to_be_visible()
    table = page.get_by_role("region", name="Conversion table CSV")
    expect(table.get_by_role("row").first).to_contain_text("Value tier")
    expect(table.get_by_role("row").filter(has_text="gold")).to_have_count(1)
    expect(table.get_by_role("row").last).to_contain_text("All")
    shoot(page, "analytics")


def test_the_journeys_flow_chart(
    page_as: Callable[[str], Page], shoot: Callable[[Page, str], Path]
) -> None:
    from playwright.sync_api import expect

    page = page_as("marketing")
    page.goto("/analytics")
    page.get_by_role("navigation", name="Analytics").get_by_role("link", name="Journeys").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Journeys")
    chart = page.get_by_role("img", name="How contacts move between stages")
    expect(chart).to_be_visible()
    assert page.locator("svg.sp-journeys path.sp-band").count() > 0
    paths = page.get_by_role("region", name="Most common paths CSV")
    expect(paths.get_by_role("row").nth(1)).to_contain_text("Subscriber →")
    shoot(page, "analytics-journeys")


def test_the_cost_page(page_as: Callable[[str], Page], shoot: Callable[[Page, str], Path]) -> None:
    from playwright.sync_api import expect

    page = page_as("marketing")
    page.goto("/analytics/costs")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cost per MQL and SQL")
    expect(page.get_by_text("first touch", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Enter a cost")).to_be_visible()
    shoot(page, "analytics-costs")
