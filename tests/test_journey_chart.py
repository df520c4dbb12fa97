"""The journeys' flow chart: boxes per stage and step, bands as thick as their flows."""

from __future__ import annotations

from silverplatter.domain.journeys import Flow
from silverplatter.web.journey_chart import BOX_W, TOP, band_path, journey_svg, layout

FLOWS = (
    Flow(0, "subscriber", "lead", 8),
    Flow(1, "lead", "mql", 6),
    Flow(1, "lead", "disqualified", 2),
    Flow(2, "mql", "<script>", 1),
)


def test_layout_places_a_box_per_stage_and_step() -> None:
    boxes, bands = layout(FLOWS, 400, 200)
    assert [(b.step, b.stage, b.contacts) for b in boxes] == [
        (0, "subscriber", 8),
        (1, "lead", 8),
        (2, "mql", 6),
        (2, "disqualified", 2),
        (3, "<script>", 1),
    ]
    assert [b.x for b in boxes] == [4, 4 + (400 - 120 - BOX_W) / 3] + [
        4 + 2 * (400 - 120 - BOX_W) / 3
    ] * 2 + [4 + (400 - 120 - BOX_W)]
    assert all(b.y >= TOP for b in boxes)
    # A box is as tall as its contacts; bands out of a box stack from its top.
    lead = boxes[1]
    to_mql, to_out = bands[1], bands[2]
    assert (to_mql.y0, to_out.y0) == (lead.y, lead.y + to_mql.thickness)
    assert to_mql.thickness == 3 * to_out.thickness
    assert abs(to_mql.thickness + to_out.thickness - lead.h) < 1e-9


def test_svg_escapes_and_describes() -> None:
    svg = str(journey_svg(FLOWS, title="Moves & paths", width=400, height=200))
    assert svg.count('class="sp-band"') == 4
    assert svg.count('class="sp-node"') == 5
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert '<title id="journeys-title">Moves &amp; paths</title>' in svg
    assert "step 2: Lead to MQL, 6" in svg
    band = layout(FLOWS, 400, 200)[1][0]
    assert band_path(band).startswith(f"M{4 + BOX_W:g},")


def test_no_moves_says_so() -> None:
    svg = str(journey_svg((), title="Moves"))
    assert "No moves yet" in svg and "sp-band" not in svg
