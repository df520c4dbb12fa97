"""People lists in a browser: marketing sees the demo's imported lists with their matches,
uploads a survey, and finds its detractor among the lost leads' NPS respondents."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_marketing_uploads_a_survey_and_sees_it_matched(
    page_as: Callable[[str], Page], shoot: Callable[[Page, str], Path], tmp_path: Path
) -> None:
    page = page_as("marketing")
    page.goto("/people-lists")
    assert page.get_by_role("heading", name="People lists").is_visible()
    rows = page.locator("#people-lists tbody tr")
    assert rows.count() >= 2, "the demo has a followers list and a survey"
    survey = tmp_path / "pulse.csv"
    survey.write_text(
        "Name;Company;Score;Comment\nPia Pulse;Nobody Oy;2;Support never answers\n",
        encoding="utf-8",
    )
    page.get_by_label("Name").fill("Pulse survey")
    page.get_by_label("Kind").select_option("nps_survey")
    page.get_by_label("CSV file").set_input_files(str(survey))
    page.get_by_role("button", name="Import").click()
    page.wait_for_load_state()
    status = page.get_by_role("status").inner_text()
    assert status.startswith("Imported 1 person into “Pulse survey”: 0 matched a contact")
    assert page.locator("#people-lists tbody tr", has_text="Pulse survey").count() == 1
    shoot(page, "people-lists")
    page.goto("/mining")
    ghosts = page.locator("details#ghost_accounts")
    if ghosts.get_attribute("open") is None:
        ghosts.locator("summary").click()
    assert int(ghosts.locator(".mining-count").inner_text()) > 0, "the demo has ghost accounts"
    page.evaluate("document.querySelector('details#ghost_accounts').scrollIntoView()")
    shoot(page, "lost-leads-ghost-accounts")
