"""What a segment rule may ask about: its fields, their value types and operators.

A field is named ``<object>.<field>`` (``contact.country``, ``account.employees``,
``contact.custom.<property>``); its *value type* decides which operators it
takes and what their values must be.  The UI builder offers exactly these
(field → operator → value input), and ``domain/segment_rules.py`` checks a
stored rule against them.

Worries (domain §9) are fields too, one per worry of the workspace:
``contact.worry.<slug>`` is the person's worry profile value faded to now,
``account.worry.<slug>`` the account's (its people's together); a person or
account without a value of the worry counts as 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

from silverplatter.domain.grades import GRADE_LETTERS
from silverplatter.domain.lifecycle import STAGE_NAMES
from silverplatter.domain.properties import PropertyDefinition
from silverplatter.domain.vocabulary import (
    ACCOUNT_STATUSES,
    DECISION_ROLES,
    SENIORITIES,
    VALUE_TIERS,
)

ValueType = Literal[
    "text",  # free text, compared case-insensitively (ASCII letters)
    "choice",  # one of a fixed list, compared exactly
    "choices",  # a custom property that holds several answers
    "country",  # ISO 3166 alpha-2 code
    "number",
    "date",  # a calendar day (custom date properties)
    "instant",  # a moment (created_at)
    "boolean",
    "grade",  # F … A+, ordered
    "owner",  # a user id
    "window",  # the account's buying window
    "segment",  # membership of another segment
]

#: How an operator's value is written: nothing, one value, a list, two values
#: (low, high), a whole number of days or months, or a segment's slug.
Shape = Literal["none", "one", "list", "pair", "count", "slug"]

OPERATOR_SHAPES: Final[dict[str, Shape]] = {
    "equals": "one",
    "not_equals": "one",
    "in": "list",
    "contains": "one",
    "starts_with": "one",
    "ends_with": "one",
    "gt": "one",
    "gte": "one",
    "lt": "one",
    "lte": "one",
    "between": "pair",
    "before": "one",
    "after": "one",
    "within_last_days": "count",
    "more_than_days_ago": "count",
    "within_next_days": "count",
    "opens_within_months": "count",
    "is_open": "none",
    "is_empty": "none",
    "is_not_empty": "none",
    "member_of": "slug",
    "not_member_of": "slug",
}

#: Each operator in words, as the builder shows it.
OPERATOR_LABELS: Final[dict[str, str]] = {
    "equals": "is",
    "not_equals": "is not",
    "in": "is one of",
    "contains": "contains",
    "starts_with": "starts with",
    "ends_with": "ends with",
    "gt": "more than",
    "gte": "at least",
    "lt": "less than",
    "lte": "at most",
    "between": "between",
    "before": "before",
    "after": "after",
    "within_last_days": "within the last … days",
    "more_than_days_ago": "more than … days ago",
    "within_next_days": "within the next … days",
    "opens_within_months": "opens within … months",
    "is_open": "is open now",
    "is_empty": "is empty",
    "is_not_empty": "is not empty",
    "member_of": "is a member of",
    "not_member_of": "is not a member of",
}

_EMPTY: Final = ("is_empty", "is_not_empty")
_DAYS: Final = ("before", "after", "between", "within_last_days", "more_than_days_ago")
_ORDER: Final = ("gt", "gte", "lt", "lte")

#: The operators each value type takes, in the order the builder lists them.
OPERATORS: Final[dict[str, tuple[str, ...]]] = {
    "text": ("equals", "not_equals", "in", "contains", "starts_with", "ends_with", *_EMPTY),
    "choice": ("equals", "not_equals", "in", *_EMPTY),
    "choices": ("contains", "in", *_EMPTY),
    "country": ("equals", "not_equals", "in", *_EMPTY),
    "number": ("equals", *_ORDER, "between", *_EMPTY),
    "date": (*_DAYS, "within_next_days", *_EMPTY),
    "instant": _DAYS,
    "boolean": ("equals", *_EMPTY),
    "grade": ("equals", "in", *_ORDER, *_EMPTY),
    "owner": ("equals", "in", *_EMPTY),
    "window": ("opens_within_months", "is_open", *_EMPTY),
    "segment": ("member_of", "not_member_of"),
}

#: Operators of an event condition's count, and of its property conditions.
COUNT_OPERATORS: Final = ("gte", "gt", "lte", "lt", "equals")
EVENT_PROPERTY_OPERATORS: Final = ("equals", "in", "contains", "starts_with", "matches")
EVENT_PROPERTY_LABELS: Final[dict[str, str]] = {
    "equals": "is",
    "in": "is one of",
    "contains": "contains",
    "starts_with": "starts with",
    "matches": "matches the pattern (* and ?)",
}

#: The latest e-mail consent of a contact: ``given`` is granted or confirmed
#: (may be e-mailed), ``none`` means never recorded.
CONSENT_STATES: Final = ("given", "confirmed", "withdrawn", "none")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field a condition may test."""

    name: str
    label: str
    type: ValueType
    group: str
    choices: tuple[str, ...] = ()
    #: The operators of this field when not all of its type's apply.
    only: tuple[str, ...] = ()

    @property
    def operators(self) -> tuple[str, ...]:
        return self.only or OPERATORS[self.type]


