"""An account's page as its salesperson sees it: committee, score, buying window, deals."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_account_page_shows_the_buying_committee_score_and_window(
    page_as: Callable[[str], Page], shoot: Callable[[Page, str], Path]
) -> None:
    from playwright.sync_api import expect

    page = page_as("sales")
    page.goto("/accounts")
    page.get_by_role("link", name="Maasvall Coatings Oy").click()
    expect(page.get_by_role("heading", name="Maasvall Coatings Oy", level=1)).to_be_visible()
    score = page.get_by_role("region", name="Account score")
    expect(score.get_by_role("definition")).to_have_text(
        ["171.9", "171.9", "0.0", "44.1", "4 of 13"]
    )
    window = page.get_by_role("region", name="Buying window")
    # The demo infers each account's window: here from the ERP contract's end, six months ahead.
    expect(window).to_contain_text("2033-06-12 – 2033-12-12")
    expect(window).to_contain_text("Source: contract end, confidence 60 %.")
    expect(window).to_contain_text(
        "Contract with Sisu Consulting (ERP) ends 2033-12-12; satisfaction 7/10"
        " → window opens 2033-06-12"
    )

    committee = page.get_by_role("region", name="Buying committee")
    expect(committee).to_contain_text(
        "Decision maker: covered: an engaged person holds this role (1 of 1 engaged)"
    )
    expect(committee.get_by_role("row")).to_have_count(14)  # the header and 13 people
    # Jukka is not touched by the queue test, which may run before this one.
    jukka = committee.get_by_role("row").filter(has_text="Jukka Mäkinen")
    expect(jukka.get_by_role("cell")).to_have_text(
        ["Jukka Mäkinen", "CFO", "Economic buyer", "SQL", "A", "42.8", "yes"]
    )
    installed = page.get_by_role("region", name="Installed solutions")
    expect(installed.get_by_role("row").filter(has_text="ERP").get_by_role("cell")).to_have_text(
        ["ERP", "Ferrum Business Software Ferrum X", "2025-02-16", "9 years"]
    )
    expect(page.get_by_role("region", name="Opportunities")).to_contain_text(
        "No opportunities yet."
    )
    shoot(page, "account")
