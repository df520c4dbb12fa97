"""The administration of users: the team at a glance, and a new user added through the form."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_admin_sees_every_user_and_adds_one(
    page_as: Callable[[str], Page], shoot: Callable[[Page, str], Path]
) -> None:
    from playwright.sync_api import expect

    page = page_as("admin")
    page.goto("/admin/users")
    expect(page.get_by_role("heading", name="Users", level=1)).to_be_visible()
    users = page.get_by_role("table", name="7 users")
    expect(users.get_by_role("row")).to_have_count(8)
    expect(
        users.get_by_role("row").filter(has_text="Mikko Salonen").get_by_role("cell")
    ).to_have_text(
        ["Mikko Salonen", "mikko.salonen@demo.silverplatter.example", "sales", "active", "never"]
    )
    expect(
        users.get_by_role("row").filter(has_text="Laura Kivi").get_by_role("cell").nth(3)
    ).to_have_text("deactivated")
    shoot(page, "admin-users")

    form = page.get_by_role("region", name="Add a user")
    form.get_by_label("Name").fill("Nina Nurture")
    form.get_by_label("E-mail").fill("nina.nurture@demo.silverplatter.example")
    form.get_by_label("Role").select_option("marketing")
    form.get_by_label("Password").fill("a long enough passphrase")
    form.get_by_role("button", name="Add user").click()
    expect(page.get_by_role("heading", name="Nina Nurture", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("User created.")
    expect(page.get_by_text("Nina Nurture can sign in.")).to_be_visible()

    page.get_by_role("link", name="All users").click()
    everyone = page.get_by_role("table", name="8 users")
    expect(
        everyone.get_by_role("row").filter(has_text="Nina Nurture").get_by_role("cell")
    ).to_have_text(
        ["Nina Nurture", "nina.nurture@demo.silverplatter.example", "marketing", "active", "never"]
    )
