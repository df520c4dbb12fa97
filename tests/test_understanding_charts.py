"""The heatmap and Kano pictures: cells coloured on their scale, values written, text escaped,
points where their coefficients put them, shares that add up."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from silverplatter.web.understanding_charts import KanoPoint, heatmap, kano_scatter, kano_shares

SVG = "{http://www.w3.org/2000/svg}"


def _root(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def test_a_heatmap_colours_each_cell_on_its_scale_and_writes_its_value() -> None:
    drawn = heatmap(
        ["Brand", "Price <b>"],
        ["Us", "Rival"],
        {("Brand", "Us"): 0.0, ("Brand", "Rival"): 10.0, ("Price <b>", "Us"): 5.5},
        title="Scores",
        low=0,
        high=10,
        chart_id="t",
    )
    root = _root(drawn)
    rects = [(r.get("class"), r.findtext(f"{SVG}title")) for r in root.iter(f"{SVG}rect")]
    assert rects == [
        ("sp-heat-0", "Brand · Us: 0.0"),
        ("sp-heat-9", "Brand · Rival: 10.0"),
        ("sp-heat-5", "Price <b> · Us: 5.5"),
        ("sp-heat-none", "Price <b> · Rival: no value"),
    ]
    values = [t.text for t in root.iter(f"{SVG}text") if "sp-heat-value" in (t.get("class") or "")]
    assert values == ["0.0", "10.0", "5.5"]
    assert "<b>" not in drawn  # escaped
    assert root.findtext(f"{SVG}desc") == (
        "Scores. Brand × Us: 0.0; Brand × Rival: 10.0; Price <b> × Us: 5.5; "
        "Price <b> × Rival: no value."
    )


def test_a_diverging_heatmap_signs_and_colours_around_zero() -> None:
    drawn = heatmap(
        ["Brand"],
        ["a", "b", "c"],
        {("Brand", "a"): -2.0, ("Brand", "b"): 0.0, ("Brand", "c"): 1.0},
        title="Difference",
        low=-2,
        high=2,
        diverging=True,
        chart_id="d",
    )
    rects = [r.get("class") for r in _root(drawn).iter(f"{SVG}rect")]
    assert rects == ["sp-div-n5", "sp-div-p0", "sp-div-p2"]
    texts = [t.text for t in _root(drawn).iter(f"{SVG}text")][4:]
    assert texts == ["-2.0", "0.0", "+1.0"]
    assert "No data yet" in heatmap([], [], {}, title="Empty", low=0, high=1)


def test_kano_points_sit_at_their_coefficients_and_shares_fill_the_bar() -> None:
    drawn = kano_scatter(
        [KanoPoint("Offline", 0.625, 0.625, "O"), KanoPoint("SSO", 0.125, 0.875, "M")],
        title="Kano",
        width=560,
        height=440,
        chart_id="k",
    )
    circles = {
        c.findtext(f"{SVG}title"): (float(c.get("cx", 0)), float(c.get("cy", 0)))
        for c in _root(drawn).iter(f"{SVG}circle")
    }
    # The plot runs from x 44 to 544 and from y 16 (Better 1) to 400 (Better 0).
    assert circles == {
        "Offline: Better 0.62, Worse −0.62": (44 + 0.625 * 500, 400 - 0.625 * 384),
        "SSO: Better 0.12, Worse −0.88": (44 + 0.875 * 500, 400 - 0.125 * 384),
    }
    shares = kano_shares(
        [("Offline", {"O": 3, "M": 1}), ("Nothing", {})], title="Shares", width=760, chart_id="s"
    )
    bars = [
        float(r.get("width", 0))
        for r in _root(shares).iter(f"{SVG}rect")
        if r.find(f"{SVG}title") is not None
    ]
    assert sum(bars) == 760 - 8 - min(220.0, len("Nothing") * 6.6 + 12)
    assert "no answers" in shares
