"""The form editor: its HTML inputs read into a form definition, and errors put next to them.

The page lists every field a form may ask for (the standard ones and each
custom contact property) with *ask*, *required*, a label and an order, and
five slots for strategic questions.  What comes back is turned into the same
definition document the API takes; the domain's errors, which name positions
(``fields[2].label``, ``questions[0].choices``), are mapped back to the input
they concern.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from silverplatter.domain.forms import MAX_QUESTIONS, STANDARD_FIELDS, FieldError
from silverplatter.domain.properties import PropertyDefinition
from silverplatter.services.forms import Form

DEFAULT_WORDING: Final = (
    "Yes, email me guides, invitations and offers that match my interests. "
    "I can unsubscribe at any time."
)
#: Where a top-level setting's error is shown, and what the error summary calls it.
SETTING_INPUTS: Final = {
    "name": ("form-name", "Name"),
    "slug": ("form-slug", "Slug"),
    "consent_wording": ("form-consent", "Consent wording"),
    "cta_kind": ("form-cta-soft", "Call to action"),
    "lead_magnet": ("form-magnet", "Lead magnet"),
    "double_opt_in": ("form-double", "Double opt-in"),
    "allowed_origins": ("form-origins", "Allowed origins"),
    "success_message": ("form-success", "Success message"),
    "active": ("form-active", "Taking submissions"),
    "fields": ("form-fields", "Fields"),
    "questions": ("form-questions", "Questions"),
}
_POSITION: Final = re.compile(
    r"^(fields|questions|allowed_origins)\[(\d+)\](?:\.(\w+))?(?:\[(\d+)\])?$"
)


@dataclass
class FieldRow:
    """One field the form may ask for, as the editor shows it."""

    name: str
    default_label: str
    type: str
    custom: bool
    asked: bool = False
    required: bool = False
    label: str = ""
    order: int = 0

    @property
    def fixed(self) -> bool:
        """The e-mail address: always asked, always required."""
        return self.name == "email"


@dataclass
class QuestionSlot:
    index: int
    key: str = ""
    label: str = ""
    choices: str = ""
    multiple: bool = False
    required: bool = False
    stored_in: str = ""

    @property
    def blank(self) -> bool:
        return not (self.key.strip() or self.label.strip() or self.choices.strip())


@dataclass
class EditorState:
    """Everything the editor page shows in its inputs."""

    values: dict[str, Any]
    rows: list[FieldRow]
    slots: list[QuestionSlot]
    errors: dict[str, str] = field(default_factory=dict)
    summary: list[tuple[str, str]] = field(default_factory=list)


def _rows(properties: Sequence[PropertyDefinition]) -> list[FieldRow]:
    rows = [
        FieldRow(spec.name, spec.label, spec.type, False, order=position + 1)
        for position, spec in enumerate(STANDARD_FIELDS.values())
    ]
    start = len(rows)
    rows += [
        FieldRow(item.name, item.label, item.type, True, order=start + position + 1)
        for position, item in enumerate(properties)
        if item.name not in STANDARD_FIELDS
    ]
    rows[0].asked = rows[0].required = True
    return rows


def blank_state(properties: Sequence[PropertyDefinition]) -> EditorState:
    """A new form: the e-mail address, a soft call to action, double opt-in."""
    values = {
        "name": "",
        "slug": "",
        "consent_wording": DEFAULT_WORDING,
        "cta_kind": "soft",
        "lead_magnet": "",
        "double_opt_in": True,
        "allowed_origins": "",
        "success_message": "",
        "active": True,
    }
    slots = [QuestionSlot(index) for index in range(MAX_QUESTIONS)]
    return EditorState(values, _rows(properties), slots)


def state_of(form: Form, properties: Sequence[PropertyDefinition]) -> EditorState:
    """The editor filled in with a stored form."""
    definition = form.definition
    rows = _rows(properties)
    by_name = {row.name: row for row in rows}
    for position, item in enumerate(definition.fields):
        row = by_name.get(item.name)
        if row is None:
            continue
        row.asked, row.required, row.order = True, item.required, position + 1
        row.label = "" if item.label == row.default_label else item.label
    asked = len(definition.fields)
    for offset, row in enumerate(row for row in rows if not row.asked):
        row.order = asked + offset + 1
    slots = [QuestionSlot(index) for index in range(MAX_QUESTIONS)]
    for slot, question in zip(slots, definition.questions, strict=False):
        slot.key, slot.label = question.key, question.label
        slot.choices = "\n".join(question.choices)
        slot.multiple, slot.required = question.multiple, question.required
        slot.stored_in = question.property or ""
    values = {
        "name": definition.name,
        "slug": definition.slug,
        "consent_wording": definition.consent_wording,
        "cta_kind": definition.cta_kind,
        "lead_magnet": definition.lead_magnet or "",
        "double_opt_in": definition.double_opt_in,
        "allowed_origins": "\n".join(definition.allowed_origins),
        "success_message": definition.success_message or "",
        "active": definition.active,
    }
    return EditorState(values, rows, slots)


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key, "")
    return value if isinstance(value, str) else ""


def _ticked(data: Mapping[str, Any], key: str) -> bool:
    return _text(data, key) in ("on", "yes", "true", "1")


def _order(data: Mapping[str, Any], key: str, default: int) -> int:
    text = _text(data, key).strip()
    return int(text) if text.isdigit() and len(text) < 6 else default


def posted_state(
    data: Mapping[str, Any], properties: Sequence[PropertyDefinition], *, slug: str | None
) -> EditorState:
    """The editor as the person filled it in (``slug`` is fixed when editing)."""
    state = blank_state(properties)
    for row in state.rows:
        row.asked = row.fixed or _ticked(data, f"ask.{row.name}")
        row.required = row.fixed or _ticked(data, f"required.{row.name}")
        row.label = _text(data, f"label.{row.name}").strip()
        row.order = _order(data, f"order.{row.name}", row.order)
    for slot in state.slots:
        prefix = f"q{slot.index}."
        slot.key = _text(data, prefix + "key").strip()
        slot.label = _text(data, prefix + "label").strip()
        slot.choices = _text(data, prefix + "choices")
        slot.multiple = _ticked(data, prefix + "multiple")
        slot.required = _ticked(data, prefix + "required")
        slot.stored_in = _text(data, prefix + "property").strip()
    state.values = {
        "name": _text(data, "name"),
        "slug": slug if slug is not None else _text(data, "slug").strip(),
        "consent_wording": _text(data, "consent_wording"),
        "cta_kind": _text(data, "cta_kind") or "soft",
        "lead_magnet": _text(data, "lead_magnet").strip(),
        "double_opt_in": _ticked(data, "double_opt_in"),
        "allowed_origins": _text(data, "allowed_origins"),
        "success_message": _text(data, "success_message"),
        "active": _ticked(data, "active"),
    }
    return state


@dataclass(frozen=True)
class Draft:
    """The definition document, and which row or slot each of its list items came from."""

    document: dict[str, Any]
    field_names: list[str]
    slot_indices: list[int]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def draft_of(state: EditorState) -> Draft:
    positions = {row.name: position for position, row in enumerate(state.rows)}
    asked = sorted(
        (row for row in state.rows if row.asked), key=lambda row: (row.order, positions[row.name])
    )
    fields = [
        {"name": row.name, "label": row.label or None, "required": row.required} for row in asked
    ]
    used = [slot for slot in state.slots if not slot.blank]
    questions = [
        {
            "key": slot.key,
            "label": slot.label,
            "choices": _lines(slot.choices),
            "multiple": slot.multiple,
            "required": slot.required,
            "property": slot.stored_in or None,
        }
        for slot in used
    ]
    values = state.values
    document = {
        "slug": values["slug"],
        "name": values["name"],
        "fields": fields,
        "questions": questions,
        "consent_wording": values["consent_wording"],
        "cta_kind": values["cta_kind"],
        "lead_magnet": values["lead_magnet"] or None,
        "double_opt_in": values["double_opt_in"],
        "allowed_origins": _lines(values["allowed_origins"]),
        "success_message": values["success_message"].strip() or None,
        "active": values["active"],
    }
    return Draft(document, [row.name for row in asked], [slot.index for slot in used])


def _place(error: FieldError, draft: Draft, labels: Mapping[str, str]) -> tuple[str, str, str]:
    """(input id, what the summary calls it, message) for one error."""
    if error.field in SETTING_INPUTS:
        input_id, what = SETTING_INPUTS[error.field]
        return input_id, what, error.message
    match = _POSITION.match(error.field)
    if match is None:
        return "form-name", "Form", f"{error.field}: {error.message}"
    kind, position, part, item = match.group(1), int(match.group(2)), match.group(3), match.group(4)
    if kind == "allowed_origins":
        return "form-origins", "Allowed origins", f"line {position + 1}: {error.message}"
    if kind == "fields":
        if position >= len(draft.field_names):
            return "form-fields", "Fields", error.message
        name = draft.field_names[position]
        suffix = "label" if part == "label" else "ask"
        return f"field-{name}-{suffix}", f"Field {labels.get(name, name)}", error.message
    if position >= len(draft.slot_indices):
        return "form-questions", "Questions", error.message
    slot = draft.slot_indices[position]
    part = part if part in ("key", "label", "choices", "property") else "key"
    message = error.message if item is None else f"line {int(item) + 1}: {error.message}"
    return f"q{slot}-{part}", f"Question {slot + 1}, {part}", message


def place_errors(state: EditorState, draft: Draft, errors: Sequence[FieldError]) -> None:
    """Put each error next to its input and into the page's summary."""
    labels = {row.name: row.label or row.default_label for row in state.rows}
    for error in errors:
        input_id, what, message = _place(error, draft, labels)
        state.errors[input_id] = (
            f"{state.errors[input_id]}; {message}" if input_id in state.errors else message
        )
        state.summary.append((input_id, f"{what}: {message}"))
