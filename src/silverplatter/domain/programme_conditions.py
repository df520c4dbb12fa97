"""The conditions a programme's branch tests, and the facts about a contact they read.

A condition is one JSON node::

    {"event": "email_click", "within_days": 30}             behaviour: at least once
    {"event": ["email_open", "email_click"], "within_days": 90, "times": 3}
    {"field": "score", "op": "gte", "value": 40}             engagement score
    {"field": "grade", "op": "gte", "value": "B"}            profile fit (B-, B, B+ and A…)
    {"field": "stage", "op": "in", "value": ["lead", "mql"]} lifecycle stage
    {"segment": "gold-accounts"}                             segment membership
    {"all": [...]}, {"any": [...]}, {"not": {...}}           groups

An event condition counts the contact's events of those types in the last
``within_days`` days up to now (``now - within_days`` exclusive, ``now``
inclusive) and holds when there are at least ``times`` (default 1).  Grades
compare as the segment rules do: a plain letter stands for its whole band.
A contact without a score yet has score 0 and no grade (a grade test fails).

:func:`evaluate` is pure: it reads a :class:`ContactFacts`, which the service
gathers for a whole batch of enrolments at once (``event_counts`` holds a
count for every :func:`event_keys` of the programme).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Final

from silverplatter.domain.document_checks import DocumentError
from silverplatter.domain.grades import GRADE_LETTERS, level_of
from silverplatter.domain.lifecycle import STAGE_NAMES
from silverplatter.domain.rule_values import MAX_DAYS, SLUG
from silverplatter.domain.vocabulary import EVENT_TYPE_PATTERN

MAX_DEPTH: Final = 6
MAX_EVENT_TYPES: Final = 10
FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "score": ("gte", "gt", "lte", "lt"),
    "grade": ("gte", "gt", "lte", "lt", "equals", "in"),
    "stage": ("equals", "in", "not_in"),
}
#: (event types, sorted; days) — the key of a count in :attr:`ContactFacts.event_counts`.
EventKey = tuple[tuple[str, ...], int]


@dataclass(frozen=True, slots=True)
class EventTest:
    types: tuple[str, ...]
    within_days: int
    times: int = 1

    @property
    def key(self) -> EventKey:
        return (self.types, self.within_days)


@dataclass(frozen=True, slots=True)
class FieldTest:
    field: str
    op: str
    value: Any


@dataclass(frozen=True, slots=True)
class SegmentTest:
    segment: str


@dataclass(frozen=True, slots=True)
class AllOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class NotOf:
    item: Condition


Condition = EventTest | FieldTest | SegmentTest | AllOf | AnyOf | NotOf


@dataclass(frozen=True, slots=True)
class ContactFacts:
    """What a programme step may read about one contact at one moment."""

    contact_id: int
    stage: str = "subscriber"
    score: float = 0.0
    grade_level: int | None = None
    #: Who gets the contact's tasks: the contact's owner, else the account's.
    owner_id: int | None = None
    #: The account's buying window, if it has one.
    window_opens: date | None = None
    window_closes: date | None = None
    #: Why the address may not be mailed (the suppression list), if it may not.
    suppressed: str | None = None
    #: Slugs of the segments (of those the programme asks about) the contact is in.
    segments: frozenset[str] = frozenset()
    event_counts: Mapping[EventKey, int] = field(default_factory=dict)

    def with_stage(self, stage: str) -> ContactFacts:
        return replace(self, stage=stage)

    def with_segments(self, segments: frozenset[str]) -> ContactFacts:
        return replace(self, segments=segments)


# ---------------------------------------------------------------- parsing


def _grade(value: Any, path: str, errors: list[DocumentError]) -> str | None:
    if isinstance(value, str) and value.strip().upper() in GRADE_LETTERS:
        return value.strip().upper()
    errors.append(DocumentError(path, f"must be a grade: {', '.join(GRADE_LETTERS)}"))
    return None


def _field(document: dict[str, Any], path: str, errors: list[DocumentError]) -> FieldTest | None:
    extra = sorted(set(document) - {"field", "op", "value"})
    if extra:
        errors.append(DocumentError(f"{path}.{extra[0]}", "is not a known field"))
        return None
    name, op, value = document.get("field"), document.get("op"), document.get("value")
    if name not in FIELDS:
        errors.append(DocumentError(f"{path}.field", f"must be one of {', '.join(FIELDS)}"))
        return None
    if op not in FIELDS[name]:
        errors.append(DocumentError(f"{path}.op", f"{name} takes {', '.join(FIELDS[name])}"))
        return None
    where = f"{path}.value"
    if name == "score":
        if isinstance(value, bool) or not isinstance(value, int | float):
            errors.append(DocumentError(where, "must be a number"))
            return None
        return FieldTest(name, op, float(value))
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            errors.append(DocumentError(where, "must be a non-empty list"))
            return None
        items = [_one(name, item, f"{where}[{n}]", errors) for n, item in enumerate(value)]
        if any(item is None for item in items):
            return None
        return FieldTest(name, op, tuple(dict.fromkeys(str(item) for item in items)))
    single = _one(name, value, where, errors)
    return None if single is None else FieldTest(name, op, single)


def _one(name: str, value: Any, path: str, errors: list[DocumentError]) -> str | None:
    if name == "grade":
        return _grade(value, path, errors)
    if value in STAGE_NAMES:
        return str(value)
    errors.append(DocumentError(path, f"must be a stage: {', '.join(STAGE_NAMES)}"))
    return None


def _event(document: dict[str, Any], path: str, errors: list[DocumentError]) -> EventTest | None:
    extra = sorted(set(document) - {"event", "within_days", "times"})
    if extra:
        errors.append(DocumentError(f"{path}.{extra[0]}", "is not a known field"))
        return None
    raw = document.get("event")
    kinds = [raw] if isinstance(raw, str) else raw
    if (
        not isinstance(kinds, list)
        or not 1 <= len(kinds) <= MAX_EVENT_TYPES
        or not all(isinstance(k, str) and EVENT_TYPE_PATTERN.match(k) for k in kinds)
    ):
        errors.append(
            DocumentError(
                f"{path}.event", "must be an event type such as email_click, or a list of them"
            )
        )
        return None
    days, times = document.get("within_days"), document.get("times", 1)
    ok = True
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        errors.append(DocumentError(f"{path}.within_days", f"must be 1 to {MAX_DAYS} days"))
        ok = False
    if isinstance(times, bool) or not isinstance(times, int) or not 1 <= times <= 1_000_000:
        errors.append(DocumentError(f"{path}.times", "must be a whole number of at least 1"))
        ok = False
    if not ok:
        return None
    return EventTest(tuple(sorted(set(kinds))), int(days), int(times))  # type: ignore[arg-type]


def parse_condition(
    document: Any, path: str, errors: list[DocumentError], depth: int = 1
) -> Condition | None:
    """The condition ``document`` describes, or None with its problems added to ``errors``."""
    if not isinstance(document, dict):
        errors.append(DocumentError(path, "must be an object: event, field, segment or a group"))
        return None
    if depth > MAX_DEPTH:
        errors.append(DocumentError(path, f"groups may nest at most {MAX_DEPTH} deep"))
        return None
    for group in ("all", "any", "not"):
        if group in document:
            if len(document) != 1:
                errors.append(DocumentError(path, f"a group has one key ({group})"))
                return None
            return _group(group, document[group], f"{path}.{group}", errors, depth)
    if "event" in document:
        return _event(document, path, errors)
    if "field" in document:
        return _field(document, path, errors)
    if "segment" in document:
        slug = document["segment"]
        if len(document) != 1 or not isinstance(slug, str) or not SLUG.match(slug):
            errors.append(DocumentError(f"{path}.segment", "must be a segment's slug"))
            return None
        return SegmentTest(slug)
    errors.append(DocumentError(path, "expected event, field, segment, all, any or not"))
    return None


def _group(
    group: str, inner: Any, path: str, errors: list[DocumentError], depth: int
) -> Condition | None:
    if group == "not":
        item = parse_condition(inner, path, errors, depth + 1)
        return None if item is None else NotOf(item)
    if not isinstance(inner, list) or not inner:
        errors.append(DocumentError(path, "must be a non-empty list of conditions"))
        return None
    items = [
        parse_condition(item, f"{path}[{n}]", errors, depth + 1) for n, item in enumerate(inner)
    ]
    if any(item is None for item in items):
        return None
    kept = tuple(item for item in items if item is not None)
    return AllOf(kept) if group == "all" else AnyOf(kept)


def condition_document(condition: Condition) -> dict[str, Any]:
    """The canonical JSON of ``condition``."""
    if isinstance(condition, AllOf):
        return {"all": [condition_document(item) for item in condition.items]}
    if isinstance(condition, AnyOf):
        return {"any": [condition_document(item) for item in condition.items]}
    if isinstance(condition, NotOf):
        return {"not": condition_document(condition.item)}
    if isinstance(condition, SegmentTest):
        return {"segment": condition.segment}
    if isinstance(condition, EventTest):
        kinds: Any = condition.types[0] if len(condition.types) == 1 else list(condition.types)
        document: dict[str, Any] = {"event": kinds, "within_days": condition.within_days}
        if condition.times != 1:
            document["times"] = condition.times
        return document
    value = list(condition.value) if isinstance(condition.value, tuple) else condition.value
    return {"field": condition.field, "op": condition.op, "value": value}


def leaves(condition: Condition) -> Iterator[EventTest | FieldTest | SegmentTest]:
    if isinstance(condition, AllOf | AnyOf):
        for item in condition.items:
            yield from leaves(item)
    elif isinstance(condition, NotOf):
        yield from leaves(condition.item)
    else:
        yield condition


# ---------------------------------------------------------------- evaluating


def _band(letter: str) -> tuple[int, int]:
    level = level_of(letter)
    if len(letter) == 1 and letter != "F":
        return level - 1, level + 1
    return level, level


def _field_holds(test: FieldTest, facts: ContactFacts) -> bool:
    if test.field == "score":
        score = facts.score
        return bool(
            {
                "gte": score >= test.value,
                "gt": score > test.value,
                "lte": score <= test.value,
                "lt": score < test.value,
            }[test.op]
        )
    if test.field == "stage":
        if test.op == "equals":
            return bool(facts.stage == test.value)
        inside = facts.stage in test.value
        return inside if test.op == "in" else not inside
    level = facts.grade_level
    if level is None:
        return False
    if test.op == "in":
        return level in {level_of(letter) for letter in test.value}
    if test.op == "equals":
        return level == level_of(test.value)
    low, high = _band(test.value)
    return {"gte": level >= low, "gt": level > high, "lte": level <= high, "lt": level < low}[
        test.op
    ]


def evaluate(condition: Condition, facts: ContactFacts) -> bool:
    """Whether ``condition`` holds for the contact ``facts`` describe."""
    if isinstance(condition, AllOf):
        return all(evaluate(item, facts) for item in condition.items)
    if isinstance(condition, AnyOf):
        return any(evaluate(item, facts) for item in condition.items)
    if isinstance(condition, NotOf):
        return not evaluate(condition.item, facts)
    if isinstance(condition, SegmentTest):
        return condition.segment in facts.segments
    if isinstance(condition, EventTest):
        return facts.event_counts.get(condition.key, 0) >= condition.times
    return _field_holds(condition, facts)


def describe(condition: Condition) -> str:
    """The condition in words, for the programme's picture."""
    if isinstance(condition, AllOf | AnyOf):
        joiner = " and " if isinstance(condition, AllOf) else " or "
        return "(" + joiner.join(describe(item) for item in condition.items) + ")"
    if isinstance(condition, NotOf):
        return f"not {describe(condition.item)}"
    if isinstance(condition, SegmentTest):
        return f"in segment {condition.segment}"
    if isinstance(condition, EventTest):
        kinds = " or ".join(kind.replace("_", " ") for kind in condition.types)
        times = "" if condition.times == 1 else f" at least {condition.times} times"
        return f"{kinds}{times} in the last {condition.within_days} days"
    words = {
        "gte": "at least",
        "gt": "above",
        "lte": "at most",
        "lt": "below",
        "equals": "is",
        "in": "is one of",
        "not_in": "is not one of",
    }[condition.op]
    value = ", ".join(condition.value) if isinstance(condition.value, tuple) else condition.value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{condition.field} {words} {value}"


__all__ = [
    "FIELDS",
    "AllOf",
    "AnyOf",
    "Condition",
    "ContactFacts",
    "EventKey",
    "EventTest",
    "FieldTest",
    "NotOf",
    "SegmentTest",
    "condition_document",
    "describe",
    "evaluate",
    "leaves",
    "parse_condition",
]
