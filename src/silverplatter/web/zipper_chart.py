"""The zipper board as a picture: two lanes of steps zipped together at touchpoints.

From the top: the board's name; the **situations** as yellow cards stacked
above the customer step they sit on, each listing its worries; the
**customer's lane** of step boxes joined by arrows in process order; the
**zipper** band where each touchpoint is a connector from a customer step down
to one of our steps; **our lane**; and under it the **solutions** (offer
modules) on our steps, each listing the worries it answers.  One column per
step; a lane with fewer steps leaves its last columns empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from silverplatter.domain.zipper import Board, Lane
from silverplatter.web.drawing import Box, Dot, Line, Scene, Text, Triangle, wrap

MARGIN: Final = 24.0
LABEL_W: Final = 112.0
COLUMN: Final = 208.0
STEP_W: Final = 176.0
CARD_W: Final = 176.0
PAD: Final = 8.0
GAP: Final = 10.0
ZIP_H: Final = 96.0
TITLE_SIZE: Final = 18.0
STEP_SIZE: Final = 12.0
CARD_SIZE: Final = 11.0
ITEM_SIZE: Final = 10.0
LINE_H: Final = 1.3
INK: Final = "#1d2433"
MUTED: Final = "#5b6478"
LANES: Final = {
    "customer": ("Customer's process", "#dbe8f5", "#2f5d8a", "#f1f6fb"),
    "ours": ("Our process", "#e1f1e6", "#3a8f6b", "#f2f8f4"),
}
SITUATION: Final = ("#fff6d6", "#e0a800")
SOLUTION: Final = ("#ffffff", "#3a8f6b")
TOUCH: Final = "#d9822b"


def _text_height(lines: int, size: float) -> float:
    return lines * size * LINE_H


class _Card:
    """A card's wrapped header and bullet lines, measured."""

    def __init__(self, name: str, items: list[str], mark: str, empty: str) -> None:
        inner = CARD_W - 2 * PAD
        self.header = wrap(name, inner, CARD_SIZE, bold=True, most=3)
        self.items: list[list[str]] = [
            wrap(f"{mark} {item}", inner - 2, ITEM_SIZE, most=3) for item in items
        ]
        self.empty = empty if not items else ""
        body = sum(len(lines) for lines in self.items) + (1 if self.empty else 0)
        self.height = (
            PAD
            + _text_height(len(self.header), CARD_SIZE)
            + (4 if body else 0)
            + _text_height(body, ITEM_SIZE)
            + PAD
        )

    def draw(self, scene: Scene, x: float, y: float, colours: tuple[str, str]) -> None:
        scene.add(Box(x, y, CARD_W, self.height, colours[0], colours[1]))
        baseline = y + PAD + CARD_SIZE
        for line in self.header:
            scene.add(Text(x + PAD, baseline, line, CARD_SIZE, bold=True))
            baseline += CARD_SIZE * LINE_H
        baseline += 4 - CARD_SIZE * LINE_H + ITEM_SIZE * LINE_H
        for item in self.items:
            for number, line in enumerate(item):
                indent = 0 if number == 0 else 8
                scene.add(Text(x + PAD + indent, baseline, line, ITEM_SIZE, fill=INK))
                baseline += ITEM_SIZE * LINE_H
        if self.empty:
            scene.add(Text(x + PAD, baseline, self.empty, ITEM_SIZE, fill=MUTED))


def zipper_scene(board: Board, title: str, worry_names: Mapping[int, str]) -> Scene:
    """Lay the board out; ``worry_names`` names the worries by id."""

    def worry(worry_id: int) -> str:
        return worry_names.get(worry_id, f"worry {worry_id}")

    columns = max(len(board.customer_steps), len(board.our_steps), 1)
    width = MARGIN * 2 + LABEL_W + columns * COLUMN
    situation_cards = {
        step.id: [
            _Card(s.name, [worry(w) for w in s.worries], "•", "no worries yet")
            for s in board.situations_on(step.id)
        ]
        for step in board.customer_steps
    }
    solution_cards = {
        step.id: [
            _Card(m.name, [worry(w) for w in m.answers], "»", "answers no worry yet")
            for m in board.solutions_on(step.id)
        ]
        for step in board.our_steps
    }
    above = max((_stack(cards) for cards in situation_cards.values()), default=0.0)
    below = max((_stack(cards) for cards in solution_cards.values()), default=0.0)
    step_lines = {
        step.id: wrap(step.name, STEP_W - 2 * PAD, STEP_SIZE, bold=True, most=4)
        for step in (*board.customer_steps, *board.our_steps)
    }
    most_lines = max((len(lines) for lines in step_lines.values()), default=1)
    step_h = 2 * PAD + _text_height(most_lines, STEP_SIZE) + 4
    lane_h = step_h + 2 * PAD

    top = MARGIN + TITLE_SIZE + ITEM_SIZE * LINE_H + 20
    customer_y = top + (above + 16 if above else 0)
    ours_y = customer_y + lane_h + ZIP_H
    height = ours_y + lane_h + (below + 16 if below else 0) + MARGIN
    description = ", ".join(
        (
            _count(len(board.customer_steps), "customer step"),
            _count(len(board.our_steps), "step", "steps") + " of ours",
            _count(len(board.touchpoints), "touchpoint"),
            _count(len(board.situations), "situation"),
            _count(len(board.solutions), "solution"),
        )
    )
    scene = Scene(width, height, f"Zipper board: {title}", description)
    scene.add(Text(MARGIN, MARGIN + TITLE_SIZE, title, TITLE_SIZE, bold=True))
    scene.add(Text(MARGIN, MARGIN + TITLE_SIZE + 8 + ITEM_SIZE, description, ITEM_SIZE, MUTED))

    centres: dict[str, float] = {}
    for lane, y in (("customer", customer_y), ("ours", ours_y)):
        _lane(scene, board, lane, y, lane_h, step_h, width, step_lines, centres)  # type: ignore[arg-type]

    for step in board.customer_steps:
        bottom = customer_y - 6
        _stack_cards(scene, situation_cards[step.id], centres[step.id], bottom, upwards=True)
    for step in board.our_steps:
        start = ours_y + lane_h + 8
        _stack_cards(scene, solution_cards[step.id], centres[step.id], start, upwards=False)

    _touchpoints(scene, board, centres, customer_y + PAD + step_h, ours_y + PAD)
    return scene


