"""The scoring model: what a workspace says about fit, engagement, silence and readiness.

A model is written as TOML (``silverplatter model validate FILE`` checks one;
``domain/model_file.py`` turns text into this model with errors that name the
line).  These classes are the model's meaning: every field is checked here,
unknown keys are refused so that a typo is an error rather than a silently
ignored rule.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from silverplatter.domain.grades import GRADE_LETTERS, parse_step
from silverplatter.domain.vocabulary import (
    DECISION_ROLES,
    EVENT_TYPE_PATTERN,
    PROPERTY_NAME_PATTERN,
    VALUE_TIERS,
)

_CUSTOM = re.compile(r"^(account|contact)\.custom\.([a-z][a-z0-9_]{0,99})$")

#: Profile fields a grading criterion may look at, with their kind.
GRADING_FIELDS: dict[str, Literal["text", "number"]] = {
    "account.industry": "text",
    "account.country": "text",
    "account.employees": "number",
    "account.annual_revenue": "number",
    "account.value_tier": "text",
    "account.needs_segment": "text",
    "account.status": "text",
    "contact.seniority": "text",
    "contact.department": "text",
    "contact.decision_role": "text",
    "contact.country": "text",
    "contact.title": "text",
}

Grade = Annotated[str, Field(description="a grade letter A+ … F")]
Step = Annotated[str | int, Field(description='grade change: "+1", "-2/3", "+1/3", 0')]
FlagName = Annotated[str, Field(pattern=PROPERTY_NAME_PATTERN.pattern)]
EventType = Annotated[str, Field(pattern=EVENT_TYPE_PATTERN.pattern)]
PositiveDays = Annotated[float, Field(gt=0, le=3650)]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _check_grade(value: str) -> str:
    if value not in GRADE_LETTERS:
        raise ValueError(f"expected a grade such as A+, B or D-, got {value!r}")
    return value


class ModelInfo(Section):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""


class Criterion(Section):
    """One profile criterion; exactly one condition, steps in thirds of a letter."""

    field: str
    label: str | None = None
    in_: list[str | int | float] | None = Field(default=None, alias="in", min_length=1)
    not_in: list[str | int | float] | None = Field(default=None, min_length=1)
    at_least: float | None = None
    at_most: float | None = None
    between: tuple[float, float] | None = None
    matches: str | None = Field(default=None, min_length=1)
    is_set: bool | None = None
    match: Step = 0
    mismatch: Step = 0
    unknown: Step = 0

    @field_validator("field")
    @classmethod
    def _known_field(cls, value: str) -> str:
        if value in GRADING_FIELDS or _CUSTOM.match(value):
            return value
        known = ", ".join(GRADING_FIELDS)
        raise ValueError(
            f"unknown field {value!r}; expected one of {known}, "
            "or account.custom.NAME / contact.custom.NAME"
        )

    @field_validator("match", "mismatch", "unknown")
    @classmethod
    def _step(cls, value: str | int) -> str | int:
        parse_step(value)
        return value

    @model_validator(mode="after")
    def _one_condition(self) -> Self:
        given = [name for name in self.condition_names() if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                "a criterion needs exactly one condition of in, not_in, at_least, at_most, "
                f"between, matches, is_set; got {', '.join(given) or 'none'}"
            )
        if self.between is not None and self.between[0] > self.between[1]:
            raise ValueError("between = [low, high] needs low <= high")
        return self

    @staticmethod
    def condition_names() -> tuple[str, ...]:
        return ("in_", "not_in", "at_least", "at_most", "between", "matches", "is_set")

    @property
    def condition(self) -> tuple[str, Any]:
        for name in self.condition_names():
            value = getattr(self, name)
            if value is not None:
                return name.rstrip("_"), value
        raise AssertionError("validated criterion without a condition")

    def thirds(self) -> tuple[int, int, int]:
        """(match, mismatch, unknown) in thirds of a letter."""
        return parse_step(self.match), parse_step(self.mismatch), parse_step(self.unknown)


class Grading(Section):
    start: str = "D"
    criteria: list[Criterion] = Field(default_factory=list)

    _start = field_validator("start")(_check_grade)


class EngagementRule(Section):
    """Points for behaviour that matches; they fade with the rule's half-life."""

    name: str | None = Field(default=None, max_length=100)
    scope: Literal["contact", "account"] = "contact"
    event: EventType
    points: float
    url_matches: str | None = Field(default=None, min_length=1, max_length=300)
    content: str | None = Field(default=None, min_length=1, max_length=200)
    form: str | None = Field(default=None, min_length=1, max_length=200)
    tag: str | None = Field(default=None, min_length=1, max_length=100)
    cta: Literal["soft", "hard"] | None = None
    channel: str | None = Field(default=None, min_length=1, max_length=30)
    properties: dict[str, str] = Field(default_factory=dict)
    cap_per_day: float | None = Field(default=None, gt=0)
    cap_per_week: float | None = Field(default=None, gt=0)
    half_life_days: PositiveDays | None = None
    flag: FlagName | None = None
    buying_stage: Literal["awareness", "consideration", "decision"] | None = None

    @field_validator("points")
    @classmethod
    def _not_zero(cls, value: float) -> float:
        if value == 0:
            raise ValueError("points must not be 0 (leave the rule out instead)")
        return value

    @field_validator("properties")
    @classmethod
    def _property_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not PROPERTY_NAME_PATTERN.match(name):
                raise ValueError(f"property name {name!r} must be snake_case")
        return value

    @model_validator(mode="after")
    def _one_cap(self) -> Self:
        if self.cap_per_day is not None and self.cap_per_week is not None:
            raise ValueError("give cap_per_day or cap_per_week, not both")
        return self

    @property
    def cap(self) -> tuple[Literal["day", "week"], float] | None:
        if self.cap_per_day is not None:
            return "day", self.cap_per_day
        if self.cap_per_week is not None:
            return "week", self.cap_per_week
        return None


