"""The list KPIs page and a privacy request's confirmation, in a real browser."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_list_kpis_show_sources_leavers_and_traffic(
    page_as: Callable[[str], Page], shoot: Callable[[Page, str], Path]
) -> None:
    from playwright.sync_api import expect

    page = page_as("marketing")
    page.goto("/forms")
    page.get_by_role("navigation", name="Capture").get_by_role("link", name="List KPIs").click()
    expect(page).to_have_title("List KPIs · Silverplatter")
    expect(page.get_by_role("heading", name="List KPIs", level=1)).to_contain_text("last 12 months")
    the_list = page.get_by_role("region", name="The list")
    expect(the_list.get_by_role("definition")).to_have_text(
        ["250", "300 83% on the list", "135 54% of the list"]
    )
    for heading in ("Where new addresses come from", "Leavers", "Owned and bought traffic"):
        expect(page.get_by_role("region", name=heading).locator("svg").first).to_be_visible()
    sources = page.get_by_role("region", name="Where new addresses come from")
    expect(sources.locator("svg")).to_contain_text("form:newsletter")
    months = page.get_by_role("region", name="Month by month").locator("tbody tr")
    expect(months).to_have_count(12)
    shoot(page, "lists")


def test_erasing_asks_for_the_address_first(
    page_as: Callable[[str], Page], shoot: Callable[[Page, str], Path]
) -> None:
    from playwright.sync_api import expect

    page = page_as("admin")
    page.goto("/contacts")
    page.get_by_role("searchbox", name="Search").fill("Mäkinen")
    page.get_by_role("searchbox", name="Search").press("Enter")
    page.get_by_role("link", name="Jukka Mäkinen").click()
    privacy = page.get_by_role("region", name="Privacy requests")
    expect(privacy.get_by_role("link", name="Export data (JSON)")).to_be_visible()
    privacy.get_by_role("link", name="Erase person…").click()

    expect(page).to_have_title("Erase Jukka Mäkinen · Silverplatter")
    page.get_by_label("Type the person's address").fill("someone.else@example.com")
    page.get_by_role("button", name="Erase this person").click()
    expect(page.get_by_role("alert")).to_have_text(
        "the address typed is not this person's; nothing was erased"
    )
    shoot(page, "erase")
    page.get_by_role("link", name="← Back to the contact").click()
    expect(page.get_by_role("heading", name="Jukka Mäkinen", level=1)).to_be_visible()
