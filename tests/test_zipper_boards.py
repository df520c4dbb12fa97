"""Zipper boards stored: several per workspace, optimistic versions, history and restore."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, select

from silverplatter.domain.document_checks import DocumentInvalid, StaleVersion
from silverplatter.services.audit import Actor
from silverplatter.services.needs_segments import create_needs_segment
from silverplatter.services.worries import delete_worry
from silverplatter.services.zipper_boards import (
    board_at,
    board_history,
    change_board,
    create_board,
    delete_board,
    forget_worry_on_boards,
    get_board,
    list_boards,
    restore_board,
    save_board,
    update_board_details,
    worry_id_named,
)
from silverplatter.storage.access_schema import audit_log
from silverplatter.storage.understanding_schema import worries, zipper_board_versions
from web_world import NOW, seed_users


@pytest.fixture
def world(engine: Engine) -> Iterator[tuple[Connection, dict[str, int]]]:
    users = seed_users(engine)
    with engine.begin() as connection:
        worry_id_named(connection, "Parts arrive late", now=NOW, actor=Actor(None))
        worry_id_named(connection, "Nobody can fit them", now=NOW, actor=Actor(None))
        create_needs_segment(connection, {"name": "Uptime"}, now=NOW)
        yield connection, users


def _errors(error: pytest.ExceptionInfo[DocumentInvalid]) -> list[tuple[str, str]]:
    return [(e.field, e.message) for e in error.value.errors]


def _build(connection: Connection, actor: Actor) -> None:
    """Version 1 empty; versions 2–6: two customer steps, one of ours, a touchpoint, a situation."""
    create_board(
        connection, {"name": "Spare parts", "needs_segment": "uptime"}, now=NOW, actor=actor
    )
    changes: list[dict[str, Any]] = [
        {"op": "add_step", "lane": "customer", "name": "Order parts"},
        {"op": "add_step", "lane": "customer", "name": "Install"},
        {"op": "add_step", "lane": "ours", "name": "Deliver"},
        {"op": "add_touchpoint", "customer_step": "c1", "our_step": "o3"},
        {"op": "add_situation", "step": "c1", "name": "Parts are late"},
    ]
    for version, change in enumerate(changes, start=1):
        change_board(
            connection,
            "spare-parts",
            change,
            version=version,
            now=NOW + timedelta(minutes=version),
            actor=actor,
        )


def test_a_board_is_created_changed_and_kept_with_every_version(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, users = world
    actor = Actor(users["marketing"])
    _build(connection, actor)
    board = get_board(connection, "spare-parts")
    assert (board.name, board.needs_segment_slug, board.needs_segment_name) == (
        "Spare parts",
        "uptime",
        "Uptime",
    )
    assert board.version == 6
    assert board.board.document() == {
        "serial": 5,
        "customer_steps": [{"id": "c1", "name": "Order parts"}, {"id": "c2", "name": "Install"}],
        "our_steps": [{"id": "o3", "name": "Deliver"}],
        "touchpoints": [{"id": "t4", "customer_step": "c1", "our_step": "o3", "note": ""}],
        "situations": [{"id": "s5", "step": "c1", "name": "Parts are late", "worries": []}],
        "solutions": [],
    }
    history = board_history(connection, "spare-parts")
    assert [(h.version, h.saved_by) for h in history] == [
        (6, "Marketing User"),
        (5, "Marketing User"),
        (4, "Marketing User"),
        (3, "Marketing User"),
        (2, "Marketing User"),
        (1, "Marketing User"),
    ]
    assert history[0].saved_at == NOW + timedelta(minutes=5)
    assert [s.name for s in board_at(connection, "spare-parts", 3).customer_steps] == [
        "Order parts",
        "Install",
    ]
    assert board_at(connection, "spare-parts", 1).document()["customer_steps"] == []


def test_a_stale_version_is_refused_and_nothing_is_written(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, users = world
    actor = Actor(users["admin"])
    _build(connection, actor)
    with pytest.raises(StaleVersion) as error:
        change_board(
            connection,
            "spare-parts",
            {"op": "rename", "item": "c1", "name": "Buy parts"},
            version=4,
            now=NOW,
            actor=actor,
        )
    assert str(error.value) == (
        "board 'spare-parts' is at version 6, not 4: somebody saved it since you opened it; "
        "reload it and make your change again"
    )
    with pytest.raises(StaleVersion):
        save_board(connection, "spare-parts", {}, version=5, now=NOW, actor=actor)
    assert get_board(connection, "spare-parts").board.customer_steps[0].name == "Order parts"
    versions = connection.execute(select(zipper_board_versions.c.version)).scalars().all()
    assert sorted(versions) == [1, 2, 3, 4, 5, 6]


def test_worries_are_placed_by_id_or_by_name_and_must_exist(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, users = world
    actor = Actor(users["admin"])
    _build(connection, actor)
    late = connection.execute(
        select(worries.c.id).where(worries.c.slug == "parts-arrive-late")
    ).scalar_one()
    saved, applied = change_board(
        connection,
        "spare-parts",
        {"op": "place_worry", "situation": "s5", "worry": late},
        version=6,
        now=NOW,
        actor=actor,
    )
    assert applied.summary == "Put 'Parts arrive late' on 'Parts are late'"
    saved, _ = change_board(
        connection,
        "spare-parts",
        {"op": "place_worry", "situation": "s5", "worry_name": "  Wrong part number "},
        version=7,
        now=NOW,
        actor=actor,
    )
    created = connection.execute(
        select(worries.c.id, worries.c.slug).where(worries.c.name == "Wrong part number")
    ).one()
    assert created.slug == "wrong-part-number"
    assert saved.board.situations[0].worries == (late, created.id)
    # a name already known (case ignored) places that worry, creating nothing
    saved, _ = change_board(
        connection,
        "spare-parts",
        {"op": "remove_worry", "situation": "s5", "worry": late},
        version=8,
        now=NOW,
        actor=actor,
    )
    saved, _ = change_board(
        connection,
        "spare-parts",
        {"op": "place_worry", "situation": "s5", "worry_name": "parts arrive LATE"},
        version=9,
        now=NOW,
        actor=actor,
    )
    assert saved.board.situations[0].worries == (created.id, late)
    assert connection.execute(select(worries.c.id)).scalars().all().__len__() == 3
    with pytest.raises(DocumentInvalid) as error:
        change_board(
            connection,
            "spare-parts",
            {"op": "place_worry", "situation": "s5", "worry": 999},
            version=10,
            now=NOW,
            actor=actor,
        )
    assert _errors(error) == [("change.worry", "there is no worry 999")]
    with pytest.raises(DocumentInvalid) as error:
        change_board(
            connection,
            "spare-parts",
            {"op": "remove", "item": "x1"},
            version=10,
            now=NOW,
            actor=actor,
        )
    assert _errors(error) == [("change.item", "there is no item 'x1' on this board")]
    document = saved.board.document()
    document["solutions"] = [{"id": "m9", "step": "o3", "name": "Express", "answers": [998]}]
    document["serial"] = 9
    with pytest.raises(DocumentInvalid) as error:
        save_board(connection, "spare-parts", document, version=10, now=NOW, actor=actor)
    assert _errors(error) == [("document.solutions[0].answers[0]", "there is no worry 998")]


def test_restoring_saves_an_old_version_as_the_newest_and_is_audited(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, users = world
    actor = Actor(users["admin"], "127.0.0.1")
    _build(connection, actor)
    restored = restore_board(
        connection, "spare-parts", 3, version=6, now=NOW + timedelta(hours=1), actor=actor
    )
    assert restored.version == 7
    assert [s.id for s in restored.board.customer_steps] == ["c1", "c2"]
    assert restored.board.our_steps == ()
    # numbering goes on from the newest version: o3 and t4 are never given again
    assert restored.board.serial == 5
    with pytest.raises(StaleVersion):
        restore_board(connection, "spare-parts", 2, version=6, now=NOW, actor=actor)
    entries = connection.execute(
        select(audit_log.c.action, audit_log.c.subject, audit_log.c.details).order_by(
            audit_log.c.id
        )
    ).all()
    mine = [(a, s, d) for a, s, d in entries if a.startswith("zipper_board.")]
    assert mine == [
        ("zipper_board.created", "spare-parts", {"name": "Spare parts"}),
        ("zipper_board.restored", "spare-parts", {"restored": 3, "version": 7}),
    ]


def test_several_boards_with_details_renamed_and_deleted(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, users = world
    actor = Actor(users["admin"])
    _build(connection, actor)
    create_board(connection, {"name": "Ferries of Åland", "slug": "ferries"}, now=NOW, actor=actor)
    assert [(b.slug, b.name) for b in list_boards(connection)] == [
        ("ferries", "Ferries of Åland"),
        ("spare-parts", "Spare parts"),
    ]
    with pytest.raises(DocumentInvalid) as error:
        create_board(connection, {"name": "Spare parts"}, now=NOW, actor=actor)
    assert _errors(error) == [("slug", "another board already has the slug 'spare-parts'")]
    with pytest.raises(DocumentInvalid) as error:
        create_board(connection, {"name": " ", "needs_segment": "nope"}, now=NOW, actor=actor)
    assert _errors(error) == [("name", "must not be empty")]
    with pytest.raises(DocumentInvalid) as error:
        create_board(connection, {"name": "X", "needs_segment": "nope"}, now=NOW, actor=actor)
    assert _errors(error) == [("needs_segment", "there is no needs segment 'nope'")]
    with pytest.raises(DocumentInvalid) as error:
        create_board(
            connection,
            {"name": "Y", "document": {"customer_steps": [{"id": "c1"}]}},
            now=NOW,
            actor=actor,
        )
    assert _errors(error) == [("document.customer_steps[0].name", "is required")]
    changed = update_board_details(
        connection,
        "ferries",
        {"name": "Ferries", "needs_segment": "uptime"},
        now=NOW,
        actor=actor,
    )
    assert (changed.slug, changed.name, changed.needs_segment_name, changed.version) == (
        "ferries",
        "Ferries",
        "Uptime",
        1,
    )
    delete_board(connection, "ferries", now=NOW, actor=actor)
    assert [b.slug for b in list_boards(connection)] == ["spare-parts"]
    with pytest.raises(LookupError):
        get_board(connection, "ferries")


def test_a_deleted_worry_is_taken_off_every_board(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, users = world
    actor = Actor(users["admin"])
    _build(connection, actor)
    create_board(connection, {"name": "Other"}, now=NOW, actor=actor)
    change_board(
        connection,
        "spare-parts",
        {"op": "place_worry", "situation": "s5", "worry_name": "Parts arrive late"},
        version=6,
        now=NOW,
        actor=actor,
    )
    late = get_board(connection, "spare-parts").board.situations[0].worries[0]
    assert forget_worry_on_boards(connection, late, now=NOW, actor=actor) == ["spare-parts"]
    found = get_board(connection, "spare-parts")
    assert (found.version, found.board.situations[0].worries) == (8, ())
    assert get_board(connection, "other").version == 1


def test_deleting_a_worry_takes_it_off_the_boards_and_a_new_name_creates_one_audited(
    world: tuple[Connection, dict[str, int]],
) -> None:
    connection, users = world
    actor = Actor(users["admin"])
    _build(connection, actor)
    change_board(
        connection,
        "spare-parts",
        {"op": "place_worry", "situation": "s5", "worry_name": "Spare parts are the wrong ones"},
        version=6,
        now=NOW,
        actor=actor,
    )
    placed = get_board(connection, "spare-parts").board.situations[0].worries
    created = connection.execute(
        select(worries.c.id, worries.c.slug).where(worries.c.id == placed[0])
    ).one()
    assert created.slug == "spare-parts-are-the-wrong-ones"
    audited = connection.execute(
        select(audit_log.c.action, audit_log.c.subject).where(audit_log.c.action == "worry.created")
    ).all()
    assert [tuple(row) for row in audited] == [
        ("worry.created", "worry parts-arrive-late"),
        ("worry.created", "worry nobody-can-fit-them"),
        ("worry.created", "worry spare-parts-are-the-wrong-ones"),
    ]
    delete_worry(connection, "spare-parts-are-the-wrong-ones", actor=actor, now=NOW)
    found = get_board(connection, "spare-parts")
    assert (found.version, found.board.situations[0].worries) == (8, ())
