"""A contact's page, reached from the contact list: timeline, score chart and explanation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_contact_page_shows_timeline_score_chart_and_explanation(
    page_as: Callable[[str], Page], shoot: Callable[[Page, str], Path]
) -> None:
    from playwright.sync_api import expect

    page = page_as("marketing")
    page.goto("/contacts")
    page.get_by_role("searchbox", name="Search").fill("Mäkinen")
    page.get_by_role("searchbox", name="Search").press("Enter")
    page.get_by_role("link", name="Jukka Mäkinen").click()

    expect(page.get_by_role("heading", name="Jukka Mäkinen", level=1)).to_be_visible()
    expect(page).to_have_title("Jukka Mäkinen · Silverplatter")
    facts = page.locator("header dl")
    expect(facts.get_by_role("definition")).to_have_text(
        [
            "jukka.makinen@maasvall-coatings.example",
            "Maasvall Coatings Oy",
            "gold",
            "A",
            "42.8",
            "SQL",
            "Demo Sales",
        ]
    )

    why = page.get_by_role("region", name="Why A and 42.8")
    expect(why).to_contain_text("Qualification by the rules: SQL")
    expect(why.get_by_role("listitem").filter(has_text="flag hard_cta")).to_have_text(
        "met flag hard_cta"
    )
    expect(why).to_contain_text("2 touches (email_sent) in the last 60 days; silence needs 4")

    chart = page.get_by_role("region", name="Score over the last 12 months")
    expect(chart.locator("svg")).to_have_count(1)
    rules = chart.get_by_role("row").filter(has_text="asked for contact, a demo or a quote")
    expect(rules.get_by_role("cell")).to_have_text(
        ["asked for contact, a demo or a quote", "1", "40.0", "39.9", "45 days"]
    )

    grade = page.get_by_role("region", name="Grade breakdown")
    expect(
        grade.get_by_role("row").filter(has_text="Senior role").get_by_role("cell")
    ).to_have_text(["Senior role", "C-level", "match", "+2/3"])

    timeline = page.get_by_role("region", name="Timeline")
    events = timeline.get_by_role("row").filter(has=page.get_by_role("cell"))
    expect(events).to_have_count(21)  # 20 events and the row to show older ones
    expect(events.first.get_by_role("cell")).to_have_text(
        [
            "2026-03-20 06:00",
            "Submitted a form hard call to action",
            "—",
            "contact_us",
            "40.0",
            "asked for contact, a demo or a quote",
        ]
    )
    lifecycle = page.get_by_role("region", name="Lifecycle history")
    # The demo's sales worked Jukka twice and recycled him; today's contact request hands
    # him over again, from nurture.
    moves = lifecycle.get_by_role("row").filter(has=page.get_by_role("cell"))
    expect(moves).to_have_count(12)
    expect(moves.last.get_by_role("cell")).to_have_text(
        [
            "2026-03-20 09:00",
            "Recycled → SQL",
            "the scoring rules",
            "flag hard_cta; score 42.8 ≥ 10; seniority C-level is one of C-level",
        ]
    )
    expect(lifecycle.get_by_role("cell", name="Lead → SQL")).to_have_count(2)
    shoot(page, "contact")

    timeline.get_by_role("link", name="Show older events").click()
    expect(events).to_have_count(31)  # all 31 of the contact's events, nothing more to show
    expect(timeline.get_by_role("link", name="Show older events")).to_have_count(0)
    expect(events.last.get_by_role("cell").nth(1)).to_have_text(
        "Submitted a form soft call to action"
    )
