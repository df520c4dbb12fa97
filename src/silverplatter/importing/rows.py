"""Turning one CSV record into the input of a record model.

:func:`plan_columns` decides once per file which column fills which field;
:class:`RowConverter` then turns each record's cells into typed values
(dates, numbers, yes/no) under that plan, naming the column in every
problem.  The record models in ``domain.records`` do the final validation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from pydantic import ValidationError

from silverplatter.domain.identity import InvalidValue
from silverplatter.domain.opportunities import status_for_stage
from silverplatter.importing.mapping import (
    FIELDS,
    FREE_PREFIX,
    REJECT_COLUMNS,
    REQUIRED,
    Mapping,
    canonical_target,
    fold_value,
    header_key,
    snake_name,
)
from silverplatter.importing.values import (
    DateOrder,
    as_json_number,
    parse_boolean,
    parse_date,
    parse_datetime,
    parse_integer,
    parse_number,
    value_kind,
)

Parser = Callable[[str], Any]
_CENT = Decimal("0.01")


@dataclass
class ColumnPlan:
    """Which columns fill which field; the first non-empty of several columns wins."""

    fields: dict[str, list[int]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    new_properties: dict[str, str] = field(default_factory=dict)

    def missing(self, object_type: str) -> list[tuple[str, ...]]:
        groups = REQUIRED[object_type]  # type: ignore[index]
        return [group for group in groups if not any(name in self.fields for name in group)]


def plan_columns(
    header: Sequence[str],
    mapping: Mapping,
    *,
    create_properties: bool,
    known_properties: Container[str],
) -> ColumnPlan:
    """Assign each column of ``header`` to a field, a property, or nothing.

    Columns no mapping names become custom properties (``custom.<snake_name>``)
    when ``create_properties`` is set, and are ignored otherwise; a column
    naming a custom property that does not exist is treated the same way.
    """
    plan = ColumnPlan()
    prefix = FREE_PREFIX.get(mapping.object_type)
    trailing = [header_key(h) for h in header[-len(REJECT_COLUMNS) :]]
    skip_last = len(REJECT_COLUMNS) if tuple(trailing) == REJECT_COLUMNS else 0
    for index, label in enumerate(header):
        key = header_key(label)
        if not key or key in mapping.ignore or index >= len(header) - skip_last:
            if key and index < len(header) - skip_last:
                plan.ignored.append(label)
            continue
        target = canonical_target(mapping, label)
        if target is None and create_properties and prefix is not None:
            target = prefix + snake_name(label)
        if target is None:
            plan.ignored.append(label)
            continue
        if prefix == "custom." and target.startswith(prefix):
            name = target[len(prefix) :]
            if name not in known_properties and name not in plan.new_properties:
                if not create_properties:
                    plan.ignored.append(label)
                    continue
                plan.new_properties[name] = label
        plan.fields.setdefault(target, []).append(index)
        plan.labels.setdefault(target, label)
    return plan


_CODE_WORDS = re.compile(r"(^|_)(id|vat)(_|$)|zip|postal|postcode|phone|mobile|fax")


def infer_property_type(name: str, samples: Sequence[str], order: DateOrder) -> str:
    """``number``, ``date`` or ``boolean`` when every sample is one, else ``text``.

    Columns named like codes (ids, postal codes, phone numbers) stay text even
    when they hold digits only: they are not quantities.
    """
    if _CODE_WORDS.search(name):
        return "text"
    kinds = {value_kind(sample, order) for sample in samples if sample.strip()}
    if len(kinds) == 1:
        return kinds.pop()
    return "text"


def _word(text: str) -> str:
    return "_".join(text.lower().replace("-", " ").split())


def _first_of_list(text: str) -> str:
    return text.split(";")[0].strip()


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        raise InvalidValue(f"{text[:40]!r} is not a JSON object") from None
    if not isinstance(value, dict):
        raise InvalidValue(f"{text[:40]!r} is not a JSON object")
    return value


class _Step(NamedTuple):
    """Fill ``group`` (or ``group[name]``) from the first non-empty of the columns."""

    group: str
    name: str
    first: int
    others: tuple[int, ...]
    label: str
    parse: Parser | None
    translate: dict[str, str] | None


class RowConverter:
    """Turns a record's cells into a field dictionary for one object type."""

    def __init__(
        self,
        plan: ColumnPlan,
        mapping: Mapping,
        *,
        date_order: DateOrder,
        zone: tzinfo,
        property_types: dict[str, str],
    ) -> None:
        self.object_type = mapping.object_type
        self.labels = plan.labels
        self._mapping = mapping
        hint = mapping.decimal_separator
        parsers: dict[str, Parser | None] = {
            "text": None,
            "upper": str.upper,
            "word": _word,
            "first_of_list": _first_of_list,
            "integer": lambda text: parse_integer(text, hint),
            "whole_money": lambda text: int(
                parse_number(text, hint).to_integral_value(ROUND_HALF_UP)
            ),
            "money": lambda text: parse_number(text, hint).quantize(_CENT, ROUND_HALF_UP),
            "datetime": lambda text: parse_datetime(text, date_order, zone),
            "boolean": parse_boolean,
            "json": _json_object,
        }
        property_parsers: dict[str, Parser | None] = {
            "number": lambda text: as_json_number(parse_number(text, hint)),
            "date": lambda text: parse_date(text, date_order).isoformat(),
            "boolean": parse_boolean,
        }
        kinds = FIELDS[self.object_type]
        self._steps: list[_Step] = []
        for target, columns in plan.fields.items():
            if target in kinds:
                parse = parsers[kinds[target]]
            else:
                name = target.partition(".")[2]
                parse = property_parsers.get(property_types.get(name, "text"))
            group, _dot, name = target.partition(".")
            self._steps.append(
                _Step(
                    group,
                    name,
                    columns[0],
                    tuple(columns[1:]),
                    plan.labels[target],
                    parse,
                    mapping.values.get(target),
                )
            )
        self._required = [group[0] for group in REQUIRED[self.object_type] if len(group) == 1]

    def convert(self, values: Sequence[str]) -> dict[str, Any]:
        """The fields of one record; :class:`InvalidValue` names the column at fault."""
        data: dict[str, Any] = {}
        width = len(values)
        for group, name, first, others, label, parse, translate in self._steps:
            raw = values[first].strip() if first < width else ""
            if not raw and others:
                for index in others:
                    raw = values[index].strip() if index < width else ""
                    if raw:
                        break
            if raw and translate is not None:
                raw = translate.get(fold_value(raw), raw)
            if not raw:
                continue
            if parse is None:
                value: Any = raw
            else:
                try:
                    value = parse(raw)
                except InvalidValue as error:
                    raise InvalidValue(f"{label}: {error}") from None
            if name:
                data.setdefault(group, {})[name] = value
            elif group == "properties":
                data["properties"] = {**value, **data.get("properties", {})}
            else:
                data[group] = value
        for name in self._required:
            if name not in data:
                label = self.labels.get(name, name)
                raise InvalidValue(f"{label}: required field is empty")
        if self.object_type == "opportunities":
            self._settle_status(data)
        return data

    def _settle_status(self, data: dict[str, Any]) -> None:
        """Status from IsWon/IsClosed flags or from the stage; an open deal has no close
        time (its close date is only expected)."""
        is_won = data.pop("is_won", None)
        is_closed = data.pop("is_closed", None)
        if "status" not in data:
            stage = str(data.get("stage", ""))
            if is_won is True:
                data["status"] = "won"
            elif is_closed is not None:
                data["status"] = "lost" if is_closed else "open"
            elif fold_value(stage) in self._mapping.won_stages:
                data["status"] = "won"
            elif fold_value(stage) in self._mapping.lost_stages:
                data["status"] = "lost"
            elif stage:
                data["status"] = status_for_stage(stage)
        if data.get("status") == "open":
            data.pop("closed_at", None)


def relabel(reason: str, labels: dict[str, str]) -> str:
    """Put the file's column name in place of a field name at the start of a reason."""
    name, colon, rest = reason.partition(": ")
    if colon and name in labels:
        return f"{labels[name]}: {rest}"
    return reason


def explain(error: ValidationError, labels: dict[str, str]) -> str:
    """One line naming each bad column (as the file names it) and what was expected."""
    parts = []
    for item in error.errors():
        message = str(item["msg"]).removeprefix("Value error, ")
        location = [str(piece) for piece in item["loc"]]
        if not location:
            parts.append(message)
            continue
        name = ".".join(location[:2]) if location[0] in ("custom", "properties") else location[0]
        given = item.get("input")
        if isinstance(given, str | int | float | Decimal) and repr(str(given)) not in message:
            message = f"{message} (got {str(given)!r})"
        parts.append(f"{labels.get(name, name)}: {message}")
    return "; ".join(parts)
