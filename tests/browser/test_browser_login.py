"""Signing in through the real form: a wrong password is refused, the right one lands home."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def test_wrong_password_is_refused_and_the_right_one_lands_on_the_dashboard(
    page: Page,
    base_url: str,
    login: Callable[..., None],
    shoot: Callable[[Page, str], Path],
) -> None:
    from playwright.sync_api import expect

    login(page, "marketing", password="not the password")
    expect(page.get_by_role("alert")).to_have_text("Wrong e-mail or password.")
    expect(page.get_by_label("E-mail")).to_have_value("marketing@demo.silverplatter.example")
    assert page.url == f"{base_url}/login"
    shoot(page, "login")

    login(page, "marketing")
    assert page.url == f"{base_url}/"
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_text("Demo Marketing")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
