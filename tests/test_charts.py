"""Server-side SVG charts: exact geometry on fixed data, escaping, accessibility, empty data."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from jinja2 import Environment
from markupsafe import Markup

from silverplatter.web.charts import (
    EMPTY_TEXT,
    Series,
    bar_chart,
    donut_or_split_bar,
    funnel_chart,
    grouped_bar_chart,
    line_chart,
    nice_ticks,
)

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script>"


def _parse(chart: Markup) -> ET.Element:
    root = ET.fromstring(str(chart))
    assert root.tag == f"{SVG}svg"
    return root


def _classed(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [el for el in root.iter(f"{SVG}{tag}") if cls in el.get("class", "").split()]


def _shown(text: ET.Element) -> str:
    """What a <text> shows: its own text and the tails of children (not their tooltips)."""
    return (text.text or "") + "".join(child.tail or "" for child in text)


def _geometry(rect: ET.Element) -> tuple[str, str, str, str]:
    return (rect.get("x", ""), rect.get("y", ""), rect.get("width", ""), rect.get("height", ""))


def _every_chart() -> list[Markup]:
    mql = Series("MQL", [12, 18, 25])
    sql = Series("SQL", [3, 5, 8])
    months = ["Jan", "Feb", "Mar"]
    return [
        line_chart([mql, sql], title="Leads", x_labels=months),
        bar_chart([("Owned", 40), ("Bought", 60)], title="Traffic"),
        grouped_bar_chart(months, [mql, sql], title="MQL and SQL"),
        funnel_chart([("Visits", 1000), ("Leads", 500)], title="Funnel"),
        donut_or_split_bar([("Owned", 3), ("Bought", 1)], title="Split"),
    ]


# --- nice_ticks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "count", "expected"),
    [
        (0, 87, 5, [0, 20, 40, 60, 80, 100]),
        (0, 100, 5, [0, 20, 40, 60, 80, 100]),
        (0, 20, 2, [0, 10, 20]),
        (-13, 42, 5, [-20, 0, 20, 40, 60]),
        (0, 0.3, 3, [0, 0.1, 0.2, 0.3]),
        (0, 2, 4, [0, 0.5, 1, 1.5, 2]),
        (0, 12_500, 5, [0, 5_000, 10_000, 15_000]),
        (87, 0, 5, [0, 20, 40, 60, 80, 100]),
        (0, 0, 5, [0, 0.2, 0.4, 0.6, 0.8, 1]),
        (5, 5, 5, [5, 6, 7, 8, 9, 10]),
    ],
)
def test_nice_ticks(low: float, high: float, count: int, expected: list[float]) -> None:
    assert nice_ticks(low, high, count) == expected


def test_nice_ticks_for_counts_never_step_below_one() -> None:
    assert nice_ticks(0, 2, 4, integer=True) == [0, 1, 2]
    assert nice_ticks(0, 0, 5, integer=True) == [0, 1]


def test_nice_ticks_refuses_infinite_bounds() -> None:
    with pytest.raises(ValueError, match="finite"):
        nice_ticks(0, float("inf"), 5)


# --- geometry ------------------------------------------------------------------------


def test_two_bars_have_exact_coordinates() -> None:
    # 200x100: plot from x 24 (tick labels "0".."20") to 196, y 16 (room for the value
    # labels) to 78 (above the x labels); ticks 0, 10, 20; slots of 86, bars 70% of a slot.
    root = _parse(bar_chart([("A", 10), ("B", 20)], title="T", width=200, height=100))
    bars = _classed(root, "rect", "sp-bar")
    assert [_geometry(bar) for bar in bars] == [
        ("36.9", "47", "60.2", "31"),
        ("122.9", "16", "60.2", "62"),
    ]
    assert [_shown(t) for t in _classed(root, "text", "sp-tick")] == ["0", "10", "20"]
    values = _classed(root, "text", "sp-value")
    assert [(t.get("x"), t.get("y"), _shown(t)) for t in values] == [
        ("67", "40", "10"),
        ("153", "9", "20"),
    ]
    assert [_shown(t) for t in _classed(root, "text", "sp-x-label")] == ["A", "B"]
    assert [bar.findtext(f"{SVG}title") for bar in bars] == ["A: 10", "B: 20"]


def test_bar_chart_highlights_one_bar() -> None:
    root = _parse(bar_chart([("A", 1), ("B", 2)], title="T", highlight="B"))
    assert [bar.get("class") for bar in _classed(root, "rect", "sp-bar")] == [
        "sp-bar",
        "sp-bar sp-highlight",
    ]


def test_line_chart_points_and_tooltips() -> None:
    chart = line_chart(
        [Series("MQL", [0, 10]), Series("SQL", [5])],
        title="T",
        x_labels=["Jan", "Feb"],
        width=200,
        height=120,
    )
    root = _parse(chart)
    lines = _classed(root, "polyline", "sp-line")
    assert [line.get("points") for line in lines] == ["67,82 153,10", "67,46"]
    points = _classed(root, "circle", "sp-point")
    assert [p.findtext(f"{SVG}title") for p in points] == [
        "MQL · Jan: 0",
        "MQL · Feb: 10",
        "SQL · Jan: 5",
    ]
    groups = _classed(root, "g", "sp-series")
    assert [g.get("class") for g in groups] == ["sp-series sp-series-0", "sp-series sp-series-1"]
    legend = [
        _shown(t) for g in _classed(root, "g", "sp-legend-item") for t in g.iter(f"{SVG}text")
    ]
    assert legend == ["MQL", "SQL"]
    assert root.findtext(f"{SVG}desc") == (
        "Line chart of 2 series over 2 points (Jan to Feb). "
        "MQL: from 0 to 10, lowest 0, highest 10. SQL: from 5 to 5, lowest 5, highest 5."
    )


def test_crowded_x_labels_are_thinned() -> None:
    labels = [f"2025-01-{day:02d}" for day in range(1, 31)]
    root = _parse(line_chart([Series("Daily", range(30))], title="T", x_labels=labels))
    shown = [_shown(t) for t in _classed(root, "text", "sp-x-label")]
    assert 2 < len(shown) < 30
    assert shown[0] == "2025-01-01"
    assert set(shown) <= set(labels)


def test_long_category_labels_are_cut_with_the_full_text_as_tooltip() -> None:
    bars = [(f"Source number {i}", i) for i in range(1, 9)]
    root = _parse(bar_chart(bars, title="T", width=640))
    labels = _classed(root, "text", "sp-x-label")
    assert len(labels) == 8
    assert all(_shown(t).endswith("…") for t in labels)
    assert [t.findtext(f"{SVG}title") for t in labels] == [label for label, _ in bars]


def test_series_can_bring_its_own_class() -> None:
    root = _parse(grouped_bar_chart(["Jan"], [Series("MQL", [3], css_class="sp-mql")], title="T"))
    assert [g.get("class") for g in _classed(root, "g", "sp-series")] == ["sp-series sp-mql"]
    with pytest.raises(ValueError, match="css_class"):
        Series("MQL", [3], css_class='x" onload="alert(1)')


def test_grouped_bars_sit_side_by_side() -> None:
    chart = grouped_bar_chart(
        ["Jan", "Feb"],
        [Series("MQL", [10, 20]), Series("SQL", [5])],
        title="T",
        width=200,
        height=120,
    )
    root = _parse(chart)
    mql, sql = _classed(root, "g", "sp-series")
    mql_bars = [_geometry(r) for r in mql.iter(f"{SVG}rect")]
    sql_bars = [_geometry(r) for r in sql.iter(f"{SVG}rect")]
    assert len(mql_bars) == 2 and len(sql_bars) == 1
    # in Jan the SQL bar starts where the MQL bar's slot ends, and is half as tall
    assert float(sql_bars[0][0]) == pytest.approx(float(mql_bars[0][0]) + 34.4)
    assert float(sql_bars[0][3]) * 2 == pytest.approx(float(mql_bars[0][3]))
    assert root.findtext(f"{SVG}desc") == (
        "Grouped bar chart of MQL, SQL (Jan to Feb). Jan: MQL 10, SQL 5. Feb: MQL 20."
    )


def test_funnel_shows_conversion_from_the_previous_stage() -> None:
    stages = [("Visits", 1000), ("Leads", 500), ("MQL", 100), ("SQL", 0), ("Won", 0)]
    root = _parse(funnel_chart(stages, title="Funnel"))
    conversions = _classed(root, "text", "sp-conversion")
    assert [_shown(t) for t in conversions] == ["50%", "20%", "0%", "–"]
    assert [t.findtext(f"{SVG}title") for t in conversions] == [
        "50% of Visits",
        "20% of Leads",
        "0% of MQL",
        "SQL is 0",
    ]
    widths = [float(r.get("width", "")) for r in _classed(root, "rect", "sp-bar")]
    assert widths[0] > 0
    assert widths[1:] == pytest.approx([widths[0] / 2, widths[0] / 10, 0, 0])
    assert root.findtext(f"{SVG}desc") == (
        "Funnel: Visits 1,000; Leads 500 (50% of Visits); MQL 100 (20% of Leads); "
        "SQL 0 (0% of MQL); Won 0 (SQL is 0)."
    )


def test_split_bar_percentages_add_up_to_100() -> None:
    root = _parse(
        donut_or_split_bar([("Owned", 1), ("Bought", 1), ("Partner", 1)], title="S", width=300)
    )
    segments = _classed(root, "rect", "sp-segment")
    assert [_geometry(s) for s in segments] == [
        ("4", "4", "97.33", "28"),
        ("101.33", "4", "97.33", "28"),
        ("198.67", "4", "97.33", "28"),
    ]
    assert [_shown(t) for t in _classed(root, "text", "sp-on-bar")] == ["34%", "33%", "33%"]
    legend = [
        _shown(t) for g in _classed(root, "g", "sp-legend-item") for t in g.iter(f"{SVG}text")
    ]
    assert legend == ["Owned 34%", "Bought 33%", "Partner 33%"]
    assert root.findtext(f"{SVG}desc") == (
        "Split of 3: Owned 34% (1), Bought 33% (1), Partner 33% (1)."
    )


def test_split_bar_refuses_negative_parts() -> None:
    with pytest.raises(ValueError, match="negative"):
        donut_or_split_bar([("Owned", 3), ("Bought", -1)], title="S")


def test_values_must_be_finite() -> None:
    with pytest.raises(ValueError, match="finite"):
        bar_chart([("A", float("nan"))], title="T")
    with pytest.raises(ValueError, match="finite"):
        Series("MQL", [1, float("inf")])


# --- escaping, accessibility, empty data ---------------------------------------------


def test_hostile_text_is_escaped_everywhere() -> None:
    hostile = Series(HOSTILE, [1, 2])
    charts = [
        line_chart([hostile], title=HOSTILE, x_labels=[HOSTILE, "b"], y_label=HOSTILE),
        bar_chart([(HOSTILE, 1)], title=HOSTILE, y_label=HOSTILE, highlight=HOSTILE),
        grouped_bar_chart([HOSTILE], [hostile], title=HOSTILE),
        funnel_chart([(HOSTILE, 2), ("b", 1)], title=HOSTILE),
        donut_or_split_bar([(HOSTILE, 1)], title=HOSTILE),
        bar_chart([], title=HOSTILE),
    ]
    for chart in charts:
        assert "<script" not in chart
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in chart
        root = _parse(chart)
        assert root.findtext(f"{SVG}title") == HOSTILE
        assert root.find(f".//{SVG}script") is None


def test_control_characters_are_dropped_so_the_svg_stays_xml() -> None:
    root = _parse(bar_chart([("a\x00b\x1bc", 1)], title="T\x07"))
    assert root.findtext(f"{SVG}title") == "T"
    assert [_shown(t) for t in _classed(root, "text", "sp-x-label")] == ["abc"]


def test_every_chart_is_an_accessible_image() -> None:
    for chart in _every_chart():
        assert isinstance(chart, Markup)
        root = _parse(chart)
        assert root.get("role") == "img"
        title_id, desc_id = root.get("aria-labelledby", "").split()
        assert root[0].tag == f"{SVG}title" and root[0].get("id") == title_id
        assert root[1].tag == f"{SVG}desc" and root[1].get("id") == desc_id
        assert root[1].text
        assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"


def test_chart_ids_differ_with_the_data_and_can_be_chosen() -> None:
    one = _parse(bar_chart([("A", 1)], title="T")).get("aria-labelledby")
    two = _parse(bar_chart([("A", 2)], title="T")).get("aria-labelledby")
    assert one != two
    chosen = _parse(bar_chart([("A", 1)], title="T", chart_id='9 "x"'))
    assert chosen.get("aria-labelledby") == "sp-9--x--title sp-9--x--desc"


@pytest.mark.parametrize(
    "chart",
    [
        line_chart([], title="Leads", x_labels=[]),
        line_chart([Series("MQL", [])], title="Leads", x_labels=["Jan"]),
        bar_chart([], title="Bars"),
        grouped_bar_chart([], [Series("MQL", [1])], title="Groups"),
        grouped_bar_chart(["Jan"], [], title="Groups"),
        funnel_chart([], title="Funnel"),
        donut_or_split_bar([], title="Split"),
        donut_or_split_bar([("Owned", 0), ("Bought", 0)], title="Split"),
    ],
)
def test_empty_data_says_so(chart: Markup) -> None:
    root = _parse(chart)
    assert [_shown(t) for t in _classed(root, "text", "sp-empty")] == [EMPTY_TEXT]
    assert root.findtext(f"{SVG}desc") == f"{EMPTY_TEXT}."
    assert root.get("role") == "img"


def test_charts_render_unescaped_in_an_autoescaping_template() -> None:
    template = Environment(autoescape=True).from_string("<figure>{{ chart }}</figure>")
    chart = bar_chart([(HOSTILE, 1)], title="T")
    assert template.render(chart=chart) == f"<figure>{chart}</figure>"
