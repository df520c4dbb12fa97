"""The tier × needs matrix: offer cells, care models and the pyramid's exact counts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, Engine

from silverplatter.domain.tier_matrix import MatrixInvalid
from silverplatter.services.audit import Actor
from silverplatter.services.needs_segments import (
    assign_needs_segments,
    create_needs_segment,
    delete_needs_segment,
)
from silverplatter.services.tier_matrix import (
    PyramidCell,
    care_models,
    offer_matrix,
    pyramid,
    replace_offer_matrix,
    set_care_model,
    set_offer_cell,
)
from tiers_world import NOW, add_segment, build, topic_rule


@pytest.fixture
def world(engine: Engine) -> Iterator[Connection]:
    with engine.begin() as connection:
        build(connection)
        add_segment(connection, "delivery-worriers", topic_rule("delivery"))
        add_segment(connection, "cost-worriers", topic_rule("cost"))
        create_needs_segment(
            connection, {"name": "Delivery reliability", "segment": "delivery-worriers"}, now=NOW
        )
        create_needs_segment(
            connection, {"name": "Cost efficiency", "segment": "cost-worriers"}, now=NOW
        )
        yield connection


def test_a_cell_takes_modules_one_a_line_without_blanks_or_repeats(world: Connection) -> None:
    cell = set_offer_cell(
        world,
        "gold",
        "delivery-reliability",
        "Basic offer\n\n  Delivery audit \nbasic OFFER\nTailored gold module",
        " Quarterly review with the COO ",
        now=NOW,
    )
    assert cell.modules == ("Basic offer", "Delivery audit", "Tailored gold module")
    assert (cell.notes, cell.updated_at) == ("Quarterly review with the COO", NOW)
    matrix = offer_matrix(world)
    assert [n.slug for n in matrix.needs_segments] == ["delivery-reliability", "cost-efficiency"]
    assert matrix.cell("gold", "delivery-reliability") == cell
    assert matrix.cell("silver", "cost-efficiency").modules == ()
    # an empty cell is removed
    set_offer_cell(world, "gold", "delivery-reliability", [], "", now=NOW)
    assert offer_matrix(world).cells == {}


@pytest.mark.parametrize(
    ("tier", "needs", "modules", "notes", "expected"),
    [
        ("platinum", "cost-efficiency", [], None, [("tier", "expected one of gold, silver, "
                                                   "bronze, unclassified, got 'platinum'")]),
        ("gold", "nope", [], None, [("needs_segment", "there is no needs segment 'nope'")]),
        ("gold", "cost-efficiency", ["x" * 101], None,
         [("modules[0]", "at most 100 characters, got 101")]),
        ("gold", "cost-efficiency", [f"m{n}" for n in range(31)], None,
         [("modules", "at most 30 entries, got 31")]),
        ("gold", "cost-efficiency", [7], None, [("modules[0]", "expected text, got 7")]),
        ("gold", "cost-efficiency", {"a": 1}, None,
         [("modules", "expected a list of texts, got {'a': 1}")]),
        ("gold", "cost-efficiency", [], "n" * 2001,
         [("notes", "at most 2000 characters, got 2001")]),
    ],
)  # fmt: skip
def test_bad_cells_are_refused_naming_the_field(
    world: Connection,
    tier: str,
    needs: str,
    modules: Any,
    notes: Any,
    expected: list[tuple[str, str]],
) -> None:
    with pytest.raises(MatrixInvalid) as caught:
        set_offer_cell(world, tier, needs, modules, notes, now=NOW)
    assert [(e.field, e.message) for e in caught.value.errors] == expected


def test_replacing_the_matrix_checks_every_cell_first(world: Connection) -> None:
    set_offer_cell(world, "bronze", "cost-efficiency", ["Online self-service"], None, now=NOW)
    bad = [
        {"tier": "gold", "needs_segment": "cost-efficiency", "modules": ["Cost workshop"]},
        {"tier": "gold", "needs_segment": "nope", "modules": []},
        {"tier": "silver", "needs_segment": "cost-efficiency", "modules": [""], "colour": 1},
        {"tier": "gold", "needs_segment": "cost-efficiency", "modules": ["Again"]},
    ]
    with pytest.raises(MatrixInvalid) as caught:
        replace_offer_matrix(world, bad, now=NOW)
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("cells[1].needs_segment", "there is no needs segment 'nope'"),
        ("cells[2].colour", "unknown field"),
        ("cells[3]", "this cell is given twice"),
    ]
    assert list(offer_matrix(world).cells) == [("bronze", "cost-efficiency")]
    good = [
        {"tier": "gold", "needs_segment": "cost-efficiency", "modules": ["Cost workshop"]},
        {"tier": "silver", "needs_segment": "delivery-reliability", "notes": "Plant visits"},
    ]
    matrix = replace_offer_matrix(world, good, now=NOW)
    assert {key: (c.modules, c.notes) for key, c in matrix.cells.items()} == {
        ("gold", "cost-efficiency"): (("Cost workshop",), None),
        ("silver", "delivery-reliability"): ((), "Plant visits"),
    }
    with pytest.raises(MatrixInvalid, match="cells: expected a list of cells"):
        replace_offer_matrix(world, {"cells": []}, now=NOW)


def test_deleting_a_needs_segment_removes_its_cells(world: Connection) -> None:
    set_offer_cell(world, "gold", "cost-efficiency", ["Cost workshop"], None, now=NOW)
    set_offer_cell(world, "gold", "delivery-reliability", ["Delivery audit"], None, now=NOW)
    delete_needs_segment(world, "cost-efficiency", now=NOW)
    assert list(offer_matrix(world).cells) == [("gold", "delivery-reliability")]


def test_care_models_per_tier(world: Connection) -> None:
    assert care_models(world)["gold"].updated_at is None
    gold = set_care_model(
        world,
        "gold",
        {
            "description": "Tailored: a named account team",
            "touches_per_year": "24",
            "channels": ["Meetings", "Phone", "meetings", "Executive dinners"],
            "owner_role": "sales",
        },
        now=NOW,
    )
    assert (gold.description, gold.touches_per_year, gold.channels, gold.owner_role) == (
        "Tailored: a named account team",
        24,
        ("Meetings", "Phone", "Executive dinners"),
        "sales",
    )
    bronze = set_care_model(
        world, "bronze", {"description": "Standard, online", "touches_per_year": 4}, now=NOW
    )
    assert (bronze.channels, bronze.owner_role) == ((), None)
    found = care_models(world)
    assert list(found) == ["gold", "silver", "bronze", "unclassified"]
    assert found["gold"] == gold and found["silver"].description is None
    # a second write replaces the first
    set_care_model(world, "gold", {"touches_per_year": 12}, now=NOW)
    assert care_models(world)["gold"].description is None


WHOLE = "expected a whole number from 0 to 1000, got"
FIELDS = "unknown field; expected description, touches_per_year, channels, owner_role"


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"touches_per_year": -1}, [("touches_per_year", f"{WHOLE} -1")]),
        ({"touches_per_year": "often"}, [("touches_per_year", f"{WHOLE} 'often'")]),
        ({"owner_role": "ceo"},
         [("owner_role", "expected one of admin, marketing, sales, got 'ceo'")]),
        ({"channels": "x" * 41}, [("channels[0]", "at most 40 characters, got 41")]),
        ({"budget": 5}, [("budget", FIELDS)]),
    ],
)  # fmt: skip
def test_bad_care_models_are_refused_naming_the_field(
    world: Connection, document: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    with pytest.raises(MatrixInvalid) as caught:
        set_care_model(world, "silver", document, now=NOW)
    assert [(e.field, e.message) for e in caught.value.errors] == expected


def test_the_pyramid_counts_accounts_and_people_per_cell(world: Connection) -> None:
    assign_needs_segments(world, now=NOW, actor=Actor(None))
    found = pyramid(world)
    assert found.columns == [
        ("delivery-reliability", "Delivery reliability"),
        ("cost-efficiency", "Cost efficiency"),
        ("", "No needs segment"),
    ]
    # tiers as built: Aalto gold; Birch, Cedar, Harbor silver; Dune, Elm bronze;
    # Fjord, Grove unclassified.  Needs: delivery first (Aalto, Birch, Elm), then cost.
    assert found.cells == {
        ("gold", "delivery-reliability"): PyramidCell(1, 2),
        ("silver", "delivery-reliability"): PyramidCell(1, 1),
        ("silver", "cost-efficiency"): PyramidCell(1, 1),
        ("silver", ""): PyramidCell(1, 2),
        ("bronze", "cost-efficiency"): PyramidCell(1, 1),
        ("bronze", "delivery-reliability"): PyramidCell(1, 3),
        ("unclassified", ""): PyramidCell(2, 1),
    }
    assert found.tier_total("silver") == PyramidCell(3, 4)
    assert found.column_total("delivery-reliability") == PyramidCell(3, 6)
    assert found.accounts == 8
    assert found.contacts_without_account == 1
