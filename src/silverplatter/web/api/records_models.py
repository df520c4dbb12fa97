"""What the records API answers and accepts beyond the domain's own input models.

Responses name only what a client needs: never password hashes, session or
token data — a user appears as ``{id, name, email}``.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field, ValidationError

from silverplatter.domain.records import (
    Country,
    CustomValues,
    Domain,
    Email,
    FilledRecord,
    LinkedIn,
    ShortText,
    ValueTier,
)
from silverplatter.web.problems import Problem, field_name

_FIELD = re.compile(r"^[a-z_][a-z0-9_.\[\]]*$")


class UserRef(BaseModel):
    id: int
    name: str
    email: str


class AccountRef(BaseModel):
    id: int
    name: str
    domain: str | None = None
    value_tier: str | None = None


class ContactOut(BaseModel):
    id: int
    email: str
    name: str = Field(description="First and last name, or the e-mail address when unnamed")
    external_id: str | None
    first_name: str | None
    last_name: str | None
    title: str | None
    seniority: str | None
    department: str | None
    decision_role: str | None
    phone: str | None
    linkedin_url: str | None
    country: str | None
    lifecycle_stage: str
    account: AccountRef | None
    owner: UserRef | None
    grade: str | None = Field(description="Profile fit, F to A+; null until scored")
    score: float | None = Field(description="Engagement score; null until scored")
    probability: float | None = Field(
        None,
        description="The active predictive model's probability of its outcome "
        "(GET /api/v1/predictive/active says which); null until scored",
    )
    custom: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class AccountOut(BaseModel):
    id: int
    name: str
    external_id: str | None
    domain: str | None
    industry: str | None
    country: str | None
    employees: int | None
    annual_revenue: int | None
    value_tier: str
    needs_segment: str | None
    status: str
    owner: UserRef | None
    score: float | None = Field(description="Account score; null until scored")
    contacts: int = Field(description="How many contacts the account has")
    custom: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class ContactPage(BaseModel):
    items: list[ContactOut]
    next: str | None = Field(description="Pass as 'after' for the next page; null on the last")


class AccountPage(BaseModel):
    items: list[AccountOut]
    next: str | None = Field(description="Pass as 'after' for the next page; null on the last")


class ContactChanges(FilledRecord):
    """Fields to change on a contact; unset (or null) fields are left as they are.

    The e-mail address is the contact's key and is not changed here.
    """

    external_id: ShortText | None = None
    first_name: Annotated[str, Field(max_length=100)] | None = None
    last_name: Annotated[str, Field(max_length=100)] | None = None
    title: Annotated[str, Field(max_length=200)] | None = None
    seniority: Annotated[str, Field(max_length=50)] | None = None
    department: Annotated[str, Field(max_length=100)] | None = None
    decision_role: Annotated[str, Field(max_length=30)] | None = None
    phone: Annotated[str, Field(max_length=50)] | None = None
    linkedin_url: LinkedIn | None = None
    country: Country | None = None
    owner_email: Email | None = None
    account_domain: Domain | None = None
    account_name: ShortText | None = None
    account_external_id: ShortText | None = None
    custom: CustomValues = Field(default_factory=dict)


class AccountChanges(FilledRecord):
    """Fields to change on an account; unset (or null) fields are left as they are.

    A domain or external id, once set, is the account's key and is not changed here.
    """

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
    custom: CustomValues = Field(default_factory=dict)


def _user(row: Any, prefix: str = "owner") -> UserRef | None:
    user_id = getattr(row, f"{prefix}_id")
    if user_id is None:
        return None
    return UserRef(
        id=user_id, name=getattr(row, f"{prefix}_name"), email=getattr(row, f"{prefix}_email")
    )


def display_name(row: Any) -> str:
    named = " ".join(part for part in (row.first_name, row.last_name) if part)
    return named or str(row.email)


def contact_out(row: Any) -> ContactOut:
    account = (
        AccountRef(
            id=row.account_id,
            name=row.account_name,
            domain=row.account_domain,
            value_tier=row.account_tier,
        )
        if row.account_id is not None
        else None
    )
    return ContactOut(
        id=row.id,
        email=row.email,
        name=display_name(row),
        external_id=row.external_id,
        first_name=row.first_name,
        last_name=row.last_name,
        title=row.title,
        seniority=row.seniority,
        department=row.department,
        decision_role=row.decision_role,
        phone=row.phone,
        linkedin_url=row.linkedin_url,
        country=row.country,
        lifecycle_stage=row.lifecycle_stage,
        account=account,
        owner=_user(row),
        grade=row.grade,
        score=row.score,
        custom=dict(row.custom or {}),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def account_out(row: Any) -> AccountOut:
    return AccountOut(
        id=row.id,
        name=row.name,
        external_id=row.external_id,
        domain=row.domain,
        industry=row.industry,
        country=row.country,
        employees=row.employees,
        annual_revenue=row.annual_revenue,
        value_tier=row.value_tier,
        needs_segment=row.needs_segment,
        status=row.status,
        owner=_user(row),
        score=row.score,
        contacts=int(row.contacts),
        custom=dict(row.custom or {}),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class OpportunityOut(BaseModel):
    id: int
    name: str
    external_id: str | None
    account: AccountRef
    contact_id: int | None
    contact_email: str | None
    amount: Decimal | None
    currency: str
    stage: str
    status: str
    lost_reason: str | None
    owner: UserRef | None
    created_at: datetime
    closed_at: datetime | None
    updated_at: datetime


class OpportunityPage(BaseModel):
    items: list[OpportunityOut]
    next: str | None


def opportunity_out(row: Any) -> OpportunityOut:
    return OpportunityOut(
        id=row.id,
        name=row.name,
        external_id=row.external_id,
        account=AccountRef(id=row.account_id, name=row.account_name),
        contact_id=row.contact_id,
        contact_email=row.contact_email,
        amount=row.amount,
        currency=row.currency,
        stage=row.stage,
        status=row.status,
        lost_reason=row.lost_reason,
        owner=_user(row),
        created_at=row.created_at,
        closed_at=row.closed_at,
        updated_at=row.updated_at,
    )


def upsert_problem(message: str) -> Problem:
    """A service's ``"field: message"`` as a 422 naming the field."""
    field, separator, rest = message.partition(": ")
    if separator and _FIELD.match(field):
        return Problem(422, message, errors=[{"field": field, "message": rest}])
    return Problem(422, message, errors=[{"field": "request", "message": message}])


def validation_problem(error: ValidationError) -> Problem:
    """A domain model's validation error as a 422 naming each field."""
    errors = [
        {
            "field": field_name(tuple(item["loc"])) if item["loc"] else "request",
            "message": item["msg"].removeprefix("Value error, "),
        }
        for item in error.errors()
    ]
    first = errors[0]
    return Problem(422, f"{first['field']}: {first['message']}", errors=errors)
