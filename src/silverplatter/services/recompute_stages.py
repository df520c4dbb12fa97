"""Lifecycle moves after a recompute, set-based: stages follow the new qualifications.

The same rule as ``services/stage_moves.py`` for the incremental path: the
engine's stages (subscriber, lead, MQL, SQL) follow the qualification both
ways; a recycled contact comes back when it is MQL- or SQL-ready again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, case, insert, literal, or_, select, update

from silverplatter.domain.lifecycle import AUTOMATIC_STAGES, LifecycleError, rule_transition_between
from silverplatter.services.scoring_models import ModelVersion
from silverplatter.services.stage_moves import COOL_DOWN
from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.lifecycle_schema import stage_transitions
from silverplatter.storage.schema import contacts


def _name(origin: str, target: str) -> str:
    try:
        return rule_transition_between(origin, target).name
    except LifecycleError:
        return COOL_DOWN


def apply_stage_moves(
    connection: Connection,
    version: ModelVersion,
    *,
    now: datetime,
    among: Any = None,
    because: str | None = None,
) -> int:
    """Move every contact (or those ``among`` a selectable of contact ids) whose stored
    qualification calls for it; ``because`` starts the reason (a recompute by default)."""
    stage = contacts.c.lifecycle_stage
    target = contact_scores.c.qualification
    moving = and_(
        contacts.c.id == contact_scores.c.contact_id,
        target != stage,
        or_(
            stage.in_(AUTOMATIC_STAGES),
            and_(stage == "recycled", target.in_(["mql", "sql"])),
        ),
    )
    if among is not None:
        moving = and_(moving, contacts.c.id.in_(among))
    origins = (*AUTOMATIC_STAGES, "recycled")
    names = case(
        *(
            (and_(stage == origin, target == goal), literal(_name(origin, goal)))
            for origin in origins
            for goal in AUTOMATIC_STAGES
            if origin != goal
        ),
        else_=literal(COOL_DOWN),
    )
    opening = because or f"scoring model v{version.version} recompute"
    reason = literal(f"{opening}: qualification is ") + target
    result = connection.execute(
        insert(stage_transitions)
        .from_select(
            [
                "contact_id",
                "from_stage",
                "to_stage",
                "transition",
                "actor",
                "reason",
                "occurred_at",
            ],
            select(
                contacts.c.id,
                stage,
                target,
                names,
                literal("rule"),
                reason,
                literal(now, stage_transitions.c.occurred_at.type),
            ).where(moving),
        )
        .returning(stage_transitions.c.id)
    )
    changed = len(result.all())
    if changed:
        if connection.dialect.name == "postgresql":
            # Locked first in id order, as every writer of contacts locks them (first
            # touches, the engine's moves): an UPDATE locks in the order its plan reads,
            # and two writers locking in different orders deadlock.
            connection.execute(
                select(contacts.c.id)
                .where(moving)
                .order_by(contacts.c.id)
                .with_for_update(key_share=True, of=contacts)
            ).all()
        connection.execute(
            update(contacts).where(moving).values(lifecycle_stage=target, stage_changed_at=now)
        )
    return changed
