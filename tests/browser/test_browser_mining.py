"""The lost-lead report in a browser: marketing opens the report on the demo, ticks a
closed-lost deal, gives it a task in one click and finds the task on the tasks page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser
TITLE = "Reopen the deal: call before the window"


def test_marketing_gives_a_lost_deal_a_task_and_finds_it_on_tasks(
    page_as: Callable[[str], Page], shoot: Callable[[Page, str], Path]
) -> None:
    page = page_as("marketing")
    page.goto("/mining")
    assert page.get_by_role("heading", name="Lost leads").is_visible()
    section = page.locator("details#closed_lost")
    if section.get_attribute("open") is None:
        section.locator("summary").click()
    count = int(section.locator(".mining-count").inner_text())
    assert count > 0, "the demo has deals lost in the last 24 months"
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "lost-leads")
    section.locator('input[name="pick"]').first.check()
    page.evaluate("document.querySelector('details#closed_lost').scrollIntoView()")
    shoot(page, "lost-leads-selected")
    section.get_by_label("Task").fill(TITLE)
    section.get_by_label("Due").fill("2026-03-27")
    section.get_by_role("button", name="Create task").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text() == "1 tasks created; see them under Tasks."
    page.get_by_role("link", name="Tasks", exact=True).first.click()
    page.wait_for_load_state()
    row = page.locator("tr", has_text=TITLE)
    assert row.count() == 1
    assert "mining:closed_lost" in row.inner_text() and "2026-03-27" in row.inner_text()
    shoot(page, "tasks")
