"""The built-in programmes (domain §2, §6, §7): each a definition made from a few parameters.

* **buying_window_clock** — nurture planned backwards from the account's
  buying window (domain §6).  From ``lead_months`` before the window opens
  the ramp sends one e-mail every 3 months while more than 12 months remain,
  every 2 months from 12 to 6 months before, then monthly — the build-up
  peaks around month 20 of 24.  The last ``deal_months`` before the window
  are the deal-based programme: sales gets a task (engaged or quiet, say
  which), then every month an e-mail that helps the salesperson and a task
  for a meeting; when the window opens, a last task.  Ramp dates already
  passed when a contact enters are skipped, not sent at once.
* **lead_refinery** — lukewarm leads (right person, demand, wrong time) get
  ``touches_per_year`` e-mails a year, evenly spaced; once a year, whoever
  woke up (clicked, downloaded, sent a form) is handed to their owner as a
  task; then the year starts again.  Becoming an MQL or better ends it.
* **re_permission** — list hygiene (domain §2): people inactive for
  ``inactive_months`` are asked whether they want to stay; whoever clicks
  within ``answer_days`` stays, the others are suppressed.
* **welcome** — momentum after capture (domain §7): a welcome e-mail at
  once, the first follow-up ``first_follow_up_days`` later, then either a
  task for the owner (they engaged) or a second follow-up.

:func:`built_in_definition` makes the definition document; the programme it
becomes is an ordinary one the user can edit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from silverplatter.domain.document_checks import DocumentInvalid, from_validation_error, invalid
from silverplatter.domain.programmes import SALES_STAGES
from silverplatter.domain.rule_values import SLUG
from silverplatter.domain.vocabulary import EVENT_TYPE_PATTERN

Slug = Annotated[str, StringConstraints(strip_whitespace=True, pattern=SLUG.pattern)]
#: What shows that a contact is awake: the behaviour a branch looks for.
ENGAGED: Final = ["email_click", "content_download", "form_submit"]
REFINERY_GOALS: Final = ["mql", *SALES_STAGES]


def _slugs(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


Slugs = Annotated[list[Slug], Field(min_length=1, max_length=24)]


class _Parameters(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    #: An entry segment's slug; empty: the template's own entry rule.
    entry_segment: Slug | None = Field(
        default=None, description="Enter the members of this segment (empty: the built-in rule)"
    )


class ClockParameters(_Parameters):
    lead_months: int = Field(
        default=24, ge=6, le=60, description="Months before the window opens that nurture starts"
    )
    deal_months: int = Field(
        default=4, ge=1, le=12, description="Last months before the window: the deal programme"
    )
    ramp_templates: Slugs = Field(
        default=["nurture-1", "nurture-2", "nurture-3"],
        description="E-mail templates of the ramp, used in turn",
    )
    deal_templates: Slugs = Field(
        default=["deal-1", "deal-2"], description="E-mail templates of the deal months, in turn"
    )


class RefineryParameters(_Parameters):
    touches_per_year: int = Field(
        default=4, description="E-mails a year: 1, 2, 3, 4, 6 or 12", ge=1, le=12
    )
    templates: Slugs = Field(
        default=["refinery-1", "refinery-2", "refinery-3", "refinery-4"],
        description="E-mail templates, used in turn",
    )


class RePermissionParameters(_Parameters):
    inactive_months: int = Field(
        default=12, ge=3, le=60, description="Months without opening, clicking or visiting"
    )
    ask_template: Slug = Field(
        default="re-permission", description="The e-mail asking whether they want to stay"
    )
    answer_days: int = Field(
        default=14, ge=1, le=90, description="Days to click before suppression"
    )


class WelcomeParameters(_Parameters):
    entry_event: Annotated[str, StringConstraints(pattern=EVENT_TYPE_PATTERN.pattern)] = Field(
        default="form_submit", description="The event that enrols: form_submit or a confirmation"
    )
    form: Slug | None = Field(
        default=None, description="Only submissions of this form (empty: any)"
    )
    welcome_template: Slug = Field(default="welcome", description="Sent at once")
    follow_up_templates: Slugs = Field(
        default=["welcome-2", "welcome-3"], description="The two follow-ups, in order"
    )
    first_follow_up_days: int = Field(default=2, ge=1, le=30, description="Days to the first")
    second_follow_up_days: int = Field(default=3, ge=1, le=30, description="Days more to the next")


def _entry(parameters: _Parameters, rule: dict[str, Any]) -> dict[str, Any]:
    return {"segment": parameters.entry_segment} if parameters.entry_segment else {"rule": rule}


def ramp_offsets(lead_months: int, deal_months: int) -> list[int]:
    """Months relative to the window's opening at which the ramp sends (negative: before)."""
    offsets = []
    month = -lead_months
    while month < -deal_months:
        offsets.append(month)
        month += 3 if month < -12 else 2 if month < -6 else 1
    return offsets


