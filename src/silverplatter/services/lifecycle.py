"""Moving contacts through the lifecycle: by a user, one at a time, or by the rules, in bulk."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Connection

from silverplatter.domain.lifecycle import (
    LifecycleError,
    StageChange,
    check_reason,
    rule_transition_between,
    sql_requires_bant,
    stage_change,
)
from silverplatter.domain.qualification import Bant
from silverplatter.storage import lifecycle as store
from silverplatter.storage.lifecycle import StageRecord


def transition(
    connection: Connection,
    contact_id: int,
    to_stage: str,
    *,
    reason: str,
    now: datetime,
    user_id: int | None = None,
    has_hard_cta: bool = False,
) -> StageChange:
    """Move one contact to ``to_stage`` on a user's decision, recorded with who, why and when.

    Becoming SQL without a hard call to action needs a complete BANT
    qualification (domain §5).
    """
    current = store.current_stage(connection, contact_id, lock=True)
    if current is None:
        raise LifecycleError(f"no contact with id {contact_id}")
    change = stage_change(contact_id, current, to_stage, reason)
    if to_stage == "sql":
        bant = store.latest_qualification(connection, contact_id) or Bant()
        refusal = sql_requires_bant(has_hard_cta, bant.is_complete)
        if refusal is not None:
            raise LifecycleError(
                f"contact {contact_id} cannot become SQL: {refusal}; "
                f"missing: {', '.join(bant.missing())}"
            )
    applied = store.apply_stage_changes(
        connection, [change], actor="user", now=now, user_id=user_id
    )
    if applied != 1:
        raise LifecycleError(f"contact {contact_id} left stage {current} meanwhile; try again")
    return change


def record_automatic_changes(
    connection: Connection, changes: Sequence[StageChange], now: datetime
) -> int:
    """Apply the rules' stage changes in one batch (actor ``rule``); return how many applied.

    Each change must name the transition between its stages and give a reason
    where the transition needs one.  A change whose contact has meanwhile left
    ``from_stage`` is skipped, and not recorded.
    """
    checked: dict[int, StageChange] = {}
    for change in changes:
        who = f"contact {change.contact_id}"
        try:
            step = rule_transition_between(change.from_stage, change.to_stage)
            reason = check_reason(step, change.reason)
        except LifecycleError as error:
            raise LifecycleError(f"{who}: {error}") from None
        if step.name != change.transition:
            raise LifecycleError(
                f"{who}: {change.from_stage} → {change.to_stage} is the transition "
                f"{step.name}, not {change.transition}"
            )
        if change.contact_id in checked:
            raise LifecycleError(f"{who} appears twice in one batch")
        checked[change.contact_id] = replace(change, reason=reason)
    return store.apply_stage_changes(connection, list(checked.values()), actor="rule", now=now)


def stage_history(connection: Connection, contact_id: int) -> list[StageRecord]:
    """The contact's moves between stages, oldest first."""
    return store.stage_history(connection, contact_id)


__all__ = ["StageRecord", "record_automatic_changes", "stage_history", "transition"]
