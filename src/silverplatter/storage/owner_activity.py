"""When an account's owner last did something about the account (domain §11).

Lost-lead mining asks of an account "is anyone looking after it?".  The
answer is the owner's own deeds, not the account's traffic: the latest of

* ``meeting``: a meeting at the account that the owner held
  (``meetings.owner_id``, at ``occurred_at``);
* ``opportunity``: an opportunity of the account that the owner owns, created
  or updated (``opportunities.updated_at``, never earlier than its creation);
* ``stage_move``: a lifecycle move the owner made on one of the account's
  contacts (``stage_transitions.user_id``);
* ``handover``: a handover of one of the account's contacts that the owner
  acted on — accepted, recycled, disqualified or turned into an opportunity
  (``handovers.acted_by``, at ``acted_at``);
* ``task``: a task about the account or one of its contacts, owned by the
  owner and closed (``tasks.done_at``).

"The owner" is the account's *current* owner (``accounts.owner_id``): a
former owner's or a colleague's deeds do not show that the present owner is
looking after it.  Anything dated after ``now`` (a meeting booked ahead) does
not count yet.  Accounts without an owner have no owner activity.

Everything is one set-based statement (a ``UNION ALL`` grouped per account),
so a section can join it against every account at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Connection,
    String,
    Subquery,
    func,
    literal,
    select,
    union_all,
)

from silverplatter.storage.handover_schema import handovers
from silverplatter.storage.lifecycle_schema import stage_transitions
from silverplatter.storage.planning_schema import tasks
from silverplatter.storage.rows import IN_CHUNK
from silverplatter.storage.schema import accounts, contacts, meetings, opportunities

KINDS = ("meeting", "opportunity", "stage_move", "handover", "task")


def _deeds(
    now: datetime, *, account_ids: Sequence[int] | None = None, owner_id: int | None = None
) -> CompoundSelect[Any]:
    """Every deed of an account's owner about the account: ``(account_id, kind, at)``.

    ``account_ids`` limits it to those accounts, ``owner_id`` to one owner's accounts.
    """
    a = accounts.alias("owned")
    of_contact = contacts.alias("of_contact")
    scope: list[ColumnElement[bool]] = [a.c.owner_id.is_not(None)]
    if account_ids is not None:
        scope.append(a.c.id.in_(list(account_ids)))
    if owner_id is not None:
        scope.append(a.c.owner_id == owner_id)

    def where(*conditions: Any) -> tuple[Any, ...]:
        return (*scope, *conditions)

    met = (
        select(
            a.c.id.label("account_id"),
            literal("meeting", String).label("kind"),
            meetings.c.occurred_at,
        )
        .join_from(meetings, a, a.c.id == meetings.c.account_id)
        .where(*where(meetings.c.owner_id == a.c.owner_id, meetings.c.occurred_at <= now))
    )
    dealt = (
        select(a.c.id, literal("opportunity", String), opportunities.c.updated_at)
        .join_from(opportunities, a, a.c.id == opportunities.c.account_id)
        .where(*where(opportunities.c.owner_id == a.c.owner_id, opportunities.c.updated_at <= now))
    )
    moved = (
        select(a.c.id, literal("stage_move", String), stage_transitions.c.occurred_at)
        .join_from(stage_transitions, of_contact, of_contact.c.id == stage_transitions.c.contact_id)
        .join(a, a.c.id == of_contact.c.account_id)
        .where(
            *where(
                stage_transitions.c.user_id.is_not(None),
                stage_transitions.c.user_id == a.c.owner_id,
                stage_transitions.c.occurred_at <= now,
            )
        )
    )
    acted = (
        select(a.c.id, literal("handover", String), handovers.c.acted_at)
        .join_from(handovers, a, a.c.id == handovers.c.account_id)
        .where(
            *where(
                handovers.c.acted_by.is_not(None),
                handovers.c.acted_by == a.c.owner_id,
                handovers.c.acted_at <= now,
            )
        )
    )
    task_contact = contacts.alias("task_contact")
    about = func.coalesce(tasks.c.account_id, task_contact.c.account_id)
    closed = (
        select(a.c.id, literal("task", String), tasks.c.done_at)
        .select_from(
            tasks.outerjoin(task_contact, task_contact.c.id == tasks.c.contact_id).join(
                a, a.c.id == about
            )
        )
        .where(
            *where(
                tasks.c.status == "done",
                tasks.c.owner_id == a.c.owner_id,
                tasks.c.done_at <= now,
            )
        )
    )
    return union_all(met, dealt, moved, acted, closed)


def last_owner_activity(*, now: datetime, owner_id: int | None = None) -> Subquery:
    """Per owned account with any owner activity: ``account_id``, ``last_activity_at``.

    Join it (outer) to ``accounts`` on ``account_id``; ``owner_id`` keeps one
    owner's accounts only, which is all a salesperson's report needs.
    """
    deeds = _deeds(now, owner_id=owner_id).subquery("deeds")
    return (
        select(
            deeds.c.account_id,
            func.max(deeds.c.occurred_at).label("last_activity_at"),
        )
        .group_by(deeds.c.account_id)
        .subquery("owner_activity")
    )


def last_activities(
    connection: Connection, account_ids: Iterable[int], *, now: datetime
) -> dict[int, tuple[str, datetime]]:
    """For each of these accounts with owner activity: the kind and time of the latest deed."""
    wanted = sorted(set(account_ids))
    found: dict[int, tuple[str, datetime]] = {}
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start : start + IN_CHUNK]
        deeds = _deeds(now, account_ids=chunk).subquery("deeds")
        rows = connection.execute(
            select(deeds.c.account_id, deeds.c.kind, func.max(deeds.c.occurred_at).label("at"))
            .group_by(deeds.c.account_id, deeds.c.kind)
            .order_by(deeds.c.account_id, deeds.c.kind)
        )
        for row in rows:
            latest = found.get(row.account_id)
            if latest is None or row.at > latest[1]:
                found[row.account_id] = (row.kind, row.at)
    return found


__all__ = ["KINDS", "last_activities", "last_owner_activity"]
