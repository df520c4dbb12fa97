"""Capture forms: what a form asks (domain §2–§3), checked before it is saved.

A form always asks for the e-mail address, the price of a lead magnet, and
may ask for other standard contact fields and custom contact properties.  It
may add up to five strategic multiple-choice questions (responsibilities,
topics of interest, current situation, preferred channels), each of which can
keep its answer in a custom contact property.  Its call to action is soft
(download a guide, a newsletter) or hard (an explicit request for contact, a
meeting or a quote); only a hard one expresses an intent to buy.  A form
names the origins (``scheme://host[:port]``) allowed to embed it and the
consent wording people agree to.

Pure rules: the definitions of custom properties are passed in, and every
refusal names the field (``questions[1].choices``) and what was expected.
Submissions are checked by ``domain/form_answers.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from silverplatter.domain.form_answers import Submission, check_submission, is_robot
from silverplatter.domain.form_model import (
    HONEYPOT,
    MAX_CHOICES,
    MAX_FIELDS,
    MAX_MESSAGE,
    MAX_ORIGINS,
    MAX_QUESTIONS,
    MAX_WORDING,
    MIN_CHOICES,
    RESERVED,
    SETTINGS,
    SLUG_PATTERN,
    STANDARD_FIELDS,
    TYPICAL_QUESTIONS,
    FieldError,
    FormDefinition,
    FormField,
    InvalidForm,
    InvalidSubmission,
    Question,
    StandardField,
    normalise_origin,
    origin_allowed,
)
from silverplatter.domain.identity import InvalidValue
from silverplatter.domain.properties import PropertyDefinition
from silverplatter.domain.vocabulary import CTA_KINDS, PROPERTY_NAME_PATTERN


class _Collector:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, where: str, message: str) -> None:
        self.errors.append(FieldError(where, message))

    def text(
        self, raw: Any, where: str, *, limit: int, required: bool, what: str = "text"
    ) -> str | None:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if required:
                self.add(where, f"is required: give {what} of up to {limit} characters")
            return None
        if not isinstance(raw, str):
            self.add(where, f"expected {what}, got {type(raw).__name__}")
            return None
        value = raw.strip()
        if len(value) > limit:
            self.add(where, f"must be at most {limit} characters, got {len(value)}")
            return None
        return value

    def flag(self, raw: Any, where: str, default: bool) -> bool:
        if raw is None:
            return default
        if not isinstance(raw, bool):
            self.add(where, f"expected true or false, got {raw!r}")
            return default
        return raw

    def items(self, raw: Any, where: str, limit: int, what: str) -> list[Any]:
        if raw is None:
            return []
        if not isinstance(raw, list | tuple):
            self.add(where, f"expected a list of {what}")
            return []
        if len(raw) > limit:
            self.add(where, f"at most {limit} {what}, got {len(raw)}")
            return []
        return list(raw)


_FIELD_KEYS: Final = frozenset({"name", "label", "required"})
#: What the API shows of a field besides its settings; accepted back and ignored.
_FIELD_DERIVED: Final = frozenset({"type", "property", "choices", "multiple"})
_QUESTION_KEYS: Final = frozenset({"key", "label", "choices", "multiple", "required", "property"})


def _unknown(check: _Collector, item: Mapping[str, Any], where: str, known: frozenset[str]) -> None:
    for key in sorted(set(item) - known):
        check.add(f"{where}.{key}", f"unknown setting; expected one of {', '.join(sorted(known))}")


def _field(
    check: _Collector,
    raw: Any,
    where: str,
    properties: Mapping[str, PropertyDefinition],
) -> FormField | None:
    if not isinstance(raw, Mapping):
        check.add(where, "expected an object with name, label and required")
        return None
    _unknown(check, raw, where, _FIELD_KEYS | _FIELD_DERIVED)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        check.add(f"{where}.name", "is required: a standard field or a contact property")
        return None
    name = name.strip()
    required = check.flag(raw.get("required"), f"{where}.required", False)
    if name in RESERVED:
        check.add(f"{where}.name", f"{name!r} is reserved for the form itself")
        return None
    standard = STANDARD_FIELDS.get(name)
    definition = properties.get(name)
    if standard is None and definition is None:
        check.add(
            f"{where}.name",
            f"{name!r} is neither a standard field ({', '.join(STANDARD_FIELDS)}) "
            "nor a contact property; define the property first",
        )
        return None
    default_label = standard.label if standard else definition.label if definition else name
    label = check.text(raw.get("label"), f"{where}.label", limit=200, required=False)
    if name == "email" and not required:
        check.add(f"{where}.required", "the e-mail address is always required")
    if standard is not None:
        return FormField(name, label or default_label, required, standard.type)
    assert definition is not None
    return FormField(
        name,
        label or default_label,
        required,
        definition.type,
        property=True,
        choices=definition.choices,
        multiple=definition.multiple,
    )


def _choices(check: _Collector, raw: Any, where: str) -> tuple[str, ...]:
    items = check.items(raw, where, MAX_CHOICES, "choices")
    chosen: list[str] = []
    seen: set[str] = set()
    for position, item in enumerate(items):
        text = check.text(item, f"{where}[{position}]", limit=200, required=True, what="a choice")
        if text is None:
            continue
        if text.casefold() in seen:
            check.add(f"{where}[{position}]", f"{text!r} is already a choice")
            continue
        seen.add(text.casefold())
        chosen.append(text)
    if len(items) < MIN_CHOICES and isinstance(raw, list | tuple):
        check.add(where, f"give {MIN_CHOICES} to {MAX_CHOICES} choices, got {len(items)}")
    elif raw is None:
        check.add(where, f"is required: {MIN_CHOICES} to {MAX_CHOICES} choices")
    return tuple(chosen)


def _answer_property(
    check: _Collector,
    raw: Any,
    where: str,
    question: Question,
    properties: Mapping[str, PropertyDefinition],
) -> str | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if not isinstance(raw, str):
        check.add(f"{where}.property", "expected the name of a contact property, or null")
        return None
    definition = properties.get(raw.strip())
    if definition is None:
        check.add(f"{where}.property", f"there is no contact property {raw.strip()!r}")
        return None
    if definition.type != "choice":
        check.add(
            f"{where}.property",
            f"{definition.name} is a {definition.type} property; answers are kept in a "
            "choice property",
        )
        return None
    if question.multiple and not definition.multiple:
        check.add(
            f"{where}.property",
            f"{definition.name} holds one answer; the question allows several",
        )
    if definition.choices:
        known = {choice.casefold() for choice in definition.choices}
        missing = [c for c in question.choices if c.casefold() not in known]
        if missing:
            check.add(
                f"{where}.choices",
                f"{missing[0]!r} is not a choice of property {definition.name} "
                f"({', '.join(definition.choices)})",
            )
    return definition.name


def _question(
    check: _Collector,
    raw: Any,
    where: str,
    properties: Mapping[str, PropertyDefinition],
) -> Question | None:
    if not isinstance(raw, Mapping):
        check.add(where, "expected an object with key, label and choices")
        return None
    _unknown(check, raw, where, _QUESTION_KEYS)
    key = raw.get("key")
    if not isinstance(key, str) or not PROPERTY_NAME_PATTERN.match(key.strip()):
        check.add(
            f"{where}.key",
            "expected a snake_case word such as " + " or ".join(TYPICAL_QUESTIONS[:2]),
        )
        key = None
    else:
        key = key.strip()
        if key in RESERVED or key in STANDARD_FIELDS:
            check.add(f"{where}.key", f"{key!r} is taken by the form itself or a standard field")
            key = None
    label = check.text(raw.get("label"), f"{where}.label", limit=300, required=True)
    choices = _choices(check, raw.get("choices"), f"{where}.choices")
    multiple = check.flag(raw.get("multiple"), f"{where}.multiple", False)
    required = check.flag(raw.get("required"), f"{where}.required", False)
    if key is None or label is None:
        return None
    question = Question(key, label, choices, multiple, required)
    stored_in = _answer_property(check, raw.get("property"), where, question, properties)
    return Question(key, label, choices, multiple, required, stored_in)


def _fields(
    check: _Collector, raw: Any, properties: Mapping[str, PropertyDefinition]
) -> tuple[FormField, ...]:
    if raw is None:
        check.add("fields", "is required: a list that includes at least the email field")
        return ()
    fields: list[FormField] = []
    seen: set[str] = set()
    for position, item in enumerate(check.items(raw, "fields", MAX_FIELDS, "fields")):
        name = item.get("name") if isinstance(item, Mapping) else None
        if isinstance(name, str) and name.strip() in seen:
            check.add(f"fields[{position}].name", f"{name.strip()} is already a field of this form")
            continue
        made = _field(check, item, f"fields[{position}]", properties)
        if made is not None:
            seen.add(made.name)
            fields.append(made)
    if isinstance(raw, list | tuple) and "email" not in {
        item.get("name") for item in raw if isinstance(item, Mapping)
    }:
        check.add("fields", "must include email: a form collects an e-mail address")
    return tuple(fields)


def _questions(
    check: _Collector,
    raw: Any,
    fields: Sequence[FormField],
    properties: Mapping[str, PropertyDefinition],
) -> tuple[Question, ...]:
    questions: list[Question] = []
    used = {item.name for item in fields if item.property}
    for position, item in enumerate(check.items(raw, "questions", MAX_QUESTIONS, "questions")):
        where = f"questions[{position}]"
        made = _question(check, item, where, properties)
        if made is None:
            continue
        if made.key in {existing.key for existing in questions} or made.key in {
            f.name for f in fields
        }:
            check.add(f"{where}.key", f"{made.key} is already a field or question of this form")
            continue
        if made.property is not None:
            if made.property in used:
                check.add(
                    f"{where}.property",
                    f"{made.property} is already filled by another field or question",
                )
                continue
            used.add(made.property)
        questions.append(made)
    return tuple(questions)


def _origins(check: _Collector, raw: Any) -> tuple[str, ...]:
    origins: list[str] = []
    for position, item in enumerate(check.items(raw, "allowed_origins", MAX_ORIGINS, "origins")):
        try:
            origin = normalise_origin(item)
        except InvalidValue as error:
            check.add(f"allowed_origins[{position}]", str(error))
            continue
        if origin not in origins:
            origins.append(origin)
    return tuple(origins)


def check_definition(
    raw: Mapping[str, Any], properties: Mapping[str, PropertyDefinition]
) -> FormDefinition:
    """A validated form definition from its document, or :class:`InvalidForm`.

    ``properties`` are the workspace's custom contact properties by name.
    """
    check = _Collector()
    if not isinstance(raw, Mapping):
        raise InvalidForm([FieldError("form", "expected an object")])
    for key in sorted(set(raw) - set(SETTINGS)):
        check.add(key, f"unknown setting; expected one of {', '.join(SETTINGS)}")
    slug = raw.get("slug")
    if not isinstance(slug, str) or not SLUG_PATTERN.match(slug.strip()):
        check.add(
            "slug",
            "expected 1–100 lowercase letters, digits, hyphens or underscores, such as "
            f"newsletter or request-a-meeting, got {slug!r}",
        )
    name = check.text(raw.get("name"), "name", limit=200, required=True, what="a name")
    fields = _fields(check, raw.get("fields"), properties)
    questions = _questions(check, raw.get("questions"), fields, properties)
    wording = check.text(
        raw.get("consent_wording"),
        "consent_wording",
        limit=MAX_WORDING,
        required=True,
        what="the consent wording people agree to",
    )
    cta_kind = raw.get("cta_kind", "soft")
    if cta_kind not in CTA_KINDS:
        check.add(
            "cta_kind",
            "expected soft (a guide, a newsletter) or hard (a request for contact, "
            f"a meeting or a quote), got {cta_kind!r}",
        )
    magnet = raw.get("lead_magnet")
    if magnet is not None and (not isinstance(magnet, str) or not magnet.strip()):
        check.add("lead_magnet", "expected the slug of a lead magnet, or null for none")
        magnet = None
    double_opt_in = check.flag(raw.get("double_opt_in"), "double_opt_in", True)
    origins = _origins(check, raw.get("allowed_origins"))
    message = check.text(
        raw.get("success_message"), "success_message", limit=MAX_MESSAGE, required=False
    )
    active = check.flag(raw.get("active"), "active", True)
    if check.errors:
        raise InvalidForm(check.errors)
    assert isinstance(slug, str) and name is not None and wording is not None
    return FormDefinition(
        slug=slug.strip(),
        name=name,
        fields=fields,
        questions=questions,
        consent_wording=wording,
        cta_kind=str(cta_kind),
        lead_magnet=magnet.strip() if isinstance(magnet, str) else None,
        double_opt_in=double_opt_in,
        allowed_origins=origins,
        success_message=message,
        active=active,
    )


__all__ = [
    "HONEYPOT",
    "MAX_QUESTIONS",
    "RESERVED",
    "STANDARD_FIELDS",
    "TYPICAL_QUESTIONS",
    "FieldError",
    "FormDefinition",
    "FormField",
    "InvalidForm",
    "InvalidSubmission",
    "Question",
    "StandardField",
    "Submission",
    "check_definition",
    "check_submission",
    "is_robot",
    "normalise_origin",
    "origin_allowed",
]
