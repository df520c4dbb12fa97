"""A zipper board built in the browser by drag and drop, reordered, and exported."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from silverplatter.services.demo.understanding import ensure_demo_understanding
from silverplatter.storage.engine import make_engine

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

pytestmark = pytest.mark.browser

#: The demo's time (``NOW`` of this folder's conftest).
NOW = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def understanding(demo_url: str) -> None:
    """The demo's board, core questions and strategy documents (and so its worries)."""
    engine = make_engine(demo_url)
    with engine.begin() as connection:
        ensure_demo_understanding(connection, now=NOW)
    engine.dispose()


def drag(page: Page, source: Locator, target: Locator) -> None:
    """Drag ``source`` onto ``target`` with the mouse: the drag starts on the source before
    the page scrolls to the target."""
    source.scroll_into_view_if_needed()
    box = source.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 8, box["y"] + box["height"] / 2 + 8, steps=2)
    target.scroll_into_view_if_needed()
    goal = target.bounding_box()
    assert goal is not None
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + goal["height"] / 2, steps=5)
    page.mouse.up()


def _names(page: Page, lane: str) -> list[str]:
    return page.locator(f".zb-{lane} .zb-step > .zb-head .zb-name").all_inner_texts()


def test_a_board_is_built_by_drag_and_drop_reordered_and_exported(
    page_as: Callable[[str], Page],
    shoot: Callable[[Page, str], Path],
    understanding: None,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    page = page_as("marketing")
    page.goto("/boards")
    page.get_by_label("Name", exact=True).fill("Spare parts service")
    page.get_by_role("button", name="Create board").click()
    expect(page).to_have_url(re.compile(r"/boards/spare-parts-service\?done=created$"))
    version = page.locator("#zb-version")
    expect(version).to_have_text("1")

    def add(label: str, text: str, saved: int) -> None:
        """Type a name into a form of the editor and send it with Enter."""
        field = page.get_by_label(label, exact=True)
        field.fill(text)
        field.press("Enter")
        expect(version).to_have_text(str(saved))

    page.get_by_label("New customer step", exact=True).fill("Order spare parts")
    page.get_by_role("button", name="Add customer step", exact=True).click()
    expect(version).to_have_text("2")
    add("New customer step", "Install the part", 3)
    add("New step of ours", "Deliver the part", 4)
    assert _names(page, "customer") == ["Order spare parts", "Install the part"]
    status = page.locator("#zb-status")
    expect(status).to_have_text("Added our step 'Deliver the part': saved as version 4.")

    # a touchpoint: drag the customer step onto our step
    order = page.locator('.zb-customer .zb-step[data-id="c1"]')
    deliver = page.locator('.zb-ours .zb-step[data-id="o3"]')
    drag(page, order.locator("h3"), deliver.locator("h3"))
    expect(version).to_have_text("5")
    expect(status).to_have_text(
        "Joined 'Order spare parts' to 'Deliver the part': saved as version 5."
    )
    expect(page.locator('.zb-customer .zb-step[data-id="c1"] .zb-touchpoint')).to_have_text(
        re.compile(r"↔ Deliver the part")
    )

    # a situation, and a worry dragged onto it from the list of worries
    add("New situation at Order spare parts", "The machine is down", 6)
    situation = page.locator('.zb-situation[data-id="s5"]')
    worry = page.locator(".zb-palette .zb-worry", has_text="Materials arrive late")
    drag(page, worry, situation.locator("h4"))
    expect(version).to_have_text("7")
    expect(situation.locator(".zb-worry")).to_have_text([re.compile(r"^Materials arrive late")])

    # reorder: drag the second customer step onto the first
    install = page.locator('.zb-customer .zb-step[data-id="c2"]')
    drag(page, install.locator("h3"), page.locator('.zb-customer .zb-step[data-id="c1"] h3'))
    expect(version).to_have_text("8")
    assert _names(page, "customer") == ["Install the part", "Order spare parts"]
    expect(page.locator(".zb-preview img")).to_have_attribute(
        "src", "/boards/spare-parts-service/export.svg?version=8"
    )

    # a solution on our step answers the worry, dragged onto it from the situation
    add("New solution at Deliver the part", "Express courier", 9)
    solution = page.locator('.zb-solution[data-id="m6"]')
    drag(page, situation.locator(".zb-worry").first, solution.locator("h4"))
    expect(version).to_have_text("10")
    expect(solution.locator(".zb-answer")).to_have_text([re.compile(r"^Materials arrive late")])
    # rename a step
    page.locator('.zb-ours .zb-step[data-id="o3"] > details summary').click()
    add("New name of Deliver the part", "Deliver the spare part", 11)
    assert _names(page, "ours") == ["Deliver the spare part"]

    # export
    with page.expect_download() as svg_download:
        page.get_by_role("link", name="SVG", exact=True).click()
    svg = svg_download.value
    assert svg.suggested_filename == "spare-parts-service-v11.svg"
    text = Path(svg.path()).read_text(encoding="utf-8")
    for label in (
        "Install the part",
        "Order spare parts",
        "Deliver the spare part",
        "The machine is down",
        "Express courier",
    ):
        assert f">{label}</text>" in text
    assert ">• Materials arrive late</text>" in text  # the worry in the situation
    assert ">» Materials arrive late</text>" in text  # the solution answering it
    with page.expect_download() as png_download:
        page.get_by_role("link", name="PNG", exact=True).click()
    png = Path(png_download.value.path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="PDF", exact=True).click()
    assert pdf_download.value.suggested_filename == "spare-parts-service-v11.pdf"
    pdf = Path(pdf_download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-") and len(re.findall(rb"/Type\s*/Page(?![a-z])", pdf)) == 1

    # the demo's board for the user guide: the editor and its exported picture
    page.goto("/boards/delivery-reliability")
    expect(page.get_by_role("heading", name="Delivery reliability", level=1)).to_be_visible()
    shoot(page, "zipper-board")
    exported = page.request.get("/boards/delivery-reliability/export.png")
    assert exported.ok
    (SCREENSHOTS / "zipper-board-export.png").write_bytes(exported.body())


def test_the_core_questions_print_on_one_page(
    page_as: Callable[[str], Page], shoot: Callable[[Page, str], Path], understanding: None
) -> None:
    from playwright.sync_api import expect

    page = page_as("sales")
    page.goto("/core-questions/print")
    expect(page.locator(".st-question")).to_have_count(3)
    expect(page.locator(".st-why li")).to_have_count(21)
    shoot(page, "core-questions")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", landscape=True, prefer_css_page_size=True)
    pages = re.findall(rb"/Type\s*/Page(?![a-z])", pdf)
    assert len(pages) == 1, "the printable page fits one A4 landscape page"
