"""The zipper board (domain §9): the customer's process and ours, side by side, zipped.

A board is one document:

* two **lanes** of ordered steps — ``customer_steps`` (what the customer does)
  and ``our_steps`` (what we do);
* **touchpoints**, each joining one customer step to one of our steps;
* **situations** placed on customer steps (in order within their step), each
  carrying the ids of the **worries** the customer has there (rows of the
  ``worries`` table, so content can be tagged with them);
* **solutions** — offer modules — placed on our steps, each naming the worry
  ids it answers (a need is the answer to a worry).

Ids are short slugs that never change: new ones are a prefix and the next
number of the board's ``serial`` (``c3`` a customer step, ``o4`` one of ours,
``t5`` a touchpoint, ``s6`` a situation, ``m7`` a solution), so an id is never
given twice on one board.  Every operation is pure: it takes a board and
returns a new one, or raises :class:`DocumentInvalid` naming the field of the
change that cannot be applied.  :func:`parse_board` checks a whole document
and names the path of every problem (``touchpoints[2].customer_step``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from silverplatter.domain.document_checks import (
    ID_PATTERN,
    DocumentError,
    DocumentInvalid,
    from_validation_error,
    invalid,
)

MAX_NAME: Final = 200
MAX_STEPS: Final = 40
MAX_TOUCHPOINTS: Final = 200
MAX_SITUATIONS: Final = 120
MAX_SOLUTIONS: Final = 120
#: Worries per situation (10–30 is typical) and per solution.
MAX_WORRIES: Final = 60
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

Lane = Literal["customer", "ours"]
LANES: Final[tuple[Lane, ...]] = ("customer", "ours")
#: The id prefix of each kind of item.
PREFIXES: Final = {
    "customer_step": "c",
    "our_step": "o",
    "touchpoint": "t",
    "situation": "s",
    "solution": "m",
}


def _printable(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must be one line without control characters")
    return value


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME),
    AfterValidator(_printable),
]
Note = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=MAX_NAME), AfterValidator(_printable)
]
ItemId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
WorryId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Step(_Part):
    id: ItemId
    name: Name


class Touchpoint(_Part):
    """Where one customer step meets one of ours."""

    id: ItemId
    customer_step: ItemId
    our_step: ItemId
    note: Note = ""


class Situation(_Part):
    """A moment on a customer step where the customer realises they could use help."""

    id: ItemId
    step: ItemId
    name: Name
    worries: tuple[WorryId, ...] = Field(default=(), max_length=MAX_WORRIES)


class Solution(_Part):
    """An offer module on one of our steps and the worries it answers."""

    id: ItemId
    step: ItemId
    name: Name
    answers: tuple[WorryId, ...] = Field(default=(), max_length=MAX_WORRIES)


class Board(_Part):
    """One zipper board: both lanes and everything placed on them."""

    serial: int = Field(default=0, ge=0, le=10**9)
    customer_steps: tuple[Step, ...] = Field(default=(), max_length=MAX_STEPS)
    our_steps: tuple[Step, ...] = Field(default=(), max_length=MAX_STEPS)
    touchpoints: tuple[Touchpoint, ...] = Field(default=(), max_length=MAX_TOUCHPOINTS)
    situations: tuple[Situation, ...] = Field(default=(), max_length=MAX_SITUATIONS)
    solutions: tuple[Solution, ...] = Field(default=(), max_length=MAX_SOLUTIONS)

    def document(self) -> dict[str, Any]:
        """The board as JSON (what is stored and what the API answers)."""
        return self.model_dump(mode="json")

    def steps(self, lane: Lane) -> tuple[Step, ...]:
        return self.customer_steps if lane == "customer" else self.our_steps

    def kind_of(self, item: str) -> str | None:
        """``customer_step``, ``our_step``, ``touchpoint``, ``situation``, ``solution`` or None."""
        for kind, items in self._collections():
            if any(part.id == item for part in items):
                return kind
        return None

    def situations_on(self, step: str) -> list[Situation]:
        return [found for found in self.situations if found.step == step]

    def solutions_on(self, step: str) -> list[Solution]:
        return [found for found in self.solutions if found.step == step]

    def touchpoints_of(self, step: str) -> list[Touchpoint]:
        return [t for t in self.touchpoints if step in (t.customer_step, t.our_step)]

    def worry_ids(self) -> list[int]:
        """Every worry id on the board, in order of first appearance."""
        found = [w for s in self.situations for w in s.worries]
        found += [w for m in self.solutions for w in m.answers]
        return list(dict.fromkeys(found))

    def _collections(self) -> Iterable[tuple[str, Sequence[Any]]]:
        yield "customer_step", self.customer_steps
        yield "our_step", self.our_steps
        yield "touchpoint", self.touchpoints
        yield "situation", self.situations
        yield "solution", self.solutions


EMPTY: Final = Board()


# --- checking a whole document ---------------------------------------------------------


def parse_board(data: Any) -> Board:
    """The board in ``data``; :class:`DocumentInvalid` names the path of every problem."""
    try:
        board = Board.model_validate(data)
    except ValidationError as error:
        raise from_validation_error(error) from None
    problems = list(board_problems(board))
    if problems:
        raise DocumentInvalid(problems)
    return board


def board_problems(board: Board) -> Iterable[DocumentError]:
    """Rules across the parts: unique ids, references to the right lane, no repeats."""
    seen: dict[str, str] = {}
    for kind, items in board._collections():
        collection = _COLLECTION[kind]
        for index, part in enumerate(items):
            if part.id in seen:
                yield DocumentError(
                    f"{collection}[{index}].id", f"the id {part.id!r} is used twice on the board"
                )
            seen.setdefault(part.id, kind)
    joined: dict[tuple[str, str], str] = {}
    for index, touchpoint in enumerate(board.touchpoints):
        where = f"touchpoints[{index}]"
        yield from _refers(
            seen, f"{where}.customer_step", touchpoint.customer_step, "customer_step"
        )
        yield from _refers(seen, f"{where}.our_step", touchpoint.our_step, "our_step")
        pair = (touchpoint.customer_step, touchpoint.our_step)
        if pair in joined:
            yield DocumentError(
                where,
                f"{pair[0]!r} and {pair[1]!r} are already joined by touchpoint {joined[pair]!r}",
            )
        joined.setdefault(pair, touchpoint.id)
    for index, situation in enumerate(board.situations):
        yield from _refers(seen, f"situations[{index}].step", situation.step, "customer_step")
        yield from _repeats(f"situations[{index}].worries", situation.worries)
    for index, solution in enumerate(board.solutions):
        yield from _refers(seen, f"solutions[{index}].step", solution.step, "our_step")
        yield from _repeats(f"solutions[{index}].answers", solution.answers)
    if board.serial < _highest_number(seen):
        yield DocumentError(
            "serial", f"must be at least {_highest_number(seen)}, the highest number of an id"
        )


_COLLECTION: Final = {
    "customer_step": "customer_steps",
    "our_step": "our_steps",
    "touchpoint": "touchpoints",
    "situation": "situations",
    "solution": "solutions",
}
#: What each kind of item is called.
KIND_NAMES: Final = {
    "customer_step": "customer step",
    "our_step": "our step",
    "touchpoint": "touchpoint",
    "situation": "situation",
    "solution": "solution",
}
KIND_PHRASES: Final = {
    "customer_step": "a customer step",
    "our_step": "one of our steps",
    "touchpoint": "a touchpoint",
    "situation": "a situation",
    "solution": "a solution",
}

_MISSING: Final = {"customer_step": "customer step", "our_step": "step of ours"}


def _refers(seen: dict[str, str], field: str, target: str, kind: str) -> Iterable[DocumentError]:
    found = seen.get(target)
    if found == kind:
        return
    if found is None:
        yield DocumentError(field, f"there is no {_MISSING[kind]} {target!r}")
    else:
        yield DocumentError(
            field, f"{target!r} is {KIND_PHRASES[found]}; {KIND_PHRASES[kind]} was expected"
        )


def _repeats(field: str, worries: Sequence[int]) -> Iterable[DocumentError]:
    seen: set[int] = set()
    for index, worry in enumerate(worries):
        if worry in seen:
            yield DocumentError(f"{field}[{index}]", f"worry {worry} is listed twice")
        seen.add(worry)


def _highest_number(seen: dict[str, str]) -> int:
    """The highest number of an id of the board's own form (``c12`` → 12)."""
    numbers = [
        int(item[1:])
        for item, kind in seen.items()
        if item[:1] == PREFIXES[kind] and item[1:].isdigit() and len(item) < 12
    ]
    return max(numbers, default=0)


