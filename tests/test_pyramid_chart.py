"""The value pyramid SVG: the counts it draws, where, and that data cannot inject markup."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from silverplatter.web.pyramid_chart import PyramidBand, pyramid_chart

SVG = "{http://www.w3.org/2000/svg}"
COLUMNS = ["Delivery reliability", "Cost efficiency", "No needs segment"]
BANDS = [
    PyramidBand("Gold", "gold", [(3, 41), (1, 9), (0, 0)]),
    PyramidBand("Silver", "silver", [(12, 160), (20, 251), (4, 30)]),
    PyramidBand("Bronze", "bronze", [(140, 1203), (96, 880), (1250, 10_400)]),
]
BESIDE = PyramidBand("Unclassified", "unclassified", [(310, 2_150)])


def _tree(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def _texts(root: ET.Element, css: str) -> list[str]:
    return [
        "".join(node.itertext()).strip()
        for node in root.iter(f"{SVG}text")
        if css in (node.get("class") or "").split()
    ]


def test_every_cell_shows_its_accounts_and_people() -> None:
    root = _tree(pyramid_chart(BANDS, COLUMNS, BESIDE, title="Pyramid", width=900))
    assert _texts(root, "sp-pyr-accounts") == [
        "3",
        "1",
        "0",
        "12",
        "20",
        "4",
        "140",
        "96",
        "1,250",
        "310 accounts",
    ]
    assert _texts(root, "sp-pyr-people") == [
        "41 people",
        "9 people",
        "0 people",
        "160 people",
        "251 people",
        "30 people",
        "1,203 people",
        "880 people",
        "10,400 people",
        "2,150 people",
    ]
    assert _texts(root, "sp-pyr-tier") == ["Gold", "Silver", "Bronze", "Unclassified"]
    assert _texts(root, "sp-pyr-total") == ["4 accounts", "36 accounts", "1,486 accounts"]
    assert _texts(root, "sp-pyr-column") == COLUMNS


def test_gold_is_the_narrow_band_on_top_and_bronze_the_wide_one_below() -> None:
    root = _tree(pyramid_chart(BANDS, COLUMNS, BESIDE, title="Pyramid", width=900))
    spans = {}
    for group in root.iter(f"{SVG}g"):
        classes = (group.get("class") or "").split()
        if "sp-pyr-band" not in classes:
            continue
        xs, ys = [], []
        for polygon in group.iter(f"{SVG}polygon"):
            for pair in (polygon.get("points") or "").split():
                x, y = (float(v) for v in pair.split(","))
                xs.append(x)
                ys.append(y)
        spans[classes[1]] = (min(ys), max(xs) - min(xs))
    assert list(spans) == ["sp-pyr-gold", "sp-pyr-silver", "sp-pyr-bronze"]
    tops = [spans[name][0] for name in spans]
    widths = [spans[name][1] for name in spans]
    assert tops == sorted(tops) and widths == sorted(widths)
    assert len(list(root.iter(f"{SVG}polygon"))) == 9
    # an empty cell is drawn faint
    empty = [g for g in root.iter(f"{SVG}g") if "sp-pyr-empty" in (g.get("class") or "").split()]
    assert len(empty) == 1


def test_the_description_and_tooltips_give_every_count_in_words() -> None:
    markup = str(pyramid_chart(BANDS, COLUMNS, BESIDE, title="Pyramid", chart_id="p"))
    root = _tree(markup)
    desc = root.find(f"{SVG}desc")
    assert desc is not None and desc.text is not None
    assert desc.text.startswith(
        "Value pyramid, top to bottom. Gold: 4 accounts, 50 people (Delivery reliability "
        "3 accounts, 41 people; Cost efficiency 1 account, 9 people; No needs segment "
        "0 accounts, 0 people)."
    )
    assert desc.text.endswith("Unclassified, beside: 310 accounts, 2,150 people.")
    tips = [node.text for node in root.iter(f"{SVG}title")]
    assert "Silver · Cost efficiency: 20 accounts, 251 people" in tips
    assert 'aria-labelledby="p-title p-desc"' in markup


def test_numbers_too_wide_for_a_narrow_cell_are_shortened_or_left_to_the_tooltip() -> None:
    many = [f"Needs {n}" for n in range(8)]
    bands = [PyramidBand("Gold", "gold", [(123_456, 9_876_543)] * 8)]
    root = _tree(
        pyramid_chart(bands, many, PyramidBand("Unclassified", "unclassified", [(0, 0)]),
                      title="Narrow", width=500)
    )  # fmt: skip
    shown = _texts(root, "sp-pyr-accounts")[:-1]
    assert set(shown) <= {"123,456", "123.5k"}
    tips = [node.text for node in root.iter(f"{SVG}title")]
    assert tips.count("Gold · Needs 0: 123,456 accounts, 9,876,543 people") == 1


def test_names_from_data_are_escaped() -> None:
    columns = ['<script>alert("x")</script>', "B & C"]
    bands = [PyramidBand("Gold", "gold", [(1, 1), (2, 2)])]
    markup = str(pyramid_chart(bands, columns, BESIDE, title="<b>"))
    assert "<script>" not in markup and "<b>" not in markup
    assert "&lt;script&gt;" in markup and "B &amp; C" in markup
    _tree(markup)  # well-formed


def test_a_band_must_have_a_cell_per_column() -> None:
    with pytest.raises(ValueError, match="band 'Gold' has 1 cells for 2 columns"):
        pyramid_chart([PyramidBand("Gold", "gold", [(1, 1)])], ["a", "b"], BESIDE, title="x")
    with pytest.raises(ValueError, match="at least one column"):
        pyramid_chart([], [], BESIDE, title="x")
    assert re.search(r"sp-chart-pyramid", str(pyramid_chart([], ["a"], BESIDE, title="x")))