def _window_wait(step_id: str, months: int, if_passed: str, label: str = "") -> dict[str, Any]:
    step: dict[str, Any] = {"id": step_id, "type": "wait"}
    if label:
        step["label"] = label
    step.update(until={"edge": "opens", "months": months}, if_passed=if_passed)
    return step


def buying_window_clock(p: ClockParameters) -> dict[str, Any]:
    if p.deal_months >= p.lead_months:
        raise invalid("parameters.deal_months", "must be fewer than lead_months")
    steps: list[dict[str, Any]] = []
    for number, months in enumerate(ramp_offsets(p.lead_months, p.deal_months)):
        steps.append(_window_wait(f"ramp-wait-{-months}", months, "skip"))
        template = p.ramp_templates[number % len(p.ramp_templates)]
        steps.append({"id": f"ramp-send-{-months}", "type": "send_email", "template": template})
    deal = -p.deal_months
    steps.append(_window_wait("deal-start", deal, "continue", "The deal programme starts"))
    steps.append(
        {
            "id": "deal-check",
            "type": "branch",
            "label": "Engaged in the last 90 days?",
            "arms": [
                {
                    "label": "Engaged",
                    "when": {"event": ENGAGED, "within_days": 90},
                    "steps": [
                        {
                            "id": "deal-task-engaged",
                            "type": "notify_owner",
                            "message": f"The buying window opens in {p.deal_months} months and "
                            "this contact is engaged: book a discovery meeting.",
                        }
                    ],
                },
                {
                    "label": "Quiet",
                    "steps": [
                        {
                            "id": "deal-task-quiet",
                            "type": "notify_owner",
                            "message": f"The buying window opens in {p.deal_months} months; "
                            "this contact has been quiet: call to qualify the need.",
                        }
                    ],
                },
            ],
        }
    )
    for number, months in enumerate(range(deal, 0)):
        if number:
            steps.append(_window_wait(f"deal-wait-{-months}", months, "skip"))
            steps.append(
                {
                    "id": f"deal-task-{-months}",
                    "type": "notify_owner",
                    "message": f"{-months} months to the buying window: meet the buying "
                    "committee and move the deal on.",
                }
            )
        template = p.deal_templates[number % len(p.deal_templates)]
        steps.append({"id": f"deal-send-{-months}", "type": "send_email", "template": template})
    steps.append(_window_wait("window-open", 0, "continue", "The window opens"))
    steps.append(
        {
            "id": "window-task",
            "type": "notify_owner",
            "message": "The buying window is open now: the proposal should be on the table.",
        }
    )
    rule = {
        "all": [
            {
                "field": "account.buying_window",
                "op": "opens_within_months",
                "value": p.lead_months + 12,
            },
            {"field": "contact.suppressed", "op": "equals", "value": False},
        ]
    }
    return {"entry": _entry(p, rule), "goal_stages": list(SALES_STAGES), "steps": steps}


def lead_refinery(p: RefineryParameters) -> dict[str, Any]:
    if 12 % p.touches_per_year:
        raise invalid("parameters.touches_per_year", "must be 1, 2, 3, 4, 6 or 12")
    gap = 12 // p.touches_per_year
    steps: list[dict[str, Any]] = []
    for number in range(p.touches_per_year):
        template = p.templates[number % len(p.templates)]
        steps.append({"id": f"touch-{number + 1}", "type": "send_email", "template": template})
        steps.append({"id": f"gap-{number + 1}", "type": "wait", "months": gap})
    steps.append(
        {
            "id": "yearly-check",
            "type": "branch",
            "label": "Woke up in the last 90 days?",
            "arms": [
                {
                    "label": "Active again",
                    "when": {"event": ENGAGED, "within_days": 90},
                    "steps": [
                        {
                            "id": "tell-owner",
                            "type": "notify_owner",
                            "message": "A lukewarm lead from the refinery is active again: "
                            "check the need and the timing.",
                        }
                    ],
                },
                {"label": "Still lukewarm", "steps": []},
            ],
        }
    )
    steps.append({"id": "next-year", "type": "go_to", "step": "touch-1"})
    rule = {
        "all": [
            {"field": "contact.lifecycle_stage", "op": "in", "value": ["lead", "recycled"]},
            {"field": "contact.grade", "op": "gte", "value": "B"},
            {"field": "contact.suppressed", "op": "equals", "value": False},
        ]
    }
    return {"entry": _entry(p, rule), "goal_stages": REFINERY_GOALS, "steps": steps}


