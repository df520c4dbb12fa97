"""Changes to a zipper board: add, rename, move, link and unlink, remove — each pure.

Every operation takes a :class:`~silverplatter.domain.zipper.Board` and
returns a new one (the old one is untouched), or raises
:class:`DocumentInvalid` naming the field of the change that cannot be
applied (``step: 'o1' is one of our steps; a customer step was expected``).

**What removal takes with it**: a customer step takes its situations and its
touchpoints; one of our steps takes its solutions and its touchpoints; a
situation, a solution or a touchpoint goes alone.  Worries are rows of their
own: unlinking one from a situation or a solution leaves the worry in place,
and :func:`forget_worry` takes a deleted worry off the whole board.

A change sent by the browser or the API is checked and applied by
``domain/zipper_changes.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, TypeVar

from pydantic import TypeAdapter, ValidationError

from silverplatter.domain.document_checks import (
    DocumentInvalid,
    from_validation_error,
    invalid,
)
from silverplatter.domain.zipper import (
    KIND_PHRASES,
    MAX_SITUATIONS,
    MAX_SOLUTIONS,
    MAX_STEPS,
    MAX_TOUCHPOINTS,
    MAX_WORRIES,
    PREFIXES,
    Board,
    Lane,
    Name,
    Note,
    Removed,
    Situation,
    Solution,
    Step,
    Touchpoint,
)

Part = TypeVar("Part", Step, Situation, Solution, Touchpoint)
Placed = TypeVar("Placed", Situation, Solution)
_NAME: Final = TypeAdapter(Name)
_NOTE: Final = TypeAdapter(Note)


def _checked(field: str, value: str, *, note: bool = False) -> str:
    """A name (or a touchpoint's note) stripped, or :class:`DocumentInvalid` naming ``field``."""
    try:
        return (_NOTE if note else _NAME).validate_python(value)
    except ValidationError as error:
        raise from_validation_error(error, prefix=(field,)) from None


def _new_id(board: Board, kind: str) -> tuple[Board, str]:
    """The next id of ``kind`` and the board with its serial moved on."""
    serial = board.serial + 1
    while board.kind_of(f"{PREFIXES[kind]}{serial}") is not None:
        serial += 1
    return board.model_copy(update={"serial": serial}), f"{PREFIXES[kind]}{serial}"


def _insert(items: Sequence[Part], item: Part, index: int | None) -> tuple[Part, ...]:
    listed = list(items)
    listed.insert(len(listed) if index is None else min(max(index, 0), len(listed)), item)
    return tuple(listed)


def _need(board: Board, field: str, item: str, *kinds: str) -> str:
    """The kind of ``item``, which must be one of ``kinds``."""
    kind = board.kind_of(item)
    if kind is None:
        raise invalid(field, f"there is no item {item!r} on this board")
    if kind not in kinds:
        expected = " or ".join(KIND_PHRASES[k] for k in kinds)
        raise invalid(field, f"{item!r} is {KIND_PHRASES[kind]}; {expected} was expected")
    return kind


def _room(count: int, most: int, field: str, what: str) -> None:
    if count >= most:
        raise invalid(field, f"a board holds at most {most} {what}")


# --- adding ----------------------------------------------------------------------------


def add_step(board: Board, lane: Lane, name: str, *, index: int | None = None) -> tuple[Board, str]:
    """A new step in ``lane`` at ``index`` (the end when None); returns its id."""
    name = _checked("name", name)
    steps = board.steps(lane)
    _room(len(steps), MAX_STEPS, "name", "steps per lane")
    board, item = _new_id(board, "customer_step" if lane == "customer" else "our_step")
    field = "customer_steps" if lane == "customer" else "our_steps"
    added = _insert(steps, Step(id=item, name=name), index)
    return board.model_copy(update={field: added}), item


def add_situation(
    board: Board, step: str, name: str, *, index: int | None = None
) -> tuple[Board, str]:
    """A new situation on customer step ``step``, at ``index`` among its situations."""
    _need(board, "step", step, "customer_step")
    name = _checked("name", name)
    _room(len(board.situations), MAX_SITUATIONS, "name", "situations")
    board, item = _new_id(board, "situation")
    situations = _placed(board.situations, Situation(id=item, step=step, name=name), index)
    return board.model_copy(update={"situations": situations}), item


def add_solution(
    board: Board, step: str, name: str, *, index: int | None = None
) -> tuple[Board, str]:
    """A new solution (offer module) on our step ``step``."""
    _need(board, "step", step, "our_step")
    name = _checked("name", name)
    _room(len(board.solutions), MAX_SOLUTIONS, "name", "solutions")
    board, item = _new_id(board, "solution")
    solutions = _placed(board.solutions, Solution(id=item, step=step, name=name), index)
    return board.model_copy(update={"solutions": solutions}), item


def add_touchpoint(
    board: Board, customer_step: str, our_step: str, note: str = ""
) -> tuple[Board, str]:
    """Join a customer step to one of ours; returns the touchpoint's id."""
    _need(board, "customer_step", customer_step, "customer_step")
    _need(board, "our_step", our_step, "our_step")
    note = _checked("note", note, note=True)
    for touchpoint in board.touchpoints:
        if (touchpoint.customer_step, touchpoint.our_step) == (customer_step, our_step):
            raise invalid(
                "our_step",
                f"{customer_step!r} and {our_step!r} are already joined by {touchpoint.id!r}",
            )
    _room(len(board.touchpoints), MAX_TOUCHPOINTS, "our_step", "touchpoints")
    board, item = _new_id(board, "touchpoint")
    joined = Touchpoint(id=item, customer_step=customer_step, our_step=our_step, note=note)
    return board.model_copy(update={"touchpoints": (*board.touchpoints, joined)}), item


def _placed(
    items: Sequence[Placed], item: Placed, index: int | None, *, without: str | None = None
) -> tuple[Placed, ...]:
    """``items`` with ``item`` at ``index`` among those on the same step (and ``without``
    taken out first); the order of the other steps' items is kept."""
    others: list[Placed] = [part for part in items if part.id != without]
    same = [n for n, part in enumerate(others) if part.step == item.step]
    where = len(same) if index is None else min(max(index, 0), len(same))
    position = len(others)
    if same:
        position = same[where] if where < len(same) else same[-1] + 1
    others.insert(position, item)
    return tuple(others)


# --- renaming and moving ---------------------------------------------------------------


def rename(board: Board, item: str, name: str) -> Board:
    """A step, situation or solution gets a new name; a touchpoint a new note."""
    kind = _need(board, "item", item, *PREFIXES)
    name = _checked("name", name)
    field = _FIELDS[kind]
    attribute = "note" if kind == "touchpoint" else "name"
    items = tuple(
        part.model_copy(update={attribute: name}) if part.id == item else part
        for part in getattr(board, field)
    )
    return board.model_copy(update={field: items})


_FIELDS: Final = {
    "customer_step": "customer_steps",
    "our_step": "our_steps",
    "touchpoint": "touchpoints",
    "situation": "situations",
    "solution": "solutions",
}


def move(board: Board, item: str, index: int, *, to: str | None = None) -> Board:
    """Move ``item`` to place ``index`` (from 0) — a step within its lane; a situation or
    a solution among those of step ``to`` (its own step when None)."""
    kind = _need(board, "item", item, "customer_step", "our_step", "situation", "solution")
    field = _FIELDS[kind]
    items: tuple[Any, ...] = getattr(board, field)
    current = next(part for part in items if part.id == item)
    if kind in ("customer_step", "our_step"):
        if to is not None and to != item:
            raise invalid("to", "a step moves within its own lane; leave 'to' out")
        rest = [part for part in items if part.id != item]
        return board.model_copy(update={field: _insert(rest, current, index)})
    step = current.step if to is None else to
    _need(board, "to", step, "customer_step" if kind == "situation" else "our_step")
    moved = current.model_copy(update={"step": step})
    return board.model_copy(update={field: _placed(items, moved, index, without=item)})


# --- worries ---------------------------------------------------------------------------


def _with_worries(board: Board, field: str, item: str, change: Any) -> Board:
    attribute = "worries" if field == "situations" else "answers"
    items = tuple(
        part.model_copy(update={attribute: change(getattr(part, attribute))})
        if part.id == item
        else part
        for part in getattr(board, field)
    )
    return board.model_copy(update={field: items})


def place_worry(board: Board, situation: str, worry: int, *, index: int | None = None) -> Board:
    """Put worry ``worry`` on a situation (at ``index`` among its worries); no repeats."""
    _need(board, "situation", situation, "situation")
    found = next(s for s in board.situations if s.id == situation)
    if worry in found.worries:
        raise invalid("worry", f"worry {worry} is already on situation {situation!r}")
    _room(len(found.worries), MAX_WORRIES, "worry", "worries per situation")
    return _with_worries(board, "situations", situation, lambda w: _listed(w, worry, index))


def remove_worry(board: Board, situation: str, worry: int) -> Board:
    """Take worry ``worry`` off a situation (the worry itself stays)."""
    _need(board, "situation", situation, "situation")
    found = next(s for s in board.situations if s.id == situation)
    if worry not in found.worries:
        raise invalid("worry", f"worry {worry} is not on situation {situation!r}")
    return _with_worries(board, "situations", situation, lambda w: _without(w, worry))


def answer_worry(board: Board, solution: str, worry: int) -> Board:
    """Say that a solution answers worry ``worry``."""
    _need(board, "solution", solution, "solution")
    found = next(m for m in board.solutions if m.id == solution)
    if worry in found.answers:
        raise invalid("worry", f"solution {solution!r} already answers worry {worry}")
    _room(len(found.answers), MAX_WORRIES, "worry", "answered worries per solution")
    return _with_worries(board, "solutions", solution, lambda w: _listed(w, worry, None))


def unanswer_worry(board: Board, solution: str, worry: int) -> Board:
    """A solution no longer answers worry ``worry``."""
    _need(board, "solution", solution, "solution")
    found = next(m for m in board.solutions if m.id == solution)
    if worry not in found.answers:
        raise invalid("worry", f"solution {solution!r} does not answer worry {worry}")
    return _with_worries(board, "solutions", solution, lambda w: _without(w, worry))


def forget_worry(board: Board, worry: int) -> Board:
    """Take a worry off every situation and solution (when the worry is deleted)."""
    situations = tuple(
        s.model_copy(update={"worries": _without(s.worries, worry)}) for s in board.situations
    )
    solutions = tuple(
        m.model_copy(update={"answers": _without(m.answers, worry)}) for m in board.solutions
    )
    return board.model_copy(update={"situations": situations, "solutions": solutions})


def _listed(worries: tuple[int, ...], worry: int, index: int | None) -> tuple[int, ...]:
    listed = list(worries)
    listed.insert(len(listed) if index is None else min(max(index, 0), len(listed)), worry)
    return tuple(listed)


def _without(worries: tuple[int, ...], worry: int) -> tuple[int, ...]:
    return tuple(w for w in worries if w != worry)


# --- removing --------------------------------------------------------------------------


def remove(board: Board, item: str) -> tuple[Board, Removed]:
    """Take ``item`` off the board with what goes with it (see the module's docstring)."""
    kind = _need(board, "item", item, *PREFIXES)
    situations = tuple(s.id for s in board.situations if s.step == item)
    solutions = tuple(m.id for m in board.solutions if m.step == item)
    touchpoints = tuple(t.id for t in board.touchpoints_of(item) if t.id != item)
    gone = {item, *situations, *solutions, *touchpoints}
    update = {
        field: tuple(part for part in getattr(board, field) if part.id not in gone)
        for field in _FIELDS.values()
    }
    removed = Removed(item, kind, situations, solutions, touchpoints)
    return board.model_copy(update=update), removed


__all__ = [
    "DocumentInvalid",
    "add_situation",
    "add_solution",
    "add_step",
    "add_touchpoint",
    "answer_worry",
    "forget_worry",
    "move",
    "place_worry",
    "remove",
    "remove_worry",
    "rename",
    "unanswer_worry",
]