# --- results of operations -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Removed:
    """What a removal took away: the item and what went with it."""

    item: str
    kind: str
    situations: tuple[str, ...] = ()
    solutions: tuple[str, ...] = ()
    touchpoints: tuple[str, ...] = ()

    def describe(self) -> str:
        """``Customer step 'c1' removed with 2 situations and 1 touchpoint``."""
        parts = [
            _count(len(self.situations), "situation"),
            _count(len(self.solutions), "solution"),
            _count(len(self.touchpoints), "touchpoint"),
        ]
        taken = [part for part in parts if part]
        said = f"{KIND_NAMES[self.kind].capitalize()} {self.item!r} removed"
        return said + (" with " + " and ".join(taken) if taken else "")


def _count(number: int, word: str) -> str:
    if number == 0:
        return ""
    return f"{number} {word}" + ("" if number == 1 else "s")


__all__ = [
    "EMPTY",
    "KIND_NAMES",
    "KIND_PHRASES",
    "LANES",
    "MAX_NAME",
    "MAX_SITUATIONS",
    "MAX_SOLUTIONS",
    "MAX_STEPS",
    "MAX_TOUCHPOINTS",
    "MAX_WORRIES",
    "PREFIXES",
    "Board",
    "DocumentError",
    "DocumentInvalid",
    "ItemId",
    "Lane",
    "Name",
    "Note",
    "Removed",
    "Situation",
    "Solution",
    "Step",
    "Touchpoint",
    "WorryId",
    "board_problems",
    "invalid",
    "parse_board",
]