class Engagement(Section):
    half_life_days: PositiveDays = 45.0
    #: How long a rule's flag (such as ``hard_cta``) stays raised after its event.
    flag_days: PositiveDays = 90.0
    rules: list[EngagementRule] = Field(default_factory=list)


class Silence(Section):
    """A high-fit contact who is touched again and again and never reacts."""

    min_grade: str = "B"
    touches_at_least: int = Field(default=6, ge=1, le=100)
    within_days: PositiveDays = 60.0
    touches: list[EventType] = Field(default_factory=lambda: ["email_sent"], min_length=1)
    without: list[EventType] = Field(
        default_factory=lambda: ["email_open", "email_click", "page_view", "form_submit"],
        min_length=1,
    )
    route_to: Literal["outbound", "refinery"] = "outbound"

    _min_grade = field_validator("min_grade")(_check_grade)


class AccountRollup(Section):
    engaged_contact_score: float = Field(default=20.0, gt=0)
    roles: list[str] = Field(default_factory=lambda: ["decision_maker", "influencer", "user"])

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, value: list[str]) -> list[str]:
        for role in value:
            if role not in DECISION_ROLES:
                raise ValueError(
                    f"unknown decision role {role!r}; expected one of {DECISION_ROLES}"
                )
        return value


class Condition(Section):
    """A readiness condition: every key given must hold; ``all``/``any`` nest."""

    all: list[Condition] | None = Field(default=None, min_length=1)
    any: list[Condition] | None = Field(default=None, min_length=1)
    score: float | None = None
    grade: str | None = None
    flag: FlagName | None = None
    engaged: bool | None = None
    touches: int | None = Field(default=None, ge=0)
    contact_seniority: str | list[str] | None = None
    contact_decision_role: str | list[str] | None = None
    engaged_contacts_at_account: int | None = Field(default=None, ge=1)
    roles_covered_at_account: int | None = Field(default=None, ge=1)
    account_score: float | None = None
    bant: Literal["complete"] | None = None

    @field_validator("grade")
    @classmethod
    def _grade(cls, value: str | None) -> str | None:
        return value if value is None else _check_grade(value)

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("an empty condition; give at least one of score, grade, flag, …")
        return self


class TierThresholds(Section):
    lead: Condition = Field(default_factory=lambda: Condition(engaged=True))
    mql: Condition
    sql: Condition


class Thresholds(Section):
    default: TierThresholds | None = None
    gold: TierThresholds | None = None
    silver: TierThresholds | None = None
    bronze: TierThresholds | None = None
    unclassified: TierThresholds | None = None

    @model_validator(mode="after")
    def _every_tier(self) -> Self:
        if self.default is None:
            missing = [tier for tier in VALUE_TIERS if getattr(self, tier) is None]
            if missing:
                raise ValueError(
                    f"no thresholds for tier {', '.join(missing)}; "
                    "add [thresholds.<tier>] or [thresholds.default]"
                )
        return self

    def for_tier(self, tier: str) -> TierThresholds:
        found: TierThresholds | None = getattr(self, tier, None) or self.default
        assert found is not None
        return found


class Lifecycle(Section):
    #: The flag that means the person asked for contact: no BANT needed before SQL.
    hard_cta_flag: FlagName = "hard_cta"


class Handover(Section):
    sla_working_days: dict[str, int] = Field(
        default_factory=lambda: {"gold": 1, "silver": 2, "bronze": 5, "unclassified": 5}
    )
    assign: Literal["account_owner_else_round_robin", "round_robin"] = (
        "account_owner_else_round_robin"
    )

    @field_validator("sla_working_days")
    @classmethod
    def _tiers(cls, value: dict[str, int]) -> dict[str, int]:
        for tier, days in value.items():
            if tier not in VALUE_TIERS:
                raise ValueError(f"unknown tier {tier!r}; expected one of {VALUE_TIERS}")
            if days < 1:
                raise ValueError(f"{tier}: the SLA needs at least 1 working day")
        return value


class Costs(Section):
    """What one event of a type costs, in the workspace currency (reality check)."""

    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    per_event: dict[str, float] = Field(default_factory=dict)


class ScoringModel(Section):
    model: ModelInfo
    grading: Grading = Field(default_factory=Grading)
    engagement: Engagement = Field(default_factory=Engagement)
    silence: Silence | None = None
    account: AccountRollup = Field(default_factory=AccountRollup)
    thresholds: Thresholds
    lifecycle: Lifecycle = Field(default_factory=Lifecycle)
    handover: Handover = Field(default_factory=Handover)
    costs: Costs = Field(default_factory=Costs)

    def rule_name(self, index: int) -> str:
        """A rule's own name, or one made from its event and conditions."""
        rule = self.engagement.rules[index]
        if rule.name:
            return rule.name
        parts = [rule.event]
        for key in ("url_matches", "content", "form", "tag", "cta", "channel"):
            value = getattr(rule, key)
            if value is not None:
                parts.append(f"{key}={value}")
        parts.extend(f"{k}={v}" for k, v in sorted(rule.properties.items()))
        if rule.scope == "account":
            parts.insert(0, "account")
        return " ".join(parts)

    def half_life(self, index: int) -> float:
        rule = self.engagement.rules[index]
        return rule.half_life_days or self.engagement.half_life_days