def re_permission(p: RePermissionParameters) -> dict[str, Any]:
    days = p.inactive_months * 30
    quiet = ["email_open", "email_click", "page_view", "form_submit", "content_download"]
    rule = {
        "all": [
            *({"not": {"event": kind, "within_days": days}} for kind in quiet),
            {"field": "contact.created_at", "op": "more_than_days_ago", "value": days},
            {"field": "contact.suppressed", "op": "equals", "value": False},
        ]
    }
    steps = [
        {"id": "ask", "type": "send_email", "template": p.ask_template},
        {"id": "answer-time", "type": "wait", "days": p.answer_days},
        {
            "id": "answered",
            "type": "branch",
            "label": "Clicked to stay?",
            "arms": [
                {
                    "label": "Stays",
                    "when": {"event": "email_click", "within_days": p.answer_days},
                    "steps": [],
                },
                {
                    "label": "No click",
                    "steps": [
                        {
                            "id": "leave-list",
                            "type": "suppress",
                            "reason": "no click on the re-permission e-mail",
                        }
                    ],
                },
            ],
        },
    ]
    return {"entry": _entry(p, rule), "goal_stages": [], "steps": steps}


def welcome(p: WelcomeParameters) -> dict[str, Any]:
    event: dict[str, Any] = {"event": p.entry_event}
    if p.form:
        event["properties"] = {"form": p.form}
    entry = {"segment": p.entry_segment} if p.entry_segment else event
    first, *rest = p.follow_up_templates
    second = rest[0] if rest else first
    steps = [
        {"id": "welcome", "type": "send_email", "template": p.welcome_template},
        {"id": "first-gap", "type": "wait", "days": p.first_follow_up_days},
        {"id": "follow-up-1", "type": "send_email", "template": first},
        {"id": "second-gap", "type": "wait", "days": p.second_follow_up_days},
        {
            "id": "engaged",
            "type": "branch",
            "label": "Engaged with the welcome?",
            "arms": [
                {
                    "label": "Engaged",
                    "when": {
                        "event": ENGAGED,
                        "within_days": p.first_follow_up_days + p.second_follow_up_days,
                    },
                    "steps": [
                        {
                            "id": "call-them",
                            "type": "notify_owner",
                            "message": "A new contact engaged with the welcome e-mails: "
                            "follow up within days while it is fresh.",
                        }
                    ],
                },
                {
                    "label": "Not yet",
                    "steps": [{"id": "follow-up-2", "type": "send_email", "template": second}],
                },
            ],
        },
    ]
    return {"entry": entry, "goal_stages": list(SALES_STAGES), "steps": steps}


@dataclass(frozen=True, slots=True)
class BuiltIn:
    key: str
    name: str
    description: str
    parameters: type[_Parameters]
    build: Callable[[Any], dict[str, Any]]


BUILT_INS: Final[dict[str, BuiltIn]] = {
    "buying_window_clock": BuiltIn(
        "buying_window_clock",
        "Buying-window clock",
        "Nurture planned backwards from the account's buying window: a ramp that peaks "
        "months before it opens, then a deal programme with sales tasks.",
        ClockParameters,
        buying_window_clock,
    ),
    "lead_refinery": BuiltIn(
        "lead_refinery",
        "Lead refinery",
        "Keeps lukewarm leads warm on a yearly rhythm until they activate.",
        RefineryParameters,
        lead_refinery,
    ),
    "re_permission": BuiltIn(
        "re_permission",
        "Re-permission",
        "Asks people inactive for months whether they want to stay; suppresses those who "
        "do not click.",
        RePermissionParameters,
        re_permission,
    ),
    "welcome": BuiltIn(
        "welcome",
        "Welcome and first follow-ups",
        "A welcome at once and follow-ups within days of capture.",
        WelcomeParameters,
        welcome,
    ),
}


def parameters_of(key: str, values: Mapping[str, Any]) -> _Parameters:
    """The built-in's parameters from plain values (a form's text or JSON)."""
    built_in = BUILT_INS.get(key)
    if built_in is None:
        raise invalid("template", f"must be one of {', '.join(BUILT_INS)}")
    given = {name: value for name, value in values.items() if value not in (None, "")}
    for name, spec in built_in.parameters.model_fields.items():
        if name in given and spec.annotation is not None and "list" in str(spec.annotation):
            given[name] = _slugs(given[name])
    try:
        return built_in.parameters.model_validate(given)
    except ValidationError as error:
        raise from_validation_error(error, prefix=("parameters",)) from None


def built_in_definition(key: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The definition document of built-in ``key`` with the given parameters.

    :class:`DocumentInvalid` names a bad parameter as ``parameters.<name>``.
    """
    parameters = parameters_of(key, values)
    return BUILT_INS[key].build(parameters)


__all__ = [
    "BUILT_INS",
    "BuiltIn",
    "ClockParameters",
    "DocumentInvalid",
    "RePermissionParameters",
    "RefineryParameters",
    "WelcomeParameters",
    "built_in_definition",
    "parameters_of",
    "ramp_offsets",
]
