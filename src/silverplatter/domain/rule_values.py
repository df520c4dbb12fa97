"""Checking and canonicalising a segment condition's value by its field's type.

Part of the rule language (``domain/segment_rules.py``): ``condition_value``
turns what a person wrote (a string from a form, a JSON number, a list) into
the canonical value of the field's type for the operator's shape, or raises
:class:`BadValue` saying what was expected (and, in a list, which item).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Final

from silverplatter.domain.grades import GRADE_LETTERS
from silverplatter.domain.identity import InvalidValue, normalise_country
from silverplatter.domain.segment_fields import OPERATOR_SHAPES, FieldSpec

MAX_LIST: Final = 1000
MAX_TEXT: Final = 300
MAX_DAYS: Final = 3650
MAX_MONTHS: Final = 120
SLUG: Final = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


class BadValue(Exception):
    """A value that does not fit; ``where`` is the item's place in a list."""

    def __init__(self, message: str, where: tuple[int, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.where = where


def condition_value(spec: FieldSpec, op: str, raw: Any) -> Any:
    """The canonical value of ``raw`` for ``spec`` under ``op``."""
    shape = OPERATOR_SHAPES[op]
    if shape == "none":
        if raw is not None:
            raise BadValue(f"'{op}' takes no value")
        return None
    if shape == "count":
        most = MAX_MONTHS if op == "opens_within_months" else MAX_DAYS
        return _whole(raw, 1, most)
    if shape == "slug":
        if not isinstance(raw, str) or not SLUG.match(raw):
            raise BadValue("expected a segment's slug, e.g. finnish-leads")
        return raw
    if shape == "list":
        return listed(raw, lambda item: _scalar(spec, op, item))
    if shape == "pair":
        if not isinstance(raw, list) or len(raw) != 2:
            raise BadValue("expected two values: [low, high]")
        low = _scalar(spec, op, raw[0], (0,))
        high = _scalar(spec, op, raw[1], (1,))
        if low > high:
            raise BadValue("the low end is above the high end")
        return (low, high)
    return _scalar(spec, op, raw)


def listed(raw: Any, each: Callable[[Any], Any]) -> tuple[Any, ...]:
    if not isinstance(raw, list) or not raw:
        raise BadValue("expected a non-empty list of values")
    if len(raw) > MAX_LIST:
        raise BadValue(f"expected at most {MAX_LIST} values")
    values: list[Any] = []
    for n, item in enumerate(raw):
        try:
            value = each(item)
        except BadValue as bad:
            raise BadValue(bad.message, (n,)) from None
        if value not in values:
            values.append(value)
    return tuple(values)


def _scalar(spec: FieldSpec, op: str, raw: Any, where: tuple[int, ...] = ()) -> Any:
    try:
        return _typed(spec, op, raw)
    except BadValue as bad:
        raise BadValue(bad.message, where) from None


def _typed(spec: FieldSpec, op: str, raw: Any) -> Any:
    kind = spec.type
    if kind in ("number",):
        return _number(raw)
    if kind in ("date", "instant"):
        return _day(raw)
    if kind == "boolean":
        return _boolean(raw)
    if kind == "owner":
        return _whole(raw, 1, 2**31 - 1, "a user's id")
    if kind == "country":
        try:
            return normalise_country(text_value(raw))
        except InvalidValue as error:
            raise BadValue(str(error)) from None
    if kind == "grade":
        letter = text_value(raw).upper()
        if letter not in GRADE_LETTERS:
            raise BadValue(f"expected a grade: {', '.join(GRADE_LETTERS)}")
        return letter
    if kind in ("choice", "choices") and spec.choices:
        by_fold = {choice.casefold(): choice for choice in spec.choices}
        found = by_fold.get(text_value(raw).casefold())
        if found is None:
            raise BadValue(f"expected one of {', '.join(spec.choices)}")
        return found
    return text_value(raw)


def text_value(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise BadValue("expected a text value")
    text = raw.strip()
    if len(text) > MAX_TEXT:
        raise BadValue(f"expected at most {MAX_TEXT} characters")
    if "\x00" in text:
        raise BadValue("expected text without NUL characters")
    return text


def _number(raw: Any) -> int | float:
    if isinstance(raw, bool):
        raise BadValue("expected a number")
    if isinstance(raw, int):
        number: float = raw
    elif isinstance(raw, float):
        number = raw
    elif isinstance(raw, str):
        try:
            number = float(raw.strip().replace(" ", ""))
        except ValueError:
            raise BadValue("expected a number") from None
    else:
        raise BadValue("expected a number")
    if not math.isfinite(number) or abs(number) > 1e15:
        raise BadValue("expected a finite number")
    if isinstance(raw, int) or (isinstance(raw, str) and float(number).is_integer()):
        return int(number)
    return float(number)


def _whole(raw: Any, low: int, high: int, what: str = "a whole number") -> int:
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw.strip())
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise BadValue(f"expected {what}")
    if not low <= raw <= high:
        raise BadValue(f"expected {what} from {low} to {high}")
    return raw


def _day(raw: Any) -> date:
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    try:
        return date.fromisoformat(text_value(raw))
    except ValueError:
        raise BadValue("expected a date like 2026-01-31") from None


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
        return raw.strip().lower() == "true"
    raise BadValue("expected true or false")


__all__ = [
    "MAX_DAYS",
    "MAX_LIST",
    "MAX_MONTHS",
    "MAX_TEXT",
    "SLUG",
    "BadValue",
    "condition_value",
    "listed",
    "text_value",
]
