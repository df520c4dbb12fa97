"""The tracking page on the demo workspace: the figures, the charts and the snippet to paste."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from silverplatter.services.tracking_summary import tracking_summary
from silverplatter.storage.engine import make_engine

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

#: The demo's time (``NOW`` of this folder's conftest); the server's clock starts there.
NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


def test_the_tracking_page_shows_the_demo_traffic_and_the_snippet(
    page_as: Callable[[str], Page], shoot: Callable[[Page, str], Path], demo_url: str
) -> None:
    from playwright.sync_api import expect

    engine = make_engine(demo_url)
    with engine.connect() as connection:
        expected = tracking_summary(connection, now=NOW)
    engine.dispose()
    assert expected.views > 0, "the demo has page views in the last 30 days"

    page = page_as("marketing")
    page.goto("/tracking")
    expect(page).to_have_title("Tracking · Silverplatter")
    expect(page.get_by_role("link", name="Tracking")).to_have_attribute("aria-current", "page")
    views = page.get_by_role("region", name="Page views")
    expect(views.get_by_role("definition").nth(1)).to_have_text(f"{expected.views:,}")
    split = page.get_by_role("region", name="Owned and bought traffic")
    expect(split.locator("svg")).to_have_count(1)
    channels = page.get_by_role("region", name="Top channels, last 30 days")
    first = expected.channels[0]
    expect(channels.locator("tbody tr").first.locator("td").first).to_have_text(f"{first.events:,}")
    snippet = page.get_by_role("region", name="Add tracking to your site")
    expect(snippet.locator("pre").first).to_contain_text(
        '/capture/track.js" data-consent="granted"'
    )
    shoot(page, "tracking")
