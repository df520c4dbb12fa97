"""Custom properties: user-defined, typed fields on accounts and contacts.

Like HubSpot properties, each has a type (text, number, date, boolean,
choice); values are checked against the definition before they are stored.
Stored values are JSON: text → str, number → int or float, date → ISO
``YYYY-MM-DD`` string, boolean → bool, choice → str (or a list of str when
the definition allows several answers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from silverplatter.domain.identity import InvalidValue

_TRUE = frozenset({"true", "yes", "y", "1", "x", "on"})
_FALSE = frozenset({"false", "no", "n", "0", "off", ""})


@dataclass(frozen=True)
class PropertyDefinition:
    object_type: str
    name: str
    label: str
    type: str
    choices: tuple[str, ...] = ()
    multiple: bool = False
    options: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_row(cls, row: Any) -> PropertyDefinition:
        options = dict(row.options or {})
        return cls(
            object_type=row.object_type,
            name=row.name,
            label=row.label,
            type=row.type,
            choices=tuple(options.get("choices", ())),
            multiple=bool(options.get("multiple", False)),
            options=options,
        )


def coerce_property_value(definition: PropertyDefinition, value: Any) -> Any:
    """The stored form of ``value`` for this property, or :class:`InvalidValue`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    kind = definition.type
    if kind == "text":
        return str(value).strip()
    if kind == "number":
        return _number(definition, value)
    if kind == "date":
        return _date(definition, value)
    if kind == "boolean":
        return _boolean(definition, value)
    if kind == "choice":
        return _choice(definition, value)
    raise InvalidValue(f"{definition.name}: unknown property type {kind!r}")


def _number(definition: PropertyDefinition, value: Any) -> int | float:
    if isinstance(value, bool):
        raise InvalidValue(f"{definition.name}: expected a number, got {value!r}")
    if isinstance(value, int):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidValue(f"{definition.name}: expected a number, got {value!r}") from None
    if not math.isfinite(number):
        raise InvalidValue(f"{definition.name}: expected a finite number, got {value!r}")
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _date(definition: PropertyDefinition, value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value).strip()[:10]).isoformat()
    except ValueError:
        raise InvalidValue(
            f"{definition.name}: expected a date like 2026-01-31, got {value!r}"
        ) from None


def _boolean(definition: PropertyDefinition, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidValue(f"{definition.name}: expected yes/no or true/false, got {value!r}")


def _choice(definition: PropertyDefinition, value: Any) -> str | list[str]:
    if isinstance(value, list | tuple):
        answers = [str(item).strip() for item in value]
    elif definition.multiple:
        answers = [part.strip() for part in str(value).replace(";", ",").split(",")]
    else:
        answers = [str(value).strip()]
    answers = [answer for answer in answers if answer]
    if definition.choices:
        by_fold = {choice.casefold(): choice for choice in definition.choices}
        unknown = [answer for answer in answers if answer.casefold() not in by_fold]
        if unknown:
            raise InvalidValue(
                f"{definition.name}: {unknown[0]!r} is not one of {', '.join(definition.choices)}"
            )
        answers = [by_fold[answer.casefold()] for answer in answers]
    if definition.multiple:
        return answers
    if len(answers) != 1:
        raise InvalidValue(f"{definition.name}: expected one answer, got {value!r}")
    return answers[0]


def infer_property_type(samples: list[str]) -> str:
    """A type for a new property from sample values: number, date, boolean or text."""
    present = [sample.strip() for sample in samples if sample and sample.strip()]
    if not present:
        return "text"
    if all(sample.lstrip("-").isdigit() for sample in present):
        return "number"
    for kind in ("boolean", "number", "date"):
        trial = PropertyDefinition("contact", "probe", "probe", kind)
        try:
            for sample in present:
                coerce_property_value(trial, sample)
        except InvalidValue:
            continue
        return kind
    return "text"
