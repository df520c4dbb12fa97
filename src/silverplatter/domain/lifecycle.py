"""The lifecycle of a contact: stages as data, named transitions, the BANT rule.

A contact moves subscriber → lead → MQL → SQL → accepted by sales →
opportunity → customer; any stage may be recycled to nurture or disqualified,
always with a reason (domain §5).  Every move is a named :class:`Transition`
with a one-line meaning; :func:`transition_between` finds it or says what is
allowed instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


class LifecycleError(ValueError):
    """A stage change that the lifecycle does not allow."""


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    label: str
    meaning: str


STAGES: Final = (
    Stage("subscriber", "Subscriber", "Receives our content; has shown no buying interest."),
    Stage("lead", "Lead", "Has shown interest: engaged with us beyond subscribing."),
    Stage("mql", "MQL", "Marketing-qualified: fit and engagement pass the threshold."),
    Stage("sql", "SQL", "Sales-qualified: authority, need and timeline known; handed over."),
    Stage("sal", "Accepted by sales", "Sales has accepted the handover and works the contact."),
    Stage("opportunity", "Opportunity", "A deal is open with this contact."),
    Stage("customer", "Customer", "Has bought from us."),
    Stage("recycled", "Recycled", "Back in nurture: not now, maybe later."),
    Stage("disqualified", "Disqualified", "Not a buyer for us; kept out of sales and nurture."),
)
STAGE_NAMES: Final = tuple(stage.name for stage in STAGES)
STAGES_BY_NAME: Final = {stage.name: stage for stage in STAGES}

#: The stages the scoring engine sets from thresholds; the rest are set by people.
AUTOMATIC_STAGES: Final = ("subscriber", "lead", "mql", "sql")


@dataclass(frozen=True, slots=True)
class Transition:
    """A named move from any of ``from_stages`` to ``to_stage``."""

    name: str
    meaning: str
    from_stages: tuple[str, ...]
    to_stage: str
    needs_reason: bool = False
    #: Only the scoring engine makes this move (people use the manual ones).
    by_rules_only: bool = False


def _except(*stages: str) -> tuple[str, ...]:
    return tuple(name for name in STAGE_NAMES if name not in stages)


TRANSITIONS: Final = (
    Transition("become_lead", "Showed interest beyond subscribing.", ("subscriber",), "lead"),
    Transition(
        "qualify_as_mql",
        "Fit and engagement reached the MQL threshold.",
        ("subscriber", "lead"),
        "mql",
    ),
    Transition("fade", "Engagement faded below the MQL threshold; back to lead.", ("mql",), "lead"),
    Transition(
        "hand_over_as_sql",
        "Sales-ready: handed over to sales, who must act within the service level.",
        ("subscriber", "lead", "mql", "recycled"),
        "sql",
    ),
    Transition(
        "send_back",
        "Sales returns the contact to marketing: not ready yet.",
        ("sql", "sal"),
        "mql",
        needs_reason=True,
    ),
    Transition("accept", "Sales accepted the handover and works the contact.", ("sql",), "sal"),
    Transition(
        "open_opportunity", "Sales opened a deal with the contact.", ("sql", "sal"), "opportunity"
    ),
    Transition("win", "The deal was won: the contact is a customer.", ("opportunity",), "customer"),
    Transition(
        "reengage",
        "Engagement returned after recycling; back to lead.",
        ("recycled",),
        "lead",
    ),
    Transition(
        "reengage_as_mql",
        "Engagement returned after recycling, strong enough for MQL.",
        ("recycled",),
        "mql",
    ),
    Transition(
        "recycle",
        "Not now: back to nurture until the timing is right.",
        _except("recycled"),
        "recycled",
        needs_reason=True,
    ),
    Transition(
        "disqualify",
        "Not a buyer for us: out of sales and nurture.",
        _except("disqualified"),
        "disqualified",
        needs_reason=True,
    ),
)
#: Moves down among the engine's stages: the thresholds no longer hold (the score
#: faded, a flag lapsed, the tier changed).  Only rules make them.
RULE_TRANSITIONS: Final = (
    Transition(
        "cool_down",
        "No longer meets the SQL criteria; back to MQL.",
        ("sql",),
        "mql",
        by_rules_only=True,
    ),
    Transition(
        "fade_to_lead",
        "No longer meets the SQL or MQL criteria; back to lead.",
        ("sql",),
        "lead",
        by_rules_only=True,
    ),
    Transition(
        "lapse",
        "No longer shows the interest of a lead; back to subscriber.",
        ("lead", "mql", "sql"),
        "subscriber",
        by_rules_only=True,
    ),
)
TRANSITIONS_BY_NAME: Final = {step.name: step for step in TRANSITIONS + RULE_TRANSITIONS}
_BY_MOVE: Final = {
    (origin, step.to_stage): step for step in TRANSITIONS for origin in step.from_stages
}
_BY_RULE_MOVE: Final = {
    **_BY_MOVE,
    **{(origin, step.to_stage): step for step in RULE_TRANSITIONS for origin in step.from_stages},
}


def rule_transition_between(current: str, target: str) -> Transition:
    """The transition the scoring engine records for a move between its stages."""
    step = _BY_RULE_MOVE.get((current, target))
    if step is None:
        raise LifecycleError(f"the rules do not move contacts from {current} to {target}")
    return step


def check_stage(name: str) -> Stage:
    """The stage called ``name``, or a :class:`LifecycleError` listing the stages."""
    stage = STAGES_BY_NAME.get(name)
    if stage is None:
        raise LifecycleError(f"unknown stage {name!r}; stages are: {', '.join(STAGE_NAMES)}")
    return stage


def allowed_from(stage: str) -> list[Transition]:
    """The transitions that may leave ``stage``, in lifecycle order."""
    return [step for step in TRANSITIONS if stage in step.from_stages]


def transition_between(current: str, target: str) -> Transition:
    """The named transition from ``current`` to ``target``, or a clear refusal."""
    check_stage(current)
    check_stage(target)
    step = _BY_MOVE.get((current, target))
    if step is not None:
        return step
    if current == target:
        raise LifecycleError(f"the contact is already at stage {target}")
    moves = ", ".join(f"{s.name} → {s.to_stage}" for s in allowed_from(current))
    raise LifecycleError(
        f"cannot move from {current} to {target}; from {current} the allowed moves are: {moves}"
    )


def check_reason(step: Transition, reason: str) -> str:
    """The reason to record for ``step``: required where the transition says so."""
    given = reason.strip()
    if not given and step.needs_reason:
        raise LifecycleError(f"{step.name} to {step.to_stage} needs a reason")
    return given or step.meaning


@dataclass(frozen=True, slots=True)
class StageChange:
    """One contact's move, as recorded in the stage history."""

    contact_id: int
    from_stage: str
    to_stage: str
    transition: str
    reason: str


def stage_change(contact_id: int, current: str, target: str, reason: str = "") -> StageChange:
    """The validated change of one contact from ``current`` to ``target``."""
    step = transition_between(current, target)
    return StageChange(contact_id, current, target, step.name, check_reason(step, reason))


def sql_requires_bant(has_hard_cta: bool, bant_complete: bool) -> str | None:
    """Why a contact may not become SQL yet, or ``None`` when it may.

    A hard call to action (asking for a quote, a demo, a call) expresses intent
    by itself; otherwise sales needs budget, authority, need and timeline known
    from a qualifying dialogue before the handover (domain §5).
    """
    if has_hard_cta or bant_complete:
        return None
    return (
        "without a hard call to action, a contact needs a complete BANT qualification "
        "(budget, authority, need, timeline) before becoming SQL"
    )
