"""Which lifecycle move the engine's readiness calls for, with its reason in words.

Stages the engine owns (subscriber, lead, MQL, SQL) follow the qualification
both ways, so the stage is a function of the state and never of the order in
which events arrived.  A recycled contact comes back once it is MQL-ready
again; stages people set (accepted, opportunity, customer, disqualified) are
never moved by rules.
"""

from __future__ import annotations

from silverplatter.domain.lifecycle import (
    AUTOMATIC_STAGES,
    LifecycleError,
    StageChange,
    rule_transition_between,
)
from silverplatter.domain.readiness import Readiness

#: Moves down among the engine's stages that no named forward transition covers.
COOL_DOWN = "cool_down"


def _reason(readiness: Readiness) -> str:
    checks = readiness.sql if readiness.qualification == "sql" else readiness.mql
    if readiness.qualification in ("sql", "mql"):
        met = [check.text for check in checks if check.met]
        return "; ".join(met) or f"{readiness.qualification} criteria met"
    missing = [check.text for check in readiness.mql if not check.met]
    return "no longer meets: " + ("; ".join(missing) or "the MQL criteria")


def automatic_change(
    contact_id: int, current: str | None, readiness: Readiness
) -> StageChange | None:
    target = readiness.qualification
    stage = current or "subscriber"
    if stage == target:
        return None
    if stage == "recycled":
        if target not in ("mql", "sql"):
            return None
    elif stage not in AUTOMATIC_STAGES:
        return None
    try:
        name = rule_transition_between(stage, target).name
    except LifecycleError:
        name = COOL_DOWN
    return StageChange(contact_id, stage, target, name, _reason(readiness))
