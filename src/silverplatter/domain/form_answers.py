"""Checking a submission against its form: one error per bad field, for inline display.

A submission's values are strings, or lists of strings where a form post
repeats a key for several answers.  Keys the form does not ask for are
ignored; the honeypot field, hidden from people, marks a robot.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from silverplatter.domain.form_model import (
    HONEYPOT,
    STANDARD_FIELDS,
    FieldError,
    FormDefinition,
    FormField,
    InvalidSubmission,
    Question,
)
from silverplatter.domain.identity import InvalidValue, normalise_country, normalise_email
from silverplatter.domain.properties import PropertyDefinition, coerce_property_value

_PHONE: Final = re.compile(r"^[0-9+()./\-\s]{3,50}$")
_TRUE: Final = frozenset({"true", "on", "yes", "1", "y"})


@dataclass(frozen=True)
class Submission:
    """An accepted submission: the address, contact fields and the answers."""

    email: str
    #: Contact fields as ``ContactFields`` names them, custom properties under ``custom``.
    contact: dict[str, Any]
    answers: dict[str, str | list[str]] = field(default_factory=dict)


def is_robot(payload: Mapping[str, Any]) -> bool:
    """Whether the honeypot field, hidden from people, was filled in."""
    value = payload.get(HONEYPOT)
    if isinstance(value, list | tuple):
        return any(str(item).strip() for item in value)
    return value is not None and str(value).strip() != ""


def _values(raw: Any) -> list[str]:
    """A submitted value as a list of non-blank strings."""
    if raw is None:
        return []
    items = raw if isinstance(raw, list | tuple) else [raw]
    return [str(item).strip() for item in items if item is not None and str(item).strip()]


def _single(raw: Any, item: FormField, errors: list[FieldError]) -> str | None:
    values = _values(raw)
    if not values:
        if item.required:
            errors.append(FieldError(item.name, f"{item.label} is required"))
        return None
    if len(values) > 1:
        errors.append(FieldError(item.name, f"give one {item.label}, not {len(values)}"))
        return None
    return values[0]


def _standard(item: FormField, value: str, errors: list[FieldError]) -> str | None:
    spec = STANDARD_FIELDS[item.name]
    if len(value) > spec.max_length:
        errors.append(
            FieldError(item.name, f"{item.label} must be at most {spec.max_length} characters")
        )
        return None
    try:
        if spec.type == "email":
            return normalise_email(value)[0]
        if spec.type == "country":
            return normalise_country(value)
    except InvalidValue:
        message = (
            "enter a valid e-mail address, such as name@company.com"
            if spec.type == "email"
            else "enter a country name or its two-letter code, such as Finland or FI"
        )
        errors.append(FieldError(item.name, message))
        return None
    if spec.type == "tel" and not _PHONE.match(value):
        errors.append(
            FieldError(item.name, "enter a phone number with digits, spaces and + ( ) - only")
        )
        return None
    return value


def _property_value(item: FormField, raw: Any, errors: list[FieldError]) -> Any:
    definition = PropertyDefinition(
        object_type="contact",
        name=item.name,
        label=item.label,
        type=item.type,
        choices=item.choices,
        multiple=item.multiple,
    )
    if item.type == "choice" and item.multiple:
        given: Any = _values(raw)
        if not given and item.required:
            errors.append(FieldError(item.name, f"{item.label} is required"))
        if not given:
            return None
    else:
        given = _single(raw, item, errors)
        if given is None:
            return None
    try:
        return coerce_property_value(definition, given)
    except InvalidValue as error:
        errors.append(FieldError(item.name, str(error).removeprefix(f"{item.name}: ")))
        return None


def _answer(question: Question, raw: Any, errors: list[FieldError]) -> str | list[str] | None:
    values = _values(raw)
    if not values:
        if question.required:
            what = "at least one answer" if question.multiple else "an answer"
            errors.append(FieldError(question.key, f"choose {what}"))
        return None
    by_fold = {choice.casefold(): choice for choice in question.choices}
    unknown = [value for value in values if value.casefold() not in by_fold]
    if unknown:
        errors.append(
            FieldError(
                question.key,
                f"{unknown[0]!r} is not an answer to this question; choose from "
                f"{', '.join(question.choices)}",
            )
        )
        return None
    chosen = list(dict.fromkeys(by_fold[value.casefold()] for value in values))
    if question.multiple:
        return chosen
    if len(chosen) > 1:
        errors.append(FieldError(question.key, "choose one answer"))
        return None
    return chosen[0]


def _agreed(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    values = _values(raw)
    return bool(values) and values[-1].lower() in _TRUE


def check_submission(form: FormDefinition, payload: Mapping[str, Any]) -> Submission:
    """The accepted submission, or :class:`InvalidSubmission` with one error per bad field.

    Values may be strings or lists of strings (a form post repeats a key for
    several answers); keys the form does not ask for are ignored.
    """
    errors: list[FieldError] = []
    contact: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    email: str | None = None
    for item in form.fields:
        raw = payload.get(item.name)
        if item.property:
            value = _property_value(item, raw, errors)
            if value is not None:
                custom[item.name] = value
            continue
        text = _single(raw, item, errors)
        if text is None:
            continue
        value = _standard(item, text, errors)
        if value is None:
            continue
        if item.name == "email":
            email = value
        else:
            contact[STANDARD_FIELDS[item.name].contact_key] = value
    answers: dict[str, str | list[str]] = {}
    for question in form.questions:
        answer = _answer(question, payload.get(question.key), errors)
        if answer is None:
            continue
        answers[question.key] = answer
        if question.property is not None:
            custom[question.property] = answer
    if not _agreed(payload.get("consent")):
        errors.append(FieldError("consent", "tick the box to agree before sending the form"))
    if errors:
        raise InvalidSubmission(errors)
    assert email is not None
    if custom:
        contact["custom"] = custom
    return Submission(email=email, contact=contact, answers=answers)
