"""The zipper board's document and its pure operations, on exact documents."""

from __future__ import annotations

from typing import Any

import pytest

from silverplatter.domain.document_checks import DocumentInvalid
from silverplatter.domain.zipper import EMPTY, Board, parse_board
from silverplatter.domain.zipper_changes import apply_change, parse_change
from silverplatter.domain.zipper_edits import (
    add_situation,
    add_solution,
    add_step,
    add_touchpoint,
    answer_worry,
    forget_worry,
    move,
    place_worry,
    remove,
    remove_worry,
    rename,
    unanswer_worry,
)


def _errors(error: pytest.ExceptionInfo[DocumentInvalid]) -> list[tuple[str, str]]:
    return [(e.field, e.message) for e in error.value.errors]


def small_board() -> Board:
    """Two customer steps, one of ours, a touchpoint, a situation with two worries, a solution."""
    board, order = add_step(EMPTY, "customer", "Order spare parts")
    board, _install = add_step(board, "customer", "Install")
    board, deliver = add_step(board, "ours", "Deliver")
    board, _t = add_touchpoint(board, order, deliver, "order desk")
    board, late = add_situation(board, order, "Parts are late")
    board = place_worry(board, late, 7)
    board = place_worry(board, late, 3)
    board, express = add_solution(board, deliver, "Express delivery")
    board = answer_worry(board, express, 7)
    return board


SMALL: dict[str, Any] = {
    "serial": 6,
    "customer_steps": [
        {"id": "c1", "name": "Order spare parts"},
        {"id": "c2", "name": "Install"},
    ],
    "our_steps": [{"id": "o3", "name": "Deliver"}],
    "touchpoints": [{"id": "t4", "customer_step": "c1", "our_step": "o3", "note": "order desk"}],
    "situations": [{"id": "s5", "step": "c1", "name": "Parts are late", "worries": [7, 3]}],
    "solutions": [{"id": "m6", "step": "o3", "name": "Express delivery", "answers": [7]}],
}


def test_building_a_board_gives_stable_numbered_ids() -> None:
    assert small_board().document() == SMALL
    assert parse_board(SMALL) == small_board()


def test_operations_return_new_boards_and_leave_the_old_one_alone() -> None:
    board = small_board()
    renamed = rename(board, "c2", "  Install and test ")
    assert renamed.customer_steps[1].name == "Install and test"
    assert board.customer_steps[1].name == "Install"
    assert rename(board, "t4", "phone").touchpoints[0].note == "phone"


def test_moving_a_step_within_its_lane() -> None:
    board = small_board()
    moved = move(board, "c2", 0)
    assert [s.id for s in moved.customer_steps] == ["c2", "c1"]
    assert [s.id for s in move(moved, "c2", 99).customer_steps] == ["c1", "c2"]
    with pytest.raises(DocumentInvalid) as error:
        move(board, "c1", 0, to="o3")
    assert _errors(error) == [("to", "a step moves within its own lane; leave 'to' out")]


def test_moving_a_situation_to_another_step_and_back_among_its_neighbours() -> None:
    board, second = add_situation(small_board(), "c1", "Wrong part")
    board, third = add_situation(board, "c2", "No fitter")
    assert [(s.id, s.step) for s in board.situations] == [
        ("s5", "c1"),
        ("s7", "c1"),
        ("s8", "c2"),
    ]
    board = move(board, "s5", 0, to="c2")
    assert [(s.id, s.step) for s in board.situations] == [
        ("s7", "c1"),
        ("s5", "c2"),
        ("s8", "c2"),
    ]
    board = move(board, "s5", 5)
    assert [s.id for s in board.situations_on("c2")] == ["s8", "s5"]
    with pytest.raises(DocumentInvalid) as error:
        move(board, "s5", 0, to="o3")
    assert _errors(error) == [("to", "'o3' is one of our steps; a customer step was expected")]
    assert (second, third) == ("s7", "s8")


def test_removing_a_customer_step_takes_its_situations_and_touchpoints() -> None:
    board, removed = remove(small_board(), "c1")
    assert removed.describe() == "Customer step 'c1' removed with 1 situation and 1 touchpoint"
    assert board.document() == {
        "serial": 6,
        "customer_steps": [{"id": "c2", "name": "Install"}],
        "our_steps": [{"id": "o3", "name": "Deliver"}],
        "touchpoints": [],
        "situations": [],
        "solutions": [{"id": "m6", "step": "o3", "name": "Express delivery", "answers": [7]}],
    }
    # ids are never given twice: the next step is c7, not c1
    assert add_step(board, "customer", "Plan")[1] == "c7"


def test_removing_our_step_takes_its_solutions_and_touchpoints() -> None:
    board, removed = remove(small_board(), "o3")
    assert removed.describe() == "Our step 'o3' removed with 1 solution and 1 touchpoint"
    assert (board.our_steps, board.solutions, board.touchpoints) == ((), (), ())
    assert len(board.situations) == 1
    alone, gone = remove(small_board(), "t4")
    assert gone.describe() == "Touchpoint 't4' removed"
    assert alone.touchpoints == () and len(alone.our_steps) == 1


