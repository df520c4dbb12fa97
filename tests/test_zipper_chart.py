"""The zipper board drawn: the layout, and the same scene as SVG, PNG and PDF."""

from __future__ import annotations

import re
from io import BytesIO
from xml.etree import ElementTree

from PIL import Image

from silverplatter.domain.zipper import EMPTY
from silverplatter.domain.zipper_edits import add_touchpoint
from silverplatter.web.core_questions_pdf import core_questions_pdf
from silverplatter.web.drawing import Box, Line, Text, text_width, to_svg, wrap
from silverplatter.web.drawing_formats import to_pdf, to_png
from silverplatter.web.zipper_chart import zipper_scene
from test_strategy_documents import core_questions
from test_zipper import small_board

NAMES = {7: "Parts arrive late & the line stops", 3: "Nobody knows the order status"}


def test_text_is_measured_and_wrapped_with_the_shipped_font() -> None:
    assert round(text_width("Order spare parts", 12), 2) == 106.34
    assert round(text_width("Order spare parts", 12, bold=True), 2) == 120.49
    assert wrap("Parts arrive late and the line stands still", 160, 10) == [
        "Parts arrive late and the line",
        "stands still",
    ]
    assert wrap("x" * 80, 100, 10, most=2) == ["x" * 16, "x" * 15 + "…"]


def test_the_scene_has_both_lanes_the_cards_and_a_connector_per_touchpoint() -> None:
    board, _ = add_touchpoint(small_board(), "c2", "o3", "fitter")
    scene = zipper_scene(board, "Spare parts", NAMES)
    # 2 margins of 24 + the lane label's 112 + 2 columns of 208; from the top: title and
    # summary (75), the situation card (86.3) + 16, the customer lane (51.6), the zipper (96),
    # our lane (51.6), the solution card (60.3) + 16 and the margin
    assert (scene.width, scene.height) == (576.0, 476.8)
    assert scene.texts() == [
        "Spare parts",
        "2 customer steps, 1 step of ours, 2 touchpoints, 1 situation, 1 solution",
        "Customer's",
        "process",
        "Order spare parts",
        "Install",
        "Our process",
        "Deliver",
        "Parts are late",
        "• Parts arrive late & the line",
        "stops",
        "• Nobody knows the order",
        "status",
        "Express delivery",
        "» Parts arrive late & the line",
        "stops",
        "order desk",
        "fitter",
    ]
    connectors = [s for s in scene.shapes if isinstance(s, Line) and s.stroke == "#d9822b"]
    # both touchpoints end on o3, spread along its top edge in the order of their other ends
    assert [(c.x1, c.x2) for c in connectors] == [(240.0, 228.0), (448.0, 252.0)]
    steps = [s for s in scene.shapes if isinstance(s, Box) and s.w == 176.0 and s.radius == 5]
    assert len(steps) == 3


def test_an_empty_board_says_so() -> None:
    scene = zipper_scene(EMPTY, "New board", {})
    assert [t.text for t in scene.shapes if isinstance(t, Text)].count("no steps yet") == 2


def test_svg_is_well_formed_with_every_text_escaped() -> None:
    svg = to_svg(zipper_scene(small_board(), "Spare parts <Uptime>", NAMES))
    root = ElementTree.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.attrib["viewBox"] == "0 0 576 476.8"
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Spare parts <Uptime>" in texts and "• Parts arrive late & the line" in texts
    assert "&lt;Uptime&gt;" in svg and "<style" not in svg and "style=" not in svg
    assert (
        root.find("{http://www.w3.org/2000/svg}title").text == "Zipper board: Spare parts <Uptime>"
    )  # type: ignore[union-attr]


def test_png_is_twice_the_scene() -> None:
    scene = zipper_scene(small_board(), "Spare parts", NAMES)
    png = to_png(scene)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(BytesIO(png))
    assert (image.format, image.size) == ("PNG", (1152, 954))
    assert 10_000 < len(png) < 400_000
    # the middle of customer step c1 is drawn in the customer lane's colour
    assert image.getpixel((2 * 240, 2 * 190)) == (0xDB, 0xE8, 0xF5)


def test_pdf_is_one_page_the_size_of_the_scene() -> None:
    pdf = to_pdf(zipper_scene(small_board(), "Spare parts", NAMES))
    assert pdf.startswith(b"%PDF-1.") and pdf.rstrip().endswith(b"%%EOF")
    assert re.findall(rb"/MediaBox \[ 0 0 ([\d.]+) ([\d.]+) \]", pdf) == [(b"576", b"476.8")]
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") == 1
    assert 5_000 < len(pdf) < 200_000
    assert pdf == to_pdf(zipper_scene(small_board(), "Spare parts", NAMES)), "reproducible"


def test_core_questions_fit_one_page() -> None:
    from silverplatter.domain.strategy import CoreQuestions, parse_body

    body = parse_body("core_questions", core_questions(10))
    assert isinstance(body, CoreQuestions)
    pdf = core_questions_pdf(body, workspace="Seller Oy", version=2)
    assert pdf.startswith(b"%PDF-1.")
    assert re.findall(rb"/MediaBox \[ 0 0 ([\d.]+) ([\d.]+) \]", pdf) == [
        (b"841.8898", b"595.2756")
    ]
