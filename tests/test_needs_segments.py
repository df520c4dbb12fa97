"""Needs segments: create, change, order, delete; the first-match assignment of accounts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, select, update

from silverplatter.domain.tier_matrix import MatrixInvalid
from silverplatter.services.audit import Actor
from silverplatter.services.needs_segments import (
    assign_needs_segments,
    create_needs_segment,
    delete_needs_segment,
    list_needs_segments,
    move_needs_segment,
    needs_segment,
    order_needs_segments,
    update_needs_segment,
)
from silverplatter.services.recompute import change_model
from silverplatter.storage.access_schema import audit_log
from silverplatter.storage.schema import accounts
from tiers_world import NOW, add_segment, build, tiers_and_needs, topic_rule

ACTOR = Actor(None)
DEFAULT_MODEL = Path(__file__).parents[1] / "src/silverplatter/domain/default_model.toml"


@pytest.fixture
def world(engine: Engine) -> Iterator[tuple[Connection, dict[str, int]]]:
    with engine.begin() as connection:
        ids = build(connection)
        add_segment(connection, "delivery-worriers", topic_rule("delivery"))
        add_segment(connection, "cost-worriers", topic_rule("cost"))
        add_segment(
            connection,
            "growth-list",
            members=(ids["cid@cedar.example"], ids["fia@fjord.example"]),
        )
        yield connection, ids


def _three(connection: Connection) -> None:
    for name, segment in (
        ("Delivery reliability", "delivery-worriers"),
        ("Cost efficiency", "cost-worriers"),
        ("Growth", "growth-list"),
    ):
        create_needs_segment(connection, {"name": name, "segment": segment}, now=NOW)


def _needs(connection: Connection) -> dict[str, str | None]:
    return {name: needs for name, (_tier, needs) in tiers_and_needs(connection).items()}


def test_needs_segments_are_listed_in_the_order_they_were_made(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, _ids = world
    _three(connection)
    found = list_needs_segments(connection)
    assert [(n.position, n.slug, n.name, n.segment_slug) for n in found] == [
        (1, "delivery-reliability", "Delivery reliability", "delivery-worriers"),
        (2, "cost-efficiency", "Cost efficiency", "cost-worriers"),
        (3, "growth", "Growth", "growth-list"),
    ]
    assert needs_segment(connection, "growth").segment_name == "Growth List"


def test_an_account_belongs_to_the_first_needs_segment_any_of_its_people_match(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, _ids = world
    connection.execute(
        update(accounts).where(accounts.c.name == "Grove Oy").values(needs_segment="Legacy")
    )
    _three(connection)
    done = assign_needs_segments(connection, now=NOW, actor=ACTOR)
    assert _needs(connection) == {
        "Aalto": "Delivery reliability",  # anna worries about cost, antti about delivery
        "Birch": "Delivery reliability",
        "Cedar": "Growth",  # on the static list
        "Dune": "Cost efficiency",
        "Elm": "Delivery reliability",  # one of three people is enough
        "Fjord": "Growth",
        "Grove": None,  # nobody there: the imported free text goes
        "Harbor": "Cost efficiency",
    }
    assert done.moved == 8
    assert done.accounts == {
        "Delivery reliability": 3,
        "Cost efficiency": 2,
        "Growth": 2,
        "": 1,
    }
    assert done.requalified.contacts == 0  # the default grading does not read it
    # Cost first: Aalto changes, nobody else does.
    order_needs_segments(connection, ["cost-efficiency", "delivery-reliability", "growth"], now=NOW)
    again = assign_needs_segments(connection, now=NOW + timedelta(hours=1), actor=ACTOR)
    assert again.moved == 1
    assert _needs(connection)["Aalto"] == "Cost efficiency"
    touched = connection.execute(
        select(accounts.c.name).where(accounts.c.updated_at == NOW + timedelta(hours=1))
    ).scalars()
    assert list(touched) == ["Aalto Oy"]
    entries = connection.execute(
        select(audit_log.c.action, audit_log.c.details).order_by(audit_log.c.id)
    ).all()
    assert [e.action for e in entries] == ["needs_segments.assigned"] * 2
    assert entries[1].details == {
        "accounts_moved": 1,
        "accounts": {
            "Cost efficiency": 3,
            "Delivery reliability": 2,
            "Growth": 2,
            "": 1,
        },
    }


def test_a_grading_that_reads_the_needs_segment_regrades_the_moved_accounts(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, _ids = world
    source = DEFAULT_MODEL.read_text(encoding="utf-8").replace(
        "# ---- Engagement",
        '[[grading.criteria]]\nfield = "account.needs_segment"\nin = ["Growth"]\n'
        'match = "+1"\n\n# ---- Engagement',
        1,
    )
    change_model(connection, source, now=NOW)
    _three(connection)
    done = assign_needs_segments(connection, now=NOW, actor=ACTOR)
    # every account with people moved (from none): 7 accounts, 11 people (Grove has nobody)
    assert (done.requalified.accounts, done.requalified.contacts) == (7, 11)


def test_moving_a_needs_segment_reorders_them(world: tuple[Connection, dict[str, int]]) -> None:
    connection, _ids = world
    _three(connection)
    moved = move_needs_segment(connection, "growth", -1, now=NOW)
    assert [n.slug for n in moved] == ["delivery-reliability", "growth", "cost-efficiency"]
    moved = move_needs_segment(connection, "delivery-reliability", -1, now=NOW)
    assert moved[0].slug == "delivery-reliability"  # already first
    with pytest.raises(LookupError, match="there is no needs segment 'nope'"):
        move_needs_segment(connection, "nope", 1, now=NOW)


def test_a_rename_follows_onto_the_accounts_and_a_delete_empties_them(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, _ids = world
    _three(connection)
    assign_needs_segments(connection, now=NOW, actor=ACTOR)
    renamed = update_needs_segment(connection, "cost-efficiency", {"name": "Cost control"}, now=NOW)
    assert (renamed.slug, renamed.name, renamed.segment_slug) == (
        "cost-efficiency",
        "Cost control",
        "cost-worriers",
    )
    needs = _needs(connection)
    assert (needs["Dune"], needs["Harbor"]) == ("Cost control", "Cost control")
    assert delete_needs_segment(connection, "growth", now=NOW) == 2
    needs = _needs(connection)
    assert (needs["Cedar"], needs["Fjord"]) == (None, None)
    assert [n.slug for n in list_needs_segments(connection)] == [
        "delivery-reliability",
        "cost-efficiency",
    ]


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({}, [("name", "give the needs segment a name")]),
        ({"name": "  "}, [("name", "give the needs segment a name")]),
        ({"name": "!!!"}, [("slug", "the name has no letters or digits; give a slug")]),
        (
            {"name": "Speed", "slug": "Speed!"},
            [
                (
                    "slug",
                    "use 1–100 lower-case letters, digits and hyphens, "
                    "starting and ending with a letter or digit",
                )
            ],
        ),
        ({"name": "x" * 101}, [("name", "at most 100 characters, got 101")]),
        ({"name": "Speed", "segment": "nope"}, [("segment", "there is no segment 'nope'")]),
        (
            {"name": "delivery RELIABILITY"},
            [("name", "another needs segment is already called 'Delivery reliability'")],
        ),
        (
            {"name": "Other", "slug": "growth"},
            [("slug", "another needs segment already has the slug 'growth'")],
        ),
        (
            {"name": "Speed", "colour": "red"},
            [("colour", "unknown field; expected name, slug, description, segment")],
        ),
    ],
)
def test_bad_needs_segments_are_refused_naming_the_field(
    world: tuple[Connection, dict[str, int]],
    document: dict[str, Any],
    expected: list[tuple[str, str]],
) -> None:
    connection, _ids = world
    _three(connection)
    with pytest.raises(MatrixInvalid) as caught:
        create_needs_segment(connection, document, now=NOW)
    assert [(e.field, e.message) for e in caught.value.errors] == expected
    assert len(list_needs_segments(connection)) == 3


def test_an_order_must_name_every_needs_segment_once(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, _ids = world
    _three(connection)
    with pytest.raises(MatrixInvalid) as caught:
        order_needs_segments(connection, ["growth", "growth", "nope"], now=NOW)
    assert [(e.field, e.message) for e in caught.value.errors] == [
        (
            "order",
            "name every needs segment once; unknown: nope; "
            "missing: delivery-reliability, cost-efficiency; named twice: growth",
        )
    ]


def test_at_most_eight_needs_segments(world: tuple[Connection, dict[str, int]]) -> None:
    connection, _ids = world
    for number in range(8):
        create_needs_segment(connection, {"name": f"Needs {number}"}, now=NOW)
    with pytest.raises(MatrixInvalid, match="at most 8 needs segments"):
        create_needs_segment(connection, {"name": "Needs 9"}, now=NOW)


def test_a_needs_segment_without_a_segment_matches_nobody(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, _ids = world
    create_needs_segment(connection, {"name": "Undecided"}, now=NOW)
    create_needs_segment(connection, {"name": "Cost", "segment": "cost-worriers"}, now=NOW)
    assign_needs_segments(connection, now=NOW, actor=ACTOR)
    assert sorted(n for n, needs in _needs(connection).items() if needs) == [
        "Aalto",
        "Dune",
        "Harbor",
    ]
