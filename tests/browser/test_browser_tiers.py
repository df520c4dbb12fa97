"""The tiers page in a browser: the pyramid, the matrix, and a policy previewed over htmx."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from silverplatter.services.demo.segmentation import ensure_demo_segmentation
from silverplatter.storage.engine import make_engine
from silverplatter.storage.schema import accounts

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser
NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


def test_marketing_reads_the_pyramid_and_previews_a_policy(
    demo_url: str, page_as: Callable[[str], Page], shoot: Callable[[Page, str], Path]
) -> None:
    from playwright.sync_api import expect

    engine = make_engine(demo_url)
    try:
        with engine.begin() as connection:
            ensure_demo_segmentation(connection, now=NOW)
            total = connection.execute(select(func.count()).select_from(accounts)).scalar_one()
    finally:
        engine.dispose()
    page = page_as("marketing")
    page.goto("/tiers")
    expect(page.get_by_role("heading", name="Value tiers and needs segments")).to_be_visible()
    pyramid = page.get_by_role("img", name="Accounts by value tier and needs segment")
    expect(pyramid).to_be_visible()
    expect(pyramid.locator("text.sp-pyr-column")).to_have_text(
        ["Delivery reliability", "Cost efficiency", "Growth and integration", "No needs segment"]
    )
    matrix = page.locator("table.tiers-matrix")
    expect(matrix.get_by_role("columnheader")).to_have_text(
        ["Tier", "Delivery reliability", "Cost efficiency", "Growth and integration", "Care model"]
    )
    shoot(page, "tiers")

    page.get_by_role("radio", name=re.compile("Percentiles")).check()
    for tier, share in (("Gold", "5"), ("Silver", "15"), ("Bronze", "30")):
        page.get_by_label(tier, exact=True).fill(share)
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("region", name="If you apply this policy now")
    expect(preview).to_be_visible()
    expect(preview).to_contain_text(f"accounts of {total} would change tier")
    expect(preview).to_contain_text("Nothing has been changed yet.")
    moves = preview.get_by_role("table", name="Accounts now (rows) and after (columns)")
    last = moves.get_by_role("row").last
    expect(last.get_by_role("cell").last).to_have_text(str(total))
    preview.scroll_into_view_if_needed()
    shoot(page, "tiers-preview")


def test_sales_sees_the_pyramid_without_the_forms(page_as: Callable[[str], Page]) -> None:
    from playwright.sync_api import expect

    page = page_as("sales")
    page.goto("/tiers")
    expect(page.get_by_role("img", name="Accounts by value tier and needs segment")).to_be_visible()
    expect(page.get_by_role("button", name="Preview")).to_have_count(0)
    expect(page.get_by_role("link", name="Tiers")).to_have_attribute("aria-current", "page")
