"""The scoring model page: an edit with a mistake is refused naming its line and field;
the corrected edit is previewed without changing anything."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

GOLD_MQL = "mql = { score = 20 }"


def test_model_edit_with_a_mistake_names_line_and_field_then_previews_the_fix(
    page_as: Callable[[str], Page], shoot: Callable[[Page, str], Path]
) -> None:
    from playwright.sync_api import expect

    page = page_as("marketing")
    page.goto("/model")
    expect(page.get_by_role("heading", name="Scoring model", level=1)).to_be_visible()
    editor = page.get_by_label("Model file (TOML)")
    original = editor.input_value()
    assert original.count(GOLD_MQL) == 1
    line = original[: original.index(GOLD_MQL)].count("\n") + 1

    editor.fill(original.replace(GOLD_MQL, 'mql = { score = "twenty" }'))
    page.get_by_role("button", name="Validate").click()
    problems = page.get_by_role("alert")
    expect(problems).to_contain_text("1 problem in the file — nothing was saved.")
    expect(problems.get_by_role("listitem")).to_have_text(
        [f"line {line}, thresholds.gold.mql.score: expected a number"]
    )
    marked = page.get_by_role("table", name="The file with its problems marked")
    wrong = marked.get_by_role("row").filter(has=page.get_by_role("rowheader", name=str(line)))
    expect(wrong).to_contain_text('mql = { score = "twenty" }')
    expect(wrong).to_contain_text("thresholds.gold.mql.score: expected a number")
    problems.scroll_into_view_if_needed()
    shoot(page, "model-error")

    editor.fill(original.replace(GOLD_MQL, "mql = { score = 5 }"))
    page.get_by_role("button", name="Preview changes").click()
    preview = page.get_by_role("region", name="If you activate this file now")
    expect(preview).to_be_visible()
    # The queue test may have recycled a lead who asked for contact: any recompute hands
    # that one back to sales, so only the gold MQL threshold's own effect is exact here.
    expect(preview.locator("p").first).to_contain_text("would change stage, 0 would change grade")
    stages = preview.get_by_role("table", name="Stage changes")
    to_mql = stages.get_by_role("row").filter(has=page.get_by_role("cell", name="MQL", exact=True))
    # Two gold leads score 5-20, and one gold contact the demo's sales recycled scores 10.4.
    expect(to_mql.get_by_role("cell")).to_have_text(["Lead", "MQL", "2", "Recycled", "MQL", "1"])
    expect(preview).to_contain_text("Of 300 contacts. Nothing has been changed yet")
    expect(page.get_by_role("alert")).to_have_count(0)
    preview.scroll_into_view_if_needed()
    shoot(page, "model-preview")