def _count(number: int, word: str, plural: str | None = None) -> str:
    return f"{number} {word if number == 1 else plural or word + 's'}"


def _stack(cards: list[_Card]) -> float:
    return sum(card.height for card in cards) + GAP * max(len(cards) - 1, 0)


def _stack_cards(
    scene: Scene, cards: list[_Card], centre: float, edge: float, *, upwards: bool
) -> None:
    """Cards in a column above (``upwards``: the last card nearest the step) or below."""
    if not cards:
        return
    x = centre - CARD_W / 2
    total = _stack(cards)
    y = edge - total if upwards else edge
    colours = SITUATION if upwards else SOLUTION
    link_from = y + total if upwards else y
    reach = 14 if upwards else -16  # to the step's box
    scene.add(Line(centre, link_from, centre, edge + reach, colours[1], 1.0))
    for card in cards:
        card.draw(scene, x, y, colours)
        y += card.height + GAP


def _lane(
    scene: Scene,
    board: Board,
    lane: Lane,
    y: float,
    lane_h: float,
    step_h: float,
    width: float,
    step_lines: Mapping[str, list[str]],
    centres: dict[str, float],
) -> None:
    label, fill, stroke, band = LANES[lane]
    scene.add(Box(MARGIN, y, width - 2 * MARGIN, lane_h, band, stroke, 6, 0.75))
    label_lines = wrap(label, LABEL_W - 2 * PAD, STEP_SIZE, bold=True, most=2)
    for number, line in enumerate(label_lines):
        shift = (number - (len(label_lines) - 1) / 2) * STEP_SIZE * LINE_H
        baseline = y + lane_h / 2 + STEP_SIZE * 0.35 + shift
        scene.add(Text(MARGIN + PAD, baseline, line, STEP_SIZE, fill=stroke, bold=True))
    steps = board.steps(lane)
    if not steps:
        scene.add(Text(MARGIN + LABEL_W, y + lane_h / 2 + 4, "no steps yet", CARD_SIZE, fill=MUTED))
    for index, step in enumerate(steps):
        x = MARGIN + LABEL_W + index * COLUMN + (COLUMN - STEP_W) / 2
        centres[step.id] = x + STEP_W / 2
        scene.add(Box(x, y + PAD, STEP_W, step_h, fill, stroke, 5, 1.25))
        lines = step_lines[step.id]
        first = y + PAD + (step_h - _text_height(len(lines), STEP_SIZE)) / 2 + STEP_SIZE
        for number, line in enumerate(lines):
            baseline = first + number * STEP_SIZE * LINE_H - 2
            scene.add(Text(x + STEP_W / 2, baseline, line, STEP_SIZE, bold=True, anchor="middle"))
        if index + 1 < len(steps):
            start, end = x + STEP_W + 3, x + COLUMN - 3
            middle = y + PAD + step_h / 2
            scene.add(Line(start, middle, end - 6, middle, stroke, 1.5))
            scene.add(
                Triangle(((end - 7, middle - 4), (end, middle), (end - 7, middle + 4)), stroke)
            )


def _touchpoints(
    scene: Scene, board: Board, centres: Mapping[str, float], top: float, bottom: float
) -> None:
    """Each touchpoint a connector; several on one step spread along its edge; notes sit
    at staggered heights so that crossing connectors do not put them on one another."""
    for number, touchpoint in enumerate(board.touchpoints):
        x1 = centres[touchpoint.customer_step] + _offset(
            board, centres, touchpoint.id, "customer_step"
        )
        x2 = centres[touchpoint.our_step] + _offset(board, centres, touchpoint.id, "our_step")
        scene.add(Line(x1, top, x2, bottom, TOUCH, 2.0))
        scene.add(Dot(x1, top, 3.5, TOUCH), Dot(x2, bottom, 3.5, TOUCH))
        if touchpoint.note:
            note = wrap(touchpoint.note, COLUMN - 40, ITEM_SIZE, most=1)[0]
            along = (0.5, 0.3, 0.7)[number % 3]
            x, y = x1 + (x2 - x1) * along, top + (bottom - top) * along
            scene.add(Text(x + 6, y + 3, note, ITEM_SIZE, fill=TOUCH))


def _offset(board: Board, centres: Mapping[str, float], touchpoint: str, end: str) -> float:
    """Where on its step's edge a touchpoint starts: several are ordered by where their
    other ends are, so their connectors do not cross."""
    found = next(t for t in board.touchpoints if t.id == touchpoint)
    step = getattr(found, end)
    other = "our_step" if end == "customer_step" else "customer_step"
    same = [
        t.id
        for t in sorted(board.touchpoints, key=lambda t: (centres[getattr(t, other)], t.id))
        if getattr(t, end) == step
    ]
    if len(same) == 1:
        return 0.0
    spread = min(STEP_W - 40, 24.0 * (len(same) - 1))
    return -spread / 2 + spread * same.index(touchpoint) / (len(same) - 1)


__all__ = ["zipper_scene"]
