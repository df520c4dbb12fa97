"""Grade letters and the steps between them.

A grade is profile fit on thirteen levels, F (0) up to A+ (12).  Criteria move
a grade in thirds of a letter: ``+1`` is a whole letter (three levels),
``+2/3`` two levels, ``-1/3`` one level down.
"""

from __future__ import annotations

import re
from typing import Final

GRADE_LETTERS: Final = (
    "F",
    "D-",
    "D",
    "D+",
    "C-",
    "C",
    "C+",
    "B-",
    "B",
    "B+",
    "A-",
    "A",
    "A+",
)
TOP_LEVEL: Final = len(GRADE_LETTERS) - 1
_STEP = re.compile(r"^([+-]?)(\d+)(?:/(3))?$")


def level_of(letter: str) -> int:
    """The level of a grade letter (F = 0 … A+ = 12)."""
    return GRADE_LETTERS.index(letter)


def letter_of(level: int) -> str:
    return GRADE_LETTERS[max(0, min(TOP_LEVEL, level))]


def threshold_level(letter: str) -> int:
    """The lowest level that counts as "at least ``letter``".

    A plain letter includes its minus grade (``B`` is met by B-, B, B+ and
    every A); a letter with a sign is exact (``B+`` needs B+ or better).
    """
    level = level_of(letter)
    if len(letter) == 1 and letter != "F":
        return level - 1
    return level


def parse_step(step: str | int) -> int:
    """A grade step in thirds of a letter: ``"+2/3"`` → 2, ``"-1"`` → -3, ``0`` → 0."""
    if isinstance(step, bool):
        raise ValueError(f"expected a step such as +1, -2/3 or 0, got {step!r}")
    if isinstance(step, int):
        return step * 3
    found = _STEP.match(step.replace(" ", ""))
    if not found:
        raise ValueError(f"expected a step such as +1, -2/3 or 0, got {step!r}")
    sign, number, third = found.groups()
    value = int(number) if third else int(number) * 3
    if third and value > 12:
        raise ValueError(f"a step of {step!r} is more than the whole scale")
    return -value if sign == "-" else value


def describe_step(thirds: int) -> str:
    """Thirds of a letter in words: 2 → "+2/3", -3 → "-1", 4 → "+1 1/3"."""
    if thirds == 0:
        return "0"
    sign = "+" if thirds > 0 else "-"
    whole, rest = divmod(abs(thirds), 3)
    if not rest:
        return f"{sign}{whole}"
    if not whole:
        return f"{sign}{rest}/3"
    return f"{sign}{whole} {rest}/3"
