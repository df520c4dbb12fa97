"""The programmes pages in a browser: marketing makes the buying-window clock from its form
on the demo, activates it, reads the picture of its steps and a contact's enrolment."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import insert, select

from silverplatter.storage.engine import make_engine
from silverplatter.storage.nurture_schema import email_templates

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser
NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
TEMPLATES = ("nurture-1", "nurture-2", "nurture-3", "deal-1", "deal-2")


def _templates(demo_url: str) -> None:
    """The e-mail templates the clock names (the demo has its own, under other names)."""
    engine = make_engine(demo_url)
    try:
        with engine.begin() as connection:
            present = set(connection.execute(select(email_templates.c.slug)).scalars())
            for slug in TEMPLATES:
                if slug not in present:
                    connection.execute(
                        insert(email_templates).values(
                            slug=slug,
                            name=slug.replace("-", " ").title(),
                            subject=f"{slug}: for {{{{ contact.first_name | default('you') }}}}",
                            html_body=f"<p>{slug}</p>",
                            text_body=slug,
                            version=1,
                            created_at=NOW,
                            updated_at=NOW,
                        )
                    )
    finally:
        engine.dispose()


def test_marketing_makes_and_reads_a_buying_window_clock(
    demo_url: str, page_as: Callable[[str], Page], shoot: Callable[[Page, str], Path]
) -> None:
    from playwright.sync_api import expect

    _templates(demo_url)
    page = page_as("marketing")
    page.goto("/programmes")
    expect(page.get_by_role("heading", name="Programmes", exact=True)).to_be_visible()
    page.get_by_role("link", name="Buying-window clock").click()
    expect(page.get_by_label("Lead months")).to_have_value("24")
    page.get_by_label("Slug").fill("window-clock")
    page.get_by_role("button", name="Make the draft").click()
    expect(page.get_by_role("status")).to_contain_text("Programme created as a draft")
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("status")).to_have_text("Programme activated.")
    figure = page.get_by_role("figure", name="The programme's steps")
    expect(figure.locator(".flow-step").first).to_contain_text(
        "Wait until 24 months before the window opens, 09:00 UTC"
    )
    arms = figure.locator(".flow-arms .flow-arm-label strong")
    expect(arms).to_have_text(["Engaged", "Quiet"])
    active = page.get_by_role("link", name=re.compile(r"^\d+ active$"))
    expect(active).to_be_visible()
    shoot(page, "programme")
    figure.locator(".flow-arms").scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -120)")
    shoot(page, "programme-steps")
    active.click()
    expect(page.get_by_role("heading", name=re.compile("Enrolments in"))).to_be_visible()
    first = page.locator("table tbody tr").first
    expect(first).to_contain_text("active")
    first.get_by_role("link").click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    expect(page.locator("dl.programme-facts")).to_contain_text("Next step")
