"""The import page: a CSV of accounts with one bad row is uploaded, imported in the
background, and its reject report downloaded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

#: Accounts, so that the contacts other browser tests count stay as they are.
ACCOUNTS = (
    "name,domain,industry,employees,country\n"
    "Aalto Valimo Oy,aalto-valimo.example,Metal products,240,FI\n"
    "Berg Kemi AB,berg-kemi.example,Chemicals and plastics,about forty,SE\n"
    "Carlsen Maskin AS,carlsen-maskin.example,Industrial machinery,1200,NO\n"
    "Dora Foods Oy,dora-foods.example,Food and beverage,85,FI\n"
)


def test_import_with_a_bad_row_reports_the_reject_and_offers_the_report(
    page_as: Callable[[str], Page], shoot: Callable[[Page, str], Path]
) -> None:
    from playwright.sync_api import expect

    page = page_as("marketing")
    page.goto("/import")
    expect(page.get_by_role("heading", name="Upload a CSV file")).to_be_visible()
    page.get_by_label("CSV file (up to 200 MB)").set_input_files(
        {"name": "trade-fair-accounts.csv", "mimeType": "text/csv", "buffer": ACCOUNTS.encode()}
    )
    page.get_by_label("The rows are").select_option(label="Accounts (companies)")
    page.get_by_label("Exported from").select_option(label="Silverplatter's own column names")
    page.get_by_role("button", name="Upload and import").click()

    expect(page.get_by_role("heading", name="Import of trade-fair-accounts.csv")).to_be_visible()
    summary = page.get_by_role("status")
    expect(summary.get_by_role("heading", name="Import finished")).to_be_visible()
    counts = summary.locator("dl > div")
    expect(counts).to_have_text(
        ["Rows read 4", "Created 3", "Updated 0", "Unchanged 0", "Rejected 1"],
        use_inner_text=True,
    )
    report = summary.get_by_role("link", name="Download the reject report (CSV)")
    expect(report).to_be_visible()
    shoot(page, "import")

    with page.expect_download() as download:
        report.click()
    rejects = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert rejects == [
        "name,domain,industry,employees,country,row_number,reason",
        "Berg Kemi AB,berg-kemi.example,Chemicals and plastics,about forty,SE,3,"
        "employees: 'about forty' is not a number",
    ]

    page.goto("/import")
    latest = page.get_by_role("row").filter(has_text="trade-fair-accounts.csv")
    cells = latest.get_by_role("cell").all_inner_texts()
    assert cells[:7] == ["trade-fair-accounts.csv", "accounts", "Finished", "3", "0", "0", "1"]
    assert cells[8] == "Demo Marketing"
