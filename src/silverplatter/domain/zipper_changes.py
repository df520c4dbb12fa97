"""Changes to a zipper board as the browser and the API send them: one JSON object with an
``op`` and its fields, checked (:func:`parse_change`) and applied (:func:`apply_change`)
with the pure operations of ``domain/zipper_edits.py``.

:data:`OPERATIONS` lists every ``op`` with its meaning; an error names the field
of the change (``name: must not be empty``).  The summary of an applied change
names the items by their names (``Joined 'Order' to 'Deliver'``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from silverplatter.domain.document_checks import DocumentInvalid, from_validation_error, invalid
from silverplatter.domain.zipper import (
    Board,
    ItemId,
    Lane,
    Name,
    Note,
    Removed,
    Situation,
    Solution,
    Step,
    WorryId,
)
from silverplatter.domain.zipper_edits import (
    add_situation,
    add_solution,
    add_step,
    add_touchpoint,
    answer_worry,
    move,
    place_worry,
    remove,
    remove_worry,
    rename,
    unanswer_worry,
)


class _Change(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Index = Field(default=None, ge=0, le=1000, description="place from 0; the end when left out")


class AddStep(_Change):
    op: Literal["add_step"]
    lane: Lane
    name: Name
    index: int | None = Index


class AddSituation(_Change):
    op: Literal["add_situation"]
    step: ItemId
    name: Name
    index: int | None = Index


class AddSolution(_Change):
    op: Literal["add_solution"]
    step: ItemId
    name: Name
    index: int | None = Index


class AddTouchpoint(_Change):
    op: Literal["add_touchpoint"]
    customer_step: ItemId
    our_step: ItemId
    note: Note = ""


class Rename(_Change):
    op: Literal["rename"]
    item: ItemId
    name: Name


class Move(_Change):
    op: Literal["move"]
    item: ItemId
    index: int = Field(ge=0, le=1000)
    to: ItemId | None = None


class Remove(_Change):
    op: Literal["remove"]
    item: ItemId


class PlaceWorry(_Change):
    op: Literal["place_worry"]
    situation: ItemId
    worry: WorryId
    index: int | None = Index


class RemoveWorry(_Change):
    op: Literal["remove_worry"]
    situation: ItemId
    worry: WorryId


class AnswerWorry(_Change):
    op: Literal["answer_worry"]
    solution: ItemId
    worry: WorryId


class UnanswerWorry(_Change):
    op: Literal["unanswer_worry"]
    solution: ItemId
    worry: WorryId


Change = (
    AddStep
    | AddSituation
    | AddSolution
    | AddTouchpoint
    | Rename
    | Move
    | Remove
    | PlaceWorry
    | RemoveWorry
    | AnswerWorry
    | UnanswerWorry
)
#: Every operation by its ``op`` with its one-line meaning.
OPERATIONS: Final[dict[str, tuple[type[_Change], str]]] = {
    "add_step": (AddStep, "add a step to a lane (customer or ours)"),
    "add_situation": (AddSituation, "add a situation to a customer step"),
    "add_solution": (AddSolution, "add a solution (offer module) to one of our steps"),
    "add_touchpoint": (AddTouchpoint, "join a customer step to one of our steps"),
    "rename": (Rename, "rename a step, situation or solution; a touchpoint's note"),
    "move": (Move, "move a step in its lane, or a situation or solution (to another step)"),
    "remove": (Remove, "remove an item and what goes with it"),
    "place_worry": (PlaceWorry, "put a worry on a situation"),
    "remove_worry": (RemoveWorry, "take a worry off a situation"),
    "answer_worry": (AnswerWorry, "say that a solution answers a worry"),
    "unanswer_worry": (UnanswerWorry, "a solution no longer answers a worry"),
}


def parse_change(data: Mapping[str, Any] | Any) -> Change:
    """The change in ``data``; :class:`DocumentInvalid` names each bad field."""
    if not isinstance(data, Mapping):
        raise invalid("change", "must be an object with an 'op'")
    op = data.get("op")
    if op not in OPERATIONS:
        raise invalid("op", f"must be one of {', '.join(OPERATIONS)}")
    model = OPERATIONS[op][0]
    try:
        parsed: Change = model.model_validate(dict(data))  # type: ignore[assignment]
    except ValidationError as error:
        raise from_validation_error(error) from None
    return parsed


@dataclass(frozen=True, slots=True)
class Applied:
    """A change applied: the new board, the id of what it added, what it removed."""

    board: Board
    summary: str
    created: str | None = None
    removed: Removed | None = None


def _named(board: Board, item: str) -> str:
    """An item's name in quotes (a touchpoint's id) for a summary."""
    parts: list[Step | Situation | Solution] = [
        *board.customer_steps,
        *board.our_steps,
        *board.situations,
        *board.solutions,
    ]
    for part in parts:
        if part.id == item:
            return repr(part.name)
    return repr(item)


def apply_change(
    board: Board, change: Change, *, worry_name: Callable[[int], str] | None = None
) -> Applied:
    """Apply one parsed change; ``worry_name`` names worries in the summary."""

    def said(worry: int) -> str:
        return repr(worry_name(worry)) if worry_name is not None else f"worry {worry}"

    match change:
        case AddStep(lane=lane, name=name, index=index):
            changed, item = add_step(board, lane, name, index=index)
            lane_word = "customer step" if lane == "customer" else "our step"
            return Applied(changed, f"Added {lane_word} {_named(changed, item)}", created=item)
        case AddSituation(step=step, name=name, index=index):
            changed, item = add_situation(board, step, name, index=index)
            return Applied(changed, f"Added situation {_named(changed, item)}", created=item)
        case AddSolution(step=step, name=name, index=index):
            changed, item = add_solution(board, step, name, index=index)
            return Applied(changed, f"Added solution {_named(changed, item)}", created=item)
        case AddTouchpoint(customer_step=customer, our_step=ours, note=note):
            changed, item = add_touchpoint(board, customer, ours, note)
            joined = f"Joined {_named(board, customer)} to {_named(board, ours)}"
            return Applied(changed, joined, created=item)
        case Rename(item=item, name=name):
            before = _named(board, item)
            changed = rename(board, item, name)
            return Applied(changed, f"Renamed {before} to {_named(changed, item)}")
        case Move(item=item, index=index, to=to):
            changed = move(board, item, index, to=to)
            where = f" on {_named(board, to)}" if to is not None and to != item else ""
            return Applied(changed, f"Moved {_named(board, item)}{where}")
        case Remove(item=item):
            named = _named(board, item)
            changed, removed = remove(board, item)
            return Applied(changed, removed.describe().replace(repr(item), named), removed=removed)
        case PlaceWorry(situation=situation, worry=worry, index=index):
            changed = place_worry(board, situation, worry, index=index)
            return Applied(changed, f"Put {said(worry)} on {_named(board, situation)}")
        case RemoveWorry(situation=situation, worry=worry):
            changed = remove_worry(board, situation, worry)
            return Applied(changed, f"Took {said(worry)} off {_named(board, situation)}")
        case AnswerWorry(solution=solution, worry=worry):
            changed = answer_worry(board, solution, worry)
            return Applied(changed, f"{_named(board, solution)} answers {said(worry)}")
        case UnanswerWorry(solution=solution, worry=worry):
            changed = unanswer_worry(board, solution, worry)
            return Applied(changed, f"{_named(board, solution)} no longer answers {said(worry)}")
    raise invalid("op", "unknown change")  # pragma: no cover - the union is exhaustive


__all__ = [
    "OPERATIONS",
    "AddSituation",
    "AddSolution",
    "AddStep",
    "AddTouchpoint",
    "AnswerWorry",
    "Applied",
    "Change",
    "DocumentInvalid",
    "Move",
    "PlaceWorry",
    "Remove",
    "RemoveWorry",
    "Rename",
    "UnanswerWorry",
    "apply_change",
    "parse_change",
]