def test_worries_are_linked_and_unlinked_on_situations_and_solutions() -> None:
    board = place_worry(small_board(), "s5", 9, index=0)
    assert board.situations[0].worries == (9, 7, 3)
    board = remove_worry(board, "s5", 7)
    assert board.situations[0].worries == (9, 3)
    board = answer_worry(board, "m6", 3)
    assert board.solutions[0].answers == (7, 3)
    board = unanswer_worry(board, "m6", 7)
    assert board.solutions[0].answers == (3,)
    assert board.worry_ids() == [9, 3]
    forgotten = forget_worry(board, 3)
    assert (forgotten.situations[0].worries, forgotten.solutions[0].answers) == ((9,), ())
    with pytest.raises(DocumentInvalid) as error:
        place_worry(board, "s5", 9)
    assert _errors(error) == [("worry", "worry 9 is already on situation 's5'")]
    with pytest.raises(DocumentInvalid) as error:
        unanswer_worry(board, "m6", 8)
    assert _errors(error) == [("worry", "solution 'm6' does not answer worry 8")]


def test_touchpoints_join_a_customer_step_to_one_of_ours_once() -> None:
    board = small_board()
    with pytest.raises(DocumentInvalid) as error:
        add_touchpoint(board, "c1", "o3")
    assert _errors(error) == [("our_step", "'c1' and 'o3' are already joined by 't4'")]
    with pytest.raises(DocumentInvalid) as error:
        add_touchpoint(board, "o3", "c1")
    assert _errors(error) == [
        ("customer_step", "'o3' is one of our steps; a customer step was expected")
    ]
    with pytest.raises(DocumentInvalid) as error:
        add_situation(board, "x9", "Lost")
    assert _errors(error) == [("step", "there is no item 'x9' on this board")]


def test_names_are_checked() -> None:
    with pytest.raises(DocumentInvalid) as error:
        add_step(EMPTY, "ours", "   ")
    assert _errors(error) == [("name", "must not be empty")]
    with pytest.raises(DocumentInvalid) as error:
        rename(small_board(), "c1", "x" * 201)
    assert _errors(error) == [("name", "must be at most 200 characters")]
    with pytest.raises(DocumentInvalid) as error:
        rename(small_board(), "c1", "two\nlines")
    assert _errors(error) == [("name", "must be one line without control characters")]


def test_a_whole_document_names_the_path_of_every_problem() -> None:
    broken: dict[str, Any] = {
        "serial": 2,
        "customer_steps": [{"id": "c1", "name": "Order"}, {"id": "c1", "name": "Again"}],
        "our_steps": [{"id": "o3", "name": "Deliver"}],
        "touchpoints": [
            {"id": "t4", "customer_step": "o3", "our_step": "o3"},
            {"id": "t5", "customer_step": "c1", "our_step": "o9"},
        ],
        "situations": [{"id": "s6", "step": "c1", "name": "Late", "worries": [2, 2]}],
        "solutions": [{"id": "m7", "step": "c1", "name": "Fast"}],
    }
    with pytest.raises(DocumentInvalid) as error:
        parse_board(broken)
    assert _errors(error) == [
        ("customer_steps[1].id", "the id 'c1' is used twice on the board"),
        ("touchpoints[0].customer_step", "'o3' is one of our steps; a customer step was expected"),
        ("touchpoints[1].our_step", "there is no step of ours 'o9'"),
        ("situations[0].worries[1]", "worry 2 is listed twice"),
        ("solutions[0].step", "'c1' is a customer step; one of our steps was expected"),
        ("serial", "must be at least 7, the highest number of an id"),
    ]
    with pytest.raises(DocumentInvalid) as error:
        parse_board({"customer_steps": [{"id": "C 1", "name": ""}], "colour": "red"})
    assert _errors(error) == [
        (
            "customer_steps[0].id",
            "must be a short id: a lowercase letter, then up to 39 letters, digits or -",
        ),
        ("customer_steps[0].name", "must not be empty"),
        ("colour", "is not a known field"),
    ]


def test_changes_as_sent_are_parsed_and_applied() -> None:
    board = small_board()
    applied = apply_change(board, parse_change({"op": "add_step", "lane": "ours", "name": "Fit"}))
    assert (applied.created, applied.summary) == ("o7", "Added our step 'Fit'")
    applied = apply_change(
        applied.board,
        parse_change({"op": "add_touchpoint", "customer_step": "c2", "our_step": "o7"}),
    )
    assert applied.board.touchpoints[-1].id == "t8"
    applied = apply_change(applied.board, parse_change({"op": "remove", "item": "c2"}))
    assert applied.summary == "Customer step 'Install' removed with 1 touchpoint"
    assert applied.removed is not None and applied.removed.touchpoints == ("t8",)
    moved = apply_change(board, parse_change({"op": "move", "item": "c2", "index": 0}))
    assert moved.summary == "Moved 'Install'"
    placed = apply_change(
        board,
        parse_change({"op": "place_worry", "situation": "s5", "worry": 9}),
        worry_name=lambda worry: f"Worry number {worry}",
    )
    assert placed.summary == "Put 'Worry number 9' on 'Parts are late'"
    joined = apply_change(
        board, parse_change({"op": "add_touchpoint", "customer_step": "c2", "our_step": "o3"})
    )
    assert joined.summary == "Joined 'Install' to 'Deliver'"
    with pytest.raises(DocumentInvalid) as error:
        parse_change({"op": "fly"})
    assert _errors(error)[0][0] == "op"
    with pytest.raises(DocumentInvalid) as error:
        parse_change({"op": "move", "item": "c2", "index": -1, "extra": 1})
    assert _errors(error) == [
        ("index", "must be at least 0"),
        ("extra", "is not a known field"),
    ]
    with pytest.raises(DocumentInvalid) as error:
        parse_change({"op": "place_worry", "situation": "s5"})
    assert _errors(error) == [("worry", "is required")]
