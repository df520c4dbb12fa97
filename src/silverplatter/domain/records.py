"""Validated inputs for the workspace's records.

These models are the one place where a raw value becomes a trusted one: the
ingestion service, the CSV import and the API all validate through them, so a
bad value gets the same message naming the same field everywhere.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from silverplatter.domain.identity import (
    normalise_country,
    normalise_domain,
    normalise_email,
    normalise_linkedin_url,
)
from silverplatter.domain.vocabulary import (
    ACCOUNT_STATUSES,
    DECISION_ROLES,
    EVENT_TYPE_PATTERN,
    PROPERTY_NAME_PATTERN,
)

Country = Annotated[str, AfterValidator(normalise_country)]
Domain = Annotated[str, AfterValidator(normalise_domain)]
LinkedIn = Annotated[str, AfterValidator(normalise_linkedin_url)]
ShortText = Annotated[str, Field(min_length=1, max_length=300)]
ValueTier = Literal["gold", "silver", "bronze", "unclassified"]
Traffic = Literal["owned", "bought"]


def _email(value: str) -> str:
    return normalise_email(value)[0]


Email = Annotated[str, AfterValidator(_email)]


class Record(BaseModel):
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, frozen=True, hide_input_in_errors=False
    )


class FilledRecord(Record):
    """A record typed by people (forms, spreadsheets): a blank value means "not given"."""

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_missing(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value


def _check_custom(custom: dict[str, Any]) -> dict[str, Any]:
    for name in custom:
        if not PROPERTY_NAME_PATTERN.match(name):
            raise ValueError(
                f"custom property name {name!r} must be snake_case letters, digits and _"
            )
    return custom


CustomValues = Annotated[dict[str, Any], AfterValidator(_check_custom)]


class AccountFields(FilledRecord):
    """An account as given by a user, an import or the API. Unset fields are left alone."""

    external_id: ShortText | None = None
    name: ShortText | None = None
    domain: Domain | None = None
    industry: ShortText | None = None
    country: Country | None = None
    employees: Annotated[int, Field(ge=0)] | None = None
    annual_revenue: Annotated[int, Field(ge=0)] | None = None
    value_tier: ValueTier | None = None
    needs_segment: ShortText | None = None
    owner_email: Email | None = None
    status: str | None = None
    created_at: AwareDatetime | None = None
    custom: CustomValues = Field(default_factory=dict)

    @field_validator("status")
    @classmethod
    def _status(cls, value: str | None) -> str | None:
        if value is not None and value not in ACCOUNT_STATUSES:
            raise ValueError(f"status must be one of {', '.join(ACCOUNT_STATUSES)}")
        return value

    @model_validator(mode="after")
    def _identified(self) -> AccountFields:
        if not (self.domain or self.name or self.external_id):
            raise ValueError("an account needs a domain, a name or an external id")
        return self


class ContactFields(FilledRecord):
    """A contact as given by a user, an import, a form or the API."""

    email: Email
    external_id: ShortText | None = None
    first_name: Annotated[str, Field(max_length=100)] | None = None
    last_name: Annotated[str, Field(max_length=100)] | None = None
    title: Annotated[str, Field(max_length=200)] | None = None
    seniority: Annotated[str, Field(max_length=50)] | None = None
    department: Annotated[str, Field(max_length=100)] | None = None
    decision_role: str | None = None
    phone: Annotated[str, Field(max_length=50)] | None = None
    linkedin_url: LinkedIn | None = None
    country: Country | None = None
    owner_email: Email | None = None
    account_domain: Domain | None = None
    account_name: ShortText | None = None
    account_external_id: ShortText | None = None
    created_at: AwareDatetime | None = None
    custom: CustomValues = Field(default_factory=dict)

    @field_validator("decision_role")
    @classmethod
    def _decision_role(cls, value: str | None) -> str | None:
        if value is None:
            return None
        key = value.strip().lower().replace(" ", "_").replace("-", "_")
        if key not in DECISION_ROLES:
            raise ValueError(f"decision_role must be one of {', '.join(DECISION_ROLES)}")
        return key

    @property
    def email_key(self) -> str:
        return self.email.lower()


class UnstorableValue(ValueError):
    """A value no database stores as given; ``path`` is where in the field (``.url``, ``[2]``)."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path.lstrip('.')} {problem}" if path else problem)
        self.path = path


