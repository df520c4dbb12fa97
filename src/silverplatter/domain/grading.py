"""Grading: profile fit from account and contact fields, with its breakdown.

The same criteria are compiled to SQL for the batch recompute
(``storage/scoring_sql.py``); the comparison rules here are the reference:

* text fields compare case-insensitively on ASCII letters (``in``/``not_in``,
  ``matches`` as a glob with ``*`` and ``?``);
* number conditions need a number (custom properties: a JSON number);
* a missing value takes the criterion's ``unknown`` step, not ``mismatch``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from silverplatter.domain.grades import letter_of, level_of
from silverplatter.domain.scoring_model import GRADING_FIELDS, Criterion, Grading

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(text: str) -> str:
    return text.translate(_ASCII_LOWER)


@lru_cache(maxsize=512)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """``*`` any run of characters, ``?`` one character, everything else literal."""
    parts = [".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern]
    return re.compile("".join(parts), re.DOTALL)


@dataclass(frozen=True, slots=True)
class CriterionResult:
    label: str
    field: str
    value: Any
    outcome: str  # "match", "mismatch" or "unknown"
    thirds: int


@dataclass(frozen=True, slots=True)
class GradeResult:
    level: int
    breakdown: tuple[CriterionResult, ...]

    @property
    def letter(self) -> str:
        return letter_of(self.level)


def field_value(profile: Mapping[str, Any], field: str) -> Any:
    """A profile value by model field name; custom properties are ``<object>.custom.<name>``."""
    if ".custom." in field:
        owner, _custom, name = field.split(".", 2)
        custom = profile.get(f"{owner}.custom") or {}
        return custom.get(name)
    return profile.get(field)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text_of(field: str, value: Any) -> str | None:
    """The text a text condition compares, or None when the value is not text-like."""
    if ".custom." in field:
        return value if isinstance(value, str) else None
    if GRADING_FIELDS.get(field) == "number":
        return str(value) if _is_number(value) else None
    return value if isinstance(value, str) else None


def _number_of(field: str, value: Any) -> float | None:
    if ".custom." in field or GRADING_FIELDS.get(field) == "number":
        return float(value) if _is_number(value) else None
    return None


def evaluate_criterion(criterion: Criterion, profile: Mapping[str, Any]) -> CriterionResult:
    value = field_value(profile, criterion.field)
    kind, expected = criterion.condition
    match_step, mismatch_step, unknown_step = criterion.thirds()
    label = criterion.label or criterion.field
    if kind == "is_set":
        present = value is not None and value != ""
        matched = present == expected
        thirds = match_step if matched else mismatch_step
        return CriterionResult(label, criterion.field, value, _word(matched), thirds)
    matched_or_none: bool | None
    if kind in ("in", "not_in", "matches"):
        text = _text_of(criterion.field, value)
        if text is None or text == "":
            matched_or_none = None
        elif kind == "matches":
            regex = glob_regex(ascii_lower(str(expected)))
            matched_or_none = regex.fullmatch(ascii_lower(text)) is not None
        else:
            options = {ascii_lower(str(option)) for option in expected}
            inside = ascii_lower(text) in options
            matched_or_none = inside if kind == "in" else not inside
    else:
        number = _number_of(criterion.field, value)
        if number is None:
            matched_or_none = None
        elif kind == "at_least":
            matched_or_none = number >= expected
        elif kind == "at_most":
            matched_or_none = number <= expected
        else:
            low, high = expected
            matched_or_none = low <= number <= high
    if matched_or_none is None:
        return CriterionResult(label, criterion.field, value, "unknown", unknown_step)
    thirds = match_step if matched_or_none else mismatch_step
    return CriterionResult(label, criterion.field, value, _word(matched_or_none), thirds)


def _word(matched: bool) -> str:
    return "match" if matched else "mismatch"


def grade(grading: Grading, profile: Mapping[str, Any]) -> GradeResult:
    """The grade of one contact at one account (profile keys as in ``GRADING_FIELDS``)."""
    results = tuple(evaluate_criterion(criterion, profile) for criterion in grading.criteria)
    level = level_of(grading.start) + sum(result.thirds for result in results)
    return GradeResult(max(0, min(12, level)), results)
