"""The sales queue: silver-platter cards a salesperson accepts or recycles in place (htmx)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

#: The demo sales user's contacts that asked for contact today, best score first.
CARDS = ("Antti Mäkelä", "Jukka Mäkinen", "Bram Smit", "Aino Hämäläinen")


def test_sales_accepts_one_card_and_recycles_another(
    page_as: Callable[[str], Page], shoot: Callable[[Page, str], Path]
) -> None:
    from playwright.sync_api import expect

    page = page_as("sales")
    page.goto("/queue")
    expect(page.get_by_role("heading", name="Sales queue", level=1)).to_be_visible()
    expect(page.get_by_text("4 leads ready for sales")).to_be_visible()
    expect(page.get_by_role("article")).to_have_count(4)
    names = page.get_by_role("article").get_by_role("heading", level=2)
    expect(names).to_have_text(list(CARDS))
    first = page.get_by_role("article", name="Antti Mäkelä")
    expect(first.get_by_text("Maasvall Coatings Oy")).to_be_visible()
    expect(first.get_by_text("asked for contact today")).to_be_visible()
    shoot(page, "queue")

    first.get_by_role("button", name="Accept").click()
    accepted = page.get_by_role("status").filter(has_text="Antti Mäkelä")
    expect(accepted).to_contain_text("accepted, now")
    expect(accepted).to_contain_text("The lead is yours to work.")

    third = page.get_by_role("article", name="Bram Smit")
    third.get_by_text("Recycle…").click()
    recycle = third.locator("form").filter(
        has=page.get_by_role("button", name="Recycle", exact=True)
    )
    recycle.get_by_label("Reason").select_option(label="No budget yet")
    recycle.get_by_role("button", name="Recycle", exact=True).click()
    recycled = page.get_by_role("status").filter(has_text="Bram Smit")
    expect(recycled).to_contain_text("recycled back to nurture.")
    expect(recycled).to_contain_text("No budget yet")
    expect(page.get_by_role("article", name="Jukka Mäkinen")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "queue-after-actions")

    page.reload()
    expect(page.get_by_text("2 leads ready for sales")).to_be_visible()
    expect(names).to_have_text(["Jukka Mäkinen", "Aino Hämäläinen"])