def _contact(
    name: str,
    label: str,
    kind: ValueType,
    choices: Iterable[str] = (),
    only: tuple[str, ...] = (),
) -> FieldSpec:
    return FieldSpec(f"contact.{name}", label, kind, "Contact", tuple(choices), only)


def _account(name: str, label: str, kind: ValueType, choices: Iterable[str] = ()) -> FieldSpec:
    return FieldSpec(f"account.{name}", label, kind, "Account", tuple(choices))


BUILT_IN_FIELDS: Final = (
    _contact("email_domain", "E-mail domain", "text"),
    _contact("first_name", "First name", "text"),
    _contact("last_name", "Last name", "text"),
    _contact("title", "Title", "text"),
    _contact("seniority", "Seniority", "choice", SENIORITIES),
    _contact("department", "Department", "text"),
    _contact("decision_role", "Decision role", "choice", DECISION_ROLES),
    _contact("country", "Country", "country"),
    _contact("lifecycle_stage", "Lifecycle stage", "choice", STAGE_NAMES),
    _contact("source", "Source", "text"),
    _contact("created_at", "Created", "instant"),
    _contact("owner", "Owner", "owner"),
    _contact("grade", "Grade", "grade", GRADE_LETTERS),
    _contact("score", "Engagement score", "number"),
    _contact(
        "email_consent", "E-mail consent", "choice", CONSENT_STATES, ("equals", "not_equals", "in")
    ),
    _contact("suppressed", "On the suppression list", "boolean", only=("equals",)),
    _account("industry", "Industry", "text"),
    _account("country", "Country", "country"),
    _account("employees", "Employees", "number"),
    _account("annual_revenue", "Annual revenue", "number"),
    _account("value_tier", "Value tier", "choice", VALUE_TIERS),
    _account("needs_segment", "Needs segment", "text"),
    _account("status", "Status", "choice", ACCOUNT_STATUSES),
    _account("owner", "Owner", "owner"),
    _account("score", "Account score", "number"),
    _account("buying_window", "Buying window", "window"),
    FieldSpec("segment", "Segment", "segment", "Segments"),
)

_PROPERTY_TYPES: Final[dict[str, ValueType]] = {
    "text": "text",
    "number": "number",
    "date": "date",
    "boolean": "boolean",
    "choice": "choice",
}


def custom_field(definition: PropertyDefinition) -> FieldSpec:
    """The field of a custom property, typed by its definition."""
    kind = _PROPERTY_TYPES.get(definition.type, "text")
    if kind == "choice" and definition.multiple:
        kind = "choices"
    group = "Contact property" if definition.object_type == "contact" else "Account property"
    return FieldSpec(
        f"{definition.object_type}.custom.{definition.name}",
        definition.label,
        kind,
        group,
        definition.choices,
    )


#: A worry's value compared with a number: at least, more than, at most, less than, between.
WORRY_OPERATORS: Final = ("gte", "gt", "lte", "lt", "between")


def worry_fields(slug: str, name: str) -> tuple[FieldSpec, FieldSpec]:
    """The person's and the account's worry profile value of one worry."""
    return (
        FieldSpec(
            f"contact.worry.{slug}", f"Worry: {name}", "number", "Worries", (), WORRY_OPERATORS
        ),
        FieldSpec(
            f"account.worry.{slug}",
            f"Account worry: {name}",
            "number",
            "Worries",
            (),
            WORRY_OPERATORS,
        ),
    )


def field_catalogue(
    properties: Iterable[PropertyDefinition] = (), worries: Iterable[tuple[str, str]] = ()
) -> dict[str, FieldSpec]:
    """Every field a rule may test: the built-in ones, each custom property's and each
    worry's (``worries`` as (slug, name) pairs)."""
    fields = {spec.name: spec for spec in BUILT_IN_FIELDS}
    for definition in sorted(properties, key=lambda d: (d.object_type, d.name)):
        spec = custom_field(definition)
        fields[spec.name] = spec
    for slug, name in sorted(worries):
        for spec in worry_fields(slug, name):
            fields[spec.name] = spec
    return fields


def worry_of(field: str) -> tuple[str, str] | None:
    """``("contact", "cost-control")`` for ``contact.worry.cost-control``; else None."""
    owner, dot, slug = field.partition(".worry.")
    if not dot or owner not in ("contact", "account") or not slug:
        return None
    return owner, slug


def custom_property(field: str) -> tuple[str, str] | None:
    """``("contact", "budget")`` for ``contact.custom.budget``; None for a built-in field."""
    owner, dot, rest = field.partition(".custom.")
    if not dot or owner not in ("contact", "account") or not rest:
        return None
    return owner, rest


__all__ = [
    "BUILT_IN_FIELDS",
    "CONSENT_STATES",
    "COUNT_OPERATORS",
    "EVENT_PROPERTY_LABELS",
    "EVENT_PROPERTY_OPERATORS",
    "OPERATORS",
    "OPERATOR_LABELS",
    "OPERATOR_SHAPES",
    "WORRY_OPERATORS",
    "FieldSpec",
    "Shape",
    "ValueType",
    "custom_field",
    "custom_property",
    "field_catalogue",
    "worry_fields",
    "worry_of",
]