def _refuse_unstorable(value: Any, path: str = "") -> None:
    """Refuse NUL characters (PostgreSQL cannot store them) and non-finite numbers."""
    if isinstance(value, str):
        if "\x00" in value:
            raise UnstorableValue(path, "contains a NUL character (\\u0000)")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise UnstorableValue(path, f"must be a finite number, got {value!r}")
    elif isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in str(key):
                raise UnstorableValue(path, f"has a key with a NUL character: {str(key)!r}")
            _refuse_unstorable(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _refuse_unstorable(item, f"{path}[{index}]")


class EventInput(Record):
    """One event to ingest.  At least one subject (contact, visitor or account) is required."""

    type: Annotated[
        str,
        Field(
            pattern=EVENT_TYPE_PATTERN.pattern,
            description="snake_case event type such as page_view or form_submit",
        ),
    ]
    occurred_at: AwareDatetime
    idempotency_key: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    email: Email | None = None
    contact_id: int | None = None
    visitor_id: Annotated[str, Field(max_length=64)] | None = None
    account_domain: Domain | None = None
    account_id: int | None = None
    channel: Annotated[str, Field(max_length=30)] | None = None
    traffic: Traffic | None = None
    properties: dict[str, Any] = Field(default_factory=dict)
    contact: dict[str, Any] | None = None

    @field_validator("idempotency_key", "visitor_id", "channel", "properties", "contact")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        _refuse_unstorable(value)
        return value

    @model_validator(mode="after")
    def _subject(self) -> EventInput:
        if not (
            self.email
            or self.contact_id
            or self.visitor_id
            or self.account_domain
            or self.account_id
        ):
            raise ValueError(
                "an event needs a subject: email, contact_id, visitor_id, account_domain "
                "or account_id"
            )
        return self


class OpportunityFields(FilledRecord):
    """An opportunity (deal) at an account."""

    name: ShortText
    external_id: ShortText | None = None
    account_domain: Domain | None = None
    account_name: ShortText | None = None
    account_external_id: ShortText | None = None
    contact_email: Email | None = None
    amount: Decimal | None = Field(default=None, ge=0, max_digits=18, decimal_places=2)
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "EUR"
    stage: ShortText
    status: Literal["open", "won", "lost"] | None = None
    lost_reason: ShortText | None = None
    owner_email: Email | None = None
    created_at: AwareDatetime | None = None
    closed_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _account(self) -> OpportunityFields:
        if not (self.account_domain or self.account_name or self.account_external_id):
            raise ValueError("an opportunity needs its account: domain, name or external id")
        return self


class InstalledSolutionFields(FilledRecord):
    category: ShortText
    vendor: ShortText | None = None
    product: ShortText | None = None
    go_live_date: date | None = None
    typical_lifetime_years: Annotated[int, Field(ge=1, le=50)] | None = None


#: What a field that must match a pattern expects, in words rather than a regex.
_EXPECTED_FORM = {
    "type": "must be a snake_case word such as page_view or form_submit",
    "currency": "must be a three-letter currency code such as EUR",
}


def describe_errors(error: ValidationError) -> str:
    """One line naming each bad field and what was expected."""
    parts = []
    for item in error.errors():
        where = ".".join(str(piece) for piece in item["loc"]) or "record"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "string_pattern_mismatch" and where in _EXPECTED_FORM:
            message = f"{_EXPECTED_FORM[where]}, got {item['input']!r}"
        parts.append(f"{where}: {message}")
    return "; ".join(parts)
