"""The segment rule language: a JSON document of nested groups and conditions.

A rule is one node; a node is a group or a condition::

    {"all": [node, ...]}              every node holds (an empty "all": every contact)
    {"any": [node, ...]}              at least one holds
    {"not": node}                     the node does not hold
    {"field": "contact.country", "op": "equals", "value": "FI"}
    {"event": "page_view", "within_days": 90, "op": "gte", "times": 2,
     "where": [{"property": "path", "op": "starts_with", "value": "/pricing"}]}

Fields, their types and operators are in ``domain/segment_fields.py``.  An
event condition counts the contact's events of one type in the last
``within_days`` days (optionally of one channel, and whose properties meet
every ``where``) and compares the count with ``times`` (``op``: gte, gt, lte,
lt, equals; by default "at least once").

``parse_rule`` checks a document and returns the rule with its values in
canonical form (countries as codes, dates as dates, grades in capitals), or
raises :class:`RuleInvalid` listing every bad part by its path, such as
``rule.all[2].value``.  ``rule_document`` is the canonical JSON to store.
Pure: no database, and time is passed in where it matters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from silverplatter.domain.buying_window import add_months
from silverplatter.domain.rule_values import (
    MAX_DAYS,
    SLUG,
    BadValue,
    condition_value,
    listed,
    text_value,
)
from silverplatter.domain.segment_fields import (
    COUNT_OPERATORS,
    EVENT_PROPERTY_OPERATORS,
    FieldSpec,
    field_catalogue,
)
from silverplatter.domain.vocabulary import CHANNELS, EVENT_TYPE_PATTERN

ROOT: Final = "rule"
MAX_DEPTH: Final = 8
MAX_CONDITIONS: Final = 200
EVENT_PROPERTY: Final = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
#: The rule of a segment that takes every contact.
EVERYONE: Final[dict[str, Any]] = {"all": []}


@dataclass(frozen=True, slots=True)
class RuleError:
    """One bad part of a rule: where (``rule.all[2].value``) and what was expected."""

    path: str
    message: str


class RuleInvalid(ValueError):
    """A rule document that is not a valid rule; ``errors`` name each bad part."""

    def __init__(self, errors: list[RuleError]) -> None:
        self.errors = tuple(errors)
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"{first.path}: {first.message}{more}")


class _Node(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Condition(_Node):
    """A test of one field: ``value`` is canonical (see ``domain/segment_fields.py``)."""

    field: str = Field(min_length=1, max_length=200)
    op: str = Field(min_length=1, max_length=40)
    value: Any = None


class PropertyCondition(_Node):
    """A test of one property of an event (a JSON string value)."""

    property: str = Field(min_length=1, max_length=60)
    op: Literal["equals", "in", "contains", "starts_with", "matches"]
    value: Any = None


class EventCondition(_Node):
    """How many events of a type the contact had in the last ``within_days`` days."""

    event: str = Field(min_length=2, max_length=60)
    within_days: int = Field(ge=1, le=MAX_DAYS)
    op: Literal["gte", "gt", "lte", "lt", "equals"] = "gte"
    times: int = Field(default=1, ge=0, le=1_000_000)
    channel: str | None = None
    where: tuple[PropertyCondition, ...] = Field(default=(), max_length=10)


class AllOf(_Node):
    all: tuple[Rule, ...]


class AnyOf(_Node):
    any: tuple[Rule, ...]


class NotOf(_Node):
    not_: Rule = Field(alias="not")


Rule = Union[AllOf, AnyOf, NotOf, Condition, EventCondition]  # noqa: UP007
for _model in (AllOf, AnyOf, NotOf):
    _model.model_rebuild()


# ---------------------------------------------------------------- parsing


class _Checker:
    """Walks a document once, collecting every error with its path."""

    def __init__(self, fields: Mapping[str, FieldSpec]) -> None:
        self.fields = fields
        self.errors: list[RuleError] = []
        self.conditions = 0

    def fail(self, path: str, message: str) -> None:
        self.errors.append(RuleError(path, message))

    def node(self, document: Any, path: str, depth: int) -> Rule | None:
        if not isinstance(document, dict):
            self.fail(path, "expected an object: a group (all, any, not) or a condition")
            return None
        if depth > MAX_DEPTH:
            self.fail(path, f"groups may nest at most {MAX_DEPTH} deep")
            return None
        groups = [key for key in ("all", "any", "not") if key in document]
        if groups:
            return self.group(document, groups, path, depth)
        self.conditions += 1
        if self.conditions == MAX_CONDITIONS + 1:
            self.fail(path, f"a rule may have at most {MAX_CONDITIONS} conditions")
        if "event" in document:
            return self.event(document, path)
        if "field" in document:
            return self.condition(document, path)
        self.fail(path, "expected 'all', 'any', 'not', 'field' or 'event'")
        return None

    def group(
        self, document: dict[str, Any], keys: list[str], path: str, depth: int
    ) -> Rule | None:
        extra = sorted(set(document) - {keys[0]})
        if len(keys) > 1 or extra:
            self.fail(path, f"a group has one key ({keys[0]}); unexpected: {', '.join(extra)}")
            return None
        key = keys[0]
        inner = document[key]
        if key == "not":
            item = self.node(inner, f"{path}.not", depth + 1)
            return None if item is None else NotOf.model_construct(not_=item)
        if not isinstance(inner, list):
            self.fail(f"{path}.{key}", "expected a list of conditions and groups")
            return None
        if key == "any" and not inner:
            self.fail(f"{path}.any", "an 'any' group needs at least one condition")
            return None
        items = [self.node(item, f"{path}.{key}[{n}]", depth + 1) for n, item in enumerate(inner)]
        if any(item is None for item in items):
            return None
        kept = tuple(item for item in items if item is not None)
        return AllOf.model_construct(all=kept) if key == "all" else AnyOf.model_construct(any=kept)

    def shaped(self, model: type[_Node], document: dict[str, Any], path: str) -> Any:
        try:
            return model.model_validate(document)
        except ValidationError as error:
            for item in error.errors():
                where = _joined(path, item["loc"])
                self.fail(where, _message(item))
            return None

    def condition(self, document: dict[str, Any], path: str) -> Condition | None:
        found = self.shaped(Condition, document, path)
        if found is None:
            return None
        spec = self.fields.get(found.field)
        if spec is None:
            hint = " (define the custom property first)" if ".custom." in found.field else ""
            self.fail(f"{path}.field", f"unknown field {found.field!r}{hint}")
            return None
        if found.op not in spec.operators:
            self.fail(
                f"{path}.op",
                f"{spec.name} takes {', '.join(spec.operators)}; not {found.op!r}",
            )
            return None
        try:
            value = condition_value(spec, found.op, found.value)
        except BadValue as bad:
            self.fail(_joined(f"{path}.value", bad.where), bad.message)
            return None
        return Condition.model_construct(field=spec.name, op=found.op, value=value)

    def event(self, document: dict[str, Any], path: str) -> EventCondition | None:
        found: EventCondition | None = self.shaped(EventCondition, document, path)
        if found is None:
            return None
        ok = True
        if not EVENT_TYPE_PATTERN.match(found.event):
            self.fail(f"{path}.event", "expected an event type such as email_click or page_view")
            ok = False
        if found.channel is not None and found.channel not in CHANNELS:
            self.fail(f"{path}.channel", f"expected one of {', '.join(CHANNELS)}")
            ok = False
        if found.op == "lt" and found.times == 0:
            self.fail(f"{path}.times", "a count is never less than 0")
            ok = False
        where: list[PropertyCondition] = []
        for n, test in enumerate(found.where):
            checked = self.event_property(test, f"{path}.where[{n}]")
            ok = ok and checked is not None
            if checked is not None:
                where.append(checked)
        return found.model_copy(update={"where": tuple(where)}) if ok else None

    def event_property(self, test: PropertyCondition, path: str) -> PropertyCondition | None:
        if not EVENT_PROPERTY.match(test.property):
            self.fail(f"{path}.property", "expected a property name such as url, path or form")
            return None
        try:
            if test.op == "in":
                value: Any = listed(test.value, text_value)
            else:
                value = text_value(test.value)
        except BadValue as bad:
            self.fail(_joined(f"{path}.value", bad.where), bad.message)
            return None
        return test.model_copy(update={"value": value})


def _joined(path: str, location: Any) -> str:
    for part in location if isinstance(location, tuple | list) else ():
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _message(item: Any) -> str:
    kind, context = item["type"], item.get("ctx") or {}
    if kind == "extra_forbidden":
        return "unexpected key"
    if kind == "missing":
        return "required"
    if kind == "greater_than_equal":
        return f"expected at least {context['ge']}"
    if kind == "less_than_equal":
        return f"expected at most {context['le']}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "expected a whole number"
    if kind == "literal_error":
        return f"expected one of {context['expected'].replace(' or ', ', ')}".replace("'", "")
    message: str = item["msg"]
    return message


def parse_rule(document: Any, fields: Mapping[str, FieldSpec] | None = None) -> Rule:
    """The rule ``document`` describes, values canonical; :class:`RuleInvalid` otherwise.

    ``fields`` is ``field_catalogue(properties)`` of the workspace (built-in
    fields only when omitted).
    """
    checker = _Checker(field_catalogue() if fields is None else fields)
    rule = checker.node(document, ROOT, 1)
    if checker.errors or rule is None:
        raise RuleInvalid(checker.errors or [RuleError(ROOT, "not a rule")])
    return rule


def parse_rule_text(text: str, fields: Mapping[str, FieldSpec] | None = None) -> Rule:
    """A rule from its JSON text (as typed in the editor)."""
    try:
        document = json.loads(text)
    except ValueError as error:
        where = getattr(error, "lineno", None)
        at = f" (line {where})" if where else ""
        raise RuleInvalid([RuleError(ROOT, f"not valid JSON{at}: {error}")]) from None
    return parse_rule(document, fields)


# ---------------------------------------------------------------- reading a rule


def rule_document(rule: Rule) -> dict[str, Any]:
    """The canonical JSON document of ``rule`` (what is stored)."""
    if isinstance(rule, AllOf):
        return {"all": [rule_document(item) for item in rule.all]}
    if isinstance(rule, AnyOf):
        return {"any": [rule_document(item) for item in rule.any]}
    if isinstance(rule, NotOf):
        return {"not": rule_document(rule.not_)}
    if isinstance(rule, EventCondition):
        document: dict[str, Any] = {
            "event": rule.event,
            "within_days": rule.within_days,
            "op": rule.op,
            "times": rule.times,
        }
        if rule.channel is not None:
            document["channel"] = rule.channel
        if rule.where:
            document["where"] = [
                {"property": test.property, "op": test.op, "value": _plain(test.value)}
                for test in rule.where
            ]
        return document
    document = {"field": rule.field, "op": rule.op}
    if rule.value is not None:
        document["value"] = _plain(rule.value)
    return document


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


def conditions(rule: Rule) -> Iterator[Condition | EventCondition]:
    """Every condition of ``rule``, depth first."""
    if isinstance(rule, AllOf | AnyOf):
        for item in rule.all if isinstance(rule, AllOf) else rule.any:
            yield from conditions(item)
    elif isinstance(rule, NotOf):
        yield from conditions(rule.not_)
    else:
        yield rule


def segment_slugs(rule: Rule) -> frozenset[str]:
    """The slugs of the segments ``rule`` asks about."""
    return frozenset(
        str(found.value)
        for found in conditions(rule)
        if isinstance(found, Condition) and found.field == "segment"
    )


def fields_used(rule: Rule) -> frozenset[str]:
    return frozenset(found.field for found in conditions(rule) if isinstance(found, Condition))


# ---------------------------------------------------------------- time


def since(now: datetime, days: int) -> datetime:
    """The start of a window of ``days`` days ending ``now``."""
    return now - timedelta(days=days)


def months_ahead(today: date, months: int) -> date:
    """The day ``months`` calendar months after ``today`` (clamped to the month's end)."""
    return add_months(today, months)


__all__ = [
    "COUNT_OPERATORS",
    "EVENT_PROPERTY_OPERATORS",
    "EVERYONE",
    "SLUG",
    "AllOf",
    "AnyOf",
    "Condition",
    "EventCondition",
    "NotOf",
    "PropertyCondition",
    "Rule",
    "RuleError",
    "RuleInvalid",
    "conditions",
    "fields_used",
    "months_ahead",
    "parse_rule",
    "parse_rule_text",
    "rule_document",
    "segment_slugs",
    "since",
]
